from django import template

from ..calc import format_pence

register = template.Library()


@register.filter
def pence(value):
    """£1,234.56 from an amount in pence."""
    return format_pence(value)
