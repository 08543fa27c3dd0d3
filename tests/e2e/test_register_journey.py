"""The SEN register in a real browser (issues 3 and 11).

- Issue 3: the SENCo finds pupils on the register with a filter and a search,
  then places a pupil who is not on it (Cara Field, world.unlisted_pupil) on
  SEN support through the status form on her page. The register history and
  the email to her mother (s.68 Children and Families Act 2014) are read back
  from the database; her mother then signs in and reads, in plain English,
  that Cara gets SEN support.
- Issue 11: the SENCo imports pupils from the school's MIS: a file with a bad
  UPN is refused row by row with nothing saved, the fixed file is imported
  and the counts are shown.

Every page visited is checked with axe-core (WCAG 2.2 AA) and for Content
Security Policy violations.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from pupils.models import ImportBatch, ParentLink, ParentNotice, Pupil, RegisterEntry, RegisterEvent, SenStatus
from pupils.upn import make_upn
from send_register.models import OutboundEmail
from tests.factories import UserFactory, link_parent

from .conftest import assert_accessible, assert_no_csp_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_page(page, csp_violations):
    """Every page of the journeys: axe-core clean and no CSP violation."""
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


@pytest.fixture
def cara_mother(world):
    """Cara's mother, with parental responsibility, signed in as the persona
    "cara_mother" (the sign_in fixture reads personas from `world`)."""
    mother = UserFactory(email="cara.mother@test.example.org", full_name="Carol Field", roles=[Role.PARENT])
    link_parent(mother, world.unlisted_pupil, relationship=ParentLink.Relationship.MOTHER, parental_responsibility=True)
    world.cara_mother = mother
    return mother


def test_it_filters_and_searches_the_register(sign_in, live_server, world, csp_violations):
    page = sign_in("senco")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Register").click()
    expect(page).to_have_title(re.compile(r"^SEN register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("SEN register")
    counts = page.locator("#register-counts")
    expect(counts.locator(".govuk-summary-list__row", has_text="All on the register")).to_contain_text("2")
    table = page.get_by_role("table", name=re.compile(r"^Pupils on the register"))
    expect(table.get_by_role("link", name="Brook, Amelia")).to_be_visible()
    expect(table.get_by_role("link", name="Stone, Bilal")).to_be_visible()
    # Cara is not on the register, so she is not listed.
    expect(table.get_by_role("link", name=re.compile("Field"))).to_have_count(0)
    check_page(page, csp_violations)

    # A filter: the pupils of class 4 Ash.
    page.get_by_label("Class").select_option(label="4 Ash")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-heading")).to_have_text("1 pupil matches the filters")
    expect(table.get_by_role("link", name="Stone, Bilal")).to_be_visible()
    expect(table.get_by_role("link", name="Brook, Amelia")).to_have_count(0)
    assert f"class_group={world.other_form.pk}" in page.url
    check_page(page, csp_violations)

    # A search by name, with the filters cleared.
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Name or UPN").fill("brook")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-heading")).to_have_text("1 pupil matches the filters")
    expect(table.get_by_role("link", name="Brook, Amelia")).to_be_visible()
    expect(table.get_by_role("link", name="Stone, Bilal")).to_have_count(0)
    # ... and by UPN, with a filter on status at the same time.
    page.get_by_label("Name or UPN").fill(world.other_pupil.upn)
    page.get_by_label("Status").select_option(label="SEN support")
    page.get_by_role("button", name="Apply filters").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.get_by_role("link", name="Stone, Bilal")).to_be_visible()
    expect(page.get_by_label("Name or UPN")).to_have_value(world.other_pupil.upn)
    check_page(page, csp_violations)

    # Nothing matches: said in words, not an empty table.
    page.get_by_label("Name or UPN").fill("Nobody Atall")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-heading")).to_have_text("0 pupils match the filters")
    expect(page.get_by_text(re.compile(r"^No pupils .*match these filters"))).to_be_visible()
    expect(table).to_have_count(0)
    check_page(page, csp_violations)

    # Sorting, each order named in words: the oldest year group first.
    page.get_by_role("link", name="Clear filters").click()
    sort = page.get_by_label("Sort by")
    assert sort.locator("option").all_text_contents()[1:5] == [
        "Name (A to Z)", "Name (Z to A)", "Year group (youngest first)", "Year group (oldest first)",
    ]
    sort.select_option(label="Year group (oldest first)")
    page.get_by_role("button", name="Apply filters").click()
    expect(table.locator("tbody tr").first).to_contain_text("Stone, Bilal")
    expect(table.locator("tbody tr").last).to_contain_text("Brook, Amelia")
    check_page(page, csp_violations)


def test_the_senco_places_a_pupil_on_sen_support_and_the_parent_sees_it(
    sign_in, live_server, world, cara_mother, csp_violations
):
    cara = world.unlisted_pupil
    assert cara.sen_status == SenStatus.NONE
    # (Placing world.pupil and world.other_pupil wrote to their parents.)
    emails_before = set(OutboundEmail.objects.values_list("pk", flat=True))
    page = sign_in("senco")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Register").click()
    check_page(page, csp_violations)
    screenshot(page, "senco-register")

    # Cara is not on the register: the SENCo opens her record.
    page.goto(f"{live_server.url}/pupils/{cara.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cara Field")
    expect(page).to_have_title(re.compile(r"^Cara Field: pupil record"))
    expect(page.get_by_text("No register decisions recorded.")).to_be_visible()
    check_page(page, csp_violations)

    page.get_by_role("link", name="Place on the register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Place on the register")
    check_page(page, csp_violations)

    # A decision without a status or reason is refused, nothing is saved, and
    # the error summary takes the SENCo to the field.
    page.get_by_role("button", name="Save the decision").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the new register status")
    expect(summary).to_contain_text("Give the reason for the decision")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, csp_violations)
    summary.get_by_role("link", name="Choose the new register status").click()
    expect(page.get_by_role("radio").first).to_be_focused()
    summary.get_by_role("link", name="Give the reason for the decision").click()
    expect(page.get_by_label("Reason for the decision")).to_be_focused()
    assert not RegisterEvent.objects.filter(pupil=cara).exists()
    assert not OutboundEmail.objects.filter(to=cara_mother.email).exists()

    # The decision: SEN support from today, with the reason.
    today = timezone.localdate()
    page.get_by_role("radio", name=re.compile(r"^SEN support \(census K\)")).check()
    page.get_by_label("Date of the decision").fill(today.isoformat())
    page.get_by_label("Reason for the decision").fill(
        "Two cycles of assess, plan, do, review: reading is two years behind despite targeted help"
    )
    page.get_by_role("button", name="Save the decision").click()
    expect(page).to_have_url(f"{live_server.url}/pupils/{cara.pk}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Register status is now SEN support")
    history = page.get_by_role("table", name="Register decisions, newest first")
    expect(history).to_contain_text("Placed on the register")
    expect(history).to_contain_text("No SEN to SEN support")
    check_page(page, csp_violations)
    screenshot(page, "senco-pupil")

    # Read back: the pupil, one open register entry, the dated history row.
    cara.refresh_from_db()
    assert cara.sen_status == SenStatus.SEN_SUPPORT
    entry = RegisterEntry.objects.get(pupil=cara, end_date__isnull=True)
    assert (entry.status, entry.start_date, entry.decided_by) == (SenStatus.SEN_SUPPORT, today, world.senco)
    event = RegisterEvent.objects.get(pupil=cara)
    assert event.kind == RegisterEvent.Kind.PLACED
    assert (event.from_status, event.to_status) == (SenStatus.NONE, SenStatus.SEN_SUPPORT)
    assert event.effective_date == today and event.decided_by == world.senco
    assert event.reason.startswith("Two cycles of assess, plan, do, review")
    # The mother was told, by email, after the commit; the date she was told
    # is on the register history.
    email = OutboundEmail.objects.get(purpose="register_notice", to=cara_mother.email)
    assert email.to == cara_mother.email and email.status == OutboundEmail.Status.SENT
    assert "Cara is now receiving special educational needs (SEN) support" in email.body
    assert "Ms Ada Senco" in email.body
    notice = ParentNotice.objects.get(event=event)
    assert notice.parent == cara_mother and notice.email == email and notice.sent_at is not None
    event.refresh_from_db()
    assert event.parents_told_on == today
    sent = [m for m in mail.outbox if m.to == [cara_mother.email]]
    assert [m.subject for m in sent] == ["Brookfield Primary School: extra support for Cara"]
    # Nobody else's parents were written to.
    assert list(OutboundEmail.objects.exclude(pk__in=emails_before)) == [email]

    # The register now lists her.
    page.get_by_role("link", name="Back to the register").click()
    expect(page.get_by_role("table", name=re.compile(r"^Pupils on the register")).get_by_role("link", name="Field, Cara")).to_be_visible()
    check_page(page, csp_violations)
    sign_out(page)

    # Her mother signs in and reads it in plain English.
    page = sign_in("cara_mother")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="My children").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My children")
    expect(page.get_by_role("main")).to_contain_text("Gets SEN support.")
    check_page(page, csp_violations)
    page.get_by_role("link", name="Cara Field").click()
    expect(page).to_have_title(re.compile(r"^Cara's support at school"))
    words = page.locator("#status-words")
    expect(words).to_contain_text("Cara gets SEN support.")
    expect(words).to_contain_text("help that is extra to, or different from, what most children of the same age get")
    # No census codes or staff notes on a parent's page.
    main = page.get_by_role("main")
    expect(main).not_to_contain_text("census")
    expect(main).not_to_contain_text("Two cycles of assess")
    check_page(page, csp_violations)
    screenshot(page, "parent-child-page")

    # Another child's page is not there for her (404).
    response = page.goto(f"{live_server.url}/pupils/children/{world.pupil.pk}/")
    assert response.status == 404


def test_the_senco_imports_pupils_from_the_mis(sign_in, live_server, world, csp_violations, tmp_path):
    upn_ella, upn_finn = make_upn(901), make_upn(902)
    header = "UPN,Legal first name,Legal last name,Date of birth,Sex,Year group,Class\n"
    bad = tmp_path / "pupils-bad.csv"
    bad.write_text(header + f"{upn_ella},Ella,Green,03/04/2020,F,2,2 Elm\nA12345,Finn,Moss,11/11/2019,M,2,2 Elm\n")
    good = tmp_path / "pupils.csv"
    good.write_text(header + f"{upn_ella},Ella,Green,03/04/2020,F,2,2 Elm\n{upn_finn},Finn,Moss,11/11/2019,M,2,2 Elm\n")
    pupils_before = Pupil.objects.count()

    page = sign_in("senco")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Register").click()
    page.get_by_role("link", name="Import pupils from your MIS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import pupils from your MIS")
    check_page(page, csp_violations)

    # No file: an error linked to the field.
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the CSV file to import")
    check_page(page, csp_violations)
    summary.get_by_role("link", name="Choose the CSV file to import").click()
    expect(page.get_by_label("CSV file from your MIS")).to_be_focused()

    # A bad UPN on row 3: the preview lists it by row and nothing is saved.
    page.get_by_label("CSV file from your MIS").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Problems in the import file")
    expect(page.locator(".govuk-error-summary")).to_contain_text("1 row needs fixing")
    problems = page.get_by_role("table", name="Rows with problems")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.get_by_role("rowheader")).to_have_text("3")
    expect(problems).to_contain_text("Enter a UPN of 13 characters")
    expect(page.get_by_role("button", name=re.compile(r"^Import"))).to_have_count(0)
    check_page(page, csp_violations)
    assert Pupil.objects.count() == pupils_before

    # The fixed file: a preview with the counts, then the import.
    page.get_by_role("link", name="upload it again").click()
    page.get_by_label("CSV file from your MIS").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    counts = page.locator("#import-counts")
    expect(counts.locator(".govuk-summary-list__row", has_text="Pupils to add")).to_contain_text("2")
    expect(counts.locator(".govuk-summary-list__row", has_text="Pupils to update")).to_contain_text("0")
    # The three pupils already on roll are not in this small file.
    expect(counts.locator(".govuk-summary-list__row", has_text="not in the file")).to_contain_text("3")
    changes = page.get_by_role("table", name=re.compile(r"^Pupils to add or update"))
    expect(changes).to_contain_text("Ella Green")
    expect(changes).to_contain_text("Finn Moss")
    check_page(page, csp_violations)
    assert Pupil.objects.count() == pupils_before

    page.get_by_role("button", name="Import 2 pupils").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import done")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The import is done")
    result = page.locator("#import-result")
    expect(result.locator(".govuk-summary-list__row", has_text="Pupils added")).to_contain_text("2")
    expect(result.locator(".govuk-summary-list__row", has_text="Pupils updated")).to_contain_text("0")
    check_page(page, csp_violations)

    # Read back: two new pupils in a new class 2 Elm, not on the register;
    # those missing from the file were not marked as left (not asked to).
    assert Pupil.objects.count() == pupils_before + 2
    ella = Pupil.objects.select_related("form").get(upn=upn_ella)
    finn = Pupil.objects.select_related("form").get(upn=upn_finn)
    assert (ella.legal_first_name, ella.legal_last_name, ella.date_of_birth.isoformat()) == ("Ella", "Green", "2020-04-03")
    assert (finn.sex, finn.year_group, finn.form.name) == (Pupil.Sex.MALE, "2", "2 Elm")
    assert ella.form == finn.form and ella.sen_status == finn.sen_status == SenStatus.NONE
    assert not Pupil.objects.filter(pk__in=[world.pupil.pk, world.other_pupil.pk, world.unlisted_pupil.pk], leaving_date__isnull=False).exists()
    batch = ImportBatch.objects.get(status=ImportBatch.Status.APPLIED)
    assert batch.uploaded_by == world.senco and batch.result["created"] == 2

    # The import page lists it among the recent imports.
    page.goto(f"{live_server.url}/pupils/import/")
    expect(page.get_by_role("main")).to_contain_text("2 added, 0 updated, 0 unchanged, 3 not in the file")
    check_page(page, csp_violations)


@pytest.mark.browser
def test_the_senco_and_teacher_register_pages_reflow_at_320_pixels(sign_in, live_server, world, csp_violations):
    """Issue 11: every journey at a 320-px-wide viewport. The SENCo's register,
    pupil page, status and needs forms and import page, and a teacher's home
    and pupil page, with no sideways scroll of the page (wide tables scroll
    inside their own box)."""
    from .conftest import assert_no_horizontal_scroll

    page = sign_in("senco")
    page.set_viewport_size({"width": 320, "height": 800})
    for path in (
        "/pupils/register/",
        f"/pupils/{world.pupil.pk}/",
        f"/pupils/{world.pupil.pk}/status/",
        f"/pupils/{world.pupil.pk}/needs/",
        "/pupils/import/",
        f"/pupils/access-log/people/{world.senco.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_no_horizontal_scroll(page, 320)
        check_page(page, csp_violations)
    page.set_viewport_size({"width": 1280, "height": 900})  # on a phone, sign-out is behind the Account menu
    sign_out(page)
    page = sign_in("teacher")
    page.set_viewport_size({"width": 320, "height": 800})
    for path in ("/", f"/pupils/{world.pupil.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert_no_horizontal_scroll(page, 320)
        check_page(page, csp_violations)
