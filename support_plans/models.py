"""Support plans and their termly assess-plan-do-review cycles (CoP 6.44-6.56,
DOMAIN.md 5.2-5.4; Derwent SEND policy sections 9 and 10).

A pupil on the register has one current plan; each change of plan is a new
version, and the old ones are kept (superseded) so that the school can show
the support given over the pupil's time at the school and its impact
(CoP 6.72-6.76, DOMAIN.md 5.4). Every model that changes keeps history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from pupils.models import BroadArea, Pupil
from send_register.models import TimeStamped

# Derwent policy section 9: the plan "will concentrate on three or four
# individual targets". More is allowed (a warning, not a refusal).
SUGGESTED_MIN_TARGETS = 3
SUGGESTED_MAX_TARGETS = 4
# CoP 6.65: meet parents of pupils on SEN support at least three times a year.
MEETINGS_PER_YEAR = 3


class SupportPlan(TimeStamped):
    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        SUPERSEDED = "superseded", "Superseded by a newer version"
        ENDED = "ended", "Ended (the pupil left SEN support)"

    # A superseded or ended plan is a record and does not change again.
    ALLOWED_TRANSITIONS = {
        Status.CURRENT: {Status.SUPERSEDED, Status.ENDED},
        Status.SUPERSEDED: set(),
        Status.ENDED: set(),
    }

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="support_plans")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    start_date = models.DateField()
    next_review_date = models.DateField("Next review date")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="coordinated_plans",
        verbose_name="Person responsible", help_text="Who leads the plan and its reviews (usually the SENCo)",
    )
    teaching_strategies = models.TextField(blank=True, help_text="How the pupil is taught in class: what helps")
    provision = models.TextField(
        "Provision additional to or different from the usual curriculum", blank=True,
        help_text="Groups, one-to-one work, resources and adults, with how often and for how long",
    )
    help_at_home = models.TextField("How parents can help at home", blank=True)
    success_criteria = models.TextField("Success criteria", blank=True)
    exit_criteria = models.TextField("Exit criteria", blank=True, help_text="When the pupil would no longer need SEN support")
    pupil_views = models.TextField("The pupil's views", blank=True)
    pupil_views_date = models.DateField("Date the pupil's views were gathered", null=True, blank=True)
    parent_views = models.TextField("The parents' views", blank=True)
    parent_views_date = models.DateField("Date the parents' views were gathered", null=True, blank=True)
    # Optimistic locking: each save adds one; a save based on an older number
    # is refused so that two people editing at once do not overwrite each other.
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["pupil_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pupil"], condition=Q(status="current"), name="one_current_plan_per_pupil"),
            models.UniqueConstraint(fields=["pupil", "version"], name="plan_versions_unique_per_pupil"),
        ]
        indexes = [models.Index(fields=["status", "next_review_date"])]

    def __str__(self):
        return f"Support plan version {self.version}"

    def get_absolute_url(self):
        return reverse("support_plans:plan_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.CURRENT

    def can_move_to(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, set())


class TargetQuerySet(models.QuerySet):
    def open(self):
        return self.filter(achieved_on__isnull=True, removed_at__isnull=True)


class Target(TimeStamped):
    """A short-term SMART target (Derwent policy 9; DOMAIN.md 5.2 'Plan')."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="targets")
    text = models.TextField("Target")
    success_looks_like = models.TextField("What success looks like", blank=True)
    baseline = models.TextField("Where the pupil is now (baseline)", blank=True)
    target_date = models.DateField("Date to achieve it by", null=True, blank=True)
    area = models.CharField("Area of need", max_length=4, choices=BroadArea.choices, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to",
        help_text="The same target on an earlier version of the plan",
    )
    order = models.PositiveSmallIntegerField(default=0)
    achieved_on = models.DateField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.achieved_on is None and self.removed_at is None


class Cycle(TimeStamped):
    """One round of assess, plan, do, review (CoP 6.44-6.56), usually a term."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue with the plan"
        CHANGE_PLAN = "change", "Change the plan (start a new version)"
        LEAVE = "leave", "Leave SEN support"
        CONSIDER_EHC = "ehc", "Consider a request for an EHC needs assessment"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(default=1)
    term = models.ForeignKey("send_register.Term", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_on = models.DateField()
    # Assess
    assess_evidence = models.TextField("Evidence used", blank=True, help_text="Teacher assessment, work, observations, specialist advice")
    assess_data = models.TextField("Data used", blank=True, help_text="Scores, reading ages, progress compared with peers")
    # Plan: the targets chosen for this cycle
    targets = models.ManyToManyField(Target, blank=True, related_name="cycles")
    plan_notes = models.TextField("What was agreed", blank=True)
    # Do
    do_delivered = models.TextField("What was delivered", blank=True, help_text="The support given, how often, by whom")
    # Review (DOMAIN.md 5.2: each cycle needs a review date)
    review_date = models.DateField("Review due by")
    meeting_date = models.DateField("Review meeting date", null=True, blank=True)
    attendees = models.TextField("Who attended", blank=True)
    parent_attended = models.BooleanField("A parent or carer took part", default=False)
    parent_views = models.TextField("The parents' views", blank=True)
    pupil_views = models.TextField("The pupil's views", blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decision_notes = models.TextField("Reasons and next steps", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[targets])

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=Q(closed_at__isnull=True), name="one_open_cycle_per_plan"),
            models.UniqueConstraint(fields=["plan", "number"], name="cycle_numbers_unique_per_plan"),
        ]
        indexes = [models.Index(fields=["closed_at", "review_date"]), models.Index(fields=["decision"])]

    def __str__(self):
        return f"Review cycle {self.number}"

    def get_absolute_url(self):
        return reverse("support_plans:cycle_review", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class TargetReview(TimeStamped):
    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not", "Not achieved"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="target_reviews")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    evidence = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["target__order", "target_id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "target"], name="one_review_per_target_per_cycle")]

    def __str__(self):
        return self.get_outcome_display()


class ParentMeeting(TimeStamped):
    """A meeting with the pupil's parents (CoP 6.65: at least three a year;
    DOMAIN.md 5.4: date, attendees, agreed actions, copy given to parent)."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Support plan review"
        TERMLY = "termly", "Termly meeting"
        OTHER = "other", "Other meeting"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_meetings")
    date = models.DateField("Meeting date")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.TERMLY)
    attendees = models.TextField("Who attended", blank=True)
    agreed_actions = models.TextField("What was agreed", blank=True)
    copy_given_to_parent = models.BooleanField("A copy of the notes was given to the parents", default=False)
    cycle = models.OneToOneField(Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="parent_meeting")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["pupil", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.date:%d/%m/%Y}"


class ParentPlanView(models.Model):
    """What a parent did on the parent page: confirmed they have read a
    version of the plan, or added their views before a review. Dated rows,
    never edited."""

    class Kind(models.TextChoices):
        READ = "read", "Confirmed they have read the plan"
        VIEWS = "views", "Added their views"

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="parent_responses")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    text = models.TextField(blank=True)
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="parent_responses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "parent"], condition=Q(kind="read"), name="one_read_confirmation_per_plan_and_parent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.created_at:%d/%m/%Y}"


class BankItem(TimeStamped):
    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    area = models.CharField("Area of need", max_length=4, choices=BroadArea.choices)
    text = models.TextField()
    active = models.BooleanField(default=True, help_text="Untick to stop offering it for new plans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True
        ordering = ["area", "text"]

    def __str__(self):
        return self.text[:60]


class TargetBank(BankItem):
    """A ready-made target the SENCo keeps, by broad area of need."""

    text = models.TextField("Target")
    success_looks_like = models.TextField("What success looks like", blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta(BankItem.Meta):
        verbose_name = "bank target"


class StrategyBank(BankItem):
    """A ready-made strategy: for teaching, or for help at home."""

    class Use(models.TextChoices):
        TEACHING = "teaching", "Teaching strategy"
        HOME = "home", "Help at home"

    text = models.TextField("Strategy")
    use = models.CharField("Used for", max_length=8, choices=Use.choices, default=Use.TEACHING)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta(BankItem.Meta):
        verbose_name = "bank strategy"
        verbose_name_plural = "bank strategies"
