"""Interventions in a real browser (issues 6 and 11).

- Issue 6: a TA logs a session for their group on a narrow screen, marking
  one pupil absent; the SENCo then sees the cost go up by the hand-computed
  amount, on the group page and on the provision map.
- Issue 11: the TA's journey on a 320-pixel-wide screen, the session form
  done with the keyboard only, the focus visible at every stop, no sideways
  scrolling; screenshots for the user guide.
- Teachers and TAs never see a £ figure on the pages they visit.

Every page visited is checked with axe-core (WCAG 2.2 AA) and for Content
Security Policy violations.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pupils.models import SenStatus
from send_register.calendar import today
from support_plans.interventions.models import Intervention, Placement, PlacementPupil, Session, SessionAttendance
from tests.factories import PupilFactory

from .conftest import assert_accessible, assert_no_csp_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 800}
LAPTOP = {"width": 1280, "height": 900}

# The catalogue entry: £15.00 an hour of TA time, £6.00 of materials per
# pupil placed, 30-minute sessions.
HOURLY_PENCE = 1500
OTHER_PENCE = 600


@pytest.fixture
def group(world):
    """The TA's reading group, started a week ago, with two pupils of the
    TA's class (world.pupil, Amelia Brook, and Dara Hill) and one session
    already logged at which both were present."""
    dara = PupilFactory(
        legal_first_name="Dara", legal_last_name="Hill", form=world.form, year_group="3",
        sen_status=SenStatus.SEN_SUPPORT,
    )
    intervention = Intervention.objects.create(
        name="Reading catch-up", broad_area="CL", wave=Intervention.Wave.SMALL_GROUP,
        description="Paired reading and phonics games", aim="Read more fluently",
        group_size=4, sessions_per_week=3, minutes_per_session=30, planned_weeks=10,
        delivered_by=Intervention.DeliveredBy.TA, location="the library",
        hourly_cost_pence=HOURLY_PENCE, other_cost_pence=OTHER_PENCE,
        measure=Intervention.Measure.MONTHS, measure_name="Salford reading age", expected_gain=Decimal("2"),
    )
    start = today() - timedelta(days=7)
    placement = Placement.objects.create(
        intervention=intervention, staff=world.ta, label="Year 3 readers", start=start,
        planned_end=start + timedelta(weeks=10), days="Monday, Wednesday and Friday", times="9:10 to 9:40",
    )
    for child in (world.pupil, dara):
        PlacementPupil.objects.create(placement=placement, pupil=child, joined_on=start)
    first = Session.objects.create(
        placement=placement, date=start, minutes=30, hourly_cost_pence=HOURLY_PENCE, pupils_present=2,
        logged_by=world.ta,
    )
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=first, pupil=child, attended=True) for child in (world.pupil, dara)]
    )
    placement.dara = dara
    return placement


# -- helpers -----------------------------------------------------------------

def check_page(page, csp_violations, *, width=None, pounds_allowed=True):
    """Every page the journeys visit: axe-core clean, no CSP violation, and
    (for a TA or teacher) no £ anywhere in the HTML; at a phone width, no
    sideways scrolling."""
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)
    if not pounds_allowed:
        assert "£" not in page.content(), f"A £ figure is shown on {page.url}"
    if width is not None:
        assert_no_horizontal_scroll(page, width)


def assert_fits(locator, width):
    """An element lies within the first `width` pixels (for the interventions
    parts of pages that other apps own: the home page, the pupil's page)."""
    box = locator.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width, f"{locator} is wider than {width}px: {box}"


def assert_no_horizontal_scroll(page, width):
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px: it is {scroll_width}px wide"


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const info = {id: el.id, tag: el.tagName, name: el.getAttribute("name"),
                  text: (el.innerText || "").trim().slice(0, 40), picker: false};
    const ring = (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
                             && !["transparent", "rgba(0, 0, 0, 0)"].includes(style.outlineColor))
                            || style.boxShadow !== "none";
    if (el.matches(".govuk-checkboxes__input, .govuk-radios__input")) {
        // GOV.UK hides the input itself (opacity 0) and draws the focus
        // ring on the box before its label: only that counts.
        const label = document.querySelector(`label[for="${el.id}"]`);
        info.visible = getComputedStyle(el).opacity === "0" && ring(getComputedStyle(label, "::before"));
    } else if (el.matches("input[type=date]") && !el.matches(":focus")) {
        // The focus is on the browser's own calendar button inside the date
        // box (its shadow DOM): the page's CSS cannot reach it.
        info.picker = true;
        info.visible = null;
    } else {
        info.visible = ring(getComputedStyle(el));
    }
    return info;
}"""


def tab_to(page, selector, *, limit=40):
    """Press Tab until `selector` has the focus, checking at every stop that
    the focused element shows a visible focus indicator. Returns the stops."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused is None:
            continue
        if focused["picker"]:
            # Chromium draws its own (thin, dark) focus ring round the
            # calendar icon there; the yellow GOV.UK ring cannot be checked.
            stops.append(focused)
            continue
        assert focused["visible"], f"No visible focus on {focused} at {page.url}"
        stops.append(focused)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    pytest.fail(f"Tab never reached {selector} on {page.url}; stops: {stops}")


def type_date(page, day):
    """Type a date into the focused date box with the keyboard. Chromium lays
    the box out in the browser's language (day or month first), so find out,
    as a keyboard user sees it, which part the first arrow press changes."""
    box = page.locator("input[type=date]:focus")
    before = box.input_value()
    page.keyboard.press("ArrowUp")
    after = box.input_value()
    page.keyboard.press("ArrowDown")
    assert box.input_value() == before
    day_first = before[8:10] != after[8:10]
    page.keyboard.type(day.strftime("%d%m%Y" if day_first else "%m%d%Y"))


def home_panel(page):
    return page.locator("section.app-panel", has=page.get_by_role("heading", name="Your intervention groups"))


def pupil_section(page):
    return page.locator("section", has=page.get_by_role("heading", name="Interventions", exact=True))


def figure(locator) -> int:
    """An amount shown as £1,234.56, in pence."""
    text = locator.inner_text()
    match = re.search(r"£([0-9,]+)\.([0-9]{2})", text)
    assert match, f"No £ figure in {text!r}"
    return int(match.group(1).replace(",", "")) * 100 + int(match.group(2))


def sign_out(page):
    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def senco_reads_costs(page, sign_in, live_server, csp_violations, group):
    """The SENCo's figures: the group's cost so far, each pupil's cost on the
    group page, and the provision map's totals this term and this year."""
    page.set_viewport_size(LAPTOP)
    sign_in("senco")
    page.goto(f"{live_server.url}/interventions/groups/{group.pk}/")
    check_page(page, csp_violations)
    cost_so_far = figure(page.locator(".govuk-summary-list__row", has_text="Cost so far").locator("dd"))
    pupils = page.get_by_role("table", name=re.compile("^Pupils, attendance"))
    # Cells after the pupil's name: in the group, attended, entry, exit,
    # impact, cost, actions.
    amelia = figure(pupils.get_by_role("row", name=re.compile("Amelia Brook")).locator("td").nth(5))
    dara = figure(pupils.get_by_role("row", name=re.compile("Dara Hill")).locator("td").nth(5))
    page.get_by_role("link", name="Provision map for Amelia Brook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Costed provision map")
    check_page(page, csp_violations)
    amelia_map = figure(page.locator("#pupil-total"))
    page.goto(f"{live_server.url}/interventions/provision-map/")
    check_page(page, csp_violations)
    term, year = figure(page.locator("#total-term")), figure(page.locator("#total-year"))
    row = page.get_by_role("row", name=re.compile("Reading catch-up"))
    row_term, row_year = figure(row.locator("td").nth(3)), figure(row.locator("td").nth(4))
    sign_out(page)
    return {"group": cost_so_far, "amelia": amelia, "dara": dara, "amelia_map": amelia_map, "term": term, "year": year,
            "row_term": row_term, "row_year": row_year}


# -- issue 6: the TA logs a session, the SENCo sees the cost ------------------

def test_it_costs_a_session_the_ta_logs_on_a_narrow_screen(sign_in, page, live_server, world, group, csp_violations):
    before = senco_reads_costs(page, sign_in, live_server, csp_violations, group)
    # Before, by hand: one 30-minute session at £15.00 an hour is £7.50 of
    # staff time, shared by the two pupils present (£3.75 each), plus £6.00
    # of materials for each of them.
    assert before["group"] == 750 + 2 * OTHER_PENCE == 1950
    assert before["amelia"] == before["dara"] == before["amelia_map"] == 375 + OTHER_PENCE == 975

    page.set_viewport_size(PHONE)
    sign_in("ta")
    check_page(page, csp_violations, pounds_allowed=False)
    assert_fits(home_panel(page), 320)
    page.get_by_role("link", name="Log a session for Reading catch-up (Year 3 readers)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    check_page(page, csp_violations, width=320, pounds_allowed=False)
    expect(page.get_by_label("Date of the session")).to_have_value(today().isoformat())
    expect(page.get_by_label("Amelia Brook")).to_be_checked()
    expect(page.get_by_label("Dara Hill")).to_be_checked()
    page.get_by_label("Dara Hill").uncheck()
    page.get_by_label("Minutes").fill("40")
    page.get_by_label("Short note (optional)").fill("Dara at a hearing test")
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 of 2 present")
    check_page(page, csp_violations, width=320, pounds_allowed=False)
    sessions = page.get_by_role("table", name="Sessions logged")
    expect(sessions.get_by_role("row", name=re.compile(today().strftime("%-d %b %Y")))).to_contain_text("Dara at a hearing test")
    sign_out(page)

    # The rows in the database.
    session = Session.objects.get(placement=group, date=today())
    assert (session.minutes, session.note, session.logged_by, session.hourly_cost_pence, session.pupils_present) == (
        40, "Dara at a hearing test", world.ta, HOURLY_PENCE, 1,
    )
    attendance = dict(SessionAttendance.objects.filter(session=session).values_list("pupil_id", "attended"))
    assert attendance == {world.pupil.pk: True, group.dara.pk: False}

    after = senco_reads_costs(page, sign_in, live_server, csp_violations, group)
    # By hand: 40 minutes at £15.00 an hour is £10.00, all of it Amelia's
    # (the only pupil present); Dara, absent, takes no share.
    session_pence = 40 * HOURLY_PENCE // 60
    assert session_pence == 1000
    assert after["group"] - before["group"] == 1000 and after["group"] == 2950
    assert after["amelia"] - before["amelia"] == 1000 and after["amelia"] == after["amelia_map"] == 1975
    assert after["dara"] == before["dara"] == 975
    for key in ("term", "year", "row_term", "row_year"):
        assert after[key] - before[key] == 1000, key


# -- issue 11: the TA's journey with the keyboard only, at 320 pixels ---------

def test_the_ta_logs_sessions_with_the_keyboard_only_at_320_pixels(sign_in, page, live_server, world, group, csp_violations):
    page.set_viewport_size(PHONE)
    sign_in("ta")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {world.ta.get_short_name()}")
    check_page(page, csp_violations, pounds_allowed=False)
    assert_fits(home_panel(page), 320)
    screenshot(page, "ta-home")

    # From the home page to the form by the keyboard: Tab to the link, Enter.
    tab_to(page, 'a[href$="/interventions/groups/%d/sessions/new/"]' % group.pk)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(page).to_have_title(re.compile(r"^Log a session: Reading catch-up \(Year 3 readers\)"))
    check_page(page, csp_violations, width=320, pounds_allowed=False)

    # The form in order: the date (today, kept), each pupil, the minutes, the
    # note, the button; every stop with a visible focus.
    stops = tab_to(page, "#id_date")
    tab_to(page, "#id_present_%d" % world.pupil.pk)
    tab_to(page, "#id_present_%d" % group.dara.pk)
    page.keyboard.press("Space")  # Dara was absent
    expect(page.get_by_label("Dara Hill")).not_to_be_checked()
    expect(page.get_by_label("Amelia Brook")).to_be_checked()
    tab_to(page, "#id_minutes", limit=1)
    page.keyboard.press("Control+A")
    page.keyboard.type("25")
    tab_to(page, "#id_note", limit=1)
    page.keyboard.type("Rhyming words")
    tab_to(page, "button.govuk-button", limit=1)
    assert stops[0]["text"] == "Skip to main content", "the skip link comes first"
    assert_no_horizontal_scroll(page, 320)
    screenshot(page, "ta-session-log")
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Logged the session on {today():%d/%m/%Y}: 1 of 2 present"
    )
    check_page(page, csp_violations, width=320, pounds_allowed=False)
    session = Session.objects.get(placement=group, date=today())
    assert (session.minutes, session.note, session.pupils_present, session.logged_by) == (25, "Rhyming words", 1, world.ta)
    assert dict(session.attendance.values_list("pupil_id", "attended")) == {world.pupil.pk: True, group.dara.pk: False}

    # A second session on the same day is refused: the error summary takes
    # the focus, and its link takes the keyboard user to the date.
    tab_to(page, 'a[href$="/sessions/new/"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    tab_to(page, "button.govuk-button")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("A session on this date is already logged for this group")
    expect(page).to_have_title(re.compile(r"^Error: Log a session"))
    expect(summary).to_be_focused()
    check_page(page, csp_violations, width=320, pounds_allowed=False)
    tab_to(page, ".govuk-error-summary a", limit=3)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Date of the session")).to_be_focused()
    assert Session.objects.filter(placement=group).count() == 2

    # An earlier day is accepted: the keyboard types the date into the box.
    yesterday = today() - timedelta(days=1)
    type_date(page, yesterday)
    expect(page.get_by_label("Date of the session")).to_have_value(yesterday.isoformat())
    tab_to(page, "button.govuk-button")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Logged the session on {yesterday:%d/%m/%Y}")
    check_page(page, csp_violations, width=320, pounds_allowed=False)
    assert Session.objects.get(placement=group, date=yesterday).pupils_present == 2


# -- issue 6: no £ for teachers and TAs ---------------------------------------

def test_teachers_and_tas_never_see_a_pound_sign(sign_in, page, live_server, world, group, csp_violations):
    # The teacher runs a group too, with the same pupil in it.
    teachers_group = Placement.objects.create(
        intervention=group.intervention, staff=world.teacher, label="Year 3 spellers", start=group.start,
        planned_end=group.planned_end, days="Tuesday", times="13:00 to 13:30",
    )
    PlacementPupil.objects.create(placement=teachers_group, pupil=world.pupil, joined_on=group.start)
    for persona, own in (("ta", group), ("teacher", teachers_group)):
        page.set_viewport_size(PHONE)
        sign_in(persona)
        pages = [
            "/",
            "/interventions/",
            f"/interventions/{group.intervention.pk}/",
            "/interventions/groups/",
            f"/interventions/groups/{own.pk}/",
            f"/interventions/groups/{own.pk}/sessions/new/",
            f"/pupils/{world.pupil.pk}/",
        ]
        for path in pages:
            page.goto(f"{live_server.url}{path}")
            assert page.url == f"{live_server.url}{path}", f"{persona} was sent away from {path}"
            ours = path.startswith("/interventions/")
            check_page(page, csp_violations, width=320 if ours else None, pounds_allowed=False)
            if path == "/":
                assert_fits(home_panel(page), 320)
            elif not ours:
                expect(pupil_section(page).get_by_role("rowheader", name=re.compile("Reading catch-up"))).to_have_count(2)
                assert_fits(pupil_section(page), 320)
        # The intervention and the pupil's page name the group without a cost.
        page.goto(f"{live_server.url}/interventions/{group.intervention.pk}/")
        expect(page.get_by_role("link", name=str(own))).to_be_visible()
        # The costed pages are closed to them.
        for path in ("/interventions/provision-map/", f"/interventions/pupils/{world.pupil.pk}/provision-map/",
                     f"/interventions/groups/{group.pk if persona == 'teacher' else teachers_group.pk}/"):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status in (403, 404), (persona, path, response.status)
            assert "£" not in page.content()
        sign_out(page)
