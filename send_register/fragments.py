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

from django.template import engines
from django.utils.safestring import SafeString, mark_safe


def render_fragment(name: str, context: dict) -> SafeString:
    # Autoescaped by Jinja2: what it returns is safe HTML.
    return mark_safe(engines["fragments"].get_template(name).render(context))
