"""Every date on every form: the browser's date box gets an ISO value (it
shows nothing for 18/12/2026, and saving the form unchanged would then wipe
the date), and the GOV.UK day-month-year boxes turn any year, however long,
into a message by the field rather than a server error."""

import importlib
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.apps import apps

from send_register.forms import DateInput, DayMonthYearField

def _project_forms():
    """Every Form class defined in the project's own apps (not Django's or a
    library's): each app's forms module, wherever it sits."""
    ours = [c for c in apps.get_app_configs() if "site-packages" not in str(c.path)]
    for config in ours:
        if (Path(config.path) / "forms.py").exists():
            importlib.import_module(f"{config.name}.forms")
    prefixes = tuple(f"{c.name}." for c in ours)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    found = {cls for cls in below(forms.BaseForm) if cls.__module__.startswith(prefixes) and hasattr(cls, "base_fields")}
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def _date_fields():
    for cls in _project_forms():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                yield pytest.param(field, id=f"{cls.__module__}.{cls.__name__}.{name}")


def test_the_project_has_date_fields_to_check():
    assert len(list(_date_fields())) > 30


@pytest.mark.parametrize("field", list(_date_fields()))
def test_every_date_box_shows_the_stored_date_in_iso(field, settings):
    settings.LANGUAGE_CODE = "en-gb"
    assert isinstance(field.widget, DateInput), "use send_register.forms.DateInput for every date box"
    html = field.widget.render("d", date(2026, 12, 18))
    assert 'type="date"' in html
    assert 'value="2026-12-18"' in html


@pytest.mark.parametrize("year", ["10000000000", "99999999999999999999", "0"])
def test_a_day_month_year_field_refuses_an_impossible_year(year):
    field = DayMonthYearField(label="Date of the survey")
    with pytest.raises(forms.ValidationError) as error:
        field.clean(["4", "9", year])
    assert error.value.messages == ["The date of the survey must be a real date, like 4 9 2026"]


def test_a_day_month_year_field_still_takes_a_real_date():
    assert DayMonthYearField(label="Date").clean(["4", "9", "2026"]) == date(2026, 9, 4)


# A year of ten or more digits on each form with day-month-year boxes ---------

HUGE = "10000000000"


def _boxes(prefix: str, day: date | None, year: str | None = None) -> dict:
    if day is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": year or str(day.year)}


@pytest.mark.parametrize("box", ["start", "end", "half_term_start", "half_term_end"])
def test_a_huge_year_on_the_term_form_is_an_error_by_the_field(world, client_for, box):
    from django.urls import reverse

    from send_register import calendar as cal
    from send_register.models import Term

    term = Term.objects.get(academic_year=cal.ensure_academic_year(2026), name="autumn")
    before = (term.start, term.end, term.half_term_start, term.half_term_end)
    post = {**_boxes("start", term.start), **_boxes("end", term.end),
            **_boxes("half_term_start", date(2026, 10, 26)), **_boxes("half_term_end", date(2026, 10, 30))}
    post[f"{box}_2"] = HUGE
    response = client_for(world.senco).post(reverse("school:term_edit", args=[term.pk]), post)
    assert response.status_code == 200
    assert "must be a real date, like 4 9 2026" in response.content.decode()
    assert f'href="#id_{box}_0"' in response.content.decode()
    term.refresh_from_db()
    assert (term.start, term.end, term.half_term_start, term.half_term_end) == before


def test_a_huge_year_on_the_census_days_form_is_an_error_by_the_field(world, client_for):
    from django.urls import reverse

    from send_register import calendar as cal
    from send_register.models import CensusDay

    year = cal.ensure_academic_year(2026)
    post = {**_boxes("autumn", date(2026, 10, 1), HUGE), **_boxes("spring", None), **_boxes("summer", None)}
    response = client_for(world.senco).post(reverse("school:census_edit", args=[year.pk]), post)
    assert response.status_code == 200
    assert "The autumn census day must be a real date" in response.content.decode()
    assert not CensusDay.objects.filter(academic_year=year).exists()


@pytest.mark.parametrize("typed, shown", [("next Tuesday", None), ("18/12/2026", "2026-12-18"), ("2026-12-18", "2026-12-18"), ("1-1-10000000000", None)])
def test_a_date_box_shown_again_with_errors_holds_only_an_iso_date(typed, shown):
    # The W3C checker: value="next Tuesday" is invalid on <input type="date">.
    class Form(forms.Form):
        on = forms.DateField(widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    html = str(Form({"on": typed})["on"])
    if shown:
        assert f'value="{shown}"' in html
    else:
        assert "value=" not in html
