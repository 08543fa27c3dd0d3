"""Browser tests: Playwright driving Debian's chromium against pytest-django's
live_server (which also serves /static/ through staticfiles).

Never `playwright install`: the browser is /usr/bin/chromium. Run with
    DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest tests/e2e -q

Helpers for every browser test:
- `sign_in(persona)` fixture: signs a persona from the `world` fixture in
  through the real sign-in form and returns the page;
- `assert_accessible(page)`: runs axe-core for WCAG 2.x A/AA and fails listing
  each violation;
- `assert_no_csp_violations(page)`: fails if the page broke its Content
  Security Policy (an inline style or script somewhere);
- `assert_no_horizontal_scroll(page, width=320)`: WCAG 1.4.10 reflow;
- `screenshot(page, name)`: saves docs/guide/screenshots/<name>.png for the
  user guide.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM would
# otherwise refuse to run next to it (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "guide" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

from tests.conftest import PASSWORD  # noqa: E402  (the personas' password)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--lang=en-GB",
        ],
    }


@pytest.fixture(scope="session")
def _media_url_while_the_live_server_starts():
    """The project sets MEDIA_URL = None (uploads are only served through
    access-checked views), but Django's live server wraps every request in a
    media-files handler that reads MEDIA_URL once, as it starts, and fails on
    None. Give it another host's address while it starts (so the handler
    never serves an upload itself), then put None back."""
    from django.conf import settings

    before = settings.MEDIA_URL
    settings.MEDIA_URL = "https://uploads-are-not-served.invalid/"
    yield before


@pytest.fixture(scope="session")
def live_server(_media_url_while_the_live_server_starts, live_server):
    from django.conf import settings

    settings.MEDIA_URL = _media_url_while_the_live_server_starts
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A British locale and a laptop-sized window for the screenshots.
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def csp_violations(page):
    """Console messages in which the browser refused something under the
    Content Security Policy, collected from the moment the page opens."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


@pytest.fixture
def e2e_settings(settings):
    """Settings for browser tests: sign-in without the second step (the MFA
    flow has its own tests), tasks in-process."""
    settings.SEND_REQUIRE_MFA = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return settings


@pytest.fixture
def sign_in(page, live_server, world, e2e_settings):
    """sign_in("senco") -> the page, signed in as that persona through the
    sign-in form, on the home page."""

    def do(persona: str, *, next_url: str = ""):
        user = getattr(world, persona)
        page.goto(f"{live_server.url}/accounts/sign-in/{'?next=' + next_url if next_url else ''}")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return do


def assert_accessible(page, *, context: str = "document") -> None:
    """Run axe-core on the page for WCAG 2.0/2.1/2.2 A and AA and fail with a
    readable list of the violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Our Content Security Policy forbids inline scripts, and
        # add_script_tag(path=...) injects the file as an inline <script>, so
        # the browser would block it (and report a CSP violation). Evaluating
        # the file through DevTools is not subject to the page's CSP; the
        # script tag stays as the fallback for a page without one.
        try:
            page.evaluate(AXE_PATH.read_text(encoding="utf-8") + "\n;undefined")
        except Exception:
            page.add_script_tag(path=str(AXE_PATH))
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core did not load"
    results = page.evaluate(
        """async ([context, tags]) => {
            const target = context === "document" ? document : context;
            const r = await axe.run(target, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\n/g, " "))
            }));
        }""",
        [context, WCAG_TAGS],
    )
    if results:
        lines = [f"{len(results)} accessibility violation(s) on {page.url}:"]
        for v in results:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"])
        pytest.fail("\n".join(lines), pytrace=False)


def assert_no_csp_violations(violations: list[str]) -> None:
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


def assert_no_horizontal_scroll(page, width: int = 320) -> None:
    """WCAG 1.4.10 reflow: at `width` CSS pixels the page must not scroll
    sideways (a wide table may scroll inside its own container)."""
    page.set_viewport_size({"width": width, "height": 800})
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px: it is {scroll_width}px wide"


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot for the user guide as docs/guide/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
