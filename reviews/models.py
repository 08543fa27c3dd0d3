"""EHC needs-assessment requests, EHC plans and their reviews (DOMAIN.md 3, 4, 6).

What falls due and when is computed in reviews/deadlines.py, never here: the
models hold the facts (dates asked for, dates reached) and the allowed state
changes; services.py makes the changes with history.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from send_register.models import TimeStamped


class ReviewSettings(TimeStamped):
    """The school's choices for the statutory clocks (a singleton row, pk=1).
    LAs differ on some points, so they are settings, not code."""

    class Anchor(models.TextChoices):
        # DOMAIN.md 11 item 9 and 4.4: LAs differ on whether the next 12 months
        # run from the review meeting or from the LA's decision after it.
        MEETING = "meeting", "The date of the review meeting"
        LA_DECISION = "la_decision", "The date of the local authority's decision"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    annual_anchor = models.CharField(
        "The next annual review is due 12 months after", max_length=11,
        choices=Anchor.choices, default=Anchor.MEETING,
    )
    under5_interval_months = models.PositiveSmallIntegerField(
        "Months between reviews for children under 5", default=6,
        validators=[MinValueValidator(3), MaxValueValidator(6)],
        # CoP 9.178: "at least every 3 to 6 months" (guidance; DOMAIN.md 4.3).
        help_text="The Code of Practice (9.178) suggests every 3 to 6 months",
    )
    meeting_buffer_weeks = models.PositiveSmallIntegerField(
        "Weeks of margin before the latest meeting date", default=4,
        validators=[MaxValueValidator(12)],
        help_text="The target meeting date is this many weeks before the latest date that still lets the LA decide in time (DOMAIN.md 4.4)",
    )
    reminder_days = models.CharField(
        "Remind people this many days before a date", max_length=40, default="28,14,7,0",
        help_text="Numbers separated by commas; 0 means on the day. Overdue items are always reminded once.",
    )
    reminder_time = models.TimeField(
        "Send the day's reminders from", default=datetime.time(6, 30),
        help_text="School time, 24-hour clock, like 06:30. If the server was down then, they go as soon as it is back.",
    )
    infant_school = models.BooleanField(
        "Pupils leave after Year 2 for a junior school", default=False,
        help_text="An infant school: Year 2 to Year 3 is a phase transfer (SEND Regs 2014 reg 2)",
    )
    transfer_years = models.CharField(
        "Year groups that move to a new phase at the end of the year", max_length=40, blank=True,
        help_text="Leave blank to work it out from the school's phase. Otherwise census codes separated by commas, like N2,6",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "review settings"
        verbose_name_plural = "review settings"

    def __str__(self):
        return "Review settings"

    def clean(self):
        try:
            self.reminder_thresholds()
        except ValueError:
            raise ValidationError({"reminder_days": "Enter whole numbers of days separated by commas, like 28,14,7,0"}) from None
        from pupils.models import YearGroup

        for code in self._split(self.transfer_years):
            if code not in YearGroup.values:
                raise ValidationError({"transfer_years": f"'{code}' is not a year group code (use N1, N2, R or 1 to 13)"})

    @staticmethod
    def _split(text: str) -> list[str]:
        return [part.strip().upper() for part in (text or "").split(",") if part.strip()]

    def reminder_thresholds(self) -> list[int]:
        values = sorted({int(part) for part in self._split(self.reminder_days)}, reverse=True)
        if any(v < 0 or v > 366 for v in values):
            raise ValueError("out of range")
        return values or [0]

    def transfer_year_list(self) -> list[str]:
        return self._split(self.transfer_years)

    @classmethod
    def get(cls) -> "ReviewSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class AssessmentRequest(TimeStamped):
    """A request to the LA for an EHC needs assessment (DOMAIN.md 3 and 6;
    Derwent SEND policy section 11). The clock starts when the LA receives it."""

    class RequestedBy(models.TextChoices):
        SCHOOL = "school", "The school"
        PARENT = "parent", "A parent or carer"
        OTHER = "other", "Another agency"

    class Status(models.TextChoices):
        # DOMAIN.md 6: requested, decision to assess, advice, draft, final or refused, appeal.
        REQUESTED = "requested", "Requested"
        ASSESSING = "assessing", "LA decided to assess"
        REFUSED = "refused", "LA refused to assess"
        ADVICE = "advice", "Advice requested from the school"
        DRAFT = "draft", "Draft plan received"
        FINAL = "final", "Final plan issued"
        NOT_ISSUED = "not_issued", "LA decided not to issue a plan"
        APPEAL = "appeal", "Appeal lodged"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The allowed moves: one place (STYLE.md). An appeal can end in an order to
    # assess (back to assessing) or to issue a plan (final).
    TRANSITIONS = {
        Status.REQUESTED: {Status.ASSESSING, Status.REFUSED, Status.WITHDRAWN},
        Status.ASSESSING: {Status.ADVICE, Status.DRAFT, Status.NOT_ISSUED, Status.WITHDRAWN},
        Status.ADVICE: {Status.DRAFT, Status.NOT_ISSUED, Status.WITHDRAWN},
        Status.DRAFT: {Status.FINAL, Status.NOT_ISSUED},
        Status.REFUSED: {Status.APPEAL},
        Status.NOT_ISSUED: {Status.APPEAL},
        Status.FINAL: {Status.APPEAL},
        Status.APPEAL: {Status.ASSESSING, Status.FINAL},
        Status.WITHDRAWN: set(),
    }
    OPEN = (Status.REQUESTED, Status.ASSESSING, Status.ADVICE, Status.DRAFT, Status.APPEAL)
    # The field that records the date each status was reached.
    DATE_FIELD = {
        Status.ASSESSING: "decision_on",
        Status.REFUSED: "decision_on",
        Status.ADVICE: "advice_requested_on",
        Status.DRAFT: "draft_received_on",
        Status.FINAL: "final_issued_on",
        Status.NOT_ISSUED: "not_issued_on",
        Status.APPEAL: "appeal_lodged_on",
        Status.WITHDRAWN: "withdrawn_on",
    }

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="ehc_requests")
    requested_by = models.CharField("Who made the request", max_length=6, choices=RequestedBy.choices, default=RequestedBy.SCHOOL)
    requested_on = models.DateField("Date the LA received the request")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField("Why the school or parent is asking", blank=True)
    parents_views = models.TextField("The parents' views", blank=True)
    pupil_views = models.TextField("The pupil's views", blank=True)
    la_contact = models.CharField("LA contact", max_length=200, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="School lead", help_text="Who in school follows the request (the SENCo if blank)",
    )
    decision_on = models.DateField("Date of the LA's decision whether to assess", null=True, blank=True)
    advice_requested_on = models.DateField("Date the LA asked the school for advice", null=True, blank=True)
    advice_submitted_on = models.DateField("Date the school sent its advice", null=True, blank=True)
    draft_received_on = models.DateField("Date the draft plan was served", null=True, blank=True)
    final_issued_on = models.DateField("Date the final plan was issued", null=True, blank=True)
    not_issued_on = models.DateField("Date the LA decided not to issue a plan", null=True, blank=True)
    appeal_lodged_on = models.DateField("Date an appeal was lodged", null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-requested_on", "-pk"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"EHC needs assessment request of {self.requested_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("reviews:request_detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def next_statuses(self) -> list[tuple[str, str]]:
        allowed = self.TRANSITIONS.get(self.status, set())
        return [(value, label) for value, label in self.Status.choices if value in allowed]


class RequestEvent(models.Model):
    """The dated history of a request: each step and who recorded it."""

    request = models.ForeignKey(AssessmentRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=AssessmentRequest.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=AssessmentRequest.Status.choices)
    on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "recorded_at", "pk"]


class EvidenceItem(models.Model):
    """The school's own tick and note against one line of the evidence checklist
    (Derwent SEND policy section 11). What the register already holds is found
    automatically (see selectors.evidence_checklist)."""

    class Key(models.TextChoices):
        INTERVENTIONS = "interventions", "The interventions"
        SUPPORT_PLANS = "support_plans", "Current and past support plans"
        REVIEWS = "reviews", "Records and outcomes of regular reviews"
        HEALTH = "health", "Health information and relevant medical history"
        ASSESSMENTS = "assessments", "Assessment records"
        SPECIALISTS = "specialists", "Assessments from specialists (support teachers, educational psychologists)"
        PARENT_VIEWS = "parent_views", "The views of parents"
        PUPIL_VIEWS = "pupil_views", "The views of the pupil"
        SOCIAL_CARE = "social_care", "Social care or educational welfare reports"
        OTHER_PROFESSIONALS = "other_professionals", "Other involvement by professionals"

    request = models.ForeignKey(AssessmentRequest, on_delete=models.CASCADE, related_name="evidence")
    key = models.CharField(max_length=20, choices=Key.choices)
    provided = models.BooleanField("Held elsewhere and included", default=False)
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "key"], name="one_evidence_row_per_key")]


class EHCPlan(TimeStamped):
    """An education, health and care plan the LA maintains for a pupil (reg 12;
    DOMAIN.md 3.1). The school holds it and delivers Section F (CFA s.66)."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        CEASED = "ceased", "Ceased"

    TRANSITIONS = {Status.IN_FORCE: {Status.CEASED}, Status.CEASED: set()}

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="ehc_plans")
    request = models.ForeignKey(AssessmentRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans")
    local_authority = models.CharField(max_length=120)
    coordinator_name = models.CharField("EHC coordinator", max_length=120, blank=True)
    coordinator_email = models.EmailField("Coordinator's email", blank=True)
    coordinator_phone = models.CharField("Coordinator's phone", max_length=40, blank=True)
    issued_on = models.DateField("Date the final plan was issued")
    last_review_on = models.DateField(
        "Date of the last annual review", null=True, blank=True,
        help_text="Only for reviews held before this register was used; later reviews are recorded here",
    )
    named_setting = models.CharField("Named setting (Section I)", max_length=200, blank=True)
    topup_pence = models.PositiveIntegerField("Top-up funding a year, in pence", default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.IN_FORCE)
    ceased_on = models.DateField(null=True, blank=True)
    ceased_reason = models.TextField(blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="School lead", help_text="Who in school runs the reviews (the SENCo if blank)",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    # Optimistic locking (issue 9): the version an editor started from; a
    # save from an older version is refused instead of overwriting.
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil"], condition=Q(status="in_force"), name="one_plan_in_force_per_pupil"),
        ]

    def __str__(self):
        return f"EHC plan issued {self.issued_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("reviews:plan_detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def topup_pounds(self) -> str:
        return f"£{self.topup_pence / 100:,.2f}"


class PlanOutcome(models.Model):
    """One outcome in Section E (reg 12(1)(e))."""

    class Area(models.TextChoices):
        CI = "CI", "Communication and interaction"
        CL = "CL", "Cognition and learning"
        SEMH = "SEMH", "Social, emotional and mental health"
        SP = "SP", "Sensory and/or physical"
        PFA = "PFA", "Preparing for adulthood"

    plan = models.ForeignKey(EHCPlan, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField(default=0)
    area = models.CharField("Area", max_length=4, choices=Area.choices, blank=True)
    outcome = models.TextField("Outcome")
    by_when = models.CharField("By when", max_length=60, blank=True, help_text="Like 'end of Key Stage 2'")
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.outcome[:60]


class PlanProvision(models.Model):
    """One line of Section F, specified and quantified (DOMAIN.md 3.1: what, how
    often, for how long, who delivers)."""

    plan = models.ForeignKey(EHCPlan, on_delete=models.CASCADE, related_name="provision")
    order = models.PositiveSmallIntegerField(default=0)
    what = models.TextField("Provision")
    how_often = models.CharField("How often", max_length=100)
    how_long = models.CharField("For how long", max_length=100)
    who = models.CharField("Delivered by", max_length=120)
    outcome = models.ForeignKey(PlanOutcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="provision")
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.what[:60]


class AnnualReview(TimeStamped):
    """A review of an EHC plan (reg 20; DOMAIN.md 4.1). An interim review (for a
    child under 5, CoP 9.178) uses the same record without the full rules."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual review"
        PHASE_TRANSFER = "transfer", "Phase-transfer review"
        INTERIM = "interim", "Interim review (under 5)"
        EARLY = "early", "Early review"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Meeting held"
        REPORT_SENT = "report_sent", "Report sent to the LA"
        DECIDED = "decided", "LA decision received"
        CANCELLED = "cancelled", "Cancelled"

    class Recommendation(models.TextChoices):
        # Reg 20(10)/CoP 9.176: maintain, amend or cease.
        KEEP = "keep", "Keep the plan as it is"
        AMEND = "amend", "Amend the plan"
        CEASE = "cease", "Cease the plan"

    TRANSITIONS = {
        Status.PLANNED: {Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.REPORT_SENT},
        Status.REPORT_SENT: {Status.DECIDED},
        Status.DECIDED: set(),
        Status.CANCELLED: set(),
    }
    # Reviews that restart the 12-month clock (CFA s.44; interim reviews do not).
    FULL_KINDS = (Kind.ANNUAL, Kind.PHASE_TRANSFER, Kind.EARLY)

    plan = models.ForeignKey(EHCPlan, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ANNUAL)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.PLANNED)
    meeting_date = models.DateField("Date of the review meeting")
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Who arranges the meeting and writes the report (the plan's lead if blank)",
    )
    advice_requested_on = models.DateField("Date advice was asked for", null=True, blank=True)
    advice_circulated_on = models.DateField("Date advice was sent to everyone invited", null=True, blank=True)
    provision_review = models.TextField("Review of the provision (Section F)", blank=True)
    parents_views = models.TextField("The parents' views", blank=True)
    parents_views_on = models.DateField("Date the parents gave their views", null=True, blank=True)
    pupil_views = models.TextField("The pupil's views", blank=True)
    adulthood = models.TextField(
        "Preparing for adulthood", blank=True,
        help_text="From Year 9: employment, independent living, friends and community, health (reg 20(6))",
    )
    recommendation = models.CharField(max_length=5, choices=Recommendation.choices, blank=True)
    recommendation_reasons = models.TextField("Reasons for the recommendation", blank=True)
    proposed_outcomes = models.TextField("Proposed new outcomes", blank=True)
    disagreements = models.TextField("Any disagreements", blank=True)
    report_sent_on = models.DateField("Date the report was sent to the LA", null=True, blank=True)
    la_decision = models.CharField("The LA's decision", max_length=5, choices=Recommendation.choices, blank=True)
    la_decision_on = models.DateField("Date of the LA's decision", null=True, blank=True)
    amendment_notice_on = models.DateField("Date of the LA's amendment notice", null=True, blank=True)
    amended_plan_on = models.DateField("Date the amended final plan was issued", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    # Optimistic locking (issue 9): the version an editor started from; a
    # save from an older version is refused instead of overwriting.
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        indexes = [models.Index(fields=["plan", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.meeting_date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_full(self) -> bool:
        return self.kind in self.FULL_KINDS

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.DECIDED, self.Status.CANCELLED)


class ReviewInvitee(models.Model):
    """Someone invited to a review meeting (reg 20(2); Derwent policy section 14),
    with the dates that reg 20(3) and 20(4) care about."""

    class Role(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        PUPIL = "pupil", "The pupil"
        CLASS_TEACHER = "teacher", "Class teacher"
        LA_SEND = "la_send", "LA SEND team"
        EP = "ep", "Educational psychologist"
        HEALTH = "health", "Health professional"
        SOCIAL_CARE = "social", "Social care"
        RECEIVING = "receiving", "Receiving school or college"
        OTHER = "other", "Other"

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="invitees")
    role = models.CharField(max_length=9, choices=Role.choices)
    name = models.CharField(max_length=120, blank=True)
    invited_on = models.DateField("Date invited", null=True, blank=True)
    advice_requested = models.BooleanField("Advice asked for", default=False)
    advice_received_on = models.DateField("Date advice received", null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_role_display()}{f' ({self.name})' if self.name else ''}"


class OutcomeProgress(models.Model):
    """Progress towards one Section E outcome, considered at a review (reg 20(5))."""

    class Rating(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        ON_TRACK = "on_track", "On track"
        SOME = "some", "Some progress"
        NONE = "none", "Little or no progress"

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="progress")
    outcome = models.ForeignKey(PlanOutcome, on_delete=models.CASCADE, related_name="progress")
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    evidence = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome__order", "outcome__pk"]
        constraints = [models.UniqueConstraint(fields=["review", "outcome"], name="one_progress_row_per_outcome")]


class ReminderSent(models.Model):
    """One reminder, once: an item (its key includes its due date), a
    threshold and a person. The unique constraint is what makes the daily job
    safe to run twice (ARCHITECTURE.md: a reminder is never sent twice)."""

    item_key = models.CharField(max_length=120)
    threshold = models.SmallIntegerField(help_text="Days before the date; -1 for overdue")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    email = models.ForeignKey("send_register.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item_key", "threshold", "user"], name="one_reminder_per_item_threshold_user"),
        ]


class ReminderSweep(models.Model):
    """The daily reminder sweep's own record (a singleton row, pk=1): the last
    day whose sweep completed. Beat asks every few minutes whether a sweep is
    due (reminders.sweep_if_due) instead of firing once a day, so a sweep
    missed while the broker or the worker was down runs as soon as they are
    back, and the row lock makes it run once however many workers ask."""

    last_completed_day = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    digests = models.PositiveIntegerField(default=0, help_text="Digests queued by the last sweep")

    class Meta:
        verbose_name = "reminder sweep"

    def __str__(self):
        return f"Reminder sweep (last completed {self.last_completed_day or 'never'})"
