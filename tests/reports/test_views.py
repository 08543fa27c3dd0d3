"""Pages: access for every persona, the happy paths, bad input, and the
rule that a governor never sees a pupil's name, UPN or date of birth."""

import re
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from pupils.models import Pupil
from reports import pdfs, services
from reports.models import InformationReport, ParentSurvey, ReportAnswer
from send_register.calendar import current_term
from send_register.models import PdfJob
from tests.factories import PupilFactory
from tests.locking import with_version

from .conftest import place

PERSONAS = ["senco", "head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor", "admin"]


def urls_for(report):
    slug = report.slug
    return {
        "index": reverse("reports:index"),
        "governors": reverse("reports:governors"),
        "analysis": reverse("reports:analysis"),
        "termly_register": reverse("reports:termly_register"),
        "census_check": reverse("reports:census_check"),
        "census_export": reverse("reports:census_export"),
        "surveys": reverse("reports:surveys"),
        "report_detail": reverse("reports:report_detail", args=[slug]),
        "item_edit": reverse("reports:item_edit", args=[slug, "3a"]),
        "report_dates": reverse("reports:report_dates", args=[slug]),
        "report_publish": reverse("reports:report_publish", args=[slug]),
    }


ALLOWED = {
    "index": {"senco", "head"},
    "governors": {"senco", "head", "governor"},
    "analysis": {"senco", "head"},
    "termly_register": {"senco", "head", "teacher", "other_teacher", "ta"},
    "census_check": {"senco", "head"},
    "census_export": {"senco", "head"},
    "surveys": {"senco", "head", "governor"},
    "report_detail": {"senco", "head", "governor"},
    "item_edit": {"senco", "head"},
    "report_dates": {"senco", "head"},
    "report_publish": {"senco", "head"},
}
# Visible to the governor but not changeable: 403, not 404.
READ_ONLY_FOR_GOVERNOR = {"item_edit", "report_dates", "report_publish"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reaches_only_its_pages(world, full_report, client_for, persona):
    user = world.personas()[persona]
    client = client_for(user)
    for name, url in urls_for(full_report).items():
        response = client.get(url)
        if persona in ALLOWED[name]:
            expected = 200
        elif persona == "governor" and name in READ_ONLY_FOR_GOVERNOR:
            expected = 403
        else:
            expected = 404
        assert response.status_code == expected, (persona, name, response.status_code)


def test_anonymous_is_sent_to_sign_in(world, full_report, client):
    for name, url in urls_for(full_report).items():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response.url, name


def test_the_public_page_needs_no_sign_in_but_only_shows_published_reports(world, full_report, client):
    url = reverse("reports:public_report", args=[full_report.slug])
    assert url == "/reports/sen-information-report/2026-27/"
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:public_latest")).status_code == 404
    services.report_publish(report=full_report, by=world.senco)
    response = client.get(url)
    assert response.status_code == 200
    assert "Our answer for item 3a." in response.content.decode()
    assert client.get(reverse("reports:public_latest")).url == url
    # While the next draft is written the public page keeps the published version.
    services.report_reopen(report=full_report, by=world.senco)
    services.answer_save(report=full_report, item="3a", text="Draft words", by=world.senco)
    body = client.get(url).content.decode()
    assert "Our answer for item 3a." in body and "Draft words" not in body


def test_the_senco_starts_answers_and_publishes_the_report(world, year, client_for):
    client = client_for(world.senco)
    response = client.post(reverse("reports:report_start"), {"academic_year": year.pk})
    report = InformationReport.objects.get(academic_year=year)
    assert response.url == report.get_absolute_url()
    for item in ReportAnswer.objects.filter(report=report).values_list("item", flat=True):
        url = reverse("reports:item_edit", args=[report.slug, item])
        response = client.post(url, with_version(client, url, {"text": f"Answer {item}"}))
        assert response.status_code == 302
    assert ReportAnswer.objects.get(report=report, item="12").text == "Answer 12"
    url = reverse("reports:report_dates", args=[report.slug])
    response = client.post(url, with_version(client, url, {
        "governor_approval_date_0": "20", "governor_approval_date_1": "11", "governor_approval_date_2": "2026",
        "next_review_date_0": "20", "next_review_date_1": "11", "next_review_date_2": "2027",
    }))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.governor_approval_date == date(2026, 11, 20)
    response = client.post(reverse("reports:report_publish", args=[report.slug]), {
        "published_on_0": "23", "published_on_1": "11", "published_on_2": "2026", "change_note": "",
    })
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "published" and report.versions.count() == 1


def test_publishing_with_items_missing_shows_them_and_saves_nothing(world, year, client_for):
    report = services.report_start(academic_year=year, by=world.senco)
    services.report_update_dates(report=report, governor_approval_date=date(2026, 11, 20), next_review_date=None, by=world.senco)
    client = client_for(world.senco)
    response = client.post(reverse("reports:report_publish", args=[report.slug]), {
        "published_on_0": "23", "published_on_1": "11", "published_on_2": "2026",
    })
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "Answer every item before publishing" in body
    assert "3(a). How we evaluate the effectiveness of our SEN provision" in body
    report.refresh_from_db()
    assert report.status == "draft" and not report.versions.exists()


def test_bad_dates_show_an_error_next_to_the_field(world, full_report, client_for):
    client = client_for(world.senco)
    url = reverse("reports:report_dates", args=[full_report.slug])
    response = client.post(url, with_version(client, url, {
        "governor_approval_date_0": "31", "governor_approval_date_1": "2", "governor_approval_date_2": "2026",
    }))
    assert response.status_code == 200
    assert "must be a real date" in response.content.decode()
    full_report.refresh_from_db()
    assert full_report.governor_approval_date == date(2026, 11, 23)


def test_a_governor_cannot_change_or_reopen_a_report(world, full_report, client_for):
    services.report_publish(report=full_report, by=world.senco)
    client = client_for(world.governor)
    assert client.post(reverse("reports:report_reopen", args=[full_report.slug])).status_code == 403
    assert client.post(reverse("reports:surveys"), {"responses": 3}).status_code == 403
    full_report.refresh_from_db()
    assert full_report.status == "published"


def test_the_survey_form_records_totals_and_rejects_bad_input(world, year, client_for):
    client = client_for(world.senco)
    data = {"academic_year": year.pk, "taken_on_0": "2", "taken_on_1": "11", "taken_on_2": "2026", "question": "", "responses": "10", "satisfied": "12"}
    response = client.post(reverse("reports:surveys"), data)
    assert response.status_code == 200 and "cannot be more than" in response.content.decode()
    assert not ParentSurvey.objects.exists()
    data["satisfied"] = "8"
    assert client.post(reverse("reports:surveys"), data).status_code == 302
    assert ParentSurvey.objects.get().satisfied == 8


def _identifiers(pupils):
    out = []
    for p in pupils:
        out += [p.legal_first_name, p.legal_last_name, p.display_name, p.upn,
                p.date_of_birth.strftime("%d/%m/%Y"), p.date_of_birth.isoformat(),
                p.date_of_birth.strftime("%-d %B %Y"), p.date_of_birth.strftime("%-d %b %Y")]
    return out


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_a_governor_never_sees_a_pupils_name_upn_or_date_of_birth(world, register, full_report, client_for, django_capture_on_commit_callbacks, tmp_path):
    services.report_publish(report=full_report, by=world.senco)
    services.survey_record(academic_year=full_report.academic_year, taken_on=date(2026, 11, 2), question="", responses=12, satisfied=9, by=world.senco)
    pupils = list(Pupil.objects.all())
    secrets = _identifiers(pupils)
    client = client_for(world.governor)
    pages = [url for name, url in urls_for(full_report).items() if "governor" in ALLOWED[name]]
    pages += [reverse("home"), reverse("reports:public_report", args=[full_report.slug])]
    # Follow every link to a reports page the governor is offered.
    seen, bodies = set(), []
    queue = list(pages)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = response.content.decode()
        bodies.append((url, body))
        for link in re.findall(r'href="(/reports/[^"#?]*)', body):
            queue.append(link)
    assert len(seen) >= 5
    # And the PDF they download.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pdfs:request", args=[pdfs.REPORT_KIND, full_report.pk]))
    job = PdfJob.objects.get(kind=pdfs.REPORT_KIND)
    assert job.status == "ready"
    bodies.append(("status", client.get(response.url).content.decode()))
    download = client.get(reverse("pdfs:download", args=[job.pk]))
    bodies.append(("pdf", _pdf_text(b"".join(download.streaming_content), tmp_path)))
    for url, body in bodies:
        for secret in secrets:
            # Whole words: the pupil "Amelia Brook" is not in "Brookfield Primary School".
            assert not re.search(rf"\b{re.escape(secret)}\b", body), (url, "a pupil identifier appears")
    # The test can fail: the SENCo's analysis page does name pupils.
    senco_page = client_for(world.senco).get(reverse("reports:analysis")).content.decode()
    assert world.pupil.display_name in senco_page


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona, name", [
    ("governor", "governors"), ("senco", "analysis"), ("senco", "census_check"), ("senco", "index"),
])
def test_list_pages_do_not_grow_with_the_number_of_pupils(world, register, client_for, django_assert_max_num_queries, persona, name):
    from django.core.cache import cache

    client = client_for(world.personas()[persona])
    url = reverse(f"reports:{name}")
    _queries(client, url)  # warm the per-process caches (School, roles)
    # Figures worked out afresh each time (send_register.datacache): the
    # cached page is pinned in test_dashboard.
    cache.clear()
    small = _queries(client, url)
    for _ in range(15):
        place(PupilFactory(year_group="6"), "K", world.senco, date(2026, 10, 1), "MLD")
    cache.clear()
    large = _queries(client, url)
    assert large == small, (name, small, large)
    with django_assert_max_num_queries(60):
        client.get(url)


def test_the_termly_register_page_offers_the_pdf_to_staff(world, client_for):
    response = client_for(world.teacher).get(reverse("reports:termly_register"))
    assert current_term().name == "autumn"
    assert reverse("pdfs:request", args=[pdfs.REGISTER_KIND, current_term().pk]) in response.content.decode()


def test_the_home_page_shows_the_report_panel_to_readers_only(world, full_report, client_for):
    dashboard = reverse("reports:governors")
    governor_home = client_for(world.governor).get(reverse("home")).content.decode()
    assert "SEN information report" in governor_home and dashboard in governor_home
    senco_home = client_for(world.senco).get(reverse("home")).content.decode()
    assert "2 items still to answer" not in senco_home and full_report.get_absolute_url() in senco_home
    for persona in ("parent", "teacher", "admin"):
        assert full_report.get_absolute_url() not in client_for(world.personas()[persona]).get(reverse("home")).content.decode()


def test_a_teacher_gets_the_termly_register_pdf(world, register, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pdfs:request", args=[pdfs.REGISTER_KIND, current_term().pk]))
    job = PdfJob.objects.get(kind=pdfs.REGISTER_KIND)
    assert response.url == reverse("pdfs:status", args=[job.pk]) and job.status == "ready"
    page = client.get(reverse("reports:termly_register")).content.decode()
    assert reverse("pdfs:download", args=[job.pk]) in page


def test_the_governor_reads_the_draft_with_its_completeness_check_but_no_change_links(world, year, client_for):
    report = services.report_start(academic_year=year, by=world.senco)
    services.answer_save(report=report, item="1", text="We provide for all four areas.", by=world.senco)
    body = client_for(world.governor).get(report.get_absolute_url()).content.decode()
    assert "Completeness check" in body and "items still to answer" in body
    assert "We provide for all four areas." in body
    assert reverse("reports:item_edit", args=[report.slug, "2"]) not in body
    senco_body = client_for(world.senco).get(report.get_absolute_url()).content.decode()
    assert reverse("reports:item_edit", args=[report.slug, "2"]) in senco_body


def test_the_analysis_page_names_the_pupils_to_act_on(world, register, client_for):
    body = client_for(world.head).get(reverse("reports:analysis")).content.decode()
    assert "Movement between terms" in body
    assert world.pupil.display_name in body  # K with no primary need
    assert register.r.display_name in body  # removed this term
    assert "Pupil premium" in body and "English as an additional language" in body


def test_the_public_page_has_no_change_links_and_no_pdf_job_controls(world, full_report, client):
    services.report_publish(report=full_report, by=world.senco)
    body = client.get(reverse("reports:public_report", args=[full_report.slug])).content.decode()
    assert "/reports/information-report/" not in body and "/documents/" not in body
    assert "Ms Ada Senco" in body


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=", re.I)
HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def test_no_page_has_inline_scripts_styles_or_handlers(world, register, full_report, client_for, client):
    services.survey_record(academic_year=full_report.academic_year, taken_on=date(2026, 11, 2), question="", responses=12, satisfied=9, by=world.senco)
    draft_pages = [(world.senco, url) for url in urls_for(full_report).values() if not url.endswith(".csv")]
    draft_pages += [(world.governor, reverse("reports:governors")), (world.teacher, reverse("reports:termly_register"))]
    htmls = [(url, _get_ok(client_for(user), url)) for user, url in draft_pages]
    services.report_publish(report=full_report, by=world.senco)
    htmls.append(("public", _get_ok(client, reverse("reports:public_report", args=[full_report.slug]))))
    htmls.append(("published", _get_ok(client_for(world.senco), full_report.get_absolute_url())))
    for url, html in htmls:
        assert not INLINE_SCRIPT.search(html), url
        assert not STYLE_ATTR.search(html), url
        assert not HANDLER_ATTR.search(html), url
        assert "<style" not in html, url
        # Every table has a caption and header cells with a scope.
        assert html.count("<table") == html.count("<caption"), url
        assert "<th>" not in html, url


def _get_ok(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_an_answer_that_is_too_long_is_refused_next_to_the_field(world, full_report, client_for):
    client = client_for(world.senco)
    url = reverse("reports:item_edit", args=[full_report.slug, "5"])
    response = client.post(url, with_version(client, url, {"text": "x" * 20001}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and 'href="#id_text"' in body
    assert ReportAnswer.objects.get(report=full_report, item="5").text == "Our answer for item 5."


def test_an_unknown_item_or_year_is_not_found(world, full_report, client_for):
    client = client_for(world.senco)
    assert client.get(reverse("reports:item_edit", args=[full_report.slug, "99"])).status_code == 404
    assert client.get(reverse("reports:report_detail", args=["1999-00"])).status_code == 404


def test_staff_are_offered_the_termly_register_on_their_home_page(world, client_for):
    url = reverse("reports:termly_register")
    assert url in client_for(world.ta).get(reverse("home")).content.decode()
    assert url not in client_for(world.governor).get(reverse("home")).content.decode()
    assert url not in client_for(world.parent).get(reverse("home")).content.decode()


def test_survey_results_hide_small_numbers_of_parents(world, year):
    from reports.dashboard import survey_table

    services.survey_record(academic_year=year, taken_on=date(2026, 10, 1), question="Q1", responses=30, satisfied=27, by=world.senco)
    services.survey_record(academic_year=year, taken_on=date(2026, 11, 1), question="Q2", responses=20, satisfied=10, by=world.senco)
    table = survey_table(year)
    # 3 unhappy parents is small; the 27 beside it would give it away from the 30.
    assert table.rows[0][1:] == ["c", "c", "30", "c"]
    assert table.rows[1][1:] == ["10", "10", "20", "50%"]
    assert [c["value"] for c in table.chart] == [None, 50]


def test_earlier_versions_stay_readable(world, full_report, client_for):
    services.report_publish(report=full_report, by=world.senco)
    services.report_reopen(report=full_report, by=world.senco)
    services.answer_save(report=full_report, item="9", text="A new complaints route.", by=world.senco)
    services.report_publish(report=full_report, change_note="Complaints", by=world.senco)
    client = client_for(world.governor)
    first = client.get(reverse("reports:report_version", args=[full_report.slug, 1])).content.decode()
    second = client.get(reverse("reports:report_version", args=[full_report.slug, 2])).content.decode()
    assert "Our answer for item 9." in first and "A new complaints route." not in first
    assert "A new complaints route." in second and "What changed: Complaints" in second
    assert client.get(reverse("reports:report_version", args=[full_report.slug, 3])).status_code == 404
    assert client_for(world.teacher).get(reverse("reports:report_version", args=[full_report.slug, 1])).status_code == 404
