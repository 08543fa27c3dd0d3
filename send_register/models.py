"""The school itself, its calendar, and the two pieces of plumbing every app
shares: the email outbox and PDF jobs (kept in the database so that nothing is
lost while Redis or the worker is down)."""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class School(TimeStamped):
    """The one school this installation serves (a singleton row, pk=1)."""

    class Phase(models.TextChoices):
        NURSERY = "NS", "Nursery"
        PRIMARY = "PS", "Primary"
        MIDDLE = "MS", "Middle"
        SECONDARY = "SS", "Secondary"
        ALL_THROUGH = "AT", "All-through"
        SPECIAL = "SP", "Special"
        PRU = "PR", "Pupil referral unit"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    name = models.CharField(max_length=200, default="Our school")
    urn = models.CharField("URN", max_length=6, blank=True, help_text="Unique reference number, 6 digits")
    local_authority = models.CharField(max_length=120, blank=True)
    la_code = models.CharField("LA number", max_length=3, blank=True, help_text="3 digits, as in the UPN")
    phase = models.CharField(max_length=2, choices=Phase.choices, default=Phase.PRIMARY)
    address = models.TextField(blank=True)
    senco_name = models.CharField("SENCo name", max_length=120, blank=True)
    senco_email = models.EmailField("SENCo email", blank=True)
    senco_phone = models.CharField("SENCo phone", max_length=40, blank=True)
    sen_governor = models.CharField("SEN governor", max_length=120, blank=True)
    headteacher = models.CharField(max_length=120, blank=True)
    local_offer_url = models.URLField("Local offer web address", blank=True)
    accessibility_plan_url = models.URLField("Accessibility plan link", blank=True)
    has_sen_unit = models.BooleanField(
        "LA-recognised SEN unit", default=False,
        help_text="Only when the local authority recognises it (DOMAIN.md 1.4)",
    )
    has_resourced_provision = models.BooleanField("LA-recognised resourced provision", default=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "school"

    def __str__(self):
        return self.name

    def clean(self):
        if self.urn and not (self.urn.isdigit() and len(self.urn) == 6):
            raise ValidationError({"urn": "Enter the URN as 6 digits, like 123456"})
        if self.la_code and not (self.la_code.isdigit() and len(self.la_code) == 3):
            raise ValidationError({"la_code": "Enter the LA number as 3 digits, like 830"})

    @classmethod
    def get(cls) -> "School":
        school, _ = cls.objects.get_or_create(pk=1)
        return school


class AcademicYear(TimeStamped):
    """1 September to 31 August in England (DOMAIN.md 9); dates kept as data
    because term dates vary by LA and trust."""

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    name = models.CharField(max_length=9, unique=True, help_text="Like 2026/27")
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end of the year must be after its start"})

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class Term(TimeStamped):
    class Name(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=6, choices=Name.choices)
    start = models.DateField()
    end = models.DateField()
    half_term_start = models.DateField(null=True, blank=True)
    half_term_end = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="one_term_of_each_name_per_year"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="term_ends_after_it_starts"),
        ]

    def __str__(self):
        return f"{self.get_name_display()} term {self.academic_year.name}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The term must end after it starts"})
        year = getattr(self, "academic_year", None)
        if year and self.start and self.end and not (year.start <= self.start and self.end <= year.end):
            raise ValidationError({"start": f"The term must fall inside {year.name} ({year.start:%d/%m/%Y} to {year.end:%d/%m/%Y})"})
        if (self.half_term_start is None) != (self.half_term_end is None):
            raise ValidationError({"half_term_end": "Give both the start and end of half term, or neither"})
        if self.half_term_start and self.half_term_end and self.start and self.end:
            if not (self.start <= self.half_term_start <= self.half_term_end <= self.end):
                raise ValidationError({"half_term_start": "Half term must fall inside the term"})


class CensusDay(models.Model):
    """School census days are published by DfE each year (DOMAIN.md 1.5): data, not a formula."""

    class Season(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="census_days")
    season = models.CharField(max_length=6, choices=Season.choices)
    day = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["academic_year", "season"], name="one_census_per_season")]

    def __str__(self):
        return f"{self.get_season_display()} census {self.day:%d/%m/%Y}"


class OutboundEmail(TimeStamped):
    """An email waiting to go, or gone. Written in the same transaction as the
    change it reports; a worker (or the periodic drain) sends it and marks it
    sent, claiming it with a conditional update so no email goes twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Free text for the operator: the exception's class name only, never its
    # message (which could hold an address or a name).
    last_error = models.CharField(max_length=200, blank=True)
    # What this email is about, so that the sender can record the sending.
    purpose = models.CharField(max_length=60, blank=True, db_index=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Email #{self.pk} ({self.get_status_display()})"


class PdfJob(TimeStamped):
    """A PDF to render, rendering or ready. Kinds are registered by each app in
    send_register.pdf; the file is served only through an access-checked view."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.QUEUED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="pdfs/%Y/%m/", blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Refreshed every few seconds by the rendering worker: a claim is alive
    # only while this is fresh (send_register.pdf.requeue_stalled).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    # The state of the source when the job was asked for; a newer change makes a new job.
    source_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "object_id", "-created_at"])]

    def __str__(self):
        return f"{self.kind} #{self.object_id} ({self.get_status_display()})"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task (one row per
    worker name), so the health endpoint can tell a live worker from a dead one."""

    worker = models.CharField(max_length=120, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker} at {self.beat_at:%H:%M:%S}"


class RetentionAction(models.Model):
    """A record destroyed or anonymised at the end of its retention period
    (DOMAIN.md 8.2: destruction must be logged). Holds the former id only."""

    class Action(models.TextChoices):
        ANONYMISED = "anonymised", "Anonymised"
        DELETED = "deleted", "Deleted"

    former_pupil_id = models.PositiveBigIntegerField(db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"Pupil #{self.former_pupil_id} {self.get_action_display().lower()}"


def _token() -> str:
    return secrets.token_hex(6)


class DataChange(models.Model):
    """One row for every change to the SEND data (send_register.datacache):
    the highest id is the data's version, and a figure cached under one
    version is never read under another. Rows are only ever inserted, so
    writers never wait on one another; old rows are pruned, keeping the newest."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True)
    # SQLite hands out a rolled-back row's id again; the token tells the two apart.
    token = models.CharField(max_length=12, default=_token, editable=False)

    def __str__(self):
        return f"change {self.id}"
