"""The SEN information report in a real browser (issues 8 and 11).

- Issue 8: the SENCo starts this year's report, answers every Schedule 1 and
  s.69(3)(b) item through the item forms (the completeness check shrinks by
  one item at a time, and publishing is refused, with an error, while any
  item remains), records the governors' approval date and publishes it. The
  governor signs in, reads the governors' dashboard (no pupil's name or UPN
  anywhere on it), asks for the report as a PDF, downloads it once it is
  ready and finds the school's name and an answer in its text. Anyone can
  read the published report on its public page, without signing in.
- Issue 11: the governor's dashboard at 320 pixels wide (no sideways page
  scroll; tables and charts may scroll inside their own box), and the
  SENCo's narrative form done with the keyboard only, the focus visible at
  every stop.

Every page visited is checked with axe-core (WCAG 2.2 AA) and for Content
Security Policy violations. Screenshots for the user guide:
senco-information-report, governor-dashboard, public-report.
"""

import re
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports import services
from reports.models import InformationReport, ReportVersion
from reports.schedule import ORDER, Item
from send_register.calendar import academic_year_containing

from .conftest import assert_accessible, assert_no_csp_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 800}
LAPTOP = {"width": 1280, "height": 900}


def today():
    return timezone.localdate()


def answer_for(item: str) -> str:
    return f"Our answer for item {item}: how Brookfield supports pupils with SEN, in plain English."


# -- helpers -------------------------------------------------------------------

def check_page(page, csp_violations, *, width=None):
    """Every page visited: a main heading, axe-core clean, no Content Security
    Policy violation; at a phone width, no sideways page scroll."""
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)
    if width is not None:
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px: it is {scroll_width}px wide"


def missing_links(page):
    """The links of the completeness check's list of items still to answer."""
    check = page.get_by_role("heading", name="Completeness check", level=2)
    return check.locator("xpath=following-sibling::ul[1]").get_by_role("link")


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def sign_out(page):
    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def pupil_words(world) -> list[str]:
    """What would identify a pupil of the world: names and UPNs."""
    words = []
    for pupil in (world.pupil, world.other_pupil, world.unlisted_pupil):
        words += [pupil.legal_first_name, pupil.legal_last_name, pupil.display_name, pupil.upn]
    return [w for w in words if w]


def mentions(text: str, word: str) -> bool:
    # As a whole word: "Brook" is a pupil's surname, "Brookfield" the school.
    return re.search(rf"\b{re.escape(word)}\b", text) is not None


def assert_no_pupil_named(page, world):
    text = page.locator("body").inner_text()
    for word in pupil_words(world):
        assert not mentions(text, word), f"{word!r} (a pupil's name or UPN) appears on {page.url}"


# -- issue 8: write, publish, download ------------------------------------------

def test_it_writes_and_publishes_the_report_and_the_governor_downloads_it(
    sign_in, page, live_server, world, csp_violations, tmp_path
):
    year = academic_year_containing(today())
    page = sign_in("senco")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    check_page(page, csp_violations)

    # Start this year's report.
    page.get_by_label("Academic year").select_option(label=year.name)
    page.get_by_role("button", name="Start the report").click()
    expect(success_banner(page)).to_contain_text(f"The {year.name} report has been started")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"SEN information report {year.name}")
    check_page(page, csp_violations)
    report = InformationReport.objects.get(academic_year=year)
    assert report.status == InformationReport.Status.DRAFT

    # The SENCo's name and email come from the school settings (item 4), so
    # every other item is still to answer.
    expected_missing = [i for i in ORDER if i != Item.SENCO]
    links = missing_links(page)
    expect(links).to_have_count(len(expected_missing))
    expect(links.first).to_have_text(Item(expected_missing[0]).label)
    expect(page.locator(".govuk-warning-text")).to_contain_text(f"{len(expected_missing)} items still to answer")

    # Publishing now is refused: the page lists what is missing and the
    # attempt is turned back with an error.
    page.get_by_role("link", name="Publish the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the report")
    expect(page.get_by_role("heading", name="Still to answer")).to_be_visible()
    check_page(page, csp_violations)
    page.get_by_role("button", name="Publish the report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Answer every item before publishing")
    expect(summary).to_contain_text("Record the date the governors approved the report")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, csp_violations)
    report.refresh_from_db()
    assert report.status == InformationReport.Status.DRAFT and not ReportVersion.objects.exists()
    page.get_by_role("link", name="Back to the report").click()

    # Answer each item through its form, from the completeness check: the
    # list loses one item each time. The last one waits until the refusal
    # below has been seen.
    for done, item in enumerate(expected_missing[:-1], start=1):
        links = missing_links(page)
        expect(links.first).to_have_text(Item(item).label)
        links.first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(Item(item).label)
        check_page(page, csp_violations)
        page.get_by_label("Your answer").fill(answer_for(item))
        page.get_by_role("button", name="Save the answer").click()
        expect(success_banner(page)).to_contain_text(f"Saved: {Item(item).label}")
        expect(missing_links(page)).to_have_count(len(expected_missing) - done)
        check_page(page, csp_violations)
        if len(expected_missing) - done == 3:
            screenshot(page, "senco-information-report")
    last = expected_missing[-1]
    expect(missing_links(page)).to_have_text([Item(last).label])
    expect(page.locator(".govuk-warning-text")).to_contain_text("1 item still to answer")

    # The governors' approval date.
    approved = today() - timedelta(days=7)
    page.get_by_role("link", name="Change the approval and review dates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approval and review dates")
    check_page(page, csp_violations)
    approval = page.get_by_role("group", name="Date the governors approved the report")
    approval.get_by_label("Day").fill(str(approved.day))
    approval.get_by_label("Month").fill(str(approved.month))
    approval.get_by_label("Year").fill(str(approved.year))
    page.get_by_role("button", name="Save the dates").click()
    expect(success_banner(page)).to_contain_text("The dates have been saved")
    check_page(page, csp_violations)
    report.refresh_from_db()
    assert report.governor_approval_date == approved

    # With one item unanswered, publishing is still refused, naming it.
    page.get_by_role("link", name="Publish the report").click()
    check_page(page, csp_violations)
    page.get_by_role("button", name="Publish the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Still to answer: {Item(last).label.split('.')[0]}")
    expect(page.locator(".govuk-error-summary")).not_to_contain_text("Record the date")
    check_page(page, csp_violations)
    report.refresh_from_db()
    assert report.status == InformationReport.Status.DRAFT and not ReportVersion.objects.exists()

    # The last item, from the publish page's own list.
    page.get_by_role("link", name=Item(last).label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(Item(last).label)
    check_page(page, csp_violations)
    page.get_by_label("Your answer").fill(answer_for(last))
    page.get_by_role("button", name="Save the answer").click()
    expect(success_banner(page)).to_contain_text(f"Saved: {Item(last).label}")
    expect(page.get_by_role("heading", name="Completeness check")).to_be_visible()
    expect(missing_links(page)).to_have_count(0)
    expect(page.get_by_text("Every item is answered.")).to_be_visible()
    check_page(page, csp_violations)

    # Publish.
    page.get_by_role("link", name="Publish the report").click()
    expect(page.get_by_text("Every item is answered.")).to_be_visible()
    check_page(page, csp_violations)
    expect(page.get_by_role("group", name="Date of publication").get_by_label("Day")).to_have_value(str(today().day))
    page.get_by_role("button", name="Publish the report").click()
    expect(success_banner(page)).to_contain_text("Version 1 of the report is published")
    expect(page.locator("strong.govuk-tag").first).to_have_text("Published")
    check_page(page, csp_violations)

    report.refresh_from_db()
    assert report.status == InformationReport.Status.PUBLISHED
    assert report.published_on == today()
    version = ReportVersion.objects.get(report=report)
    assert (version.number, version.governor_approval_date, version.published_on) == (1, approved, today())
    assert version.published_by == world.senco
    assert version.contacts["senco_name"] == "Ms Ada Senco"
    for item in expected_missing:
        assert version.answers[item] == answer_for(item)
    assert not report.missing_items()
    sign_out(page)

    # ---- The governor ------------------------------------------------------
    page = sign_in("governor")
    assert_accessible(page)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Governors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Governors' dashboard")
    check_page(page, csp_violations)
    assert_no_pupil_named(page, world)
    reports_table = page.get_by_role("table", name="Reports by academic year")
    row = reports_table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=year.name))
    expect(row).to_contain_text("Published")

    # The report itself, as the governor reads it.
    row.get_by_role("link", name=year.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"SEN information report {year.name}")
    expect(page.get_by_text(answer_for(Item.KINDS))).to_be_visible()
    expect(page.get_by_role("link", name="Publish the report")).to_have_count(0)
    check_page(page, csp_violations)
    assert_no_pupil_named(page, world)
    page.get_by_role("link", name="Back to the governors' dashboard").click()

    # The PDF: asked for, made (tasks run in-process), downloaded.
    row = page.get_by_role("table", name="Reports by academic year").get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=year.name))
    row.get_by_role("button", name="Make the PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SEN information report")
    expect(page.locator("strong.govuk-tag")).to_have_text("Ready")
    check_page(page, csp_violations)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / "report.pdf"
    download.save_as(saved)
    text = subprocess.run(["/usr/bin/pdftotext", "-layout", str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "Brookfield Primary School" in flat
    assert answer_for(Item.TEACHING) in flat
    assert Item(Item.TEACHING).label in flat
    for word in pupil_words(world):
        assert not mentions(flat, word), f"{word!r} (a pupil's name or UPN) is in the report PDF"

    # Back on the dashboard, the PDF is ready to download from the table.
    page.goto(f"{live_server.url}/reports/governors/")
    row = page.get_by_role("table", name="Reports by academic year").get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=year.name))
    expect(row.get_by_text("Ready")).to_be_visible()
    expect(row.get_by_role("link", name="Download the PDF")).to_be_visible()
    check_page(page, csp_violations)
    assert_no_pupil_named(page, world)
    screenshot(page, "governor-dashboard")
    sign_out(page)

    # ---- The public page, without signing in --------------------------------
    page.goto(f"{live_server.url}/reports/sen-information-report/")
    expect(page).to_have_url(f"{live_server.url}/reports/sen-information-report/{report.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"SEN information report {year.name}")
    expect(page.get_by_text("Brookfield Primary School").first).to_be_visible()
    for item in (Item.KINDS, Item.COMPLAINTS, last):
        expect(page.get_by_text(answer_for(item))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Change"))).to_have_count(0)
    check_page(page, csp_violations)
    assert_no_pupil_named(page, world)
    screenshot(page, "public-report")
    assert_no_csp_violations(csp_violations)


# -- issue 11: a phone-sized screen and the keyboard ------------------------------

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && !["transparent", "rgba(0, 0, 0, 0)"].includes(style.outlineColor);
    return {id: el.id, tag: el.tagName, text: (el.innerText || el.value || "").trim().slice(0, 40),
            visible: outline || style.boxShadow !== "none"};
}"""


def tab_to(page, selector, *, limit=40):
    """Tab until `selector` has the focus; every stop on the way must show a
    visible focus indicator (an outline or GOV.UK's box shadow)."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["visible"], f"No visible focus on {focused} at {page.url}"
        stops.append(focused)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    pytest.fail(f"Tab never reached {selector} on {page.url}; stops: {stops}")


def test_the_narrative_form_by_keyboard_and_the_dashboard_at_320_pixels(
    sign_in, page, live_server, world, csp_violations, tmp_path
):
    year = academic_year_containing(today())
    report = services.report_start(academic_year=year, by=world.senco)
    page.set_viewport_size(PHONE)
    page = sign_in("senco")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    check_page(page, csp_violations, width=320)

    # From the completeness check to the saved answer with the keyboard only.
    tab_to(page, f'a[href$="/items/{Item.KINDS}/"]', limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(Item(Item.KINDS).label)
    check_page(page, csp_violations, width=320)
    tab_to(page, "#id_text")
    page.keyboard.type("We provide for all four broad areas of need.")
    page.keyboard.press("Enter")  # a new line in the box, not a submission
    page.keyboard.type("Most pupils on our register have communication needs.")
    tab_to(page, "button[type=submit]", limit=5)
    page.keyboard.press("Enter")
    expect(success_banner(page)).to_contain_text(f"Saved: {Item(Item.KINDS).label}")
    check_page(page, csp_violations, width=320)
    answer = report.answers.get(item=Item.KINDS)
    # A browser sends a new line in a text box as CRLF.
    assert answer.text.replace("\r\n", "\n") == "We provide for all four broad areas of need.\nMost pupils on our register have communication needs."
    assert answer.updated_by == world.senco

    # A mistake, by keyboard too: an approval date in the future is refused
    # and the error summary leads back to the field.
    page.goto(f"{live_server.url}/reports/information-report/{report.slug}/dates/")
    check_page(page, csp_violations, width=320)
    future = today() + timedelta(days=30)
    tab_to(page, "#id_governor_approval_date_0")
    page.keyboard.type(str(future.day))
    tab_to(page, "#id_governor_approval_date_1", limit=1)
    page.keyboard.type(str(future.month))
    tab_to(page, "#id_governor_approval_date_2", limit=1)
    page.keyboard.type(str(future.year))
    tab_to(page, "button[type=submit]", limit=8)
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The approval date cannot be in the future")
    check_page(page, csp_violations, width=320)
    report.refresh_from_db()
    assert report.governor_approval_date is None

    # The rest of the report is written and published behind the scenes.
    for item in ORDER:
        if item != Item.KINDS:
            services.answer_save(report=report, item=item, text=answer_for(item), by=world.senco)
    services.report_update_dates(report=report, governor_approval_date=today() - timedelta(days=1),
                                 next_review_date=None, by=world.senco)
    services.report_publish(report=report, by=world.senco)
    sign_out(page)

    # The governor on a phone: the dashboard reflows, axe-clean, no names.
    page.set_viewport_size(PHONE)
    page = sign_in("governor")
    page.goto(f"{live_server.url}/reports/governors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Governors' dashboard")
    check_page(page, csp_violations, width=320)
    assert_no_pupil_named(page, world)
    # Nothing on the page pokes out of the screen except inside a box that
    # scrolls by itself.
    poking_out = page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll("main *")) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.right <= window.innerWidth + 1) continue;
            let box = el.parentElement, scrolls = false;
            while (box && box !== document.body) {
                const s = getComputedStyle(box);
                if (["auto", "scroll"].includes(s.overflowX)) { scrolls = true; break; }
                box = box.parentElement;
            }
            if (!scrolls) out.push(el.tagName + "." + el.className);
        }
        return out.slice(0, 10);
    }""")
    assert not poking_out, f"Parts of the dashboard stick out at 320px: {poking_out}"

    # The published report with its version history, on the phone too.
    page.get_by_role("table", name="Reports by academic year").get_by_role("link", name=year.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"SEN information report {year.name}")
    expect(page.get_by_role("table", name="Published versions of this report")).to_be_visible()
    check_page(page, csp_violations, width=320)
    assert_no_pupil_named(page, world)
    page.get_by_role("link", name="Back to the governors' dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Governors' dashboard")

    # With the keyboard: ask for the PDF and download it.
    tab_to(page, "form[action*='/documents/'] button", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator("strong.govuk-tag")).to_have_text("Ready")
    check_page(page, csp_violations, width=320)
    tab_to(page, "a[href*='download']", limit=30)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    saved = tmp_path / "report.pdf"
    download_info.value.save_as(saved)
    text = subprocess.run(["/usr/bin/pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert "We provide for all four broad areas of need." in " ".join(text.split())

    # The public page reflows on a phone as well.
    sign_out(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/reports/sen-information-report/{report.slug}/")
    expect(page.get_by_text("Most pupils on our register have communication needs.")).to_be_visible()
    check_page(page, csp_violations, width=320)
    assert_no_csp_violations(csp_violations)
