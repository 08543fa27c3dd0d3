"""{% load paging %}: the page links partials/pagination.html shows."""

from django import template

register = template.Library()


@register.filter
def page_links(page_obj):
    """The first and last pages, two either side of the current one, and
    None where pages are left out: a handful of links however many pages
    there are (a trust's register has hundreds; docs/performance.md)."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    ]
