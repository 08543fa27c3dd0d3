from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def pupil_page_url(pupil) -> str:
    """The staff pupil page, or '' while the pupils app has no such page."""
    try:
        return reverse("pupils:detail", args=[pupil.pk])
    except NoReverseMatch:
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def url_if_exists(name, *args) -> str:
    """A link to another app's page that may not be built yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
