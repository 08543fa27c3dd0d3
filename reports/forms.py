"""Forms shape input only; the rules live in reports.services."""

from django import forms

from send_register.forms import DayMonthYearField
from send_register.locking import LockVersionFormMixin
from send_register.models import AcademicYear


def _date(label: str, *, required: bool = True, help_text: str = "For example, 14 7 2026") -> DayMonthYearField:
    return DayMonthYearField(label=label, required=required, help_text=help_text)


class StartReportForm(forms.Form):
    academic_year = forms.ModelChoiceField(
        label="Academic year", queryset=AcademicYear.objects.filter(sen_information_report__isnull=True).order_by("start"),
        empty_label=None, help_text="Answers are copied from the year before, for you to check and update",
    )


class AnswerForm(LockVersionFormMixin, forms.Form):
    lock_what = "answer"  # lock_from=the answer

    text = forms.CharField(
        label="Your answer", required=False, widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Write for parents: plain English, no codes. Leave it blank if you are not ready to answer.",
        max_length=20000,
    )


class DatesForm(LockVersionFormMixin, forms.Form):
    lock_what = "report"  # lock_from=the report

    governor_approval_date = _date("Date the governors approved the report", required=False,
                                   help_text="Leave blank until the governing board has approved it. For example, 14 7 2026")
    next_review_date = _date("Date of the next review", required=False,
                             help_text="The report must be updated every year. For example, 14 7 2027")


class PublishForm(forms.Form):
    published_on = _date("Date of publication", help_text="Usually today. For example, 14 7 2026")
    change_note = forms.CharField(
        label="What changed (optional)", required=False, max_length=250,
        help_text="For a second or later version in the same year, say what changed",
    )


class SurveyForm(forms.Form):
    academic_year = forms.ModelChoiceField(label="Academic year", queryset=AcademicYear.objects.order_by("-start"), empty_label=None)
    taken_on = _date("Date of the survey")
    question = forms.CharField(
        label="The question parents answered", max_length=250, required=False,
        help_text="Leave blank for: I am happy with the support my child gets for their special educational needs",
    )
    responses = forms.IntegerField(label="Number of parents who answered", min_value=0, max_value=100000)
    satisfied = forms.IntegerField(label="Number who agreed or strongly agreed", min_value=0, max_value=100000)
