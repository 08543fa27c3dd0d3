"""Forms shape and normalise input only; the rules live in pupils.services and
pupils.importer, whose ValidationErrors come back onto these forms."""

from django import forms
from django.conf import settings
from django.utils import timezone

from send_register import scanning
from send_register.forms import DateInput
from send_register.locking import LockVersionFormMixin

from .models import AgencyInvolvement, NeedType, OnePageProfile, PupilDocument, SenStatus, Tier


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label, required=required, widget=DateInput(), help_text=help_text,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": f"Enter the {label.lower()}", "invalid": f"Enter the {label.lower()} as a real date"},
    )


class StatusForm(LockVersionFormMixin, forms.Form):
    """Place on the register, change status, or remove (status N). Locks the
    pupil's register record (lock_from=pupil): two decisions made from the
    same starting point must not both stand unseen."""

    lock_what = "pupil's register record"

    status = forms.ChoiceField(
        label="New register status", widget=forms.RadioSelect,
        error_messages={"required": "Choose the new register status", "invalid_choice": "Choose a status different from the current one"},
    )
    effective_date = date_field("Date of the decision")
    reason = forms.CharField(
        label="Reason for the decision", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example the evidence from the assess-plan-do-review cycle, or the EHC plan being issued",
        error_messages={"required": "Give the reason for the decision"},
    )

    STATUS_HELP = {
        SenStatus.NONE: "No SEN: take the pupil off the register (parents are told if SEN support ends)",
        SenStatus.MONITORING: "Monitoring: the school is keeping a closer eye; not SEN support and not in the census",
        SenStatus.SEN_SUPPORT: "SEN support (census K): parents are told (Children and Families Act 2014 s.68)",
        SenStatus.EHC_PLAN: "EHC plan (census E): only once the local authority has issued the plan",
    }

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, self.STATUS_HELP[value]) for value in SenStatus.values if value != current]
        self.fields["effective_date"].initial = timezone.localdate()


class NeedsForm(LockVersionFormMixin, forms.Form):
    lock_what = "pupil's register record"  # lock_from=pupil, as StatusForm

    primary = forms.ModelChoiceField(
        label="Primary need", queryset=NeedType.objects.none(), required=False, empty_label="No primary need",
        help_text="The need that most affects the pupil's learning (census rank 1)",
    )
    secondary = forms.ModelChoiceField(
        label="Secondary need", queryset=NeedType.objects.none(), required=False, empty_label="No secondary need",
        help_text="Census rank 2 (optional)",
    )
    additional = forms.ModelMultipleChoiceField(
        label="Other needs", queryset=NeedType.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Kept here for the school; the census takes only the primary and secondary needs",
    )
    effective_date = date_field("Date from")
    reason = forms.CharField(
        label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example a specialist assessment or report",
        error_messages={"required": "Give the reason for the change"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [n.pk for n in NeedType.objects.all() if n.is_current()]
        qs = NeedType.objects.filter(pk__in=current)
        for name in ("primary", "secondary", "additional"):
            self.fields[name].queryset = qs
        self.fields["effective_date"].initial = timezone.localdate()


class ProfileForm(LockVersionFormMixin, forms.ModelForm):
    """A new version of the profile, written from the newest one
    (lock_from=latest): if someone saves a newer one meanwhile, this is refused."""

    lock_what = "profile"
    gathered_on = date_field("Date my views were gathered")

    class Meta:
        model = OnePageProfile
        fields = ["like_and_admire", "important_to_me", "how_to_support", "find_hard", "pupil_words", "gathered_on"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields[:-1]}
        help_texts = {
            "how_to_support": "Strategies that help: every member of staff who works with the pupil sees this part",
            "pupil_words": "Quote the pupil where you can",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gathered_on"].initial = timezone.localdate()


class AgencyForm(LockVersionFormMixin, forms.ModelForm):
    lock_what = "agency involvement"

    start_date = date_field("Start date")
    end_date = date_field("End date", required=False, help_text="Leave blank while the agency is still involved")
    consent_given_on = date_field("Date the parent gave consent", required=False)

    class Meta:
        model = AgencyInvolvement
        fields = ["agency", "professional", "contact", "start_date", "end_date", "reason", "consent_given_on", "consent_given_by"]
        labels = {
            "agency": "Agency",
            "professional": "Professional's name and role",
            "contact": "How to contact them",
            "reason": "Why they are involved",
            "consent_given_by": "Who gave consent",
        }
        help_texts = {"consent_given_by": "For example: mother, with parental responsibility"}
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"agency": {"required": "Choose the agency"}}


class AgencyEndForm(forms.Form):
    end_date = date_field("Date the involvement ended")
    reason = forms.CharField(label="Why it ended (optional)", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()


class DocumentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=150, error_messages={"required": "Give the document a title"})
    kind = forms.ChoiceField(label="Kind of document", choices=PupilDocument.Kind.choices)
    tier = forms.TypedChoiceField(label="Who may see it", coerce=int, widget=forms.RadioSelect)
    document_date = date_field("Date of the document", required=False)
    file = forms.FileField(
        label="File",
        help_text="PDF, PNG, JPEG or Word (.docx), up to {} MB".format(settings.SEND_MAX_UPLOAD_BYTES // (1024 * 1024)),
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx"}),
    )

    TIER_HELP = {
        Tier.SUMMARY: "Summary: all staff who work with the pupil",
        Tier.PLAN: "Plan: the pupil's teachers and teaching assistants, the SENCo and the head",
        Tier.CONFIDENTIAL: "Confidential: the SENCo and the head only (health, social care, agency reports)",
    }

    def __init__(self, *args, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [(t, self.TIER_HELP[t]) for t in tiers]
        self.fields["tier"].initial = Tier.PLAN if Tier.PLAN in tiers else tiers[0]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file from your MIS",
        help_text="Columns: UPN, legal first name, legal last name, date of birth, sex, year group, class; "
        "optionally SEN provision (E, K or N), need codes and teaching groups (several, separated by ; or ,)",
        error_messages={"required": "Choose the CSV file to import"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("The file must be a CSV file (.csv)")
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        content = upload.read()
        upload.seek(0)
        if b"\x00" in content:
            # A NUL byte means a binary file (a spreadsheet saved as .csv, say);
            # PostgreSQL cannot store it as text either.
            raise forms.ValidationError("The file is not a CSV file: save it from your MIS or spreadsheet as CSV and try again")
        # Scanned like every upload: an infected file is refused. The CSV is
        # only read as text into the import's rows and never stored or served
        # as a file, so one the scanner cannot check just now is not held back.
        scanning.scan_upload(upload, name="")
        return upload


class ImportConfirmForm(forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput)
    mark_leavers = forms.BooleanField(
        label="Mark pupils missing from the file as having left", required=False,
        help_text="They stay in the record, marked as left on the date below",
    )
    leaving_date = date_field("Leaving date", required=False)

    def clean(self):
        data = super().clean()
        if data.get("mark_leavers") and not data.get("leaving_date"):
            self.add_error("leaving_date", "Enter the leaving date")
        return data


class NoticeToldForm(forms.Form):
    """How and when a parent without an email address was told of a register
    decision (Children and Families Act 2014 s.68)."""

    method = forms.ChoiceField(
        label="How were they told?", widget=forms.RadioSelect,
        choices=[
            ("letter", "A letter, given to them or posted"),
            ("meeting", "In a meeting"),
            ("phone", "By phone"),
        ],
        error_messages={"required": "Choose how the parent was told"},
    )
    told_on = date_field("Date they were told")
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=200,
        help_text="For example \"letter handed over at the school gate\" or \"told at the review meeting\"",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["told_on"].initial = timezone.localdate()


# --- Classes and teaching groups (pupils.class_views) -------------------------------


class ClassForm(LockVersionFormMixin, forms.Form):
    """Add a class (no lock_from: nothing to lock) or edit one (lock_from=the
    class): two people renaming the same class must not overwrite each other."""

    lock_what = "class"

    name = forms.CharField(
        label="Name", max_length=60,
        help_text="As your MIS spells it (for example 3 Oak, 7R or 9X1 Maths), so that imports find it",
        error_messages={"required": "Enter the name of the class or group", "max_length": "The name must be 60 characters or fewer"},
    )
    kind = forms.ChoiceField(
        label="Kind", widget=forms.RadioSelect,
        choices=[
            ("form", "Form or registration class: each pupil has one (a primary class, a secondary tutor group)"),
            ("teaching", "Teaching group: a set or subject group; a pupil may be in many"),
        ],
        error_messages={"required": "Choose the kind of class"},
    )
    year_group = forms.ChoiceField(label="Year group (optional)", required=False, help_text="Leave blank for a group of mixed years")

    def __init__(self, *args, **kwargs):
        from .models import YearGroup

        super().__init__(*args, **kwargs)
        self.fields["year_group"].choices = [("", "Mixed or not set")] + list(YearGroup.choices)


class ClassStaffForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Member of staff", queryset=None, empty_label="Choose a teacher or TA",
        help_text="Active staff with the teacher or teaching assistant role",
        error_messages={"required": "Choose the member of staff", "invalid_choice": "Choose a member of staff from the list"},
    )
    role = forms.ChoiceField(
        label="Their role in this class", widget=forms.RadioSelect,
        choices=[("teacher", "Teacher"), ("ta", "Teaching assistant")], initial="teacher",
        error_messages={"required": "Choose teacher or teaching assistant"},
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff


class KeyStaffForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Member of staff", queryset=None, empty_label="Choose a teacher or TA",
        help_text="A 1:1 teaching assistant or key worker: they will see this pupil's record, including the support plan",
        error_messages={"required": "Choose the member of staff", "invalid_choice": "Choose a member of staff from the list"},
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff


class PupilSearchForm(forms.Form):
    """Find pupils to add to a class: by name or UPN, within a year group."""

    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    year = forms.ChoiceField(label="Year group", required=False)

    def __init__(self, *args, **kwargs):
        from .models import YearGroup

        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "All year groups")] + list(YearGroup.choices)


class PupilPickForm(forms.Form):
    pupils = forms.ModelMultipleChoiceField(
        label="Pupils to add", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one pupil to add", "invalid_choice": "Choose pupils from the list"},
    )

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = pupils
