"""Writes to concerns. Each service runs in one transaction, keeps the history
(django-simple-history on Concern; ConcernStep rows for the timeline) and
queues its emails through the outbox (sent after the commit)."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from pupils.access import children_of
from pupils.models import BroadArea, Pupil, SenStatus
from pupils.services import register_place, register_set_status
from send_register import scanning
from send_register.locking import UNCHECKED, check_version
from send_register.models import School
from send_register.outbox import queue_email

from .access import can_triage, pupils_for_staff_concern
from .models import (
    PARENT_OUTCOME_TEXT,
    ClassStrategy,
    Concern,
    ConcernArea,
    ConcernAttachment,
    ConcernStep,
)
from .validators import validate_evidence_file

Step = Concern.Step
Outcome = Concern.Outcome


def _link(name: str, *args) -> str:
    # Emails need a full address; SITE_URL (like https://send.example.org) is
    # optional, and without it the path alone still tells staff where to look.
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse(name, args=args)


def _save(concern: Concern, by, reason: str = "") -> None:
    concern._history_user = by
    if reason:
        concern._change_reason = reason[:100]
    concern.lock_version += 1  # every change counts (send_register.locking)
    concern.full_clean()
    concern.save()


def _lock(concern: Concern, lock_version=UNCHECKED) -> Concern:
    """Re-read the concern with its row locked; refuse a change made from a
    form opened before someone else's (optimistic locking)."""
    locked = Concern.objects.select_for_update().select_related("pupil").get(pk=concern.pk)
    check_version(locked.lock_version, lock_version, "concern")
    return locked


def _check_day(day: date, concern: Concern, field_name: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field_name: "The date cannot be in the future"})
    if concern.submitted_at and day < timezone.localtime(concern.submitted_at).date():
        raise ValidationError(
            {field_name: f"The date must be on or after the concern was raised ({timezone.localtime(concern.submitted_at):%d/%m/%Y})"}
        )


# Drafts -------------------------------------------------------------------


@transaction.atomic
def concern_create_draft(*, pupil: Pupil, raised_by: User, raised_by_role: str) -> Concern:
    """Start a concern as a draft that only `raised_by` sees. Staff may raise
    a concern about a pupil they teach or support (the SENCo and head about
    any pupil); a parent about their own child only."""
    if raised_by_role == Concern.RaisedByRole.STAFF:
        if not pupils_for_staff_concern(raised_by).filter(pk=pupil.pk).exists():
            raise ValidationError({"pupil": "Choose a pupil you teach or support"})
    elif raised_by_role == Concern.RaisedByRole.PARENT:
        if not children_of(raised_by).filter(pk=pupil.pk).exists():
            raise ValidationError({"pupil": "Choose your own child"})
    else:
        raise ValidationError({"raised_by_role": "Say who is raising the concern"})
    concern = Concern(pupil=pupil, raised_by=raised_by, raised_by_role=raised_by_role, step=Step.DRAFT)
    _save(concern, raised_by, "Draft started")
    return concern


@dataclass
class StaffConcernInput:
    """What the staff form (appendix C) gives the services, already shaped."""

    pupil: Pupil
    areas: dict[str, str] = field(default_factory=dict)  # BroadArea value -> the teacher's words
    parents_said: str = ""
    parents_want: str = ""
    strategies: list[tuple[str, str]] = field(default_factory=list)  # (what was tried, ClassStrategy.Effect)
    support_wanted: list[str] = field(default_factory=list)
    support_detail: str = ""


@transaction.atomic
def concern_save_staff(
    *,
    concern: Concern | None,
    by: User,
    data: StaffConcernInput,
    evidence: list | tuple = (),
    evidence_kind: str = ConcernAttachment.Kind.WORK,
    submit: bool = False,
    lock_version=UNCHECKED,
) -> Concern:
    """Save the staff form as a draft (created if `concern` is None), add any
    evidence, and send it to the SENCo when `submit` is true. Either all of it
    is saved or, when anything is wrong, none of it."""
    if concern is None:
        concern = concern_create_draft(pupil=data.pupil, raised_by=by, raised_by_role=Concern.RaisedByRole.STAFF)
    else:
        concern = _lock(concern, lock_version)
        _check_draft_author(concern, by)
        if concern.pupil_id != data.pupil.pk:
            if not pupils_for_staff_concern(by).filter(pk=data.pupil.pk).exists():
                raise ValidationError({"pupil": "Choose a pupil you teach or support"})
            concern.pupil = data.pupil

    unknown = set(data.support_wanted) - set(Concern.Support.values)
    if unknown:
        raise ValidationError({"support_wanted": "Choose from the list"})
    concern.parents_said = data.parents_said.strip()
    concern.parents_want = data.parents_want.strip()
    concern.support_wanted = [v for v in Concern.Support.values if v in data.support_wanted]
    concern.support_detail = data.support_detail.strip()
    _save(concern, by, "Draft saved")

    concern.areas.all().delete()
    ConcernArea.objects.bulk_create(
        ConcernArea(concern=concern, broad_area=area, details=text.strip())
        for area, text in data.areas.items()
        if area in BroadArea.values and text.strip()
    )
    concern.strategies.all().delete()
    for position, (description, effect) in enumerate(data.strategies):
        if not description.strip():
            continue
        if effect not in ClassStrategy.Effect.values:
            raise ValidationError({f"effect_{position + 1}": "Say how well it worked"})
        ClassStrategy.objects.create(concern=concern, description=description.strip(), effect=effect, position=position)

    if submit:
        _check_ready_to_submit(concern)
    # Files last: nothing reaches the disk unless everything else was fine.
    for upload in evidence:
        concern_add_attachment(concern=concern, upload=upload, kind=evidence_kind, by=by)
    if submit:
        concern = concern_submit(concern=concern, by=by)
    return concern


@transaction.atomic
def concern_save_parent_answer(*, concern: Concern, by: User, **answers) -> Concern:
    """Save one or more answers of the parent's form (one question per screen)."""
    concern = _lock(concern)
    _check_draft_author(concern, by)
    areas = answers.pop("areas", None)
    allowed = {"parent_concern", "home_strategies", "parents_want"}
    for name, value in answers.items():
        if name not in allowed:
            raise ValueError(f"Not a parent answer: {name}")
        setattr(concern, name, (value or "").strip())
    _save(concern, by, "Draft saved")
    if areas is not None:
        concern.areas.all().delete()
        ConcernArea.objects.bulk_create(
            ConcernArea(concern=concern, broad_area=a) for a in BroadArea.values if a in areas
        )
    return concern


def _check_draft_author(concern: Concern, by: User) -> None:
    if concern.raised_by_id != by.pk:
        raise PermissionDenied("Only the author may change a draft")
    if not concern.is_draft:
        raise ValidationError("This concern has already been sent to the SENCo and cannot be changed")


def _check_ready_to_submit(concern: Concern) -> None:
    """What the school's form asks for before it goes to the SENCo."""
    errors = {}
    if concern.raised_by_role == Concern.RaisedByRole.PARENT:
        if not concern.parent_concern:
            errors["parent_concern"] = "Tell us what is worrying you"
        if not concern.parents_want:
            errors["parents_want"] = "Tell us what you would like from the SENCo"
    else:
        # Appendix C: the teacher's concerns "may be none" when the parents
        # raised it, but the form must say what worries someone.
        if not concern.areas.exclude(details="").exists() and not concern.parents_said:
            errors[f"area_{BroadArea.values[0]}"] = (
                "Describe your concern in at least one area of need, or write what the parents have said"
            )
        # Appendix B: "You will need to add details of what has been tried
        # already and what kind of support you feel would help".
        if not concern.strategies.exists():
            errors["strategy_1"] = "Add at least one thing you have tried in class, and how well it worked"
        if not concern.support_wanted and not concern.support_detail:
            errors["support_wanted"] = "Choose the support you think would help, or describe it"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def concern_submit(*, concern: Concern, by: User) -> Concern:
    """Send a draft to the SENCo: the concern is dated, the timeline starts,
    and the SENCo(s) are emailed (after the commit). The subject names no child."""
    concern = _lock(concern)
    _check_draft_author(concern, by)
    _check_ready_to_submit(concern)
    if not concern.can_move_to(Step.SUBMITTED):
        raise ValidationError("This concern cannot be sent now")
    now = timezone.now()
    concern.step = Step.SUBMITTED
    concern.submitted_at = now
    _save(concern, by, "Sent to the SENCo")
    ConcernStep.objects.create(concern=concern, step=Step.SUBMITTED, occurred_on=timezone.localdate(now), recorded_by=by)
    _notify_sencos(concern)
    return concern


def _senco_addresses() -> list[str]:
    emails = sorted(set(User.objects.with_role(Role.SENCO).values_list("email", flat=True)))
    if not emails and School.get().senco_email:
        emails = [School.get().senco_email]
    return emails


def _notify_sencos(concern: Concern) -> None:
    school = School.get()
    context = {
        "school": school,
        "concern": concern,
        "pupil": concern.pupil,
        "raised_by": concern.raised_by,
        "link": _link("concerns:detail", concern.pk),
    }
    body = render_to_string("concerns/email/new_concern.txt", context)
    raiser_email = concern.raised_by.email if concern.raised_by else None
    for to in _senco_addresses():
        if to == raiser_email:
            continue  # a SENCo who raised it needs no email about their own concern
        queue_email(
            to=to,
            subject=f"New concern {concern.reference} to triage",
            body=body,
            purpose="concern_new",
            related_id=concern.pk,
        )


@transaction.atomic
def concern_add_attachment(*, concern: Concern, upload, kind: str, by: User) -> ConcernAttachment:
    """Add a piece of evidence to the author's draft (type, size and malware
    checked; kept in quarantine when the scanner could not check it yet)."""
    if concern.raised_by_id != by.pk or not concern.is_draft:
        raise PermissionDenied("Evidence is added by the author while the concern is a draft")
    try:
        content_type = validate_evidence_file(upload)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from None
    if kind not in ConcernAttachment.Kind.values:
        raise ValidationError({"evidence_kind": "Choose what kind of evidence this is"})
    scan_status = scanning.scan_upload(upload)  # the verdict validate_evidence_file already had
    attachment = ConcernAttachment(
        concern=concern,
        kind=kind,
        scan_status=scan_status,
        scanned_at=timezone.now() if scan_status == scanning.ScanStatus.CLEAN else None,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def concern_remove_attachment(*, attachment: ConcernAttachment, by: User) -> None:
    concern = attachment.concern
    if concern.raised_by_id != by.pk or not concern.is_draft:
        raise PermissionDenied("Evidence is removed by the author while the concern is a draft")
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def concern_delete_draft(*, concern: Concern, by: User) -> None:
    """The author throws away a draft (nothing was ever sent)."""
    concern = _lock(concern)
    _check_draft_author(concern, by)
    files = [a.file for a in concern.attachments.all()]
    concern._history_user = by
    concern.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


# The SENCo's triage ---------------------------------------------------------

# What each step must record (the policy's appendix B).
STEP_RULES = {
    Step.RECEIVED: {},
    Step.OBSERVATION: {"notes": "Write what you saw during the observation"},
    Step.STRATEGIES: {
        "notes": "Write the strategies agreed with the class teacher",
        "review_date": "Enter the date when the strategies will be reviewed",
    },
    Step.SOLUTION_CIRCLE: {
        "attendees": "Write who attended the solution circle",
        "notes": "Write the ideas from the solution circle",
    },
    Step.TEACHER_MEETING: {"attendees": "Write who was at the meeting", "notes": "Write what was agreed"},
    Step.SENCO_MEETING: {"attendees": "Write who was at the meeting", "notes": "Write what was agreed"},
    Step.AGENCIES: {"notes": "Write which outside agencies were discussed and what was agreed"},
}


@transaction.atomic
def concern_add_step(
    *,
    concern: Concern,
    step: str,
    by: User,
    occurred_on: date,
    notes: str = "",
    attendees: str = "",
    review_date: date | None = None,
    lock_version=UNCHECKED,
) -> ConcernStep:
    """Record the next step of the graduated response, dated and attributed.
    Only moves in Concern.ALLOWED_MOVES are allowed. Agreeing strategies sets
    the concern's review date (a due item for reviews/deadlines.py)."""
    if not can_triage(by):
        raise PermissionDenied("Only the SENCo or the head records steps")
    concern = _lock(concern, lock_version)
    if step not in STEP_RULES:
        raise ValidationError({"step": "Choose a step of the graduated response"})
    if not concern.can_move_to(step):
        raise ValidationError(
            {"step": f"{Step(step).label} cannot follow {Step(concern.step).label.lower()}"}
        )
    notes, attendees = (notes or "").strip(), (attendees or "").strip()
    errors = {}
    values = {"notes": notes, "attendees": attendees, "review_date": review_date}
    for name, message in STEP_RULES[step].items():
        if not values[name]:
            errors[name] = message
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date"
    if errors:
        raise ValidationError(errors)
    _check_day(occurred_on, concern, "occurred_on")
    if step == Step.STRATEGIES and review_date <= occurred_on:
        raise ValidationError({"review_date": "The review date must be after the date the strategies were agreed"})

    row = ConcernStep.objects.create(
        concern=concern,
        step=step,
        occurred_on=occurred_on,
        recorded_by=by,
        notes=notes,
        attendees=attendees,
        review_date=review_date if step == Step.STRATEGIES else None,
    )
    concern.step = step
    if step == Step.STRATEGIES:
        concern.review_date = review_date
    _save(concern, by, Step(step).label)
    return row


@transaction.atomic
def concern_skip_step(*, concern: Concern, to_step: str, by: User, reason: str, occurred_on: date | None = None,
                      lock_version=UNCHECKED) -> list[ConcernStep]:
    """Skip the next step(s) up to and including `to_step`, each recorded as
    skipped with the reason (appendix B: the process may be shortened when a
    child's needs have a significant impact or they have moved from another
    school). Each move still goes through Concern.ALLOWED_MOVES."""
    if not can_triage(by):
        raise PermissionDenied("Only the SENCo or the head records steps")
    concern = _lock(concern, lock_version)
    reason = (reason or "").strip()
    if to_step not in concern.skippable_targets():
        raise ValidationError({"to_step": "That step cannot be skipped from here"})
    if not reason:
        raise ValidationError({"reason": "Give the reason for skipping"})
    occurred_on = occurred_on or timezone.localdate()
    _check_day(occurred_on, concern, "occurred_on")
    rows = []
    for step in concern.skippable_targets():
        if not concern.can_move_to(step):  # the map is the rule, checked at each move
            raise ValidationError({"to_step": "That step cannot be skipped from here"})
        rows.append(
            ConcernStep.objects.create(
                concern=concern, step=step, occurred_on=occurred_on, recorded_by=by, skipped=True, skip_reason=reason
            )
        )
        concern.step = step
        if step == to_step:
            break
    _save(concern, by, f"Skipped to {Step(to_step).label}")
    return rows


@transaction.atomic
def concern_record_outcome(
    *,
    concern: Concern,
    outcome: str,
    by: User,
    reason: str = "",
    note_for_family: str = "",
    effective_date: date | None = None,
    lock_version=UNCHECKED,
) -> Concern:
    """Record the outcome and close the concern.

    - SEN support: the pupil goes on the register through
      pupils.services (RegisterEvent written, parents told under s.68).
    - Monitoring: the pupil's status becomes M through pupils.services (no
      change when already monitored).
    - No further action: with the reason.
    - Passed to the designated safeguarding lead: recorded as passed on, and
      nothing else: safeguarding detail lives in the school's safeguarding
      system, never here.
    The raiser is told (a parent in plain English)."""
    if not can_triage(by):
        raise PermissionDenied("Only the SENCo or the head records outcomes")
    concern = _lock(concern, lock_version)
    reason, note_for_family = (reason or "").strip(), (note_for_family or "").strip()
    effective_date = effective_date or timezone.localdate()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome"})
    if not concern.can_move_to(Step.OUTCOME):
        raise ValidationError({"outcome": f"An outcome cannot be recorded while the concern is {Step(concern.step).label.lower()}"})
    if outcome == Outcome.SAFEGUARDING:
        # Nothing but the fact of the referral is kept (or emailed) here.
        errors = {}
        if reason:
            errors["reason"] = "Do not record safeguarding details here: follow the school's safeguarding procedure. Leave this empty."
        if note_for_family:
            errors["note_for_family"] = "Do not write a note for a referral to the designated safeguarding lead. Leave this empty."
        if errors:
            raise ValidationError(errors)
    elif not reason:
        raise ValidationError({"reason": "Give the reason for the decision"})
    _check_day(effective_date, concern, "effective_date")

    pupil = Pupil.objects.get(pk=concern.pupil_id)
    event = None
    register_reason = f"Outcome of concern {concern.reference}: {reason}"
    try:
        if outcome == Outcome.SEN_SUPPORT:
            if pupil.sen_status == SenStatus.NONE:
                event = register_place(
                    pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=effective_date, reason=register_reason, decided_by=by
                )
            elif pupil.sen_status == SenStatus.MONITORING:
                event = register_set_status(
                    pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=effective_date, reason=register_reason, decided_by=by
                )
            else:
                raise ValidationError(
                    {"outcome": f"This pupil already has {pupil.get_sen_status_display()}: choose another outcome"}
                )
        elif outcome == Outcome.MONITORING:
            if pupil.sen_status == SenStatus.NONE:
                event = register_set_status(
                    pupil=pupil, status=SenStatus.MONITORING, effective_date=effective_date, reason=register_reason, decided_by=by
                )
            elif pupil.sen_status != SenStatus.MONITORING:
                raise ValidationError(
                    {"outcome": f"This pupil already has {pupil.get_sen_status_display()}: change their status on the register instead"}
                )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            mapped = {"status": "outcome", "reason": "reason", "effective_date": "effective_date"}
            raise ValidationError({mapped.get(k, "outcome"): v for k, v in exc.error_dict.items()}) from None
        raise

    ConcernStep.objects.create(
        concern=concern, step=Step.OUTCOME, occurred_on=effective_date, recorded_by=by, notes=reason, outcome=outcome
    )
    concern.step = Step.OUTCOME
    concern.outcome = outcome
    concern.outcome_reason = reason
    concern.outcome_note_for_family = note_for_family
    concern.register_event = event
    concern.closed_at = timezone.now()
    _save(concern, by, f"Outcome: {Outcome(outcome).label}")
    if concern.raised_by_id != by.pk:
        _notify_raiser(concern)
    return concern


def _notify_raiser(concern: Concern) -> None:
    raiser = concern.raised_by
    if raiser is None or not raiser.is_active:
        return
    school = School.get()
    context = {"school": school, "concern": concern, "pupil": concern.pupil, "raiser": raiser}
    if concern.raised_by_parent:
        context.update(
            outcome_text=PARENT_OUTCOME_TEXT[concern.outcome], link=_link("concerns:parent_detail", concern.pk)
        )
        queue_email(
            to=raiser.email,
            subject=f"{school.name}: the SENCo has replied to your concern",
            body=render_to_string("concerns/email/outcome_parent.txt", context),
            purpose="concern_outcome",
            related_id=concern.pk,
        )
    else:
        context.update(link=_link("concerns:detail", concern.pk))
        queue_email(
            to=raiser.email,
            subject=f"Concern {concern.reference}: outcome recorded",
            body=render_to_string("concerns/email/outcome_staff.txt", context),
            purpose="concern_outcome",
            related_id=concern.pk,
        )
