"""Pupils, their classes and parents, and the SEN register.

Census rules come from DOMAIN.md section 1; the register history is kept as
dated rows so that a census day or a report can ask "what was true on date X".
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import upn as upn_check

from send_register.models import TimeStamped
from send_register.scanning import ScannedFile


def validate_upn(value: str) -> None:
    """A UPN is 13 characters with a DfE check letter (DOMAIN.md 1.5a)."""
    compact = upn_check.compact(value or "")
    if len(compact) != 13:
        raise ValidationError("Enter a UPN of 13 characters, like A123456789012", code="upn_length")
    try:
        upn_check.validate(compact)
    except StdnumError:
        raise ValidationError(
            "This UPN is not valid: its check letter does not match or its LA number is not a real one",
            code="upn_invalid",
        ) from None


class YearGroup(models.TextChoices):
    N1 = "N1", "Nursery 1"
    N2 = "N2", "Nursery 2"
    R = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"


YEAR_ORDER = {value: i for i, value in enumerate(YearGroup.values)}


def year_number(year_group: str) -> int | None:
    """Numeric NC year (Reception 0, nursery negative), for rules like 'from Year 9'."""
    return {"N1": -2, "N2": -1, "R": 0}.get(year_group) if not year_group.isdigit() else int(year_group)


class SenStatus(models.TextChoices):
    """Register status. N, K and E are the census provision codes (DOMAIN.md
    1.1); monitoring is the school's own and exports as N."""

    NONE = "N", "No SEN"
    MONITORING = "M", "Monitoring"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "EHC plan"

    @classmethod
    def census_code(cls, status: str) -> str:
        return status if status in (cls.SEN_SUPPORT, cls.EHC_PLAN) else cls.NONE


ON_REGISTER = (SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)
SEN_PROVISION = (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)


class BroadArea(models.TextChoices):
    """The four broad areas of need, CoP 6.28-6.35 (DOMAIN.md 1.2)."""

    COMMUNICATION = "CI", "Communication and interaction"
    COGNITION = "CL", "Cognition and learning"
    SEMH = "SEMH", "Social, emotional and mental health"
    SENSORY = "SP", "Sensory and/or physical needs"
    OTHER = "OTH", "Other or not yet assessed"


class NeedType(models.Model):
    """DfE SEN type codes as reference data (DOMAIN.md 1.2): DfE changes the list."""

    code = models.CharField(max_length=5, primary_key=True)
    label = models.CharField(max_length=120)
    broad_area = models.CharField(max_length=4, choices=BroadArea.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    # Census rule 2175: NSA is valid only with provision K.
    only_with_sen_support = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.label} ({self.code})"

    def is_current(self, on: date | None = None) -> bool:
        on = on or date.today()
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


class ClassGroup(TimeStamped):
    class Kind(models.TextChoices):
        FORM = "form", "Form or registration class"
        TEACHING = "teaching", "Teaching group"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FORM)
    year_group = models.CharField(max_length=2, choices=YearGroup.choices, blank=True)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ClassStaff", related_name="class_groups")

    # Who created, renamed or deleted a class, and when: its staff and pupils
    # see each other's records through it (pupils.access.caseload_q).
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="class_names_unique")]

    def __str__(self):
        return self.name


class ClassStaff(models.Model):
    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        TA = "ta", "Teaching assistant"

    class_group = models.ForeignKey(ClassGroup, on_delete=models.CASCADE, related_name="staff_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_links")
    role = models.CharField(max_length=7, choices=Role.choices, default=Role.TEACHER)

    # A teacher or TA added to a class sees its pupils' records at plan tier:
    # who gave that access (or took it away) and when stays traceable.
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["class_group", "user"], name="one_link_per_class_and_user")]


class PupilQuerySet(models.QuerySet):
    def on_roll(self):
        return self.filter(leaving_date__isnull=True)

    def on_register(self):
        return self.filter(sen_status__in=ON_REGISTER)

    def with_summary(self):
        """The form and the open needs, in two extra queries whatever the number of pupils."""
        return self.select_related("form").prefetch_related(
            models.Prefetch(
                "needs",
                queryset=PupilNeed.objects.filter(end_date__isnull=True).select_related("need_type"),
                to_attr="open_needs",
            )
        )


class Pupil(TimeStamped):
    class Sex(models.TextChoices):
        # As recorded for the census.
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    upn = models.CharField("UPN", max_length=13, unique=True, validators=[validate_upn])
    mis_id = models.CharField(
        "Pupil id in the MIS", max_length=40, blank=True, db_index=True,
        help_text="The MIS's own id for the pupil (admission number or person id), used to match contact imports",
    )
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    preferred_last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    form = models.ForeignKey(ClassGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="form_pupils")
    groups = models.ManyToManyField(ClassGroup, blank=True, related_name="group_pupils")
    key_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="key_pupils",
        help_text="Staff assigned to this pupil individually (a 1:1 TA, a key worker)",
    )
    admission_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True, db_index=True)
    eal = models.BooleanField("English as an additional language", default=False)
    pupil_premium = models.BooleanField(default=False)
    fsm = models.BooleanField("Free school meals", default=False)
    looked_after = models.BooleanField("Looked after", default=False)
    # The current register status. Only pupils.services changes it, in the same
    # transaction as the RegisterEntry rows it summarises; kept on the pupil so
    # that the register page and the access policy filter without a join.
    sen_status = models.CharField(max_length=1, choices=SenStatus.choices, default=SenStatus.NONE, db_index=True)
    sen_unit = models.BooleanField("In an LA-recognised SEN unit", default=False)
    resourced_provision = models.BooleanField("In LA-recognised resourced provision", default=False)

    objects = PupilQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name"]),
            models.Index(fields=["sen_status", "leaving_date"]),
            models.Index(fields=["year_group"]),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.upn = upn_check.compact(self.upn or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pupils:detail", args=[self.pk])

    @property
    def first_name(self) -> str:
        return self.preferred_first_name or self.legal_first_name

    @property
    def last_name(self) -> str:
        return self.preferred_last_name or self.legal_last_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_on_register(self) -> bool:
        return self.sen_status in ON_REGISTER

    @property
    def has_left(self) -> bool:
        return self.leaving_date is not None and self.leaving_date <= date.today()

    @property
    def census_code(self) -> str:
        return SenStatus.census_code(self.sen_status)

    @property
    def year_number(self) -> int | None:
        return year_number(self.year_group)

    @property
    def current_needs(self) -> list["PupilNeed"]:
        """Open needs, primary first (uses the with_summary() prefetch when present)."""
        if hasattr(self, "open_needs"):
            return sorted(self.open_needs, key=lambda n: (n.rank or 9, n.need_type.sort_order))
        return list(self.needs.filter(end_date__isnull=True).select_related("need_type"))

    @property
    def primary_need(self) -> "PupilNeed | None":
        return next((n for n in self.current_needs if n.rank == PupilNeed.Rank.PRIMARY), None)

    @property
    def secondary_need(self) -> "PupilNeed | None":
        return next((n for n in self.current_needs if n.rank == PupilNeed.Rank.SECONDARY), None)

    def age_on(self, day: date) -> int:
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years


class Contact(TimeStamped):
    """A parent, carer or other contact of one or more pupils, as the school's
    MIS holds them. One person is one row however many of the school's pupils
    they are a contact of (siblings), and has at most one account here."""

    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    mis_id = models.CharField("Contact id in the MIS", max_length=40, blank=True, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact",
        help_text="The account this person signs in with, once invited",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["last_name", "first_name", "pk"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)


class PupilContact(TimeStamped):
    """One contact of one pupil, in the MIS's priority order (1 is the first
    to call), with their relationship and whether they hold parental
    responsibility.

    Who counts as a parent for the SEND duties is anyone with parental
    responsibility or who has care of the child (Education Act 1996 s.576):
    they are told of SEN decisions (Children and Families Act 2014 s.68) and
    may be given access to the parent pages. A contact under a court order or
    no-contact flag is never given access."""

    class Source(models.TextChoices):
        IMPORT = "import", "From the MIS"
        MANUAL = "manual", "Added in the register"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="pupil_contacts")
    priority = models.PositiveSmallIntegerField(default=1)
    relationship = models.CharField(max_length=40, blank=True, help_text="As the MIS gives it: Mother, Grandparent, Carer ...")
    parental_responsibility = models.BooleanField(default=False)
    lives_with_pupil = models.BooleanField(default=False)
    no_contact = models.BooleanField(
        "Court order or no-contact flag", default=False,
        help_text="This person must never be given access to the child's records or be sent letters about them",
    )
    no_contact_note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.MANUAL)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["pupil", "priority", "pk"]
        constraints = [models.UniqueConstraint(fields=["pupil", "contact"], name="one_row_per_pupil_and_contact")]

    def __str__(self):
        return f"{self.contact} ({self.relationship or 'contact'})"

    @property
    def is_parent_for_send(self) -> bool:
        """Told of SEN decisions and may be invited (s.68; Education Act 1996 s.576)."""
        return self.parental_responsibility and not self.no_contact

    @property
    def may_be_linked(self) -> bool:
        return not self.no_contact


class ParentLink(TimeStamped):
    """Access to a child's parent pages for one account: made from one of the
    pupil's contacts (so that a contact removed from the MIS loses access with
    it), and shown only once the parent has confirmed a fact about the child
    on first sign-in (`confirmed_at`)."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        CARER = "carer", "Carer"
        GUARDIAN = "guardian", "Guardian"
        OTHER = "other", "Other"

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="child_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    contact = models.OneToOneField(PupilContact, on_delete=models.CASCADE, related_name="access_link")
    relationship = models.CharField(max_length=8, choices=Relationship.choices, default=Relationship.OTHER)
    parental_responsibility = models.BooleanField(default=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the parent confirmed the child's date of birth on first sign-in",
    )
    confirm_attempts = models.PositiveSmallIntegerField(default=0, help_text="Wrong dates of birth given so far")
    locked_at = models.DateTimeField(
        null=True, blank=True, help_text="Locked after too many wrong answers: the SENCo links the parent again",
    )
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why a contact without parental responsibility was given access",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["parent", "pupil"], name="one_link_per_parent_and_pupil")]

    def __str__(self):
        return f"{self.parent} ({self.get_relationship_display()})"


class RegisterEntry(TimeStamped):
    """One period on the register with one status. At most one is open (no
    end date) per pupil, held by the database."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="register_entries")
    status = models.CharField(max_length=1, choices=[c for c in SenStatus.choices if c[0] != SenStatus.NONE])
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(end_date__isnull=True), name="one_open_register_entry_per_pupil"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="register_entry_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} from {self.start_date:%d/%m/%Y}"


class PupilNeed(TimeStamped):
    """A need type held by a pupil over a period. Rank 1 = primary, 2 =
    secondary (census rule 2140); more needs may be recorded unranked, but the
    census takes only ranks 1 and 2 (rule 2166)."""

    class Rank(models.IntegerChoices):
        PRIMARY = 1, "Primary need"
        SECONDARY = 2, "Secondary need"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="needs")
    need_type = models.ForeignKey(NeedType, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(choices=Rank.choices, null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = [models.F("rank").asc(nulls_last=True), "need_type__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "rank"], condition=Q(end_date__isnull=True, rank__isnull=False), name="one_open_need_per_rank"
            ),
            models.UniqueConstraint(
                fields=["pupil", "need_type"], condition=Q(end_date__isnull=True), name="need_type_once_per_pupil"
            ),
        ]

    def __str__(self):
        return f"{self.need_type.label} ({self.get_rank_display() or 'unranked'})"


class RegisterEvent(models.Model):
    """The dated history of the register: every placement, change of status,
    change of need and removal, with who decided and when parents were told."""

    class Kind(models.TextChoices):
        PLACED = "placed", "Placed on the register"
        STATUS_CHANGED = "status", "Status changed"
        NEEDS_CHANGED = "needs", "Needs changed"
        REMOVED = "removed", "Removed from the register"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="register_events")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    from_status = models.CharField(max_length=1, choices=SenStatus.choices, blank=True)
    to_status = models.CharField(max_length=1, choices=SenStatus.choices, blank=True)
    detail = models.CharField(max_length=250, blank=True, help_text="For needs: the needs before and after, as codes")
    effective_date = models.DateField()
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parents_told_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["effective_date", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.effective_date:%d/%m/%Y}"

    @property
    def tells_parents(self) -> bool:
        """SEN provision started or ended (the census code moved between N, K
        and E): parents are told (Children and Families Act 2014 s.68)."""
        return SenStatus.census_code(self.from_status or SenStatus.NONE) != SenStatus.census_code(self.to_status or SenStatus.NONE)


class ParentNotice(models.Model):
    """Telling one parent that SEN provision is being made or has ended
    (Children and Families Act 2014 s.68). Every contact with parental
    responsibility gets one: by email where the school holds an address (no
    account needed), otherwise the SENCo tells them another way and records
    how and when (`told_on`)."""

    class Method(models.TextChoices):
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        MEETING = "meeting", "In a meeting"
        PHONE = "phone", "By phone"

    event = models.ForeignKey(RegisterEvent, on_delete=models.CASCADE, related_name="notices")
    contact = models.ForeignKey(PupilContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient_name = models.CharField(max_length=200, blank=True, help_text="As it was when the notice was made")
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.EMAIL)
    email = models.OneToOneField("send_register.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    told_on = models.DateField("Date told", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        indexes = [models.Index(fields=["told_on"])]

    def __str__(self):
        return f"Notice to contact #{self.contact_id} ({'told' if self.told_on else 'waiting'})"

    @property
    def is_done(self) -> bool:
        return self.told_on is not None


class OnePageProfile(models.Model):
    """A version of the one-page profile. Each save is a new row; the newest is current."""

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="profiles")
    like_and_admire = models.TextField("What people like and admire about me", blank=True)
    important_to_me = models.TextField("What is important to me", blank=True)
    how_to_support = models.TextField("How best to support me", blank=True)
    find_hard = models.TextField("What I find hard", blank=True)
    pupil_words = models.TextField("In my own words", blank=True)
    gathered_on = models.DateField("Date my views were gathered")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"One-page profile of {self.gathered_on:%d/%m/%Y}"


class AgencyInvolvement(TimeStamped):
    class Agency(models.TextChoices):
        EP = "ep", "Educational psychologist"
        SALT = "salt", "Speech and language therapy"
        OT = "ot", "Occupational therapy"
        PHYSIO = "physio", "Physiotherapy"
        CAMHS = "camhs", "Child and adolescent mental health services"
        HI = "hi", "Hearing impairment service"
        VI = "vi", "Vision impairment service"
        SOCIAL_CARE = "social", "Social care"
        PAEDIATRICS = "paed", "Community paediatrics"
        OUTREACH = "outreach", "Specialist teacher or outreach"
        OTHER = "other", "Other"

    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="agencies")
    agency = models.CharField(max_length=8, choices=Agency.choices)
    professional = models.CharField(max_length=120, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    consent_given_on = models.DateField("Parent's consent given on", null=True, blank=True)
    consent_given_by = models.CharField("Consent given by", max_length=120, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-start_date"]

    def __str__(self):
        return self.get_agency_display()

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date"})


class Tier(models.IntegerChoices):
    """Tiers of a pupil's record (ARCHITECTURE.md): who may see what."""

    NONE = 0, "None"
    SUMMARY = 1, "Summary"
    PLAN = 2, "Plan"
    CONFIDENTIAL = 3, "Confidential"


def pupil_document_path(instance, filename):
    # No names in paths: the pupil id and a random token only.
    import secrets

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"pupil-documents/{instance.pupil_id}/{secrets.token_hex(12)}.{ext}"


class PupilDocument(ScannedFile, TimeStamped):
    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        LETTER = "letter", "Letter"
        WORK = "work", "Work sample"
        ASSESSMENT = "assessment", "Assessment"
        OTHER = "other", "Other"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    tier = models.PositiveSmallIntegerField(
        choices=[c for c in Tier.choices if c[0] != Tier.NONE], default=Tier.PLAN,
        help_text="Who may see it: summary (all staff who work with the pupil), plan, or confidential (SENCo and head)",
    )
    file = models.FileField(upload_to=pupil_document_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    document_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def scan_place(self) -> tuple[str, str]:
        return "a pupil's documents", getattr(settings, "SITE_URL", "").rstrip("/") + self.pupil.get_absolute_url()


class AccessLog(models.Model):
    """Every staff view of a pupil's record: who, which pupil, which page, when;
    and every view of the register's list of pupils (no one pupil: the page
    names the list, its page and whether it was filtered).
    Append-only: the app offers no way to change or delete a row."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="access_log", null=True, blank=True)
    page = models.CharField(max_length=60)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["pupil", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.page} at {self.at:%Y-%m-%d %H:%M}"


class ImportBatch(models.Model):
    """One upload of a pupil CSV from the school's MIS, kept between the
    preview and the confirmation. The file's text lives here (not in the
    session, not in logs) with its SHA-256, so that what is confirmed is exactly
    what was previewed; the text is cleared once the batch is applied or
    discarded, leaving only the counts."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting for confirmation"
        APPLIED = "applied", "Imported"
        DISCARDED = "discarded", "Discarded"

    class Kind(models.TextChoices):
        PUPILS = "pupils", "Pupils"
        CONTACTS = "contacts", "Parents and carers"
        STAFF = "staff", "Staff"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PUPILS)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    content = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PREVIEWED)
    applied_at = models.DateTimeField(null=True, blank=True)
    mark_leavers = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True, help_text="Counts only: no personal data")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Import {self.pk} ({self.get_status_display()})"


class ImportColumnMap(models.Model):
    """A column heading of the school's MIS export that an import did not
    recognise, matched by a user in the preview to one of the import's
    fields, and remembered for the next import of the same kind."""

    kind = models.CharField(max_length=8, choices=ImportBatch.Kind.choices)
    heading = models.CharField(max_length=100, help_text="Lower-case, letters and digits only")
    field = models.CharField(max_length=40, help_text="Empty: ignore this column")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "heading"]
        constraints = [models.UniqueConstraint(fields=["kind", "heading"], name="one_map_per_kind_and_heading")]

    def __str__(self):
        return f"{self.heading} -> {self.field or '(ignored)'}"
