"""Parents told of register decisions, every time (Children and Families Act
2014 s.68): emailed where the school holds an address, otherwise a letter or
another way recorded by the SENCo; until then the decision is on the due page."""

import subprocess
import tempfile
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pupils.contacts import contact_add
from pupils.models import Contact, ParentNotice, RegisterEvent, SenStatus
from pupils.services import register_place
from reviews import deadlines
from send_register.pdf import render_pdf_bytes
from tests.locking import with_version

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True).stdout


def _parents(pupil):
    mum = contact_add(pupil=pupil, contact=Contact(title="Mrs", first_name="Rosa", last_name="Field", email="rosa.field@test.example.org"),
                      priority=1, relationship="Mother", parental_responsibility=True)
    dad = contact_add(pupil=pupil, contact=Contact(title="Mr", first_name="Dan", last_name="Field"),
                      priority=2, relationship="Father", parental_responsibility=True)
    return mum, dad


def _place(client_for, world, pupil, django_capture_on_commit_callbacks):
    client = client_for(world.senco)
    url = reverse("pupils:status", args=[pupil.pk])
    data = with_version(client, url, {
        "status": SenStatus.SEN_SUPPORT, "effective_date": timezone.localdate().isoformat(), "reason": "Assessed in class",
    })
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    return client, response, RegisterEvent.objects.filter(pupil=pupil).first()


def _due_for(pupil):
    return [i for i in deadlines.collect(today=timezone.localdate()) if i.pupil_id == pupil.pk and i.kind == "parents_told"]


def test_placing_emails_one_parent_and_sends_the_senco_to_the_other_s_letter(world, client_for, django_capture_on_commit_callbacks):
    pupil = world.unlisted_pupil
    mum, dad = _parents(pupil)
    client, response, event = _place(client_for, world, pupil, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:event_notices", args=[pupil.pk, event.pk])
    assert [m.to for m in mail.outbox] == [["rosa.field@test.example.org"]]
    assert "Dear Mrs Field" in mail.outbox[0].body
    emailed, waiting = ParentNotice.objects.get(contact=mum), ParentNotice.objects.get(contact=dad)
    assert emailed.told_on == timezone.localdate() and emailed.method == "email"
    assert waiting.told_on is None and waiting.method == "letter"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "has no email address" in html and "Mr Dan Field" in html and "Not told yet" in html
    # Until then, the decision is on the due page.
    [item] = _due_for(pupil)
    assert item.title.endswith("1 not told yet") and item.statutory
    assert item.url == reverse("pupils:event_notices", args=[pupil.pk, event.pk])


def test_the_letter_says_what_the_email_says(world, client_for, django_capture_on_commit_callbacks):
    pupil = world.unlisted_pupil
    _mum, dad = _parents(pupil)
    _place(client_for, world, pupil, django_capture_on_commit_callbacks)
    text = pdf_text(render_pdf_bytes("parent_letter", ParentNotice.objects.get(contact=dad).pk))
    for expected in ("Brookfield Primary School", "Dear Mr Field", "Cara is now receiving special educational needs (SEN) support",
                     "section 68 of the Children and Families Act 2014", "Special educational needs support for Cara Field"):
        assert expected in " ".join(text.split()), expected


def test_the_senco_records_the_letter_handed_over_and_the_due_item_goes(world, client_for, django_capture_on_commit_callbacks):
    pupil = world.unlisted_pupil
    _mum, dad = _parents(pupil)
    client, _response, event = _place(client_for, world, pupil, django_capture_on_commit_callbacks)
    notice = ParentNotice.objects.get(contact=dad)
    url = reverse("pupils:notice_record", args=[pupil.pk, notice.pk])

    tomorrow = timezone.localdate() + timedelta(days=1)
    bad = client.post(url, {"method": "letter", "told_on": tomorrow.isoformat()})
    assert bad.status_code == 200 and "The date cannot be in the future" in bad.content.decode()
    notice.refresh_from_db()
    assert notice.told_on is None

    response = client.post(url, {"method": "letter", "told_on": timezone.localdate().isoformat(), "note": "Handed over at the gate"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.method, notice.told_on, notice.note, notice.recorded_by) == ("letter", timezone.localdate(), "Handed over at the gate", world.senco)
    assert _due_for(pupil) == []
    # The register history shows each parent, how and when.
    html = client.get(reverse("pupils:detail", args=[pupil.pk])).content.decode()
    assert "Mrs Rosa Field:</span> email" in html and "Mr Dan Field:</span> letter" in html
    # Recording twice is refused.
    again = client.post(url, {"method": "phone", "told_on": timezone.localdate().isoformat()})
    assert "already recorded as told" in again.content.decode()


def test_a_pupil_with_no_parent_recorded_warns_and_shows_until_parents_are_added_and_told(world, client_for, django_capture_on_commit_callbacks):
    pupil = world.unlisted_pupil
    client, response, event = _place(client_for, world, pupil, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("pupils:event_notices", args=[pupil.pk, event.pk])
    assert "nobody has been told" in client.get(response["Location"]).content.decode()
    [item] = _due_for(pupil)
    assert item.title.endswith("no parent recorded")

    contact_add(pupil=pupil, contact=Contact(first_name="Ana", last_name="Field", email="ana@test.example.org"),
                relationship="Carer", parental_responsibility=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pupils:event_notices_queue", args=[pupil.pk, event.pk]))
    assert [m.to for m in mail.outbox] == [["ana@test.example.org"]]
    assert ParentNotice.objects.get(event=event).told_on == timezone.localdate()
    assert _due_for(pupil) == []


def test_only_the_senco_and_head_see_or_record_it(world, client_for, django_capture_on_commit_callbacks):
    _mum, dad = _parents(world.unlisted_pupil)
    _place(client_for, world, world.unlisted_pupil, django_capture_on_commit_callbacks)
    notice = ParentNotice.objects.get(contact=dad)
    url = reverse("pupils:notice_record", args=[world.unlisted_pupil.pk, notice.pk])
    assert client_for(world.teacher).post(url, {"method": "letter", "told_on": date.today().isoformat()}).status_code in (403, 404)
    assert client_for(world.parent).post(url, {"method": "letter", "told_on": date.today().isoformat()}).status_code == 404
    notice.refresh_from_db()
    assert notice.told_on is None
    assert client_for(world.head).get(url).status_code == 200
