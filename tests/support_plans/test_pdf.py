import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse

from pupils.models import OnePageProfile
from send_register.models import PdfJob
from send_register.pdf import get_kind, render_pdf_bytes
from support_plans import services

from .conftest import today

pytestmark = pytest.mark.django_db


def _inflated(data: bytes) -> bytes:
    """The PDF with its compressed streams (object streams hold the catalogue) inflated."""
    import re
    import zlib

    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def pdf_text(data: bytes) -> str:
    result = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def test_the_support_plan_pdf_has_real_text(world, make_plan, review_all):
    plan = make_plan(provision="Reading group three times a week")
    cycle = review_all(plan.cycles.get())
    services.cycle_close(cycle=cycle, by=world.senco, decision="continue", next_review_date=today() + timedelta(days=40))
    data = render_pdf_bytes("support_plan", plan.pk)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("Support plan", "Short-term targets", "Add within 20 using a number line", "Reading group three times a week",
                     "Help that can be given at home", "Outcomes recorded at the last review", "Partly achieved", "Amelia Brook",
                     "Brookfield Primary School", "Page 1 of"):
        assert expected in text, expected
    # The achieved target is no longer an open target but shows among the outcomes.
    assert "Achieved" in text


def test_the_one_page_profile_pdf(world):
    OnePageProfile.objects.create(
        pupil=world.pupil, like_and_admire="Kind and funny", important_to_me="My dog Biscuit", how_to_support="Show me first",
        find_hard="Loud rooms", gathered_on=date(2026, 10, 1), written_by=world.teacher,
    )
    text = pdf_text(render_pdf_bytes("one_page_profile", world.pupil.pk))
    for expected in ("One-page profile", "What people like and admire about me", "Kind and funny", "My dog Biscuit", "Loud rooms"):
        assert expected in text, expected


def test_pdf_filenames_have_no_names(world, make_plan):
    plan = make_plan()
    assert get_kind("support_plan").filename(plan.pk) == f"support-plan-{plan.pk}.pdf"
    assert "Amelia" not in get_kind("one_page_profile").filename(world.pupil.pk)


@pytest.mark.parametrize("persona,allowed", [
    ("senco", True), ("head", True), ("teacher", True), ("ta", True), ("parent", True),
    ("other_teacher", False), ("other_parent", False), ("governor", False), ("admin", False),
])
def test_who_may_ask_for_the_plan_pdf(persona, allowed, world, make_plan):
    plan = make_plan()
    user = world.personas()[persona]
    assert get_kind("support_plan").can_request(user, plan.pk) is allowed


@pytest.mark.parametrize("persona,allowed", [
    ("senco", True), ("teacher", True), ("ta", True), ("other_teacher", False), ("parent", False), ("governor", False),
])
def test_who_may_ask_for_the_profile_pdf(persona, allowed, world):
    assert get_kind("one_page_profile").can_request(world.personas()[persona], world.pupil.pk) is allowed


def test_a_parent_may_not_ask_for_an_old_version(world, make_plan):
    plan = make_plan()
    services.plan_new_version(plan=plan, by=world.senco)
    assert get_kind("support_plan").can_request(world.parent, plan.pk) is False
    assert get_kind("support_plan").can_request(world.teacher, plan.pk) is True


def test_the_download_button_queues_a_job_and_renders_it(world, make_plan, client_for, django_capture_on_commit_callbacks):
    plan = make_plan()
    client = client_for(world.parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pdfs:request", args=["support_plan", plan.pk]))
    job = PdfJob.objects.get()
    assert response.status_code == 302 and job.kind == "support_plan"
    job.refresh_from_db()
    assert job.status == PdfJob.Status.READY
    assert client_for(world.other_parent).post(reverse("pdfs:request", args=["support_plan", plan.pk])).status_code == 404


def test_a_change_to_the_plan_makes_a_new_pdf(world, make_plan):
    plan = make_plan()
    before = get_kind("support_plan").version(plan.pk)
    services.plan_update(plan=plan, by=world.senco, lock_version=plan.lock_version, provision="Changed")
    assert get_kind("support_plan").version(plan.pk) != before


def test_the_pdfs_are_tagged_with_a_language_and_title(world, make_plan):
    plan = make_plan()
    for kind, object_id in (("support_plan", plan.pk), ("one_page_profile", world.pupil.pk)):
        data = render_pdf_bytes(kind, object_id)
        info = subprocess.run(["/usr/bin/pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert "Tagged:          yes" in info, kind
        assert b"/Lang (en-GB)" in _inflated(data), kind
        assert "Title:" in info
