"""Forms for the school profile and its calendar. They shape input only: the
rules about a term's dates live in Term.clean (run by the ModelForm's
full_clean), and the one rule that spans several rows (terms of a year must
not overlap) is checked here because it needs the other terms to hand."""

from datetime import date, datetime

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import get_format

from .locking import LockVersionFormMixin
from .models import AcademicYear, CensusDay, School, Term


def _https_by_default(field, **kwargs):
    # A web address typed without a scheme is taken as https:// (and this
    # opts in to Django 6's default now).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SchoolForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "school's details"

    class Meta:
        model = School
        formfield_callback = _https_by_default
        fields = [
            "name",
            "urn",
            "local_authority",
            "la_code",
            "phase",
            "address",
            "headteacher",
            "senco_name",
            "senco_email",
            "senco_phone",
            "sen_governor",
            "local_offer_url",
            "accessibility_plan_url",
            "has_sen_unit",
            "has_resourced_provision",
        ]
        labels = {
            "name": "School name",
            "local_authority": "Local authority",
            "phase": "Phase of education",
            "address": "Address",
            "headteacher": "Headteacher",
        }
        help_texts = {
            "urn": "The 6-digit unique reference number on Get Information about Schools",
            "la_code": "The 3-digit local authority number, as in the school's pupils' UPNs",
            "senco_name": "Every mainstream school must name a SENCo (Children and Families Act 2014, s.67)",
            "senco_email": "Parents are told to contact this address",
            "local_offer_url": "The local authority's local offer, linked from the SEN information report. For example, https://www.example.org/local-offer",
            "accessibility_plan_url": "For example, https://www.example.org/accessibility-plan",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "urn": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10", "spellcheck": "false"}),
            "la_code": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "spellcheck": "false"}),
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "senco_email": forms.EmailInput(attrs={"spellcheck": "false"}),
            "senco_phone": forms.TextInput(attrs={"type": "tel", "class": "govuk-input--width-20"}),
            "local_offer_url": forms.URLInput(attrs={"spellcheck": "false"}),
            "accessibility_plan_url": forms.URLInput(attrs={"spellcheck": "false"}),
        }
        error_messages = {
            "name": {"required": "Enter the school's name"},
            "senco_email": {"invalid": "Enter the SENCo's email address in the correct format, like name@example.org"},
            "local_offer_url": {"invalid": "Enter the local offer web address in full, starting https://"},
            "accessibility_plan_url": {"invalid": "Enter the accessibility plan link in full, starting https://"},
        }

    def clean_urn(self):
        return self.cleaned_data["urn"].strip()

    def clean_la_code(self):
        return self.cleaned_data["la_code"].strip()


ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The one date box of the service: every `forms.DateField` uses it.

    A browser's <input type="date"> accepts only an ISO value (2026-12-18);
    given the locale's 18/12/2026 it shows an empty box, and saving the form
    unchanged would then wipe the stored date. So the value is always written
    in ISO, whatever the locale's date format."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs={"class": "govuk-input govuk-input--width-10", **(attrs or {})}, format=ISO_DATE)

    def format_value(self, value):
        # A form shown again with its errors holds what was typed. A value
        # that is not an ISO date is invalid HTML for a date box (and shown
        # empty anyway): write a date the form understood in ISO, else none.
        if isinstance(value, str):
            for input_format in (ISO_DATE, *get_format("DATE_INPUT_FORMATS")):
                try:
                    return datetime.strptime(value.strip(), input_format).strftime(ISO_DATE)
                except ValueError:
                    continue
            return None
        return super().format_value(value)


class DayMonthYearField(DateInputField):
    """The GOV.UK date input (day, month, year boxes) with messages that name
    the date being asked for."""

    def __init__(self, *, label: str, **kwargs):
        # require_all_fields=False keeps each box required, so that a missing
        # month is reported as such (GOV.UK date input pattern).
        super().__init__(label=label, require_all_fields=False, **kwargs)
        what = label[0].lower() + label[1:]
        self.error_messages["required"] = f"Enter the {what}"
        self.error_messages["incomplete"] = f"Enter the {what} as a day, month and year"
        self.what = what

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError):
            # A year of ten or more digits overflows a C int (OverflowError,
            # not ValueError): still the user's slip, not a server error.
            raise ValidationError(f"The {self.what} must be a real date, like 4 9 2026", code="invalid") from None


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> DayMonthYearField:
    return DayMonthYearField(label=label, required=required, help_text=help_text or "For example, 4 9 2026")


class TermForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "term"

    """A term's dates. Term.clean checks the term is inside its year, ends
    after it starts and that half term sits inside it."""

    start = _date_field("First day of term")
    end = _date_field("Last day of term")
    half_term_start = _date_field("First day of half term", required=False, help_text="Leave blank if the term has no half term")
    half_term_end = _date_field("Last day of half term", required=False, help_text="Leave blank if the term has no half term")

    class Meta:
        model = Term
        fields = ["start", "end", "half_term_start", "half_term_end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and self.instance.academic_year_id:
            # Terms of one year must not overlap one another, and run autumn,
            # spring, summer (DOMAIN.md 9).
            order = [Term.Name.AUTUMN, Term.Name.SPRING, Term.Name.SUMMER]
            mine = order.index(self.instance.name)
            others = Term.objects.filter(academic_year_id=self.instance.academic_year_id).exclude(pk=self.instance.pk)
            for other in others:
                theirs = order.index(other.name)
                if theirs < mine and start <= other.end:
                    self.add_error("start", f"The {self.instance.get_name_display().lower()} term must start after the {other.get_name_display().lower()} term ends ({other.end:%-d %B %Y})")
                elif theirs > mine and end >= other.start:
                    self.add_error("end", f"The {self.instance.get_name_display().lower()} term must end before the {other.get_name_display().lower()} term starts ({other.start:%-d %B %Y})")
        return cleaned


class CensusDaysForm(LockVersionFormMixin, forms.Form):
    lock_what = "year's census days"  # lock_from=the academic year

    """The three census days of one academic year. DfE publishes the dates
    each year, so they are data the school enters (DOMAIN.md 1.5)."""

    def __init__(self, *args, year: AcademicYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        suggested = suggested_census_days(year)
        for season, label in CensusDay.Season.choices:
            hint = f"{CENSUS_USUALLY[season]}, which in {year.name} is {suggested[season]:%-d %B %Y}. Check the date DfE publishes. Leave blank if not known yet."
            self.fields[season] = _date_field(f"{label} census day", required=False, help_text=hint)

    def clean(self):
        cleaned = super().clean()
        terms = {t.name: t for t in self.year.terms.all()}
        for season, label in CensusDay.Season.choices:
            day = cleaned.get(season)
            if not day:
                continue
            if not self.year.contains(day):
                self.add_error(season, f"The {label.lower()} census day must fall inside {self.year.name} ({self.year.start:%-d %B %Y} to {self.year.end:%-d %B %Y})")
                continue
            term = terms.get(season)
            if term is not None and not (term.start <= day <= term.end):
                self.add_error(season, f"The {label.lower()} census day must fall in the {label.lower()} term ({term.start:%-d %B %Y} to {term.end:%-d %B %Y})")
            elif day.weekday() >= 5:
                self.add_error(season, f"The {label.lower()} census day must be a school day, not a weekend")
        return cleaned


CENSUS_USUALLY = {
    CensusDay.Season.AUTUMN: "Usually the first Thursday in October",
    CensusDay.Season.SPRING: "Usually the third Thursday in January",
    CensusDay.Season.SUMMER: "Usually the third Thursday in May",
}


def suggested_census_days(year: AcademicYear) -> dict[str, date]:
    """Where DfE usually puts the census days (DOMAIN.md 1.5): only a starting
    point shown in the form; the school confirms the published dates."""
    y1, y2 = year.start.year, year.start.year + 1

    def nth_thursday(y: int, month: int, n: int) -> date:
        first = date(y, month, 1)
        offset = (3 - first.weekday()) % 7
        return date(y, month, 1 + offset + 7 * (n - 1))

    return {
        CensusDay.Season.AUTUMN: nth_thursday(y1, 10, 1),
        CensusDay.Season.SPRING: nth_thursday(y2, 1, 3),
        CensusDay.Season.SUMMER: nth_thursday(y2, 5, 3),
    }
