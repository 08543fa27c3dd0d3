"""Form widgets that stay fast with thousands of choices."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A single select whose options are written in Python rather than one
    template each: a trust's register lists thousands of classes, and the
    per-option templates cost about 200 ms of CPU on every register page at
    100,000 pupils (docs/performance.md). Same markup as forms.Select."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        parts = [f"<select{flatatt(final)}>"]
        for option_value, option_label in self.choices:
            text = "" if option_value is None else str(option_value)
            selected = " selected" if text in chosen else ""
            parts.append(f'<option value="{escape(text)}"{selected}>{escape(str(option_label))}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))
