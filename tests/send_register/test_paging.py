"""The shared pagination: first, last, two either side of the current page,
and an ellipsis for the pages left out, however many pages there are."""

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _links(number, pages):
    page = Paginator(range(pages * 10), 10).page(number)
    html = render_to_string("partials/pagination.html", {"page_obj": page, "querystring": "sort=name"})
    items = re.findall(r'aria-label="Page (\d+)"( aria-current="page")?|(&ctdot;)', html)
    return [("…" if dots else int(n) if not current else f"[{n}]") for n, current, dots in items], html


def test_a_long_list_shows_a_handful_of_links():
    links, html = _links(20, 416)
    assert links == [1, "…", 18, 19, "[20]", 21, 22, "…", 416]
    assert 'href="?sort=name&amp;page=21"' in html and 'rel="next"' in html and 'rel="prev"' in html


def test_near_the_start_no_ellipsis_before():
    links, _ = _links(2, 9)
    assert links == [1, "[2]", 3, 4, "…", 9]


def test_a_short_list_shows_every_page():
    links, html = _links(1, 3)
    assert links == ["[1]", 2, 3]
    assert 'rel="prev"' not in html


def test_one_page_shows_no_pagination():
    page = Paginator(range(5), 10).page(1)
    assert "govuk-pagination" not in render_to_string("partials/pagination.html", {"page_obj": page, "querystring": ""})
