"""pupils.widgets.FastSelect: the register's class filter written without a
template per option, with the same options, selection and escaping."""

import re

import pytest
from django import forms

from pupils.widgets import FastSelect

CHOICES = [("", "Any class"), ("1", "3 Oak"), ("2", "4 Ash & <Elm>"), ("3", 'Year "5"')]


def _options(html: str) -> list[tuple[str, str, bool]]:
    return [(v, label.strip(), bool(sel)) for v, sel, label in
            re.findall(r'<option value="([^"]*)"( selected)?[^>]*>([^<]*)</option>', html)]


@pytest.mark.parametrize("value", ["", "2", None])
def test_it_writes_the_same_options_as_django_select(value):
    fast = FastSelect(choices=CHOICES, attrs={"class": "govuk-select"}).render("class_group", value, attrs={"id": "id_class_group"})
    slow = forms.Select(choices=CHOICES, attrs={"class": "govuk-select"}).render("class_group", value, attrs={"id": "id_class_group"})
    assert _options(fast) == _options(slow)
    assert fast.startswith('<select class="govuk-select" id="id_class_group" name="class_group">')
    assert "&lt;Elm&gt;" in fast and "<Elm>" not in fast
    assert [v for v, _, selected in _options(fast) if selected] == [value or ""]


@pytest.mark.django_db
def test_it_keeps_the_chosen_class_on_the_register_filter(world, client_for):
    from django.urls import reverse

    form_id = world.pupil.form_id
    page = client_for(world.senco).get(reverse("pupils:register"), {"class_group": form_id}).content.decode()
    assert f'<option value="{form_id}" selected>' in page
    assert f"{world.pupil.last_name}, {world.pupil.first_name}" in page
    assert f"{world.other_pupil.last_name}, {world.other_pupil.first_name}" not in page
