"""The UI shell: the header, the role-aware navigation, the home page for
each role, the error pages, and the security headers on every page."""

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse

from send_register import calendar as cal
from send_register import home as home_registry
from send_register import views
from send_register.context_processors import navigation_for
from send_register.models import CensusDay, School

PERSONAS = ["senco", "head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor", "admin"]


def _labels(user) -> list[str]:
    return [item["label"] for item in navigation_for(user)]


# Navigation ------------------------------------------------------------------


def test_it_offers_each_role_its_own_sections(world):
    assert _labels(world.senco) == ["Home", "Register", "Concerns", "Support plans", "Interventions", "Due dates", "EHC plans", "Reports", "School", "Classes", "Security log"]
    assert _labels(world.head) == ["Home", "Register", "Concerns", "Support plans", "Interventions", "Due dates", "EHC plans", "Reports", "Classes", "Security log"]
    assert _labels(world.teacher) == ["Home", "Register", "Concerns", "Support plans", "Interventions", "Due dates"]
    assert _labels(world.ta) == ["Home", "Register", "Concerns", "Support plans", "Interventions", "Due dates"]
    assert _labels(world.parent) == ["Home", "My children", "Your concerns"]
    assert _labels(world.governor) == ["Home", "Governors"]
    assert _labels(world.admin) == ["Home", "School", "People", "Classes", "Security log"]


def test_it_offers_nothing_to_anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    assert navigation_for(AnonymousUser()) == []
    assert navigation_for(None) == []


def test_it_marks_the_section_of_the_current_page(world, client_for):
    client = client_for(world.senco)
    html = client.get(reverse("school:calendar")).content.decode()
    assert re.search(r'href="/school/" aria-current="true">\s*<strong', html)
    assert 'href="/" aria-current' not in html
    home = client.get("/").content.decode()
    assert 'href="/" aria-current="page"' in home


# Home ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_greets_each_persona_with_their_roles_and_sections(world, client_for, persona):
    user = getattr(world, persona)
    response = client_for(user).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Hello, {user.get_short_name()}" in html
    for label in user.role_labels():
        assert label in html
    for item in navigation_for(user)[1:]:
        assert f'href="{item["url"]}">{item["label"]}</a></h3>' in html
    assert ("details, term dates and census days." in html) == (persona in ("senco", "admin"))


def test_it_sends_anonymous_from_home_to_sign_in(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_says_which_term_it_is(world, client_for, monkeypatch):
    year = cal.ensure_academic_year(2026)
    spring = year.terms.get(name="spring")
    monkeypatch.setattr(cal, "today", lambda: spring.start)
    html = client_for(world.teacher).get("/").content.decode()
    assert f"It is the Spring term 2026/27, until {spring.end:%A %-d %B}" in html
    monkeypatch.setattr(cal, "today", lambda: spring.end + timedelta(days=3))  # the Easter holidays
    html = client_for(world.teacher).get("/").content.decode()
    assert "It is the school holidays. The Summer term 2026/27 starts" in html


def test_it_reminds_the_senco_to_set_census_days_and_next_years_terms(world, client_for, monkeypatch):
    monkeypatch.setattr(cal, "today", lambda: cal.date(2031, 5, 1))
    cal.ensure_academic_year(2030)
    html = client_for(world.senco).get("/").content.decode()
    assert "Next academic year&#x27;s term dates are not set up yet." in html
    assert "This year&#x27;s census days are not set." in html
    assert "Set up term dates and census days" not in client_for(world.teacher).get("/").content.decode()
    cal.ensure_academic_year(2031)
    year = cal.academic_year_containing(cal.date(2031, 5, 1))
    CensusDay.objects.create(academic_year=year, season="autumn", day=cal.date(2030, 10, 3))
    assert "Set up term dates and census days" not in client_for(world.senco).get("/").content.decode()


def test_it_shows_the_panels_apps_register(world, client_for, monkeypatch):
    def provider(user):
        if not user.is_senco:
            return []
        return [{
            "title": "Test panel", "template": "partials/panel_links.html", "order": 1,
            "context": {"items": [{"label": "A thing to do", "url": "/somewhere/", "hint": "Due soon"}]},
        }]

    monkeypatch.setattr(home_registry, "_PROVIDERS", [*home_registry._PROVIDERS, provider])
    html = client_for(world.senco).get("/").content.decode()
    assert '<h2 class="govuk-heading-m" id="panel-1">Test panel</h2>' in html
    assert 'href="/somewhere/">A thing to do</a>' in html and "Due soon" in html
    assert "Test panel" not in client_for(world.teacher).get("/").content.decode()


# The shell -------------------------------------------------------------------


def test_it_shows_the_schools_name_and_no_crown(world, client_for):
    html = client_for(world.teacher).get("/").content.decode()
    assert '<span class="app-header__school">Brookfield Primary School</span>' in html
    assert "<title>Home – Brookfield Primary School SEND register</title>" in html
    assert "govuk-logo" not in html and "GOV.UK" not in html
    assert 'class="govuk-skip-link"' in html and 'id="main-content"' in html
    # Signing out is a POST from a button that looks like a header link.
    assert re.search(r'<form method="post" action="/accounts/sign-out/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', html)
    assert '<button type="submit" class="app-link-button">Sign out</button>' in html


def test_it_follows_a_school_rename_in_the_header(world, client_for):
    School.objects.filter(pk=1).update(name="Riverside Academy")
    html = client_for(world.parent).get("/").content.decode()
    assert '<span class="app-header__school">Riverside Academy</span>' in html


def _pages(world):
    return [
        (None, reverse("accounts:login")),
        (world.senco, "/"),
        (world.parent, "/"),
        (world.governor, "/"),
        (world.senco, reverse("school:settings")),
        (world.senco, reverse("school:calendar")),
        (world.teacher, reverse("school:settings")),  # the 403 page
        (world.teacher, "/no-such-page/"),  # the 404 page
    ]


def test_it_sends_the_security_headers_on_every_page(world, client_for, client):
    for user, url in _pages(world):
        c = client_for(user) if user else client
        response = c.get(url)
        assert response.status_code in (200, 403, 404), url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp, url
        assert "'unsafe-inline'" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]
        if user:
            assert "no-store" in response["Cache-Control"], url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=", re.I)
HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def test_it_has_no_inline_scripts_styles_or_handlers(world, client_for, client):
    for user, url in _pages(world):
        c = client_for(user) if user else client
        html = c.get(url).content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not STYLE_ATTR.search(html), url
        assert not HANDLER_ATTR.search(html), url
        assert "<style" not in html, url


def test_it_shows_the_404_page_in_the_shell(world, client_for):
    response = client_for(world.teacher).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "Go to the home page" in html
    assert 'aria-label="Sections"' in html


def test_it_shows_the_403_page(world, client_for):
    response = client_for(world.parent).get(reverse("school:calendar"))
    assert response.status_code == 403
    assert "You do not have permission to do that" in response.content.decode()


def test_it_shows_the_500_page_even_when_the_database_is_down(db, monkeypatch):
    request = RequestFactory().get("/broken/")
    response = views.error_500(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()

    def down(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(School.objects, "filter", down)
    response = views.error_500(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_it_serves_healthz_to_anyone_without_a_session(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert "Content-Security-Policy" in response


def test_it_explains_a_form_sent_without_a_valid_token(world, settings):
    from django.test import Client

    settings.SEND_REQUIRE_MFA = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    response = client.post(reverse("school:settings"), {"name": "Changed"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form could not be sent" in html and "Nothing was saved." in html
    assert School.objects.get(pk=1).name == "Brookfield Primary School"


def test_it_tells_a_user_with_no_role_what_to_do(db, client_for):
    from tests.factories import UserFactory

    user = UserFactory(full_name="Nora Norole")
    html = client_for(user).get("/").content.decode()
    assert "Your account has no role at" in html
    assert "Ask the school's administrator to give your account a role." in html
    assert 'aria-label="Sections"' in html  # Home alone is still offered
    assert "What you can do" not in html
