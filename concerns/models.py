"""Concerns and the graduated response.

A concern is raised by a member of staff (the Derwent policy's appendix C form)
or by a parent (appendix D) and carried by the SENCo through the steps of the
graduated response (appendix B) to an outcome. DOMAIN.md 5.1: the school should
take any concern raised by a parent seriously, record it, and compare it with
its own assessment; the record keeps who raised it, when, the broad areas of
need (CoP 6.28-6.35), the evidence and the outcome.

The steps a concern may move through are defined in ONE place:
`Concern.ALLOWED_MOVES`. Services ask `concern.can_move_to(step)`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pupils.models import BroadArea, Pupil
from send_register.models import TimeStamped
from send_register.scanning import ScannedFile


class ConcernQuerySet(models.QuerySet):
    def submitted(self):
        """Everything the SENCo sees: drafts belong to their author only."""
        return self.exclude(step=Concern.Step.DRAFT)

    def open(self):
        """Submitted and without an outcome yet."""
        return self.submitted().filter(closed_at__isnull=True)

    def awaiting_triage(self):
        return self.filter(step=Concern.Step.SUBMITTED)

    def review_due(self, on=None):
        """Open concerns whose agreed review date has come (reviews/deadlines.py
        collects open concerns with a review date as due items)."""
        on = on or timezone.localdate()
        return self.open().filter(review_date__isnull=False, review_date__lte=on)

    def for_list(self):
        return self.select_related("pupil", "pupil__form", "raised_by")


class Concern(TimeStamped):
    class RaisedByRole(models.TextChoices):
        STAFF = "staff", "Member of staff"
        PARENT = "parent", "Parent or carer"

    class Step(models.TextChoices):
        # Appendix B of the school's SEND policy, in order.
        DRAFT = "draft", "Draft (not yet sent)"
        SUBMITTED = "submitted", "Sent to the SENCo"
        RECEIVED = "received", "Received by the SENCo"
        OBSERVATION = "observation", "SENCo observation"
        STRATEGIES = "strategies", "Strategies agreed and review date set"
        SOLUTION_CIRCLE = "solution_circle", "Solution circle"
        TEACHER_MEETING = "teacher_meeting", "Meeting with parents (class teacher)"
        SENCO_MEETING = "senco_meeting", "Meeting with parents (class teacher and SENCo)"
        AGENCIES = "agencies", "Discussion of outside agencies"
        OUTCOME = "outcome", "Outcome recorded"

    class Outcome(models.TextChoices):
        SEN_SUPPORT = "sen_support", "Place on SEN support"
        MONITORING = "monitoring", "Monitoring"
        NO_FURTHER_ACTION = "nfa", "No further action"
        SAFEGUARDING = "dsl", "Passed to the designated safeguarding lead"

    class Support(models.TextChoices):
        # Appendix B: "what kind of support you feel would help (this can
        # include observations from the SENDCo, coaching)".
        OBSERVATION = "observation", "An observation by the SENCo"
        COACHING = "coaching", "Coaching for me"
        STRATEGY = "strategy", "A strategy to try in class"
        OTHER = "other", "Something else"

    # THE step rules. A move not listed here is refused by the services.
    # - A draft is sent (concern_submit), and the SENCo then acknowledges it.
    # - Each later step follows the last; strategies may be agreed again (a new
    #   review date after a review).
    # - An outcome may be recorded from any step once the concern is received:
    #   the response escalates only "if no improvement is seen" (appendix B).
    # - The steps between may also be skipped with a reason (appendix B: the
    #   process is shortened when needs are significant or the child has moved
    #   from another school); skipping moves through this map one step at a time.
    ALLOWED_MOVES = {
        Step.DRAFT: {Step.SUBMITTED},
        Step.SUBMITTED: {Step.RECEIVED},
        Step.RECEIVED: {Step.OBSERVATION, Step.OUTCOME},
        Step.OBSERVATION: {Step.STRATEGIES, Step.OUTCOME},
        Step.STRATEGIES: {Step.STRATEGIES, Step.SOLUTION_CIRCLE, Step.OUTCOME},
        Step.SOLUTION_CIRCLE: {Step.TEACHER_MEETING, Step.OUTCOME},
        Step.TEACHER_MEETING: {Step.SENCO_MEETING, Step.OUTCOME},
        Step.SENCO_MEETING: {Step.AGENCIES, Step.OUTCOME},
        Step.AGENCIES: {Step.OUTCOME},
        Step.OUTCOME: set(),
    }
    # Steps that may be skipped (with a reason): the triage steps between
    # "received" and the outcome.
    SKIPPABLE = (
        Step.OBSERVATION,
        Step.STRATEGIES,
        Step.SOLUTION_CIRCLE,
        Step.TEACHER_MEETING,
        Step.SENCO_MEETING,
        Step.AGENCIES,
    )

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="concerns_raised"
    )
    raised_by_role = models.CharField(max_length=6, choices=RaisedByRole.choices)
    step = models.CharField(max_length=16, choices=Step.choices, default=Step.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # Appendix C (staff). The teacher's own concerns are ConcernArea rows.
    parents_said = models.TextField("What parents have said", blank=True)
    parents_want = models.TextField("What parents want from the SENCo and the school", blank=True)
    support_wanted = models.JSONField(default=list, blank=True, help_text="Support.values")
    support_detail = models.TextField("What support would help", blank=True)

    # Appendix D (parent).
    parent_concern = models.TextField("The parent's concern", blank=True)
    home_strategies = models.TextField("Strategies tried at home and how they went", blank=True)

    # The agreed review date (strategies step). reviews/deadlines.py collects
    # open concerns (closed_at is null) with a review date as due items.
    review_date = models.DateField(null=True, blank=True, db_index=True)

    outcome = models.CharField(max_length=11, choices=Outcome.choices, blank=True, db_index=True)
    outcome_reason = models.TextField(blank=True)
    outcome_note_for_family = models.TextField(blank=True)
    register_event = models.ForeignKey(
        "pupils.RegisterEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ConcernQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-submitted_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["raised_by", "step"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(outcome=""), name="closed_concern_has_outcome"
            ),
        ]

    def __str__(self):
        return f"Concern {self.reference}"

    def get_absolute_url(self):
        return reverse("concerns:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"C-{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.step == self.Step.DRAFT

    @property
    def is_open(self) -> bool:
        return not self.is_draft and self.closed_at is None

    @property
    def raised_by_parent(self) -> bool:
        return self.raised_by_role == self.RaisedByRole.PARENT

    @property
    def review_overdue(self) -> bool:
        return self.is_open and self.review_date is not None and self.review_date < timezone.localdate()

    def can_move_to(self, step: str) -> bool:
        return step in self.ALLOWED_MOVES.get(self.step, set())

    def next_steps(self) -> list[str]:
        """The steps the SENCo may record next, in the order of appendix B."""
        allowed = self.ALLOWED_MOVES.get(self.step, set())
        return [s for s in self.Step.values if s in allowed]

    def skippable_targets(self) -> list[str]:
        """Steps the SENCo may skip to from here (each skipped step is recorded)."""
        targets, current = [], self.step
        while True:
            following = [s for s in self.ALLOWED_MOVES.get(current, set()) if s in self.SKIPPABLE and s != current]
            if not following:
                return targets
            current = following[0]
            targets.append(current)

    def support_labels(self) -> list[str]:
        return [self.Support(v).label for v in self.support_wanted if v in self.Support.values]


class ConcernArea(models.Model):
    """The raiser's concern in one broad area of need (CoP 6.28-6.35)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="areas")
    broad_area = models.CharField(max_length=4, choices=BroadArea.choices)
    details = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["concern", "broad_area"], name="one_row_per_concern_area")]

    def __str__(self):
        return self.get_broad_area_display()


class ClassStrategy(models.Model):
    """Something tried in class before the concern was raised, and how well it worked."""

    class Effect(models.TextChoices):
        WORKED = "worked", "It worked well"
        SOME = "some", "It helped a little"
        NONE = "none", "It made no difference"
        TOO_SOON = "too_soon", "Too soon to tell"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="strategies")
    description = models.TextField()
    effect = models.CharField("How well it worked", max_length=8, choices=Effect.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "class strategies"

    def __str__(self):
        return self.description[:50]


class ConcernStep(models.Model):
    """One dated, attributed step of the graduated response. Rows are only
    ever added (the timeline is the history)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=16, choices=Concern.Step.choices)
    occurred_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)
    attendees = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=11, choices=Concern.Outcome.choices, blank=True)
    skipped = models.BooleanField(default=False)
    skip_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(skipped=False) | ~Q(skip_reason=""), name="skipped_step_has_reason"),
        ]

    def __str__(self):
        return f"{self.get_step_display()} on {self.occurred_on:%d/%m/%Y}"


# What a parent sees of each step: plain English, no internal notes.
PARENT_STEP_LABELS = {
    Concern.Step.DRAFT: "Not sent yet",
    Concern.Step.SUBMITTED: "Sent to the SENCo",
    Concern.Step.RECEIVED: "The SENCo has read it",
    Concern.Step.OBSERVATION: "The SENCo watched how your child gets on in class",
    Concern.Step.STRATEGIES: "The school agreed ways to help in class and a date to check how it is going",
    Concern.Step.SOLUTION_CIRCLE: "Staff who work with your child met to share ideas",
    Concern.Step.TEACHER_MEETING: "A meeting with your child's teacher",
    Concern.Step.SENCO_MEETING: "A meeting with your child's teacher and the SENCo",
    Concern.Step.AGENCIES: "A talk about help from outside the school",
    Concern.Step.OUTCOME: "A decision has been made",
}

# The outcome as a parent reads it. A referral to the designated safeguarding
# lead is described neutrally: the school's safeguarding procedure, not this
# register, decides what a family is told.
PARENT_OUTCOME_TEXT = {
    Concern.Outcome.SEN_SUPPORT: (
        "Your child will get special educational needs (SEN) support: help that is extra to, or different from, "
        "what most children of the same age get. The school will meet you to agree a plan."
    ),
    Concern.Outcome.MONITORING: (
        "The school will keep a close eye on how your child is getting on, and will talk to you if anything changes."
    ),
    Concern.Outcome.NO_FURTHER_ACTION: (
        "The school does not think your child needs extra support at the moment. You can raise a new concern at any time."
    ),
    Concern.Outcome.SAFEGUARDING: (
        "The SENCo has passed your concern to the right person in school, who will contact you if they need to."
    ),
}

# Plain-English names of the broad areas for parents.
PARENT_AREA_LABELS = {
    BroadArea.COMMUNICATION: "Talking, listening, understanding or getting on with others",
    BroadArea.COGNITION: "Learning, reading, writing or maths",
    BroadArea.SEMH: "Feelings, worries or behaviour",
    BroadArea.SENSORY: "Seeing, hearing, moving, or being sensitive to noise, touch or light",
    BroadArea.OTHER: "Something else, or I am not sure",
}


def evidence_path(instance, filename):
    # No names in paths: the concern id and a random token only.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"concern-evidence/{instance.concern_id}/{secrets.token_hex(12)}.{ext}"


class ConcernAttachment(ScannedFile, TimeStamped):
    """Evidence (work samples, photos) stored under MEDIA_ROOT, outside the
    web root, and served only through concerns.views.attachment_download."""

    class Kind(models.TextChoices):
        WORK = "work", "Work sample"
        PHOTO = "photo", "Photo"
        OTHER = "other", "Other evidence"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.WORK)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name

    def scan_place(self) -> tuple[str, str]:
        link = getattr(settings, "SITE_URL", "").rstrip("/") + reverse("concerns:detail", args=[self.concern_id])
        return f"the evidence for concern {self.concern.reference}", link
