from django import template

from ..calc import format_pence

register = template.Library()


@register.filter
def pence(value):
    """£1,234.56 from an amount in pence."""
    return format_pence(value)


@register.filter
def plain(value):
    """A number without trailing zeros: 84.0 -> 84, 4.5 -> 4.5."""
    from ..calc import plain as _plain

    return "" if value is None else _plain(value)
