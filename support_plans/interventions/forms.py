"""Forms shape and normalise input only; rules live in services.py."""

from datetime import timedelta
from decimal import Decimal

from django import forms

from accounts.models import Role, User
from send_register.forms import DateInput
from send_register.locking import LockVersionFormMixin
from send_register.models import AcademicYear

from .models import Intervention, Placement, PlacementPupil


def plain_messages(form, required: dict | None = None) -> None:
    """Messages that name the field, in plain English (not "This field is
    required"); `required` overrides the message for a missing value."""
    from django.core.validators import MaxValueValidator, MinValueValidator

    for name, field in form.fields.items():
        label = (field.label or "this").replace(" (£)", "").lower()
        choose = isinstance(field, (forms.ChoiceField, forms.ModelChoiceField))
        if name in (required or {}):
            field.error_messages["required"] = required[name]
        elif field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
            field.error_messages["required"] = f"{'Choose' if choose else 'Enter'} the {label}"
        validators = list(field.validators)
        model = getattr(getattr(form, "_meta", None), "model", None)
        if model is not None:
            try:
                validators += model._meta.get_field(name).validators
            except Exception:  # a form-only field
                pass
        lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
        if lows or highs:
            low, high = max(lows) if lows else 0, min(highs) if highs else None
            words = f"a number from {low} to {high}" if high is not None else f"a number of {low} or more"
            field.error_messages["min_value"] = field.error_messages["max_value"] = f"Enter the {label} as {words}"
        if isinstance(field, (forms.IntegerField, forms.DecimalField)):
            if field.error_messages.get("invalid") in (forms.IntegerField.default_error_messages["invalid"], forms.DecimalField.default_error_messages["invalid"]):
                field.error_messages["invalid"] = f"Enter the {label} as a number"


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=DateInput(), error_messages={"invalid": f"Enter {label.lower()} as a real date"}, **kwargs)


def _pounds(label, help_text, required=True):
    return forms.DecimalField(
        label=label, help_text=help_text, required=required, min_value=Decimal(0), max_value=Decimal("100000"),
        decimal_places=2, max_digits=8, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-5"}),
        error_messages={"invalid": f"Enter the {label.lower()} in pounds, like 15.50"},
    )


class InterventionForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "intervention"

    """Costs are typed in pounds and kept in pence."""

    hourly_cost = _pounds("Staff cost per hour (£)", "The hourly cost of the adult who delivers it, with on-costs, like 15.50")
    other_cost = _pounds("Other cost per pupil (£)", "Materials and licences, per pupil placed. 0 if none", required=False)

    class Meta:
        model = Intervention
        fields = [
            "name", "broad_area", "wave", "aim", "description", "evidence_base", "group_size", "sessions_per_week",
            "minutes_per_session", "planned_weeks", "delivered_by", "location", "measure", "measure_name",
            "expected_gain", "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "evidence_base": forms.Textarea(attrs={"rows": 3}),
            **{
                name: forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"})
                for name in ("group_size", "sessions_per_week", "minutes_per_session", "planned_weeks")
            },
            "expected_gain": forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-4"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["broad_area"].choices = [("", "Choose an area of need"), *self.fields["broad_area"].choices[1:]]
        plain_messages(self, required={
            "name": "Enter the name of the intervention", "aim": "Enter its aim, in words for parents",
            "description": "Enter what happens in a session", "location": "Enter where it happens",
            "measure": "Choose how progress is measured", "delivered_by": "Choose who delivers it",
            "hourly_cost": "Enter the staff cost per hour, like 15.50",
        })
        if self.instance.pk:
            self.initial.setdefault("hourly_cost", (Decimal(self.instance.hourly_cost_pence) / 100).quantize(Decimal("0.01")))
            self.initial.setdefault("other_cost", (Decimal(self.instance.other_cost_pence) / 100).quantize(Decimal("0.01")))

    def save(self, commit=False):
        intervention = super().save(commit=False)
        intervention.hourly_cost_pence = int(self.cleaned_data["hourly_cost"] * 100)
        intervention.other_cost_pence = int((self.cleaned_data.get("other_cost") or 0) * 100)
        return intervention


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        # role_grants are prefetched: one query for the whole list.
        roles = sorted(Role(g.role).label for g in user.role_grants.all())
        return f"{user.full_name} ({', '.join(roles)})"


class PlacementForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "group"

    start = _date("Start date")
    planned_end = _date("Planned end", help_text="When the exit assessment is due. Leave empty to use the intervention's planned weeks", required=False)

    class Meta:
        model = Placement
        fields = ["intervention", "label", "staff", "start", "planned_end", "days", "times"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Intervention.objects.filter(is_active=True)
        if self.instance.pk:
            active = Intervention.objects.filter(pk=self.instance.intervention_id) | active
        self.fields["intervention"].queryset = active.distinct()
        self.fields["intervention"].empty_label = "Choose an intervention"
        staff = User.objects.filter(
            is_active=True, role_grants__role__in=[Role.TA, Role.TEACHER, Role.SENCO, Role.HEAD]
        ).distinct().prefetch_related("role_grants")
        self.fields["staff"] = StaffChoiceField(queryset=staff, label="Who runs it", empty_label="Choose a member of staff")
        plain_messages(self, required={"staff": "Choose who runs it", "days": "Enter the days, like Monday and Thursday",
                                       "times": "Enter the times, like 9:10 to 9:40"})

    def clean(self):
        data = super().clean()
        if data.get("start") and not data.get("planned_end") and data.get("intervention"):
            data["planned_end"] = data["start"] + timedelta(weeks=data["intervention"].planned_weeks) - timedelta(days=1)
            self.instance.planned_end = data["planned_end"]
        return data


class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, pupil):
        return f"{pupil.display_name}{f' ({pupil.form})' if pupil.form_id else ''}"


class AddPupilForm(forms.Form):
    pupil = PupilChoiceField(queryset=None, label="Pupil", empty_label="Choose a pupil")
    joined_on = _date("Date they join")
    entry_value = forms.DecimalField(label="Entry score", required=False, max_digits=6, decimal_places=1,
                                     help_text="Optional: the assessment at the start",
                                     widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-4"}))
    entry_date = _date("Date of the entry assessment", required=False)

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils.select_related("form").order_by("legal_last_name", "legal_first_name")
        plain_messages(self)


class AssessmentForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "pupil's place"

    entry_date = _date("Date of the entry assessment", required=False)
    exit_date = _date("Date of the exit assessment", required=False)

    class Meta:
        model = PlacementPupil
        fields = ["entry_value", "entry_date", "exit_value", "exit_date", "outcome"]
        labels = {"entry_value": "Entry score", "exit_value": "Exit score", "outcome": "Outcome"}
        widgets = {
            "entry_value": forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-4"}),
            "exit_value": forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-4"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_messages(self)


class LeaveForm(forms.Form):
    left_on = _date("Date they leave the group")


class EndPlacementForm(forms.Form):
    ended_on = _date("Date the group ended")


class SessionForm(forms.Form):
    date = _date("Date of the session")
    minutes = forms.IntegerField(
        label="Minutes", min_value=1, max_value=240,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}),
        error_messages={"invalid": "Enter the minutes as a whole number", "min_value": "Enter at least 1 minute",
                        "max_value": "Enter 240 minutes or fewer", "required": "Enter how many minutes the session lasted"},
    )
    present = forms.TypedMultipleChoiceField(label="Who came", coerce=int, required=False)
    note = forms.CharField(label="Short note (optional)", max_length=200, required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}))

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(p.pk, p.display_name) for p in pupils]


class PeriodForm(forms.Form):
    start = _date("From")
    end = _date("To")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                self.add_error("end", "The end of the period must be on or after its start")
            elif (data["end"] - data["start"]).days > 3 * 366:
                self.add_error("end", "Choose a period of three years or less")
        return data


class YearForm(forms.Form):
    year = forms.ModelChoiceField(queryset=AcademicYear.objects.all(), label="Academic year", empty_label=None)
