"""The shell in a real browser: signing in, the home page, the school
settings, each checked with axe-core for WCAG 2.2 AA."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, assert_no_csp_violations, assert_no_horizontal_scroll, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_the_senco_in_and_reaches_the_home_page(sign_in, live_server, world, csp_violations):
    page = sign_in("senco")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {world.senco.get_short_name()}")
    expect(page.locator(".app-header__school")).to_have_text("Brookfield Primary School")
    nav = page.get_by_role("navigation", name="Sections")
    expect(nav.get_by_role("link", name="School")).to_be_visible()
    # The stylesheet and the module script both loaded under the CSP.
    expect(page.locator("body")).to_have_class(re.compile(r"govuk-frontend-supported"))
    assert page.evaluate("() => getComputedStyle(document.querySelector('.app-header')).backgroundColor") == "rgb(29, 53, 87)"
    font = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "system-ui" in font and "Transport" not in font
    assert_no_csp_violations(csp_violations)
    screenshot(page, "home-senco")


def test_it_signs_out_from_the_header(sign_in, live_server):
    page = sign_in("teacher")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))


def test_it_shows_a_wrong_password_next_to_the_form(page, live_server, world, e2e_settings):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Email address").fill(world.senco.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)


def test_the_sign_in_page_is_accessible(page, live_server, world, csp_violations):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)
    screenshot(page, "sign-in")


def test_the_home_page_is_accessible_for_each_role(sign_in, live_server):
    for persona in ("senco", "teacher", "parent", "governor", "admin"):
        page = sign_in(persona)
        expect(page).to_have_url(f"{live_server.url}/")
        assert_accessible(page)
        page.get_by_role("button", name="Sign out").click()


def test_the_school_settings_pages_are_accessible(sign_in, live_server, csp_violations):
    page = sign_in("admin")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("School details")
    assert_accessible(page)
    screenshot(page, "school-details")
    # A mistake is shown in the error summary and next to the field.
    page.get_by_label("URN").fill("12")
    page.get_by_role("button", name="Save school details").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the URN as 6 digits")
    assert_accessible(page)
    page.locator(".govuk-error-summary a").first.click()
    expect(page.get_by_label("URN")).to_be_focused()
    page.get_by_label("URN").fill("123456")
    page.get_by_role("button", name="Save school details").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")

    page.get_by_role("link", name="Term dates and census days").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Term dates and census days")
    assert_accessible(page)
    screenshot(page, "term-dates")
    page.get_by_role("link", name=re.compile(r"^Change the Autumn term")).first.click()
    assert_accessible(page)
    screenshot(page, "term-dates-change")
    last_day = page.get_by_role("group", name="Last day of term")
    last_day.get_by_label("Day").fill("31")
    last_day.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Save term dates").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    assert_accessible(page)
    # The error summary takes the user to the first box of the date.
    page.locator(".govuk-error-summary a").first.click()
    expect(page.get_by_role("group", name="Last day of term").get_by_label("Day")).to_be_focused()

    page.get_by_role("link", name="Back to term dates").click()
    page.get_by_role("link", name=re.compile(r"^Set the census days")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Census days")
    assert_accessible(page)
    page.get_by_role("link", name="Back to term dates").click()
    page.get_by_role("button", name=re.compile(r"^Add [0-9]{4}.[0-9]{2}$")).click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Add [0-9]{4}.[0-9]{2}$")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been added")
    assert_no_csp_violations(csp_violations)


def test_the_navigation_collapses_into_a_menu_on_a_phone(sign_in, page):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in("senco")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(page.get_by_role("navigation", name="Sections").get_by_role("link", name="Register")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "phone-menu", full_page=False)
    # The account links fold away behind their own button.
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    page.get_by_role("button", name="Account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_live_server_serves_no_uploads_directly(page, live_server, world, settings, tmp_path):
    # Uploads are reached only through access-checked views; the test server
    # must not serve MEDIA_ROOT either.
    assert settings.MEDIA_URL is None
    response = page.request.get(f"{live_server.url}/static/build/app.css")
    assert response.status == 200 and "text/css" in response.headers["content-type"]
    response = page.request.get(f"{live_server.url}/__uploads-are-not-served__/anything.pdf")
    assert response.status == 404


def test_the_shell_reflows_at_320_pixels(sign_in, page, live_server):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("senco")
    for path in ("/", "/school/", "/school/calendar/", "/school/calendar/add-year/", "/no-such-page/"):
        page.goto(f"{live_server.url}{path}")
        assert_no_horizontal_scroll(page)


FOCUS_YELLOW = "rgb(255, 221, 0)"


def test_the_header_works_from_the_keyboard(sign_in, page, live_server):
    sign_in("senco")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(".app-header__homepage")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=re.compile(r"^Ada Senco.*your account"))).to_be_focused()
    page.keyboard.press("Tab")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_focused()
    # The focus shows as GOV.UK's yellow, as on every other link.
    assert sign_out.evaluate("(el) => getComputedStyle(el).backgroundColor") == FOCUS_YELLOW
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Sections").get_by_role("link", name="Home")).to_be_focused()
    # The skip link takes the focus to the main content.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
