"""The annual SEN information report (DOMAIN.md 7), its published versions,
and parents' satisfaction surveys for the governors' dashboard.

A report is written as a draft (one narrative answer per Schedule 1 item and
s.69(3)(b) disability item), then published once every item is answered.
Publishing freezes a ReportVersion: the answers, the school's contacts and the
suppressed figures as they stood. The public page and the PDF of a published
report are rendered from that version, so what governors approved is what
the website shows, whatever happens to the register afterwards. Changes during
the year (CoP 6.79) are made by reopening the report and publishing again,
which adds a version.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from send_register.models import AcademicYear, School, TimeStamped

from .schedule import ORDER, SPECS, Item


def year_slug(year: AcademicYear) -> str:
    """"2025/26" -> "2025-26": the stable part of the public address."""
    return year.name.replace("/", "-")


def slug_to_year_name(slug: str) -> str:
    return slug.replace("-", "/")


class InformationReport(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # A published report goes back to draft to be changed during the year
    # (CoP 6.79: changes are published as soon as possible).
    ALLOWED_TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.DRAFT},
    }

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    academic_year = models.OneToOneField(AcademicYear, on_delete=models.PROTECT, related_name="sen_information_report")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    governor_approval_date = models.DateField("Date the governors approved it", null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-academic_year__start"]

    def __str__(self):
        return f"SEN information report {self.academic_year.name}"

    def get_absolute_url(self):
        return reverse("reports:report_detail", args=[self.slug])

    @property
    def slug(self) -> str:
        return year_slug(self.academic_year)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def can_move_to(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, set())

    def answers_by_item(self) -> dict[str, "ReportAnswer"]:
        return {a.item: a for a in self.answers.all()}

    def latest_version(self) -> "ReportVersion | None":
        return self.versions.order_by("-number").first()

    def missing_items(self, school: School | None = None) -> list[str]:
        """Items still unanswered; publishing is refused while any remain
        (DOMAIN.md 7.2: refuse to mark a report complete while an item is empty)."""
        school = school or School.get()
        answers = self.answers_by_item()
        return [item for item in ORDER if not item_answered(item, answers.get(item), school)]


def item_required(item: str, school: School) -> bool:
    # Schedule 1 items 2 and 4 are for mainstream schools and maintained nurseries.
    return not (SPECS[item].mainstream_only and school.phase in (School.Phase.SPECIAL, School.Phase.PRU))


def item_answered(item: str, answer: "ReportAnswer | None", school: School) -> bool:
    if not item_required(item, school):
        return True
    if answer is not None and answer.text.strip():
        return True
    filled_by = SPECS[item].filled_by
    if filled_by == "senco":
        return bool(school.senco_name.strip() and (school.senco_email or school.senco_phone.strip()))
    if filled_by == "local_offer":
        return bool(school.local_offer_url)
    if filled_by == "accessibility_plan":
        return bool(school.accessibility_plan_url)
    return False


class ReportAnswer(TimeStamped):
    """The narrative for one item of one year's report."""

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    report = models.ForeignKey(InformationReport, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=3, choices=Item.choices)
    text = models.TextField(blank=True)
    # True while the text is last year's, carried forward and not yet checked.
    carried_forward = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["report", "item"]
        constraints = [models.UniqueConstraint(fields=["report", "item"], name="one_answer_per_item")]

    def __str__(self):
        return f"{self.get_item_display()} ({self.report.academic_year.name})"


class ReportVersion(models.Model):
    """A published version, frozen: what governors approved and the public saw.
    `figures` holds only suppressed, display-ready values (never raw small counts)."""

    report = models.ForeignKey(InformationReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    governor_approval_date = models.DateField()
    published_on = models.DateField()
    next_review_date = models.DateField()
    answers = models.JSONField(default=dict)
    contacts = models.JSONField(default=dict)
    figures = models.JSONField(default=dict)
    change_note = models.CharField(max_length=250, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_version_number_per_report")]

    def __str__(self):
        return f"Version {self.number} of the {self.report.academic_year.name} report"


class ParentSurvey(TimeStamped):
    """A parents' satisfaction survey, as totals only (Derwent policy appendix A:
    'parents express satisfaction with the provision made')."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="parent_surveys")
    taken_on = models.DateField("Date of the survey")
    question = models.CharField(
        max_length=250, default="I am happy with the support my child gets for their special educational needs"
    )
    responses = models.PositiveIntegerField("Number of parents who answered")
    satisfied = models.PositiveIntegerField("Number who agreed or strongly agreed")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-taken_on", "-pk"]

    def __str__(self):
        return f"Parents' survey of {self.taken_on:%d/%m/%Y}"

    def clean(self):
        if self.responses is not None and self.satisfied is not None and self.satisfied > self.responses:
            raise ValidationError({"satisfied": "This cannot be more than the number of parents who answered"})
        year = getattr(self, "academic_year", None)
        if year and self.taken_on and not year.contains(self.taken_on):
            raise ValidationError({"taken_on": f"The date must fall in {year.name}"})
