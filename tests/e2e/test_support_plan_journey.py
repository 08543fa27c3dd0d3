"""Support plans in a real browser (issues 5 and 11).

- Issue 5: the SENCo writes a support plan for a pupil (the form done with
  the keyboard only, the focus visible at every stop), reviews the cycle with
  an outcome for each target and closes it (continue); the parent then reads
  the plan in plain English, confirms they have read it and adds their views
  before the next review, which the SENCo sees on the next review's page.
  The database is read back after each step.
- Issue 11: a teacher reads the strategies for a pupil in their class and
  adds what was delivered to the cycle; the parent's journey at 320 pixels
  wide without sideways scrolling; the error summary of the plan form links
  to its fields.

Every page visited is checked with axe-core (WCAG 2.2 AA) and for Content
Security Policy violations. Screenshots for the user guide:
senco-support-plan, parent-plan, teacher-strategies.
"""

import re
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from support_plans import services
from support_plans.models import Cycle, ParentPlanView, SupportPlan, Target, TargetReview

from .conftest import assert_accessible, assert_no_csp_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 800}
LAPTOP = {"width": 1280, "height": 900}

TARGETS = [
    # text, what success looks like, baseline, area (arrow-down presses from
    # "Choose an area": 1 communication, 2 cognition, 3 SEMH)
    ("Read 20 common exception words", "Reads them aloud in a book without help", "Reads 8 of them", "CL", 2),
    ("Take turns in a small-group game", "Waits for their turn in 4 of 5 games", "Waits in 1 of 5 games", "SEMH", 3),
    ("Ask for help using the help card", "Uses the card at least once a day", "Does not ask for help", "CI", 1),
]
STRATEGIES = "Seat near the front, away from the door.\nGive instructions one step at a time."
PROVISION = "Reading catch-up group, three times a week for 30 minutes."
HELP_AT_HOME = "Read together for ten minutes each evening and talk about the pictures."


def today():
    return timezone.localdate()


# -- helpers -------------------------------------------------------------------

def check_page(page, csp_violations, *, width=None):
    """Every page a journey visits: a heading, axe-core clean, no Content
    Security Policy violation; at a phone width, no sideways scrolling."""
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
    let visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
                   && style.outlineColor !== "transparent" && style.outlineColor !== "rgba(0, 0, 0, 0)")
                  || style.boxShadow !== "none";
    // GOV.UK radios and checkboxes draw the focus ring on the label's box.
    if (el.matches(".govuk-checkboxes__input, .govuk-radios__input")) {
        const label = document.querySelector(`label[for="${el.id}"]`);
        visible = visible || getComputedStyle(label, "::after").boxShadow !== "none"
                          || getComputedStyle(label, "::before").boxShadow !== "none";
    }
    // Chromium's date box ends with its own calendar button, inside the
    // box's closed shadow tree: the box is the active element but does not
    // match :focus, and the button's style cannot be read from here.
    const calendarButton = el.matches("input[type=date]") && !el.matches(":focus");
    return {id: el.id, tag: el.tagName, text: (el.innerText || "").trim().slice(0, 40), visible, calendarButton};
}"""


def tab_to(page, selector, *, limit=60):
    """Press Tab until `selector` has the focus, checking at every stop that
    the focused element shows a visible focus indicator. Returns the stops.

    A date box's calendar button (Chromium's own) is checked by its pixels:
    the box must look different while the button has the focus than once the
    focus has moved on. It does not count towards `limit`."""
    stops = []
    presses = 0
    moved = False
    while presses < limit:
        if not moved:
            page.keyboard.press("Tab")
            presses += 1
        moved = False
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if focused["calendarButton"]:
            box = page.locator(f"#{focused['id']}")
            with_focus = box.screenshot()
            page.keyboard.press("Tab")
            moved = True
            presses -= 1
            assert box.screenshot() != with_focus, f"No visible focus on the calendar button of {focused} at {page.url}"
            stops.append(focused)
            continue
        assert focused["visible"], f"No visible focus on {focused} at {page.url}"
        stops.append(focused)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    pytest.fail(f"Tab never reached {selector} on {page.url}; stops: {stops}")


def date_parts_order(page) -> str:
    """The order in which this Chromium takes the parts of a date box
    ("%d%m%Y" or "%m%d%Y"): it follows the browser's own language, not the
    page's, so it is found out once on a blank page."""
    probe = page.context.new_page()
    try:
        probe.set_content("<label for=d>Date</label><input type=date id=d>")
        probe.locator("#d").focus()
        probe.keyboard.type("01022000")
        return "%d%m%Y" if probe.locator("#d").input_value() == "2000-02-01" else "%m%d%Y"
    finally:
        probe.close()


def type_date(page, day, order):
    """Type a date into the focused date box the way a keyboard user does
    (Chromium moves along the parts by itself)."""
    page.keyboard.type(day.strftime(order))


def sign_out(page):
    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


@pytest.fixture
def plan(world):
    """A current plan for world.pupil written by the SENCo, its first cycle
    open, for the teacher's and the parent's journeys."""
    return services.plan_create(
        pupil=world.pupil,
        by=world.senco,
        next_review_date=today() + timedelta(days=60),
        teaching_strategies=STRATEGIES,
        provision=PROVISION,
        help_at_home=HELP_AT_HOME,
        targets=[
            {"text": text, "success_looks_like": success, "baseline": baseline, "area": area}
            for text, success, baseline, area, _ in TARGETS
        ],
    )


# -- issue 5: write, review, close, and share with the parent ---------------------

def test_it_writes_reviews_and_shares_a_support_plan(sign_in, page, live_server, world, csp_violations):
    pupil = world.pupil
    review_date = today() + timedelta(days=56)

    # The SENCo finds the pupil and opens the form to write a plan.
    sign_in("senco")
    check_page(page, csp_violations)
    page.goto(f"{live_server.url}/pupils/{pupil.pk}/")
    check_page(page, csp_violations)
    tab_to(page, f'a[href="/plans/pupil/{pupil.pk}/new/"]', limit=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a support plan")
    expect(page).to_have_title(re.compile(r"^Write a support plan: Amelia Brook"))
    check_page(page, csp_violations)

    # The main form with the keyboard only: three targets, the plan, the
    # views; the fourth target row stays empty.
    order = date_parts_order(page)
    stops = tab_to(page, "#id_targets-0-text")
    assert stops[0]["text"] == "Skip to main content", "the skip link comes first"
    for row, (text, success, baseline, _area, downs) in enumerate(TARGETS):
        if row:
            tab_to(page, f"#id_targets-{row}-text", limit=1)
        page.keyboard.type(text)
        tab_to(page, f"#id_targets-{row}-success_looks_like", limit=1)
        page.keyboard.type(success)
        tab_to(page, f"#id_targets-{row}-baseline", limit=1)
        page.keyboard.type(baseline)
        tab_to(page, f"#id_targets-{row}-target_date", limit=1)
        type_date(page, review_date, order)
        tab_to(page, f"#id_targets-{row}-area", limit=1)
        for _ in range(downs):
            page.keyboard.press("ArrowDown")
    for row, (*_, area, _downs) in enumerate(TARGETS):
        expect(page.locator(f"#id_targets-{row}-area")).to_have_value(area)
        expect(page.locator(f"#id_targets-{row}-target_date")).to_have_value(review_date.isoformat())
    tab_to(page, "#id_next_review_date")
    type_date(page, review_date, order)
    expect(page.get_by_label("Next review date")).to_have_value(review_date.isoformat())
    tab_to(page, "#id_coordinator", limit=1)  # left as "The SENCo"
    tab_to(page, "#id_teaching_strategies", limit=1)
    page.keyboard.type("Seat near the front, away from the door.")
    page.keyboard.press("Enter")  # a new line in the box, not a submission
    page.keyboard.type("Give instructions one step at a time.")
    tab_to(page, "#id_provision", limit=1)
    page.keyboard.type(PROVISION)
    tab_to(page, "#id_help_at_home", limit=1)
    page.keyboard.type(HELP_AT_HOME)
    tab_to(page, "#id_success_criteria", limit=1)
    page.keyboard.type("Reads and joins in with less adult help")
    tab_to(page, "#id_exit_criteria", limit=1)
    page.keyboard.type("Working at the expected standard for two terms")
    tab_to(page, "#id_pupil_views", limit=1)
    page.keyboard.type("I like reading with Miss Khan.")
    tab_to(page, "#id_pupil_views_date", limit=1)
    type_date(page, today(), order)
    tab_to(page, "button.govuk-button[type=submit]", limit=5)
    assert SupportPlan.objects.count() == 0
    page.keyboard.press("Enter")

    expect(success_banner(page)).to_contain_text("The support plan has been saved")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support plan, version 1")
    check_page(page, csp_violations)
    targets_table = page.get_by_role("table", name="Targets")
    for text, *_ in TARGETS:
        expect(targets_table.get_by_role("rowheader", name=re.compile(re.escape(text)))).to_be_visible()
    screenshot(page, "senco-support-plan")

    plan = SupportPlan.objects.get(pupil=pupil)
    assert (plan.version, plan.status, plan.start_date, plan.next_review_date) == (1, SupportPlan.Status.CURRENT, today(), review_date)
    assert plan.coordinator == world.senco and plan.created_by == world.senco
    assert plan.teaching_strategies.replace("\r\n", "\n") == STRATEGIES  # a browser sends CR LF
    assert (plan.provision, plan.help_at_home) == (PROVISION, HELP_AT_HOME)
    assert plan.exit_criteria == "Working at the expected standard for two terms"
    assert (plan.pupil_views, plan.pupil_views_date, plan.parent_views) == ("I like reading with Miss Khan.", today(), "")
    rows = list(plan.targets.values_list("text", "success_looks_like", "baseline", "target_date", "area", "order"))
    assert rows == [(t, s, b, review_date, a, n) for n, (t, s, b, a, _) in enumerate(TARGETS, start=1)]
    cycle = Cycle.objects.get(plan=plan)
    assert (cycle.number, cycle.is_open, cycle.review_date) == (1, True, review_date)
    assert set(cycle.targets.all()) == set(plan.targets.all())

    # The review: an outcome and evidence for each target, the meeting.
    page.get_by_role("link", name="Review this cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Review of cycle 1"))
    check_page(page, csp_violations)
    first, second, third = plan.targets.order_by("order")
    outcomes = {first: ("Achieved", "Read all 20 in a reading book"), second: ("Partly achieved", "Waits in 3 of 5 games"),
                third: ("Not achieved", "Has not used the card yet")}
    for target, (outcome, evidence) in outcomes.items():
        group = page.get_by_role("group", name=f"Outcome for the target: {target.text}")
        group.get_by_label(outcome, exact=True).check()
        page.locator(f"#id_evidence_{target.pk}").fill(evidence)
    page.get_by_label("Review meeting date").fill(today().isoformat())
    page.get_by_label("Who attended").fill("Ada Senco (SENCo), Tom Teacher, Pat Parent")
    page.get_by_label("A parent or carer took part in the meeting").check()
    page.get_by_label("What was delivered this cycle").fill("Reading catch-up three times a week; a help card on the desk")
    page.get_by_label("The parents' views").fill("Reading at home is going better")
    page.get_by_label("The pupil's views").fill("I can read more words now")
    page.get_by_role("button", name="Save the review").click()

    expect(success_banner(page)).to_contain_text("The review has been saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Close cycle 1 and decide what happens next")
    check_page(page, csp_violations)
    cycle.refresh_from_db()
    assert (cycle.meeting_date, cycle.parent_attended, cycle.is_open) == (today(), True, True)
    assert cycle.attendees == "Ada Senco (SENCo), Tom Teacher, Pat Parent"
    assert (cycle.parent_views, cycle.pupil_views) == ("Reading at home is going better", "I can read more words now")
    reviews = {r.target: (r.get_outcome_display(), r.evidence) for r in TargetReview.objects.filter(cycle=cycle)}
    assert reviews == outcomes
    assert pupil.parent_meetings.get().cycle == cycle

    # Close it: continue with the plan; the unfinished targets carry on.
    next_review = today() + timedelta(days=90)
    expect(page.get_by_label("Continue with the plan")).to_be_checked()
    page.get_by_label("Reasons and next steps").fill("Good progress in reading; keep the same plan")
    page.get_by_label("Date of the next review").fill(next_review.isoformat())
    page.get_by_role("button", name="Close the cycle").click()

    expect(success_banner(page)).to_contain_text("the next one has started")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support plan, version 1")
    check_page(page, csp_violations)
    cycle.refresh_from_db()
    assert (cycle.decision, cycle.closed_by, cycle.is_open) == (Cycle.Decision.CONTINUE, world.senco, False)
    assert cycle.decision_notes == "Good progress in reading; keep the same plan"
    second_cycle = Cycle.objects.get(plan=plan, closed_at__isnull=True)
    assert (second_cycle.number, second_cycle.review_date) == (2, next_review)
    assert set(second_cycle.targets.all()) == {second, third}
    assert Target.objects.get(pk=first.pk).achieved_on == today()
    assert Target.objects.filter(plan=plan, achieved_on__isnull=True).count() == 2
    plan.refresh_from_db()
    assert (plan.next_review_date, plan.status) == (next_review, SupportPlan.Status.CURRENT)
    sign_out(page)

    # The parent reads the plan in plain English.
    sign_in("parent")
    check_page(page, csp_violations)
    page.goto(f"{live_server.url}/pupils/children/{pupil.pk}/")
    check_page(page, csp_violations)
    page.get_by_role("link", name="Read Amelia's support plan and add your views").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia's support plan")
    check_page(page, csp_violations)
    content = page.locator("main")
    expect(content).to_contain_text(f"By {next_review:%-d %B %Y}")
    working_on = page.get_by_role("table", name="Amelia's targets")
    expect(working_on.get_by_role("rowheader")).to_have_text([TARGETS[1][0], TARGETS[2][0]])
    expect(working_on).to_contain_text(TARGETS[1][1])
    expect(content).to_contain_text(f"{TARGETS[0][0]} ({today():%B %Y})")  # achieved
    expect(content).to_contain_text("Seat near the front, away from the door.")
    expect(content).to_contain_text(HELP_AT_HOME)
    expect(content).to_contain_text(f"{TARGETS[0][0]}: achieved")
    expect(content).to_contain_text(f"{TARGETS[1][0]}: partly achieved")
    # Plain English: no codes of the areas of need, no staff words.
    for jargon in ("SEMH", "CL", "Baseline", "Cycle"):
        expect(content).not_to_contain_text(re.compile(rf"\b{jargon}\b"))
    screenshot(page, "parent-plan")

    page.get_by_role("button", name="I have read this plan").click()
    expect(success_banner(page)).to_contain_text(f"You confirmed you have read the plan on {today():%d %B %Y}")
    check_page(page, csp_violations)
    expect(page.get_by_role("button", name="I have read this plan")).to_have_count(0)
    read = ParentPlanView.objects.get(plan=plan, kind=ParentPlanView.Kind.READ)
    assert (read.parent, timezone.localtime(read.created_at).date()) == (world.parent, today())

    page.get_by_label("Your views").fill("Amelia is proud of her reading. Turn-taking at home is still hard.")
    page.get_by_role("button", name="Send your views").click()
    expect(success_banner(page)).to_contain_text("Your views have been sent to school")
    check_page(page, csp_violations)
    expect(page.locator(".govuk-inset-text")).to_contain_text("Amelia is proud of her reading.")
    views = ParentPlanView.objects.get(plan=plan, kind=ParentPlanView.Kind.VIEWS)
    assert (views.parent, views.cycle, views.text) == (
        world.parent, second_cycle, "Amelia is proud of her reading. Turn-taking at home is still hard.",
    )
    sign_out(page)

    # Before the next review the SENCo sees what the parent wrote.
    sign_in("senco")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    check_page(page, csp_violations)
    expect(page.locator(".govuk-summary-list__row", has_text="Parents confirmed reading")).to_contain_text(
        f"Pat Parent on {today():%-d %B %Y}"
    )
    page.get_by_role("link", name="Review this cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Review of cycle 2"))
    check_page(page, csp_violations)
    expect(page.locator(".govuk-inset-text")).to_contain_text("Amelia is proud of her reading.")


# -- issue 11: the teacher reads the strategies and adds to the review -------------

def test_a_teacher_reads_the_strategies_and_adds_to_the_review(sign_in, page, live_server, world, plan, csp_violations):
    sign_in("teacher")
    check_page(page, csp_violations)
    page.goto(f"{live_server.url}/pupils/{world.pupil.pk}/")
    check_page(page, csp_violations)
    section = page.locator("section", has=page.get_by_role("heading", name="Support plan", exact=True))
    expect(section).to_contain_text(TARGETS[0][0])
    section.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support plan, version 1")
    check_page(page, csp_violations)
    strategies = page.get_by_role("heading", name="Teaching strategies", level=2).locator("xpath=following-sibling::p[1]")
    expect(strategies).to_contain_text("Seat near the front, away from the door.")
    expect(strategies).to_contain_text("Give instructions one step at a time.")
    expect(page.get_by_role("heading", name="How parents can help at home")).to_be_visible()
    screenshot(page, "teacher-strategies")

    # The teacher records what they assessed and what was delivered in class.
    page.get_by_role("link", name="Record assess, plan and do for cycle 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cycle 1: assess, plan and do")
    check_page(page, csp_violations)
    page.get_by_label("Evidence used").fill("Phonics check and guided reading notes")
    page.get_by_label("What was delivered").fill("Help card on the desk every day; instructions one at a time")
    page.get_by_role("button", name="Save").click()
    expect(success_banner(page)).to_contain_text("The cycle has been saved")
    check_page(page, csp_violations)
    expect(page.locator("main")).to_contain_text("Help card on the desk every day")
    cycle = Cycle.objects.get(plan=plan)
    assert cycle.assess_evidence == "Phonics check and guided reading notes"
    assert cycle.do_delivered == "Help card on the desk every day; instructions one at a time"
    assert cycle.is_open and not TargetReview.objects.exists()

    # What the teacher wrote is there for the review meeting.
    page.get_by_role("link", name="Record the review of cycle 1").click()
    check_page(page, csp_violations)
    expect(page.get_by_label("What was delivered this cycle")).to_have_value(
        "Help card on the desk every day; instructions one at a time"
    )


def test_another_teacher_sees_only_the_strategies(sign_in, page, live_server, world, plan, csp_violations):
    # A teacher of another class sees what helps the pupil, not the plan.
    sign_in("other_teacher")
    page.goto(f"{live_server.url}/pupils/{world.pupil.pk}/")
    check_page(page, csp_violations)
    section = page.locator("section", has=page.get_by_role("heading", name="Strategies that help"))
    expect(section).to_contain_text("Give instructions one step at a time.")
    expect(page.get_by_role("link", name="Version 1")).to_have_count(0)
    response = page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert response.status == 404


# -- issue 11: the parent on a 320-pixel-wide screen --------------------------------

def test_the_parent_reads_the_plan_at_320_pixels(sign_in, page, live_server, world, plan, csp_violations):
    page.set_viewport_size(PHONE)
    sign_in("parent")
    check_page(page, csp_violations, width=320)
    page.goto(f"{live_server.url}/pupils/children/")
    check_page(page, csp_violations, width=320)
    page.goto(f"{live_server.url}/pupils/children/{world.pupil.pk}/")
    check_page(page, csp_violations, width=320)
    page.get_by_role("link", name="Read Amelia's support plan and add your views").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia's support plan")
    check_page(page, csp_violations, width=320)
    expect(page.get_by_role("table", name="Amelia's targets").get_by_role("rowheader")).to_have_count(3)

    # With the keyboard only, at 320 pixels: confirm reading, then send views.
    tab_to(page, "form[action$='/read/'] button", limit=80)
    page.keyboard.press("Enter")
    expect(success_banner(page)).to_contain_text("You confirmed you have read the plan")
    check_page(page, csp_violations, width=320)
    assert ParentPlanView.objects.filter(plan=plan, parent=world.parent, kind=ParentPlanView.Kind.READ).count() == 1

    # Sending nothing: the error summary takes the focus and links to the box.
    tab_to(page, "form[action$='/views/'] button", limit=80)
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Write your views before sending them")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, csp_violations, width=320)
    tab_to(page, ".govuk-error-summary a", limit=3)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your views")).to_be_focused()
    assert not ParentPlanView.objects.filter(kind=ParentPlanView.Kind.VIEWS).exists()

    page.keyboard.type("She likes the help card.")
    tab_to(page, "form[action$='/views/'] button", limit=1)
    page.keyboard.press("Enter")
    expect(success_banner(page)).to_contain_text("Your views have been sent to school")
    check_page(page, csp_violations, width=320)
    views = ParentPlanView.objects.get(kind=ParentPlanView.Kind.VIEWS)
    assert (views.plan, views.parent, views.text) == (plan, world.parent, "She likes the help card.")


# -- issue 11: the plan form's error summary -----------------------------------------

def test_the_plan_form_error_summary_links_to_the_fields(sign_in, page, live_server, world, csp_violations):
    sign_in("senco")
    page.goto(f"{live_server.url}/plans/pupil/{world.pupil.pk}/new/")
    check_page(page, csp_violations)
    page.get_by_label("Next review date").fill("")
    page.locator("#id_targets-1-success_looks_like").fill("Reads them without help")  # a row with no target
    page.locator("#id_targets-0-text").fill("Read 20 common exception words")
    page.get_by_role("button", name="Save the plan").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Write a support plan"))
    check_page(page, csp_violations)
    assert SupportPlan.objects.count() == 0 and Target.objects.count() == 0
    expect(page.locator("#id_targets-0-text")).to_have_value("Read 20 common exception words")

    summary.get_by_role("link", name="Target 2: Write the target, or clear the other boxes in this row").click()
    expect(page.locator("#id_targets-1-text")).to_be_focused()
    page.locator("#id_targets-1-success_looks_like").fill("")
    page.get_by_role("button", name="Save the plan").click()

    # The date is the field still missing.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date of the next review")
    check_page(page, csp_violations)
    summary.get_by_role("link", name="Enter the date of the next review").click()
    expect(page.get_by_label("Next review date")).to_be_focused()
    assert SupportPlan.objects.count() == 0


# -- issue 11: the staff plan pages at 320 pixels -------------------------------------

def test_the_staff_plan_pages_reflow_at_320_pixels(sign_in, page, live_server, world, plan, csp_violations):
    """Wide tables (targets, versions, meetings, the list of plans) scroll
    inside their own box; the page itself never scrolls sideways."""
    services.meeting_record(pupil=world.pupil, by=world.senco, date=today(), attendees="Pat Parent, Ada Senco",
                            agreed_actions="Read together each evening", kind="termly", copy_given_to_parent=True)
    cycle = plan.cycles.get()
    pages = [
        "/plans/", f"/plans/{plan.pk}/", f"/plans/{plan.pk}/edit/", f"/plans/pupil/{world.pupil.pk}/versions/",
        f"/plans/cycle/{cycle.pk}/", f"/plans/cycle/{cycle.pk}/review/", f"/plans/cycle/{cycle.pk}/close/",
        f"/plans/{plan.pk}/new-version/", f"/plans/pupil/{world.pupil.pk}/meetings/new/", "/plans/banks/",
    ]
    for persona in ("senco", "teacher"):
        page.set_viewport_size(PHONE)
        sign_in(persona)
        for path in pages if persona == "senco" else pages[1:3] + pages[4:6]:
            page.goto(f"{live_server.url}{path}")
            assert page.url == f"{live_server.url}{path}", f"{persona} was sent away from {path}"
            check_page(page, csp_violations, width=320)
        # The targets' box can be scrolled with the keyboard.
        page.goto(f"{live_server.url}/plans/{plan.pk}/")
        box = page.get_by_role("region", name="Targets")
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.app-table-scroll[aria-labelledby=targets-caption]').scrollLeft > 0")
        sign_out(page)


def test_the_parent_pages_without_a_plan_and_for_another_child(sign_in, page, live_server, world, plan, csp_violations):
    # Bilal (the other parent's child) has no plan: the page says so plainly.
    page.set_viewport_size(PHONE)
    sign_in("other_parent")
    page.goto(f"{live_server.url}/plans/child/{world.other_pupil.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilal's support plan")
    expect(page.locator("main")).to_contain_text("Bilal does not have a support plan at the moment")
    check_page(page, csp_violations, width=320)
    # Amelia's plan is not theirs to see: not found, and nothing recorded.
    for path in (f"/plans/child/{world.pupil.pk}/", f"/plans/{plan.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
        expect(page.locator("main")).not_to_contain_text("Amelia")
    assert not ParentPlanView.objects.exists()


def test_the_parent_downloads_a_copy_of_the_plan(sign_in, page, live_server, world, plan, csp_violations, tmp_path):
    page.set_viewport_size(PHONE)
    sign_in("parent")
    page.goto(f"{live_server.url}/plans/child/{world.pupil.pk}/")
    page.get_by_role("button", name="Download as PDF").click()
    # The PDF is made in-process in the tests (eager Celery): ready at once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Support plan")
    expect(page.locator("main")).to_contain_text("Ready")
    check_page(page, csp_violations, width=320)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    path = tmp_path / "plan.pdf"
    download.value.save_as(path)
    text = subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    for words in (TARGETS[0][0], "Give instructions one step at a time.", HELP_AT_HOME):
        assert words in text, words
