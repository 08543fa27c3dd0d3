"""Forms shape and normalise input only; the rules are in services.py."""

from django import forms
from django.utils.html import format_html

from accounts.models import Role, User
from send_register.forms import DateInput
from pupils.models import BroadArea, SenStatus
from send_register.locking import LockVersionFormMixin

from .models import Cycle, ParentMeeting, StrategyBank, SupportPlan, TargetBank, TargetReview

DATE_WIDGET = DateInput()


def staff_choices():
    return User.objects.filter(
        is_active=True, role_grants__role__in=[Role.SENCO, Role.HEAD, Role.TEACHER]
    ).distinct().order_by("full_name")


class PlanForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "plan"

    class Meta:
        model = SupportPlan
        fields = [
            "next_review_date", "coordinator", "teaching_strategies", "provision", "help_at_home",
            "success_criteria", "exit_criteria", "pupil_views", "pupil_views_date", "parent_views", "parent_views_date",
        ]
        widgets = {
            "next_review_date": DATE_WIDGET,
            "pupil_views_date": DATE_WIDGET,
            "parent_views_date": DATE_WIDGET,
            **{name: forms.Textarea(attrs={"rows": 4}) for name in (
                "teaching_strategies", "provision", "help_at_home", "success_criteria", "exit_criteria", "pupil_views", "parent_views",
            )},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = staff_choices()
        self.fields["coordinator"].required = False
        self.fields["coordinator"].empty_label = "The SENCo"
        # The same words as the service's check, not "This field is required".
        self.fields["next_review_date"].error_messages["required"] = "Enter the date of the next review"

    def plan_values(self) -> dict:
        return self.values()


class TargetForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label="Target", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    success_looks_like = forms.CharField(label="What success looks like", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    baseline = forms.CharField(label="Where the pupil is now (baseline)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(label="Date to achieve it by", required=False, widget=DATE_WIDGET)
    area = forms.ChoiceField(label="Area of need", required=False, choices=[("", "Choose an area")] + list(BroadArea.choices))
    delete = forms.BooleanField(label="Remove this target", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("text") and (data.get("success_looks_like") or data.get("baseline") or data.get("target_date")):
            self.add_error("text", "Write the target, or clear the other boxes in this row")
        return data


TargetFormSet = forms.formset_factory(TargetForm, extra=0)


class BankChoiceForm(forms.Form):
    bank_targets = forms.ModelMultipleChoiceField(
        label="Targets from the bank", required=False, queryset=TargetBank.objects.none(), widget=forms.CheckboxSelectMultiple,
    )
    bank_strategies = forms.ModelMultipleChoiceField(
        label="Strategies from the bank", required=False, queryset=StrategyBank.objects.none(), widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_targets"].queryset = TargetBank.objects.filter(active=True)
        self.fields["bank_strategies"].queryset = StrategyBank.objects.filter(active=True)
        self.fields["bank_targets"].label_from_instance = lambda item: f"{item.get_area_display()}: {item.text}"
        self.fields["bank_strategies"].label_from_instance = lambda item: f"{item.get_area_display()} ({item.get_use_display().lower()}): {item.text}"
        self.has_items = TargetBank.objects.filter(active=True).exists() or StrategyBank.objects.filter(active=True).exists()


class CycleForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "cycle"

    class Meta:
        model = Cycle
        fields = ["assess_evidence", "assess_data", "plan_notes", "do_delivered"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class CycleReviewForm(LockVersionFormMixin, forms.Form):
    lock_what = "review"  # the cycle it reviews is the record locked (lock_from=cycle)

    meeting_date = forms.DateField(label="Review meeting date", widget=DATE_WIDGET, required=False)
    attendees = forms.CharField(label="Who attended", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    parent_attended = forms.BooleanField(label="A parent or carer took part in the meeting", required=False)
    do_delivered = forms.CharField(label="What was delivered this cycle", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    parent_views = forms.CharField(label="The parents' views", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    pupil_views = forms.CharField(label="The pupil's views", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        for target in self.targets:
            self.fields[f"outcome_{target.pk}"] = forms.ChoiceField(
                # The GOV.UK radios template prints a label as safe HTML:
                # escape the target's text, which any teacher of the pupil writes.
                label=format_html("Outcome for the target: {}", target.text),
                choices=[("", "Not reviewed yet")] + list(TargetReview.Outcome.choices),
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{target.pk}"] = forms.CharField(
                label="Evidence for this outcome", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def outcomes(self) -> dict:
        return {
            t.pk: (self.cleaned_data.get(f"outcome_{t.pk}") or "", self.cleaned_data.get(f"evidence_{t.pk}") or "")
            for t in self.targets
        }

    def target_fields(self):
        return [(t, self[f"outcome_{t.pk}"], self[f"evidence_{t.pk}"]) for t in self.targets]


class CycleCloseForm(forms.Form):
    decision = forms.ChoiceField(label="What happens next", choices=Cycle.Decision.choices, widget=forms.RadioSelect, required=False)
    decision_notes = forms.CharField(label="Reasons and next steps", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    next_review_date = forms.DateField(
        label="Date of the next review", widget=DATE_WIDGET, required=False,
        help_text="Not needed when the pupil leaves SEN support",
    )
    leave_to = forms.ChoiceField(
        label="If the pupil leaves SEN support",
        choices=[(SenStatus.NONE, "Take them off the SEN register"), (SenStatus.MONITORING, "Keep them on the register for monitoring")],
        widget=forms.RadioSelect, required=False, initial=SenStatus.NONE,
    )


class MeetingForm(forms.ModelForm):
    class Meta:
        model = ParentMeeting
        fields = ["date", "kind", "attendees", "agreed_actions", "copy_given_to_parent"]
        widgets = {
            "date": DATE_WIDGET,
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "agreed_actions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].required = False
        self.fields["attendees"].required = False


class NewVersionForm(forms.Form):
    next_review_date = forms.DateField(label="Date of the next review", widget=DATE_WIDGET, required=False)
    reason = forms.CharField(label="Why the plan is changing", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ParentViewsForm(forms.Form):
    text = forms.CharField(
        label="Your views", widget=forms.Textarea(attrs={"rows": 6}), required=False,
        help_text="What is going well, what worries you, and anything you would like school to know before the review",
    )


class TargetBankForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "target"

    class Meta:
        model = TargetBank
        fields = ["area", "text", "success_looks_like", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "success_looks_like": forms.Textarea(attrs={"rows": 2})}


class StrategyBankForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "strategy"

    class Meta:
        model = StrategyBank
        fields = ["area", "use", "text", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
