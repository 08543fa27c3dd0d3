"""Display helpers for report templates: bar geometry for the SVG charts
(width attributes, so no inline styles under the Content Security Policy)."""

from django import template

register = template.Library()

BAR_AREA = 320  # px for the longest bar
BAR_HEIGHT = 22
GAP = 10


@register.filter
def bars(chart):
    """[{label, value, shown}] -> the same with x/y/width for each bar; a
    suppressed value (None) draws no bar, only its symbol."""
    chart = chart or []
    top = max([c["value"] for c in chart if c.get("value") is not None] or [0])
    out = []
    for i, c in enumerate(chart):
        value = c.get("value")
        width = 0 if not value or not top else max(1, round(BAR_AREA * value / top))
        y = i * (BAR_HEIGHT + GAP)
        out.append({**c, "width": width, "y": y, "text_y": y + BAR_HEIGHT - 6, "label_x": width + 6})
    return out


@register.filter
def chart_height(chart):
    return max(1, len(chart or [])) * (BAR_HEIGHT + GAP)


@register.simple_tag
def bar_height():
    return BAR_HEIGHT
