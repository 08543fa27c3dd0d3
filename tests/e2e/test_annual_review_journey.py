"""EHC plans and annual reviews in a real browser (issues 7 and 11).

- Issue 7: the SENCo records a final EHC plan for a pupil through the pages
  (the details, then Section E outcomes and Section F provision), plans the
  annual review, records the invitations (one of them less than 2 weeks
  before the meeting, which is warned about), progress against each outcome,
  the meeting itself and the date the report went to the LA, then makes the
  report to the LA as a PDF and downloads it. The due-and-overdue page shows
  the review's steps. The database is read back after each step.
- Issue 11: the parent gives their views for the review from their own pages
  before the meeting, on a 320-pixel-wide screen without sideways scrolling,
  and the SENCo sees them on the review; the main form (recording the
  review) is done with the keyboard only, the focus visible at every stop.

Every page visited is checked with axe-core (WCAG 2.2 AA) and for Content
Security Policy violations. Screenshots for the user guide:
senco-annual-review, senco-due-dates, parent-review-views.
"""

import re
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pupils.models import RegisterEvent, SenStatus
from reviews.models import AnnualReview, EHCPlan, OutcomeProgress, PlanOutcome, PlanProvision, ReviewInvitee
from send_register.models import PdfJob

from .conftest import assert_accessible, assert_no_csp_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 800}
LAPTOP = {"width": 1280, "height": 900}

OUTCOMES = [
    # area (option value), outcome, by when
    ("CI", "Amelia will take part in a conversation of four turns with a friend", "End of Year 4"),
    ("CL", "Amelia will read a short book aloud with fewer than five errors", "End of Key Stage 2"),
]
PROVISION = [
    # what, how often, how long, who
    ("Speech and language programme in a small group", "Three times a week", "30 minutes", "Trained teaching assistant"),
    ("Precision teaching of high-frequency words", "Daily", "10 minutes", "Class teacher"),
]
PARENT_VIEWS = "Amelia is happier at school this year. She still finds reading homework hard and gets upset."


def today():
    return timezone.localdate()


# -- helpers -------------------------------------------------------------------

def check_page(page, csp_violations, *, width=None):
    """Every page the journey visits: a main heading, axe-core clean, no
    Content Security Policy violation; at a phone width, no sideways scroll."""
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)
    if width is not None:
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px: it is {scroll_width}px wide"


FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const info = {id: el.id, tag: el.tagName, text: (el.innerText || "").trim().slice(0, 40), picker: false,
                  outline: style.outline, shadow: style.boxShadow};
    const ring = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                         && !["transparent", "rgba(0, 0, 0, 0)"].includes(s.outlineColor))
                        || s.boxShadow !== "none";
    if (el.matches(".govuk-checkboxes__input, .govuk-radios__input")) {
        // GOV.UK hides the input and draws the focus ring on its label's box.
        const label = document.querySelector(`label[for="${el.id}"]`);
        info.visible = ring(getComputedStyle(label, "::before")) || ring(getComputedStyle(label, "::after"));
    } else if (el.matches("input[type=date]") && !el.matches(":focus")) {
        // The focus is on Chromium's own calendar button inside the date box
        // (its shadow DOM), which draws its own ring: the page's CSS cannot reach it.
        info.picker = true;
        info.visible = null;
    } else {
        info.visible = ring(style);
    }
    return info;
}"""


def tab_to(page, selector, *, limit=60):
    """Press Tab until `selector` has the focus, checking at every stop that
    the focused element shows a visible focus indicator (WCAG 2.4.7). A date
    box has a stop for each of its parts and one for its calendar button."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        stops.append(focused)
        if focused["picker"]:
            continue
        assert focused["visible"], f"No visible focus on {focused} at {page.url}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    pytest.fail(f"Tab never reached {selector} on {page.url}; stops: {stops}")


def date_order(page):
    """With the focus on the first part of a date box that has a value, find
    out as a keyboard user sees it whether the box starts with the day or the
    month (Chromium lays it out in the browser's language)."""
    box = page.locator("input[type=date]:focus")
    before = box.input_value()
    page.keyboard.press("ArrowUp")
    after = box.input_value()
    page.keyboard.press("ArrowDown")
    assert box.input_value() == before
    return "%d%m%Y" if before[8:10] != after[8:10] else "%m%d%Y"


def type_date(page, day, order):
    """Type a date into the focused (empty) date box: Chromium moves along its parts by itself."""
    page.keyboard.type(day.strftime(order))


def sign_out(page):
    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


# -- the journey ------------------------------------------------------------------

def test_it_records_an_ehc_plan_and_an_annual_review_through_to_the_la_report(
    sign_in, page, live_server, world, csp_violations, tmp_path
):
    pupil = world.pupil
    issued = today() - timedelta(days=320)
    meeting = today()
    early_invite = meeting - timedelta(days=35)
    late_invite = meeting - timedelta(days=5)  # less than 2 weeks before: warned about

    # ---- The SENCo records the final EHC plan ----------------------------------
    sign_in("senco")
    check_page(page, csp_violations)
    page.goto(f"{live_server.url}/reviews/plans/")
    expect(page.get_by_role("heading", level=1)).to_have_text("EHC plans")
    check_page(page, csp_violations)
    page.get_by_label("Pupil on the register without a plan in force").select_option(label="Amelia Brook")
    page.get_by_label("A final EHC plan the LA has issued").check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(rf"/reviews/pupils/{pupil.pk}/plan/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a final EHC plan")
    expect(page).to_have_title(re.compile(r"^Record a final EHC plan: Amelia Brook"))
    check_page(page, csp_violations)
    page.get_by_label("Local authority").fill("Derwent County Council")
    page.get_by_label("EHC coordinator", exact=True).fill("Sam Okafor")
    page.get_by_label("Coordinator's email").fill("sam.okafor@derwent.example.gov.uk")
    page.get_by_label("Date the final plan was issued").fill(issued.isoformat())
    page.get_by_label("Named setting (Section I)").fill("Brookfield Primary School")
    page.get_by_label("Top-up funding a year (£)").fill("6,000")
    assert not EHCPlan.objects.exists()
    page.get_by_role("button", name="Save").click()

    expect(success_banner(page)).to_contain_text("The EHC plan is recorded")
    plan = EHCPlan.objects.get()
    assert (plan.pupil_id, plan.status, plan.issued_on) == (pupil.pk, EHCPlan.Status.IN_FORCE, issued)
    assert (plan.local_authority, plan.coordinator_name, plan.topup_pence) == ("Derwent County Council", "Sam Okafor", 600000)
    # The register now shows the pupil as having an EHC plan, with its history.
    pupil.refresh_from_db()
    assert pupil.sen_status == SenStatus.EHC_PLAN
    event = RegisterEvent.objects.filter(pupil=pupil, to_status=SenStatus.EHC_PLAN).get()
    assert (event.from_status, event.effective_date, event.decided_by_id) == (SenStatus.SEN_SUPPORT, issued, world.senco.pk)

    # Sections E and F.
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes (Section E) and provision (Section F)")
    check_page(page, csp_violations)
    for row, (area, outcome, by_when) in enumerate(OUTCOMES):
        page.locator(f"#id_e-{row}-area").select_option(area)
        page.locator(f"#id_e-{row}-outcome").fill(outcome)
        page.locator(f"#id_e-{row}-by_when").fill(by_when)
        page.locator(f"#id_e-{row}-order").fill(str(row + 1))
    for row, (what, how_often, how_long, who) in enumerate(PROVISION):
        page.locator(f"#id_f-{row}-what").fill(what)
        page.locator(f"#id_f-{row}-how_often").fill(how_often)
        page.locator(f"#id_f-{row}-how_long").fill(how_long)
        page.locator(f"#id_f-{row}-who").fill(who)
        page.locator(f"#id_f-{row}-order").fill(str(row + 1))
    page.get_by_role("button", name="Save sections E and F").click()

    expect(success_banner(page)).to_contain_text("Sections E and F are saved")
    expect(page).to_have_url(f"{live_server.url}/reviews/plans/{plan.pk}/")
    check_page(page, csp_violations)
    assert list(PlanOutcome.objects.filter(plan=plan).order_by("order").values_list("area", "outcome", "by_when")) == OUTCOMES
    assert list(PlanProvision.objects.filter(plan=plan).order_by("order").values_list("what", "how_often", "how_long", "who")) == PROVISION
    for _, outcome, _ in OUTCOMES:
        expect(page.get_by_text(outcome)).to_be_visible()
    provision_table = page.get_by_role("table", name="Special educational provision in Section F")
    expect(provision_table.get_by_role("rowheader", name=PROVISION[0][0])).to_be_visible()

    # ---- Plan a review ----------------------------------------------------------
    page.get_by_role("link", name="Plan a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a review")
    check_page(page, csp_violations)
    page.get_by_label("Date of the review meeting").fill(meeting.isoformat())
    page.get_by_role("button", name="Plan the review").click()

    expect(success_banner(page)).to_contain_text("The review is planned")
    review = AnnualReview.objects.get()
    assert (review.plan_id, review.kind, review.status, review.meeting_date) == (
        plan.pk, AnnualReview.Kind.ANNUAL, AnnualReview.Status.PLANNED, meeting)
    # The usual people are listed ready for their dates, and a progress row per outcome.
    assert list(review.invitees.values_list("role", flat=True)) == ["parent", "pupil", "teacher", "la_send", "ep"]
    assert review.progress.count() == len(OUTCOMES)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual review on {meeting:%-d %B %Y}")
    check_page(page, csp_violations)

    # ---- Invitations and advice ---------------------------------------------
    page.get_by_role("link", name="Invitations and advice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations and advice")
    check_page(page, csp_violations)
    names = ["Mrs Brook", "Amelia", "Mr Teach", "Derwent SEND team", "Dr Patel"]
    for row, name in enumerate(names):
        page.locator(f"#id_inv-{row}-name").fill(name)
        page.locator(f"#id_inv-{row}-invited_on").fill((late_invite if row == 4 else early_invite).isoformat())
    # The educational psychologist's advice is asked for and arrives in time.
    page.locator("#id_inv-4-advice_requested").check()
    page.locator("#id_inv-4-advice_received_on").fill((meeting - timedelta(days=3)).isoformat())
    # Someone else: the school nurse, in the empty row.
    page.locator("#id_inv-5-role").select_option("health")
    page.locator("#id_inv-5-name").fill("School nurse")
    page.locator("#id_inv-5-invited_on").fill(early_invite.isoformat())
    page.get_by_role("button", name="Save the invitations").click()

    expect(success_banner(page)).to_contain_text("The invitations are saved")
    warning = f"Educational psychologist (Dr Patel) was invited on {late_invite:%d/%m/%Y}, less than 2 weeks before the meeting"
    expect(page.get_by_text(warning).first).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text(warning)
    check_page(page, csp_violations)
    invitees = {i.role: i for i in ReviewInvitee.objects.filter(review=review)}
    assert len(invitees) == 6
    assert invitees["ep"].invited_on == late_invite and invitees["ep"].advice_requested
    assert invitees["ep"].advice_received_on == meeting - timedelta(days=3)
    assert invitees["parent"].invited_on == early_invite and invitees["parent"].name == "Mrs Brook"
    assert invitees["health"].name == "School nurse"
    invited_table = page.get_by_role("table", name="People invited to the review and their advice")
    expect(invited_table.get_by_role("rowheader", name="School nurse")).to_be_visible()

    # ---- Progress against outcomes ------------------------------------------
    page.get_by_role("link", name="Progress against outcomes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress against the outcomes")
    check_page(page, csp_violations)
    page.locator("#id_p-0-rating").select_option("on_track")
    page.locator("#id_p-0-evidence").fill("Takes three turns in a conversation with adult support")
    page.locator("#id_p-1-rating").select_option("some")
    page.locator("#id_p-1-evidence").fill("Reads a book band 4 text with eight errors")
    page.get_by_role("button", name="Save progress").click()
    expect(success_banner(page)).to_contain_text("Progress against the outcomes is saved")
    check_page(page, csp_violations)
    ratings = dict(OutcomeProgress.objects.filter(review=review).values_list("outcome__order", "rating"))
    assert ratings == {1: "on_track", 2: "some"}

    # ---- The due-and-overdue page shows the review's steps ----------------------
    page.goto(f"{live_server.url}/reviews/due/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Due and overdue")
    check_page(page, csp_violations)
    due_table = page.locator("table.govuk-table")
    amelia_rows = due_table.locator("tr", has=page.get_by_role("rowheader", name="Amelia Brook"))
    for title in ("Send the advice to everyone invited", "Review meeting", "Send the review report to the LA",
                  "LA's decision after the review"):
        expect(amelia_rows.filter(has_text=title).first).to_be_visible()
    screenshot(page, "senco-due-dates")
    sign_out(page)

    # ---- The parent gives their views before the meeting, on a phone -------------
    page.set_viewport_size(PHONE)
    sign_in("parent")
    check_page(page, csp_violations, width=PHONE["width"])
    page.goto(f"{live_server.url}/pupils/children/{pupil.pk}/")
    check_page(page, csp_violations, width=PHONE["width"])
    expect(page.get_by_text("The next review meeting is on")).to_be_visible()
    page.get_by_role("link", name="Tell us your views before the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your views for Amelia's review")
    check_page(page, csp_violations, width=PHONE["width"])
    page.get_by_label("Your views for the review").fill(PARENT_VIEWS)
    page.get_by_role("button", name="Send your views").click()
    expect(success_banner(page)).to_contain_text("Your views will be shared at the review meeting")
    expect(page.get_by_text(f"You last gave your views on {today():%-d %B %Y}")).to_be_visible()
    check_page(page, csp_violations, width=PHONE["width"])
    screenshot(page, "parent-review-views")
    review.refresh_from_db()
    assert (review.parents_views, review.parents_views_on, review.status) == (PARENT_VIEWS, today(), AnnualReview.Status.PLANNED)
    sign_out(page)

    # ---- The SENCo sees the views and records the review, keyboard only --------
    sign_in("senco")
    page.goto(f"{live_server.url}/reviews/reviews/{review.pk}/")
    views_row = page.locator(".govuk-summary-list__row", has=page.get_by_text("Parents' views", exact=True))
    expect(views_row).to_contain_text(PARENT_VIEWS)
    expect(views_row).to_contain_text(f"Given on {today():%-d %b %Y}")
    check_page(page, csp_violations)

    stops = tab_to(page, f'a[href="/reviews/reviews/{review.pk}/edit/"]', limit=80)
    assert stops[0]["text"] == "Skip to main content", "the skip link comes first"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the review")
    expect(page).to_have_title(re.compile(r"^Record the review: Amelia Brook"))
    check_page(page, csp_violations)
    # The parent's views are already there, ready for the meeting.
    expect(page.get_by_label("The parents' views")).to_have_value(PARENT_VIEWS)

    tab_to(page, "#id_meeting_date")  # kept as planned
    expect(page.locator("#id_meeting_date")).to_have_value(meeting.isoformat())
    order = date_order(page)
    tab_to(page, "#id_organiser", limit=5)  # left as the plan's lead
    tab_to(page, "#id_advice_requested_on", limit=1)
    type_date(page, early_invite, order)
    tab_to(page, "#id_advice_circulated_on", limit=5)
    type_date(page, meeting - timedelta(days=15), order)
    tab_to(page, "#id_held", limit=5)
    page.keyboard.press("Space")
    expect(page.locator("#id_held")).to_be_checked()
    tab_to(page, "#id_provision_review", limit=1)
    page.keyboard.type("The small-group programme is working; precision teaching needs a daily slot.")
    tab_to(page, "#id_parents_views", limit=1)  # leave the parent's own words
    tab_to(page, "#id_pupil_views", limit=5)
    page.keyboard.type("I like my group. Reading is still tricky.")
    tab_to(page, "#id_recommendation", limit=1)
    page.keyboard.press("ArrowDown")  # Keep the plan as it is
    expect(page.locator("#id_recommendation")).to_have_value("keep")
    tab_to(page, "#id_recommendation_reasons", limit=1)
    page.keyboard.type("Good progress towards both outcomes; the provision still meets her needs.")
    tab_to(page, "#id_report_sent_on", limit=5)
    type_date(page, today(), order)
    expect(page.locator("#id_report_sent_on")).to_have_value(today().isoformat())
    expect(page.locator("#id_advice_requested_on")).to_have_value(early_invite.isoformat())
    tab_to(page, "button.govuk-button[type=submit]", limit=20)
    page.keyboard.press("Enter")

    expect(success_banner(page)).to_contain_text("The review is saved")
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.REPORT_SENT
    assert (review.recommendation, review.report_sent_on, review.advice_requested_on) == ("keep", today(), early_invite)
    assert review.advice_circulated_on == meeting - timedelta(days=15)
    assert review.pupil_views == "I like my group. Reading is still tricky."
    assert review.parents_views == PARENT_VIEWS
    expect(page.locator("strong.govuk-tag").first).to_have_text("Report sent to the LA")
    check_page(page, csp_violations)
    screenshot(page, "senco-annual-review")

    # ---- The report to the LA as a PDF ------------------------------------------
    page.get_by_role("button", name="Make the report to the LA (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EHC plan review: report to the local authority")
    expect(page.locator(".govuk-tag")).to_have_text("Ready")
    check_page(page, csp_violations)
    job = PdfJob.objects.get()
    assert (job.kind, job.object_id, job.status) == ("annual_review_report", review.pk, "ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"ehc-review-{review.pk}-report.pdf"
    saved = tmp_path / "report.pdf"
    download.save_as(saved)
    text = subprocess.run(["/usr/bin/pdftotext", "-layout", str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for _, outcome, _ in OUTCOMES:
        assert outcome in flat, f"{outcome!r} is not in the report"
    assert "Keep the plan as it is" in flat
    assert "Amelia is happier at school this year" in flat

    # With the completed steps shown, the review's steps are ticked off on the due page.
    page.goto(f"{live_server.url}/reviews/due/?done=on")
    check_page(page, csp_violations)
    amelia_rows = page.locator("table.govuk-table tr", has=page.get_by_role("rowheader", name="Amelia Brook"))
    expect(amelia_rows.filter(has_text="Send the review report to the LA").first).to_contain_text("Done")
    expect(amelia_rows.filter(has_text="LA's decision after the review").first).not_to_contain_text("Done")
    assert_no_csp_violations(csp_violations)


# -- issue 11: the SENCo's review pages on a phone, and mistakes ------------------

@pytest.fixture
def review(world):
    """An EHC plan for world.pupil with two outcomes and a planned annual review."""
    from reviews import services

    plan = services.plan_record(pupil=world.pupil, issued_on=today() - timedelta(days=300),
                                local_authority="Derwent County Council", by=world.senco)
    for order, (area, outcome, by_when) in enumerate(OUTCOMES, start=1):
        PlanOutcome.objects.create(plan=plan, area=area, outcome=outcome, by_when=by_when, order=order)
    for order, (what, how_often, how_long, who) in enumerate(PROVISION, start=1):
        PlanProvision.objects.create(plan=plan, what=what, how_often=how_often, how_long=how_long, who=who, order=order)
    return services.review_create(plan=plan, meeting_date=today() + timedelta(days=21), by=world.senco)


def test_the_review_pages_reflow_at_320_pixels(sign_in, page, live_server, review, csp_violations):
    sign_in("senco")
    page.set_viewport_size(PHONE)
    for path in (f"/reviews/plans/{review.plan_id}/", f"/reviews/reviews/{review.pk}/",
                 f"/reviews/reviews/{review.pk}/invitees/", f"/reviews/reviews/{review.pk}/progress/",
                 f"/reviews/reviews/{review.pk}/edit/", f"/reviews/plans/{review.plan_id}/sections/",
                 "/reviews/plans/", "/reviews/due/"):
        page.goto(f"{live_server.url}{path}")
        check_page(page, csp_violations, width=PHONE["width"])


def test_mistakes_in_the_review_forms_are_linked_from_the_error_summary(sign_in, page, live_server, review, world,
                                                                      csp_violations):
    sign_in("senco")
    # Recording the meeting as held before it has happened.
    page.goto(f"{live_server.url}/reviews/reviews/{review.pk}/edit/")
    page.get_by_label("The meeting has taken place").check()
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The meeting cannot be held in the future")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, csp_violations)
    summary.get_by_role("link", name=re.compile("The meeting cannot be held in the future")).click()
    expect(page.get_by_label("Date of the review meeting")).to_be_focused()
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.PLANNED

    # An invitation date that is not a date.
    page.goto(f"{live_server.url}/reviews/reviews/{review.pk}/invitees/")
    page.locator("#id_inv-5-role").select_option("other")
    page.locator("#id_inv-5-invited_on").evaluate("(el) => { el.type = 'text'; el.value = 'next Tuesday'; }")
    page.get_by_role("button", name="Save the invitations").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    check_page(page, csp_violations)
    summary.locator("a").first.click()
    expect(page.locator("#id_inv-5-invited_on")).to_be_focused()
    assert ReviewInvitee.objects.filter(review=review).count() == 5
    sign_out(page)

    # The parent sends nothing: told next to the box, nothing saved.
    sign_in("parent")
    page.goto(f"{live_server.url}/reviews/children/{world.pupil.pk}/reviews/{review.pk}/views/")
    page.get_by_role("button", name="Send your views").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, csp_violations)
    page.locator(".govuk-error-summary a").first.click()
    expect(page.get_by_label("Your views for the review")).to_be_focused()
    review.refresh_from_db()
    assert review.parents_views == "" and review.parents_views_on is None
    # Another family's child's review is not there at all.
    response = page.request.get(f"{live_server.url}/reviews/children/{world.other_pupil.pk}/reviews/{review.pk}/views/")
    assert response.status == 404


def test_the_other_reviews_pages_are_accessible(sign_in, page, live_server, review, world, csp_violations):
    """The pages the journey does not pass through: filters, settings, the
    plan's other forms, and a needs-assessment request with its checklist."""
    sign_in("senco")
    page.goto(f"{live_server.url}/reviews/due/")
    page.get_by_text("Filter the list").click()
    page.get_by_label("Statutory deadlines only").check()
    page.get_by_label("Due within (days)").fill("30")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_label("Statutory deadlines only")).to_be_checked()
    check_page(page, csp_violations)
    due_table = page.get_by_role("table")
    expect(due_table.get_by_role("rowheader", name="Amelia Brook").first).to_be_visible()
    expect(due_table).not_to_contain_text("Good practice")
    page.get_by_label("Due within (days)").fill("-3")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, csp_violations)
    page.locator(".govuk-error-summary a").first.click()
    expect(page.get_by_label("Due within (days)")).to_be_focused()

    for path in ("/reviews/settings/", f"/reviews/plans/{review.plan_id}/edit/", f"/reviews/plans/{review.plan_id}/cease/",
                 f"/reviews/plans/{review.plan_id}/reviews/new/", f"/reviews/pupils/{world.other_pupil.pk}/request/new/"):
        page.goto(f"{live_server.url}{path}")
        check_page(page, csp_violations)

    # A request for a needs assessment for the other pupil, then its checklist and next step.
    page.get_by_label("Date the LA received the request").fill((today() - timedelta(days=10)).isoformat())
    page.get_by_label("Why the school or parent is asking").fill("Little progress after two years of SEN support")
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(success_banner(page)).to_contain_text("The request is recorded")
    check_page(page, csp_violations)
    request_url = page.url
    for link in ("evidence/", "step/", "edit/"):
        page.goto(f"{request_url}{link}")
        check_page(page, csp_violations)
