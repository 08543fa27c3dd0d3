"""Forms shape and normalise input only; the rules are in services.py and the
date rules in deadlines.py."""

from decimal import Decimal, InvalidOperation

from django import forms

from accounts.models import Role, User
from pupils.models import SenStatus
from send_register.forms import DateInput
from send_register.locking import LockVersionFormMixin

from .deadlines import KINDS
from .models import (
    AnnualReview,
    AssessmentRequest,
    EHCPlan,
    EvidenceItem,
    OutcomeProgress,
    PlanOutcome,
    PlanProvision,
    ReviewInvitee,
    ReviewSettings,
)

DATE_WIDGET = DateInput()


def _staff():
    return User.objects.filter(
        is_active=True, role_grants__role__in=[Role.SENCO, Role.HEAD, Role.TEACHER, Role.TA]
    ).distinct().order_by("full_name")


def _lead_field(form, name):
    form.fields[name].queryset = _staff()
    form.fields[name].required = False
    form.fields[name].empty_label = "The SENCo"


class RequestForm(forms.ModelForm):
    class Meta:
        model = AssessmentRequest
        fields = ["requested_by", "requested_on", "reason", "parents_views", "pupil_views", "la_contact", "lead"]
        widgets = {
            "requested_on": DATE_WIDGET,
            **{f: forms.Textarea(attrs={"rows": 4}) for f in ("reason", "parents_views", "pupil_views")},
        }
        help_texts = {"requested_on": "The LA's clock starts on the day it receives the request (SEND Regs 2014 reg 5)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _lead_field(self, "lead")


class RequestEditForm(LockVersionFormMixin, RequestForm):
    lock_what = "request"

    class Meta(RequestForm.Meta):
        fields = RequestForm.Meta.fields + ["advice_submitted_on"]
        widgets = {**RequestForm.Meta.widgets, "advice_submitted_on": DATE_WIDGET}


class RequestStepForm(forms.Form):
    to_status = forms.ChoiceField(label="What has happened")
    on = forms.DateField(label="Date", widget=DATE_WIDGET)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, request: AssessmentRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = request.next_statuses()


class EvidenceForm(forms.Form):
    """A tick and a note for each line of the checklist."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"provided_{line.key}"] = forms.BooleanField(
                label=f"{line.label}: held elsewhere and will be included", required=False, initial=line.provided
            )
            self.fields[f"note_{line.key}"] = forms.CharField(
                label=f"{line.label}: note", required=False, initial=line.note, max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        for key in EvidenceItem.Key.values:
            if f"provided_{key}" in self.cleaned_data:
                yield key, self.cleaned_data[f"provided_{key}"], self.cleaned_data[f"note_{key}"]


class PoundsField(forms.CharField):
    """Money typed in pounds (like 6000 or 6,000.50), kept in pence."""

    def to_python(self, value):
        value = (super().to_python(value) or "").replace("£", "").replace(",", "").strip()
        if not value:
            return 0
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise forms.ValidationError("Enter an amount in pounds, like 6000 or 6000.50") from None
        # NaN and Infinity are Decimals too; amounts above £10 million are typing slips.
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            raise forms.ValidationError("Enter an amount in pounds, like 6000 or 6000.50")
        if amount > 10_000_000:
            raise forms.ValidationError("Enter an amount under £10,000,000")
        return int(amount * 100)


class PlanForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "plan"
    topup = PoundsField(label="Top-up funding a year (£)", required=False,
                        help_text="The LA's funding on top of the school's notional SEN budget")

    class Meta:
        model = EHCPlan
        fields = ["local_authority", "coordinator_name", "coordinator_email", "coordinator_phone", "issued_on",
                  "last_review_on", "named_setting", "lead"]
        widgets = {"issued_on": DATE_WIDGET, "last_review_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _lead_field(self, "lead")
        self.fields["local_authority"].required = False
        if self.instance.pk:
            self.fields["topup"].initial = f"{self.instance.topup_pence / 100:.2f}"

    def plan_values(self) -> dict:
        data = self.values()
        data["topup_pence"] = data.pop("topup") or 0
        return data


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = PlanOutcome
        fields = ["area", "outcome", "by_when", "order"]
        widgets = {"outcome": forms.Textarea(attrs={"rows": 2})}


class ProvisionForm(forms.ModelForm):
    class Meta:
        model = PlanProvision
        fields = ["what", "how_often", "how_long", "who", "order"]
        widgets = {"what": forms.Textarea(attrs={"rows": 2})}


OutcomeFormSet = forms.inlineformset_factory(EHCPlan, PlanOutcome, form=OutcomeForm, extra=2, can_delete=True)
ProvisionFormSet = forms.inlineformset_factory(EHCPlan, PlanProvision, form=ProvisionForm, extra=2, can_delete=True)


class CeaseForm(forms.Form):
    ceased_on = forms.DateField(label="Date the LA ceased the plan", widget=DATE_WIDGET)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    register_status = forms.ChoiceField(
        label="The pupil's register status from that date",
        choices=[(SenStatus.SEN_SUPPORT.value, "SEN support"), (SenStatus.MONITORING.value, "Monitoring"),
                 (SenStatus.NONE.value, "Off the register")],
        initial=SenStatus.SEN_SUPPORT,
    )


class ReviewCreateForm(forms.ModelForm):
    class Meta:
        model = AnnualReview
        fields = ["kind", "meeting_date", "organiser"]
        widgets = {"meeting_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = _staff()
        self.fields["organiser"].required = False
        self.fields["organiser"].empty_label = "The plan's lead"


REVIEW_DATE_FIELDS = ("meeting_date", "advice_requested_on", "advice_circulated_on", "parents_views_on", "report_sent_on",
                      "la_decision_on", "amendment_notice_on", "amended_plan_on")


class ReviewForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "review"
    held = forms.BooleanField(label="The meeting has taken place", required=False)

    class Meta:
        model = AnnualReview
        fields = ["meeting_date", "organiser", "advice_requested_on", "advice_circulated_on", "provision_review",
                  "parents_views", "parents_views_on", "pupil_views", "adulthood", "recommendation",
                  "recommendation_reasons", "proposed_outcomes", "disagreements", "report_sent_on", "la_decision",
                  "la_decision_on", "amendment_notice_on", "amended_plan_on"]
        widgets = {
            **{f: DATE_WIDGET for f in REVIEW_DATE_FIELDS},
            **{f: forms.Textarea(attrs={"rows": 4}) for f in ("provision_review", "parents_views", "pupil_views", "adulthood",
                                                               "recommendation_reasons", "proposed_outcomes", "disagreements")},
        }

    def __init__(self, *args, adulthood: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = _staff()
        self.fields["organiser"].required = False
        self.fields["organiser"].empty_label = "The plan's lead"
        self.fields["held"].initial = self.instance.status != AnnualReview.Status.PLANNED
        if not adulthood:
            del self.fields["adulthood"]

    def review_values(self) -> dict:
        return {k: v for k, v in self.values().items() if k != "held"}


class InviteeForm(forms.ModelForm):
    attended = forms.NullBooleanField(label="Attended", required=False, widget=forms.NullBooleanSelect)

    class Meta:
        model = ReviewInvitee
        fields = ["role", "name", "invited_on", "advice_requested", "advice_received_on", "attended"]
        widgets = {"invited_on": DATE_WIDGET, "advice_received_on": DATE_WIDGET}


InviteeFormSet = forms.inlineformset_factory(AnnualReview, ReviewInvitee, form=InviteeForm, extra=1, can_delete=True)


class ProgressForm(forms.ModelForm):
    class Meta:
        model = OutcomeProgress
        fields = ["rating", "evidence"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 2})}


ProgressFormSet = forms.modelformset_factory(OutcomeProgress, form=ProgressForm, extra=0)


class ParentViewsForm(forms.Form):
    views = forms.CharField(
        label="Your views for the review", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="How your child is getting on, what is working, what worries you, and what you would like to change",
    )


class DueFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "All types")] + KINDS)
    within = forms.IntegerField(label="Due within (days)", required=False, min_value=0, max_value=730)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    statutory = forms.BooleanField(label="Statutory deadlines only", required=False)
    done = forms.BooleanField(label="Include completed steps", required=False)


class SettingsForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "settings"

    class Meta:
        model = ReviewSettings
        fields = ["annual_anchor", "under5_interval_months", "meeting_buffer_weeks", "reminder_days", "reminder_time",
                  "infant_school", "transfer_years"]
        widgets = {"reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
