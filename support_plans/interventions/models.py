"""The intervention catalogue, groups and one-to-one placements, the session
log and entry/exit assessments (issue 6).

Money is kept in pence as integers (STYLE.md). The arithmetic of impact and
cost lives in calc.py (pure functions) and selectors.py (database aggregates).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from pupils.models import BroadArea, Pupil
from send_register.models import TimeStamped


class Intervention(TimeStamped):
    """One intervention the school offers: what it is, how it runs, what it
    costs and how its impact is measured."""

    class Wave(models.IntegerChoices):
        # The "waves" of provision used by provision maps (seed 000: "Wave 3 intervention").
        WHOLE_CLASS = 1, "Wave 1: whole class"
        SMALL_GROUP = 2, "Wave 2: small group"
        INDIVIDUAL = 3, "Wave 3: individual"

    class DeliveredBy(models.TextChoices):
        TA = "ta", "Teaching assistant"
        TEACHER = "teacher", "Teacher"
        SENCO = "senco", "SENCo"
        SPECIALIST = "specialist", "Specialist (like a speech and language therapist)"

    class Measure(models.TextChoices):
        # How the entry and exit assessments are expressed, and so how impact
        # is computed (calc.impact): see each label.
        MONTHS = "months", "An age in months, like a reading age (impact as ratio gain)"
        STANDARDISED = "standardised", "A standardised score (impact as points gained)"
        SCALE = "scale", "A school scale (impact as steps gained)"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    name = models.CharField(max_length=120, unique=True)
    broad_area = models.CharField("Broad area of need", max_length=4, choices=BroadArea.choices)
    wave = models.PositiveSmallIntegerField(choices=Wave.choices, default=Wave.SMALL_GROUP)
    description = models.TextField(help_text="What happens in a session")
    aim = models.CharField(
        "Aim", max_length=250,
        help_text="What it aims to do, in plain words: parents see this",
    )
    evidence_base = models.TextField(blank=True, help_text="The research or evaluation behind it")
    group_size = models.PositiveSmallIntegerField(
        "Largest group size", default=4, validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text="1 for a one-to-one intervention",
    )
    sessions_per_week = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1), MaxValueValidator(15)])
    minutes_per_session = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(5), MaxValueValidator(240)])
    planned_weeks = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(1), MaxValueValidator(52)])
    delivered_by = models.CharField("Who delivers it", max_length=10, choices=DeliveredBy.choices, default=DeliveredBy.TA)
    location = models.CharField("Where", max_length=100, help_text="Like the library or in class")
    hourly_cost_pence = models.PositiveIntegerField(
        "Staff cost per hour (pence)", validators=[MaxValueValidator(100_000)],
        help_text="The hourly cost of the adult who delivers it, with on-costs",
    )
    other_cost_pence = models.PositiveIntegerField(
        "Other cost per pupil (pence)", default=0, validators=[MaxValueValidator(10_000_000)],
        help_text="Materials and licences, per pupil placed",
    )
    measure = models.CharField("How progress is measured", max_length=12, choices=Measure.choices, default=Measure.MONTHS)
    measure_name = models.CharField("Name of the assessment", max_length=80, help_text="Like Salford reading age")
    expected_gain = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(0)],
        help_text="For an age in months: the ratio gain expected (2 is a useful impact). Otherwise the points or steps expected.",
    )
    is_active = models.BooleanField("Offered now", default=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["broad_area", "wave", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("interventions:detail", args=[self.pk])

    @property
    def is_one_to_one(self) -> bool:
        return self.group_size == 1

    @property
    def frequency(self) -> str:
        times = "once" if self.sessions_per_week == 1 else ("twice" if self.sessions_per_week == 2 else f"{self.sessions_per_week} times")
        return f"{times} a week for {self.minutes_per_session} minutes, over {self.planned_weeks} weeks"

    @property
    def expected_gain_display(self) -> str:
        from .calc import plain

        return plain(self.expected_gain)

    @property
    def delivered_by_for_parents(self) -> str:
        return {
            self.DeliveredBy.TA: "A teaching assistant",
            self.DeliveredBy.TEACHER: "A teacher",
            self.DeliveredBy.SENCO: "The SENCo (the teacher who leads support for special educational needs)",
            self.DeliveredBy.SPECIALIST: "A specialist, like a speech and language therapist",
        }.get(self.delivered_by, self.get_delivered_by_display())

    @property
    def gain_unit(self) -> str:
        return {self.Measure.MONTHS: "month", self.Measure.STANDARDISED: "point", self.Measure.SCALE: "step"}[self.measure]


class PlacementQuerySet(models.QuerySet):
    def open(self):
        return self.filter(ended_on__isnull=True)


class Placement(TimeStamped):
    """A group (or a one-to-one) running an intervention with one member of staff."""

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="placements")
    label = models.CharField("Group name", max_length=80, blank=True, help_text="Optional, like Year 3 group A")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intervention_placements")
    start = models.DateField()
    # reviews/deadlines.py reads planned_end: the exit assessment is due then.
    planned_end = models.DateField(help_text="When the exit assessment is due")
    days = models.CharField(max_length=100, help_text="Like Monday and Thursday")
    times = models.CharField(max_length=60, help_text="Like 9:10 to 9:40")
    ended_on = models.DateField(null=True, blank=True)

    objects = PlacementQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("start")), name="placement_planned_end_after_start"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start")), name="placement_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["staff", "ended_on"]), models.Index(fields=["planned_end"])]

    def __str__(self):
        return f"{self.intervention.name}{f' ({self.label})' if self.label else ''}"

    def get_absolute_url(self):
        return reverse("interventions:placement_detail", args=[self.pk])

    def clean(self):
        if self.start and self.planned_end and self.planned_end < self.start:
            raise ValidationError({"planned_end": "The planned end must be on or after the start"})
        if self.start and self.ended_on and self.ended_on < self.start:
            raise ValidationError({"ended_on": "The group cannot end before it starts"})

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class PlacementPupil(TimeStamped):
    """A pupil in a placement, with their entry and exit assessments."""

    class Outcome(models.TextChoices):
        EXCEEDED = "exceeded", "Exceeded the expected progress"
        MET = "met", "Made the expected progress"
        PARTLY = "partly", "Made some progress, less than expected"
        NOT_MET = "not_met", "Made little or no progress"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="members")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="intervention_places")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    entry_value = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    entry_date = models.DateField(null=True, blank=True)
    exit_value = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    exit_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["placement", "pupil__legal_last_name", "pupil__legal_first_name"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "pupil"], name="one_place_per_pupil_per_placement"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")), name="member_leaves_after_joining"),
        ]

    def __str__(self):
        return f"Place #{self.pk} in placement #{self.placement_id}"

    def is_member_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)

    @property
    def has_completed(self) -> bool:
        return self.entry_value is not None and self.exit_value is not None


class Session(models.Model):
    """One session delivered. The staff cost per hour is copied from the
    intervention when the session is logged, so that a later change of rate
    does not rewrite the cost of what was already delivered; the number of
    pupils present is kept (by services.session_log, in the same transaction
    as the attendance rows) so that a pupil's share is one database sum."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(240)])
    note = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)
    hourly_cost_pence = models.PositiveIntegerField()
    pupils_present = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["placement", "date"], name="one_session_per_placement_per_day")]
        indexes = [models.Index(fields=["date"])]

    def __str__(self):
        return f"Session #{self.pk} on {self.date:%d/%m/%Y}"


class SessionAttendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="intervention_attendance")
    attended = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "pupil"], name="one_attendance_per_pupil_per_session")]
        indexes = [models.Index(fields=["pupil", "attended"])]

    def __str__(self):
        return f"Attendance of pupil #{self.pupil_id} at session #{self.session_id}"
