"""Forms shape input only; the rules are in services.py."""

from datetime import date, datetime, time, timedelta

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.db.models import Q
from django.utils import timezone

from pupils.filters import use_class_choices
from pupils.models import BroadArea
from send_register.forms import DateInput
from send_register.locking import FIELD, LockVersionFormMixin

from .models import PARENT_AREA_LABELS, ClassStrategy, Concern, ConcernAttachment
from .services import StaffConcernInput
from .validators import ALLOWED_LABEL, validate_evidence_file

STRATEGY_ROWS = 6

AREA_LABELS = {
    BroadArea.COMMUNICATION: "Communication and interaction",
    BroadArea.COGNITION: "Cognition and learning",
    BroadArea.SEMH: "Social, emotional and mental health",
    BroadArea.SENSORY: "Sensory and/or physical",
    BroadArea.OTHER: "Other, or not sure yet",
}


class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, pupil):
        form = pupil.form.name if pupil.form else "no class"
        return f"{pupil.display_name} ({form}, born {pupil.date_of_birth:%d/%m/%Y}, {pupil.get_sen_status_display()})"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        errors = []
        for upload in files:
            try:
                validate_evidence_file(upload)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


class StaffConcernForm(LockVersionFormMixin, forms.Form):
    lock_what = "concern"  # lock_from=the concern

    """Appendix C, with one box per broad area of need and the list of what
    has been tried in class."""

    pupil = PupilChoiceField(
        queryset=None,
        label="Pupil",
        help_text="Pupils you teach or support, with their class, date of birth and SEN status",
        error_messages={"required": "Choose the pupil", "invalid_choice": "Choose a pupil you teach or support"},
    )
    parents_said = forms.CharField(
        label="What have the parents said? (if anything)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    parents_want = forms.CharField(
        label="What do the parents want from the SENCo and the school?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    support_wanted = forms.MultipleChoiceField(
        label="What support do you think would help?",
        choices=Concern.Support.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_detail = forms.CharField(
        label="Tell us more about the support that would help", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(
        label="Add evidence (optional)",
        required=False,
        help_text=f"Work samples or photos: {ALLOWED_LABEL}. You can choose several files.",
    )
    evidence_kind = forms.ChoiceField(
        label="What kind of evidence is it?", choices=ConcernAttachment.Kind.choices, initial=ConcernAttachment.Kind.WORK
    )

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils.select_related("form").order_by("legal_last_name", "legal_first_name")
        area_fields, strategy_fields = {}, {}
        for value in BroadArea.values:
            area_fields[f"area_{value}"] = forms.CharField(
                label=AREA_LABELS[value], required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        for n in range(1, STRATEGY_ROWS + 1):
            strategy_fields[f"strategy_{n}"] = forms.CharField(
                label=f"What did you try? ({n})", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            strategy_fields[f"effect_{n}"] = forms.ChoiceField(
                label=f"How well did it work? ({n})",
                choices=[("", "Choose")] + list(ClassStrategy.Effect.choices),
                required=False,
            )
        # Keep the fields in the order of the page.
        ordered = {"pupil": self.fields.pop("pupil"), **area_fields}
        for name in ("parents_said", "parents_want"):
            ordered[name] = self.fields.pop(name)
        ordered.update(strategy_fields)
        ordered.update(self.fields)
        self.fields = ordered

    @classmethod
    def initial_for(cls, concern: Concern) -> dict:
        initial = {
            "pupil": concern.pupil_id,
            "parents_said": concern.parents_said,
            "parents_want": concern.parents_want,
            "support_wanted": concern.support_wanted,
            "support_detail": concern.support_detail,
        }
        for area in concern.areas.all():
            initial[f"area_{area.broad_area}"] = area.details
        for n, strategy in enumerate(concern.strategies.all(), start=1):
            initial[f"strategy_{n}"] = strategy.description
            initial[f"effect_{n}"] = strategy.effect
        return initial

    def area_fields(self):
        return [self[f"area_{value}"] for value in BroadArea.values]

    def strategy_rows(self):
        return [(n, self[f"strategy_{n}"], self[f"effect_{n}"]) for n in range(1, STRATEGY_ROWS + 1)]

    def clean(self):
        data = super().clean()
        for n in range(1, STRATEGY_ROWS + 1):
            tried, effect = (data.get(f"strategy_{n}") or "").strip(), data.get(f"effect_{n}")
            if tried and not effect:
                self.add_error(f"effect_{n}", "Say how well it worked")
            if effect and not tried:
                self.add_error(f"strategy_{n}", "Say what you tried, or clear how well it worked")
        return data

    def to_input(self) -> StaffConcernInput:
        data = self.cleaned_data
        return StaffConcernInput(
            pupil=data["pupil"],
            areas={value: data.get(f"area_{value}", "") for value in BroadArea.values},
            parents_said=data["parents_said"],
            parents_want=data["parents_want"],
            strategies=[
                (data.get(f"strategy_{n}", ""), data.get(f"effect_{n}", "")) for n in range(1, STRATEGY_ROWS + 1)
            ],
            support_wanted=data["support_wanted"],
            support_detail=data["support_detail"],
        )


# The parent's form: one question per screen --------------------------------


class OneQuestion(forms.Form):
    """The question is the page's heading (GOV.UK "question pages")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name, field = next(iter(self.fields.items()))
        self.helper = FormHelper()
        self.helper.form_tag = False
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            self.helper.layout = Layout(Field.checkboxes(name, legend_size=Size.LARGE, legend_tag="h1"))
        else:
            self.helper.layout = Layout(Field.textarea(name, label_size=Size.LARGE, label_tag="h1", rows=6))


class ParentChildForm(forms.Form):
    child = forms.ModelChoiceField(
        queryset=None,
        label="Which child is it about?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose your child", "invalid_choice": "Choose your child"},
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["child"].label_from_instance = lambda p: p.display_name


class ParentConcernForm(OneQuestion):
    parent_concern = forms.CharField(
        label="What is worrying you?",
        help_text="Tell us in your own words. Examples of what you have noticed at home help us most.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Tell us what is worrying you"},
    )


class ParentAreasForm(OneQuestion):
    areas = forms.MultipleChoiceField(
        label="What is it about?",
        help_text="Tick all that apply. If you are not sure, tick the last one.",
        choices=[(value, PARENT_AREA_LABELS[value]) for value in BroadArea.values],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one. If you are not sure, tick the last one"},
    )


class ParentHomeForm(OneQuestion):
    home_strategies = forms.CharField(
        label="What have you already tried at home, and how did it go?",
        help_text="For example, a bedtime routine, a reward chart or reading together. Leave it empty if you have not tried anything yet.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ParentWantForm(OneQuestion):
    parents_want = forms.CharField(
        label="What would you like from the SENCo?",
        help_text="The SENCo is the teacher who makes sure children with special educational needs get the right help.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Tell us what you would like from the SENCo"},
    )


# question number -> (form class, title)
PARENT_QUESTIONS = {
    1: ParentConcernForm,
    2: ParentAreasForm,
    3: ParentHomeForm,
    4: ParentWantForm,
}


# The SENCo's steps --------------------------------------------------------


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date, like 15/10/2026"},
        **kwargs,
    )


class StepForm(LockVersionFormMixin, forms.Form):
    lock_what = "concern"  # lock_from=the concern

    occurred_on = _date_field("Date it happened")
    attendees = forms.CharField(label="Who attended", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    review_date = _date_field("Review date", required=False)

    # step -> (fields shown, labels)
    LAYOUT = {
        Concern.Step.RECEIVED: (("occurred_on", "notes"), {"occurred_on": "Date received", "notes": "Notes (optional)"}),
        Concern.Step.OBSERVATION: (("occurred_on", "notes"), {"occurred_on": "Date of the observation", "notes": "What you observed"}),
        Concern.Step.STRATEGIES: (
            ("occurred_on", "notes", "review_date"),
            {"occurred_on": "Date agreed", "notes": "Strategies agreed with the class teacher", "review_date": "Review date"},
        ),
        Concern.Step.SOLUTION_CIRCLE: (
            ("occurred_on", "attendees", "notes"),
            {"occurred_on": "Date of the solution circle", "attendees": "Who attended", "notes": "Ideas from the solution circle"},
        ),
        Concern.Step.TEACHER_MEETING: (
            ("occurred_on", "attendees", "notes"),
            {"occurred_on": "Date of the meeting", "attendees": "Who was at the meeting", "notes": "What was said and agreed"},
        ),
        Concern.Step.SENCO_MEETING: (
            ("occurred_on", "attendees", "notes"),
            {"occurred_on": "Date of the meeting", "attendees": "Who was at the meeting", "notes": "What was said and agreed"},
        ),
        Concern.Step.AGENCIES: (
            ("occurred_on", "notes"),
            {"occurred_on": "Date of the conversation", "notes": "Outside agencies discussed with the parents, and what was agreed"},
        ),
    }

    def __init__(self, *args, step, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        shown, labels = self.LAYOUT[step]
        for name in list(self.fields):
            if name == FIELD:
                continue  # the concern's version (LockVersionFormMixin), on every step's form
            if name not in shown:
                del self.fields[name]
            elif name in labels:
                self.fields[name].label = labels[name]


class SkipForm(LockVersionFormMixin, forms.Form):
    lock_what = "concern"  # lock_from=the concern

    to_step = forms.ChoiceField(label="Which steps are you skipping?", widget=forms.RadioSelect, error_messages={"required": "Choose the step to skip to"})
    reason = forms.CharField(
        label="Why are you skipping these steps?",
        help_text="For example, the child's needs have a significant impact on their learning, or they have moved from another school.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for skipping"},
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [(s, f"Skip up to and including: {Concern.Step(s).label}") for s in targets]


class OutcomeForm(LockVersionFormMixin, forms.Form):
    lock_what = "concern"  # lock_from=the concern

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Concern.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome"},
    )
    reason = forms.CharField(
        label="Reason for the decision",
        help_text="Not for a referral to the designated safeguarding lead: leave this empty and follow the school's safeguarding procedure.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note_for_family = forms.CharField(
        label="A note for the family (optional)",
        help_text=(
            "Sent to the person who raised the concern. The child's parents also see it when they raised the concern, "
            "or when the child is placed on SEN support or monitoring. Write it in plain English. "
            "Leave it empty for a referral to the designated safeguarding lead."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    effective_date = _date_field("Date of the decision")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)


# The SENCo's list ---------------------------------------------------------


class ConcernFilter(django_filters.FilterSet):
    AGES = (
        ("week", "Up to a week"),
        ("month", "1 to 4 weeks"),
        ("term", "4 to 12 weeks"),
        ("older", "More than 12 weeks"),
    )
    # age in days (since it was sent) -> (more than, at most)
    AGE_DAYS = {"week": (None, 7), "month": (7, 28), "term": (28, 84), "older": (84, None)}
    STATES = (("open", "Open"), ("closed", "Closed"))

    state = django_filters.ChoiceFilter(label="Open or closed", choices=STATES, method="filter_state", empty_label="Any")
    step = django_filters.ChoiceFilter(
        label="Step", choices=[c for c in Concern.Step.choices if c[0] != Concern.Step.DRAFT], empty_label="Any step"
    )
    outcome = django_filters.ChoiceFilter(label="Outcome", choices=Concern.Outcome.choices, empty_label="Any outcome")
    raised_by_role = django_filters.ChoiceFilter(
        label="Raised by", choices=Concern.RaisedByRole.choices, empty_label="Staff or parent"
    )
    # The classes come from the data cache (pupils.filters.use_class_choices); a trust's
    # thousands of classes are a text box instead, as on the register.
    form = django_filters.ChoiceFilter(label="Class", field_name="pupil__form", choices=[], empty_label="Any class")
    age = django_filters.ChoiceFilter(label="Age of the concern", choices=AGES, method="filter_age", empty_label="Any age")
    review_passed = django_filters.BooleanFilter(
        label="Review date passed", method="filter_review_passed", widget=forms.CheckboxInput
    )

    class Meta:
        model = Concern
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_class_choices(self, "form", field_name="pupil__form", forms_only=False)

    def page_fields(self) -> list[tuple]:
        """The filter form's fields as plain values for the Jinja2 fragment
        fragments/concerns/filter_fields.jinja, which writes the GOV.UK markup
        crispy wrote at several times the cost (docs/performance.md):
        (name, label, kind, choices, value, errors)."""
        form = self.form
        fields = []
        for name, field in form.fields.items():
            bound = form[name]
            errors = list(form.errors.get(name, [])) if form.is_bound else []
            if isinstance(field.widget, forms.CheckboxInput):
                fields.append((name, field.label, "checkbox", (), field.widget.check_test(bound.value()), errors))
            elif hasattr(field, "choices"):
                value = bound.value()
                fields.append((name, field.label, "select", field.choices, "" if value is None else str(value), errors))
            else:
                value = bound.value()
                fields.append((name, field.label, "text", (), "" if value is None else str(value), errors))
        return fields

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(closed_at__isnull=True)
        if value == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset

    def filter_age(self, queryset, name, value):
        if value not in self.AGE_DAYS:
            return queryset
        more_than, at_most = self.AGE_DAYS[value]
        today = timezone.localdate()
        q = Q(submitted_at__isnull=False)
        if more_than is not None:
            q &= Q(submitted_at__lt=_start_of(today - timedelta(days=more_than)))
        if at_most is not None:
            q &= Q(submitted_at__gte=_start_of(today - timedelta(days=at_most)))
        return queryset.filter(q)

    def filter_review_passed(self, queryset, name, value):
        if value:
            return queryset.filter(closed_at__isnull=True, review_date__lt=timezone.localdate())
        return queryset


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the school's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


