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

Every HTML page a browser test's `page` receives is also kept, as the server
sent it, and the whole session's pages are checked with the W3C HTML checker
(the npm package vnu-jar, run once per session: one JVM start for all pages)
when the session ends; any error fails the run, listing page, line and
message, and the tests that visited that page.
"""

import hashlib
import json
import os
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM would
# otherwise refuse to run next to it (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "guide" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
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


class HtmlPages:
    """The distinct HTML documents the browser was sent in this session,
    each with the URLs it came from and the tests that saw it."""

    def __init__(self):
        self.documents: dict[str, str] = {}
        self.seen_at: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def add(self, html: str, *, url: str, test: str) -> None:
        key = hashlib.sha256(html.encode("utf-8")).hexdigest()
        self.documents.setdefault(key, html)
        self.seen_at[key].add((url, test))

    def check(self) -> list[str]:
        """Run vnu once over every document; return readable error lines."""
        if not self.documents:
            return []
        if not VNU_JAR.exists():
            return [f"The W3C HTML checker is missing ({VNU_JAR}): run npm install"]
        with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
            paths = {}
            for key, html in self.documents.items():
                path = Path(folder) / f"{key}.html"
                path.write_text(html, encoding="utf-8")
                paths[path.name] = key
            # --exit-zero-always: the JSON report says what failed. Errors
            # only; warnings and info are advice.
            done = subprocess.run(
                ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", "--errors-only", *sorted(str(Path(folder) / n) for n in paths)],
                capture_output=True, text=True, timeout=600,
            )
        try:
            messages = json.loads(done.stderr or done.stdout)["messages"]
        except (ValueError, KeyError):
            return [f"The W3C HTML checker did not answer in JSON: {(done.stderr or done.stdout)[:2000]}"]
        lines = []
        for message in messages:
            if message.get("type") not in ("error", "non-document-error"):
                continue
            key = paths.get(Path(message.get("url", "")).name)
            where = sorted(self.seen_at.get(key, set()))
            url, test = where[0] if where else ("?", "?")
            html = self.documents.get(key, "").splitlines()
            line = message.get("lastLine")
            source = html[line - 1].strip()[:160] if line and html and line <= len(html) else message.get("extract", "")
            lines.append(f"- {url} line {line}: {message.get('message')}\n    {source}\n    (seen in {test})")
        return lines


_html_pages = HtmlPages()


@pytest.fixture(scope="session", autouse=True)
def _html_is_valid():
    """Checks, once every browser test has run, that each page the server
    sent is valid HTML (W3C Nu checker). Invalid markup breaks assistive
    technology in ways axe does not always see (WCAG 4.1.1 in spirit)."""
    yield _html_pages
    errors = _html_pages.check()
    if errors:
        pytest.fail(
            f"{len(errors)} HTML error(s) from the W3C checker across {len(_html_pages.documents)} page(s):\n" + "\n".join(errors),
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _keep_the_html_of_every_page(request):
    """For a test that drives the browser, keep each HTML document its page
    is sent (the server's own markup, before any script changed it)."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")

    def keep(response):
        request_ = response.request
        if request_.resource_type != "document" or not (200 <= response.status < 300 or response.status >= 400):
            return
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        try:
            html = response.text()
        except Exception:  # the page navigated on before its body was read
            return
        _html_pages.add(html, url=response.url, test=request.node.nodeid)

    page.on("response", keep)
    yield


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
