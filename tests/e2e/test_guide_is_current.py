"""The user guide (docs/guide/) cannot drift from the product (issue 11).

- Every image a guide page shows is saved by a `screenshot(page, "<name>")`
  call in some browser test in tests/e2e/, so each picture is retaken
  whenever the browser tests run and can never show a page no test visits.
- Every role has a page, and the index links to each of them.
- Every link between guide pages points at a page that exists.

No browser needed: this reads the Markdown and the test sources.
"""

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"
E2E = ROOT / "tests" / "e2e"

ROLE_PAGES = ["senco", "headteacher", "teacher", "teaching-assistant", "parent", "governor", "administrator"]
TOPIC_PAGES = ["setting-up"]

IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target>[^)\s]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]+\]\((?P<target>[^)\s#]+\.md)(?:#[^)]*)?\)")


def saved_screenshot_names() -> set[str]:
    """Names passed as a literal first argument after `page` to screenshot()
    in tests/e2e/*.py (e.g. screenshot(page, "ta-home")), read from the
    syntax tree so a name in a comment or a docstring does not count."""
    names = set()
    for source in E2E.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called != "screenshot" or len(node.args) < 2:
                continue
            name = node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                names.add(name.value)
    return names


def guide_pages() -> list[Path]:
    return sorted(GUIDE.glob("*.md"))


def test_it_finds_the_guide_and_the_screenshot_calls():
    # Guards the other tests against passing on nothing.
    assert (GUIDE / "index.md").is_file()
    assert len(guide_pages()) == len(ROLE_PAGES) + len(TOPIC_PAGES) + 1
    names = saved_screenshot_names()
    assert {"sign-in", "admin-people", "teacher-pupil", "setup-checklist"} <= names


def test_the_screenshot_parser_sees_only_real_calls(tmp_path, monkeypatch):
    fake = tmp_path / "e2e"
    fake.mkdir()
    (fake / "test_x.py").write_text(
        '"""screenshot(page, "in-a-docstring")"""\n'
        "# screenshot(page, \"in-a-comment\")\n"
        "def test_x(page):\n"
        '    screenshot(page, "real-one")\n'
        '    screenshot(page, "full", full_page=False)\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "E2E", fake)
    assert saved_screenshot_names() == {"real-one", "full"}


@pytest.mark.parametrize("page_name", [p.name for p in sorted(GUIDE.glob("*.md"))])
def test_every_guide_image_is_taken_by_a_browser_test(page_name):
    text = (GUIDE / page_name).read_text(encoding="utf-8")
    saved = saved_screenshot_names()
    problems = []
    for image in IMAGE.finditer(text):
        target, alt = image["target"], image["alt"].strip()
        match = re.fullmatch(r"screenshots/(?P<name>[a-z0-9-]+)\.png", target)
        if not match:
            problems.append(f"{target}: guide images must be screenshots/<name>.png")
            continue
        if match["name"] not in saved:
            problems.append(f"{target}: no test in tests/e2e/ calls screenshot(page, \"{match['name']}\")")
        if len(alt) < 15:
            problems.append(f"{target}: the alt text must describe the screenshot (got {alt!r})")
    assert not problems, f"{page_name}:\n" + "\n".join(problems)


def test_every_role_has_a_page_linked_from_the_index():
    index = (GUIDE / "index.md").read_text(encoding="utf-8")
    linked = {m["target"] for m in LINK.finditer(index)}
    for role in ROLE_PAGES:
        assert (GUIDE / f"{role}.md").is_file(), f"docs/guide/{role}.md is missing"
        assert f"{role}.md" in linked, f"docs/guide/index.md does not link to {role}.md"


@pytest.mark.parametrize("page_name", [p.name for p in sorted(GUIDE.glob("*.md"))])
def test_every_link_between_guide_pages_works(page_name):
    text = (GUIDE / page_name).read_text(encoding="utf-8")
    broken = [m["target"] for m in LINK.finditer(text) if not (GUIDE / m["target"]).is_file()]
    assert not broken, f"{page_name} links to missing pages: {broken}"


@pytest.mark.parametrize("role", ROLE_PAGES)
def test_every_role_page_has_a_title_and_links_back_to_the_index(role):
    text = (GUIDE / f"{role}.md").read_text(encoding="utf-8")
    assert text.startswith("# "), f"{role}.md must start with a level-1 heading"
    assert "(index.md)" in text, f"{role}.md must link back to the index"
