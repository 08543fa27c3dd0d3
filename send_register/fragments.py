"""Table fragments rendered by Jinja2.

Django's template language costs a few microseconds for every variable it
prints; on the busiest pages (the register's rows, the due dates) that was
most of the page's time (docs/performance.md). Those tables' rows are Jinja2
templates under templates/fragments/, compiled to Python once per process,
with autoescaping on and undefined names an error. The page around them stays
a Django template and prints the fragment:

    context["rows_html"] = render_fragment("pupils/register_rows.jinja", {"rows": rows})
    ...
    {{ rows_html }}
"""

from functools import lru_cache

from django.template import engines
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def render_fragment(name: str, context: dict) -> SafeString:
    # Autoescaped by Jinja2: what it returns is safe HTML.
    return mark_safe(engines["fragments"].get_template(name).render(context))


@lru_cache(maxsize=32)
def url_pattern(name: str) -> str:
    """The address of the page `name` (which takes one id) as a format string,
    so that a fragment's rows link without a reverse() each:
    url_pattern("pupils:detail").format(pk)."""
    return reverse(name, args=[987654321]).replace("987654321", "{}")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(value) -> str:
    """A date as Django's date filter writes "j M Y" in English (23 Nov 2026),
    without its cost on every row of a fragment."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
