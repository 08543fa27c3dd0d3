"""Writes to support plans, their cycles, meetings, parents' responses and the
banks. Each service runs in one transaction and keeps history; views call one
service and put a ValidationError back onto the form."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pupils.access import children_of
from pupils.models import ON_REGISTER, Pupil, SenStatus
from pupils.services import register_set_status
from send_register.datacache import note_change
from send_register.locking import UNCHECKED, check_and_bump, check_version, lock_row
from send_register.calendar import current_term, term_containing
from send_register.models import School
from send_register.outbox import queue_email

from .models import (
    SUGGESTED_MAX_TARGETS,
    SUGGESTED_MIN_TARGETS,
    Cycle,
    ParentMeeting,
    ParentPlanView,
    StrategyBank,
    SupportPlan,
    Target,
    TargetBank,
    TargetReview,
)

PLAN_FIELDS = (
    "next_review_date",
    "coordinator",
    "teaching_strategies",
    "provision",
    "help_at_home",
    "success_criteria",
    "exit_criteria",
    "pupil_views",
    "pupil_views_date",
    "parent_views",
    "parent_views_date",
)
TARGET_FIELDS = ("text", "success_looks_like", "baseline", "target_date", "area")


def _today() -> date:
    return timezone.localdate()


def default_coordinator(pupil: Pupil | None = None):
    """The SENCo leads plans unless the school names someone else."""
    from accounts.models import Role, User

    return User.objects.with_role(Role.SENCO).filter(is_active=True).order_by("pk").first()


def target_warnings(count: int) -> list[str]:
    """Derwent policy section 9: three or four targets. Beyond four is a
    warning, never a refusal (the SENCo may have a reason)."""
    if count > SUGGESTED_MAX_TARGETS:
        return [f"This plan has {count} targets. Plans work best with three or four short-term targets."]
    if 0 < count < SUGGESTED_MIN_TARGETS:
        return [f"This plan has {count} target{'s' if count != 1 else ''}. Most plans have three or four."]
    if count == 0:
        return ["This plan has no targets yet. Add three or four short-term targets."]
    return []


def _check_dates(errors: dict, values: dict, *, start: date) -> None:
    review = values.get("next_review_date")
    if review is None:
        errors["next_review_date"] = "Enter the date of the next review"
    elif review < start:
        errors["next_review_date"] = "The next review must be on or after the date the plan starts"
    today = _today()
    for field in ("pupil_views_date", "parent_views_date"):
        if values.get(field) and values[field] > today:
            errors[field] = "The date cannot be in the future"


def _clean_targets(targets) -> list[dict]:
    rows = []
    for raw in targets or ():
        row = {k: raw.get(k) for k in (*TARGET_FIELDS, "id", "delete")}
        if not (row.get("text") or "").strip():
            continue
        row["text"] = row["text"].strip()
        for key in ("success_looks_like", "baseline", "area"):
            row[key] = (row.get(key) or "").strip()
        rows.append(row)
    return rows


def _touch(plan: SupportPlan) -> None:
    # The plan's updated_at marks any change to it or its cycles, so that a
    # PDF made before the change is not reused (send_register.pdf versions).
    SupportPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    note_change()  # an update sends no signal (send_register.datacache)


@transaction.atomic
def plan_create(
    *,
    pupil: Pupil,
    by,
    next_review_date: date,
    start_date: date | None = None,
    coordinator=None,
    teaching_strategies: str = "",
    provision: str = "",
    help_at_home: str = "",
    success_criteria: str = "",
    exit_criteria: str = "",
    pupil_views: str = "",
    pupil_views_date: date | None = None,
    parent_views: str = "",
    parent_views_date: date | None = None,
    targets: list[dict] | tuple = (),
    bank_targets: list[TargetBank] | tuple = (),
    bank_strategies: list[StrategyBank] | tuple = (),
) -> SupportPlan:
    """Write the first (or next) plan for a pupil on the register and open its
    first cycle. Targets come from `targets` (dicts of text, success_looks_like,
    baseline, target_date, area) and from the chosen bank targets; chosen bank
    strategies are added to the teaching strategies or to help at home."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    start_date = start_date or _today()
    values = {
        "next_review_date": next_review_date,
        "pupil_views_date": pupil_views_date,
        "parent_views_date": parent_views_date,
    }
    errors: dict = {}
    if pupil.sen_status not in ON_REGISTER:
        errors["__all__"] = "Place the pupil on the SEN register before writing a support plan"
    if SupportPlan.objects.filter(pupil=pupil, status=SupportPlan.Status.CURRENT).exists():
        errors["__all__"] = "This pupil already has a current support plan: change that plan or start a new version"
    _check_dates(errors, values, start=start_date)
    if errors:
        raise ValidationError(errors)

    teaching = [teaching_strategies.strip()] if teaching_strategies.strip() else []
    home = [help_at_home.strip()] if help_at_home.strip() else []
    for strategy in bank_strategies:
        (home if strategy.use == StrategyBank.Use.HOME else teaching).append(f"- {strategy.text}")
    last = SupportPlan.objects.filter(pupil=pupil).order_by("-version").values_list("version", flat=True).first()
    plan = SupportPlan(
        pupil=pupil,
        version=(last or 0) + 1,
        start_date=start_date,
        next_review_date=next_review_date,
        coordinator=coordinator or default_coordinator(pupil),
        teaching_strategies="\n".join(teaching),
        provision=provision.strip(),
        help_at_home="\n".join(home),
        success_criteria=success_criteria.strip(),
        exit_criteria=exit_criteria.strip(),
        pupil_views=pupil_views.strip(),
        pupil_views_date=pupil_views_date,
        parent_views=parent_views.strip(),
        parent_views_date=parent_views_date,
        created_by=by,
    )
    plan.full_clean(exclude=["pupil"])
    plan.save()
    order = 0
    for row in _clean_targets(targets):
        order += 1
        _target_create(plan, row, order)
    for item in bank_targets:
        order += 1
        _target_create(plan, {"text": item.text, "success_looks_like": item.success_looks_like, "area": item.area}, order)
    cycle_open(plan=plan, by=by, review_date=next_review_date)
    return plan


def _target_create(plan: SupportPlan, row: dict, order: int, carried_from: Target | None = None) -> Target:
    target = Target(plan=plan, order=order, carried_from=carried_from, **{k: row.get(k) or ("" if k != "target_date" else None) for k in TARGET_FIELDS})
    target.full_clean(exclude=["plan", "carried_from"])
    target.save()
    return target


@transaction.atomic
def plan_update(*, plan: SupportPlan, by, lock_version: int, targets: list[dict] | None = None, **fields) -> SupportPlan:
    """Change the current plan. `lock_version` is the version the editor
    started from: if someone saved in between, nothing is saved and a clear
    message says why (optimistic locking). `targets` (optional) lists the
    target rows: with an `id` to change or (with `delete`) remove an existing
    open target, without one to add a target."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_update() got unexpected fields {sorted(unknown)}")
    locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if not locked.is_current:
        raise ValidationError("This version of the plan has been replaced and can no longer be changed")
    check_version(locked.lock_version, lock_version, "plan")
    values = {name: getattr(locked, name) for name in PLAN_FIELDS}
    values.update(fields)
    errors: dict = {}
    _check_dates(errors, values, start=locked.start_date)
    if errors:
        raise ValidationError(errors)
    if "coordinator" in fields and fields["coordinator"] is None:
        fields["coordinator"] = default_coordinator(locked.pupil)  # "The SENCo" on the form
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.lock_version += 1
    locked.full_clean(exclude=["pupil"])
    locked.save()
    if "next_review_date" in fields:
        # The open cycle's review falls due on the plan's review date.
        Cycle.objects.filter(plan=locked, closed_at__isnull=True).update(review_date=locked.next_review_date, updated_at=timezone.now())
    if targets is not None:
        _targets_apply(locked, targets)
    plan.lock_version = locked.lock_version
    return locked


def _targets_apply(plan: SupportPlan, rows: list[dict]) -> None:
    existing = {t.pk: t for t in plan.targets.open()}
    order = max([t.order for t in plan.targets.all()] or [0])
    open_cycle = plan.cycles.filter(closed_at__isnull=True).first()
    for raw in rows:
        target_id = raw.get("id")
        if target_id:
            target = existing.get(int(target_id))
            if target is None:
                raise ValidationError("One of the targets is no longer on this plan: open the plan again")
            if raw.get("delete") or not (raw.get("text") or "").strip():
                target.removed_at = timezone.now()
                target.save(update_fields=["removed_at", "updated_at"])
                if open_cycle:
                    open_cycle.targets.remove(target)
                continue
            row = _clean_targets([raw])[0]
            changed = False
            for key in TARGET_FIELDS:
                new = row.get(key) if key == "target_date" else (row.get(key) or "")
                if getattr(target, key) != new:
                    setattr(target, key, new)
                    changed = True
            if changed:
                target.full_clean(exclude=["plan", "carried_from"])
                target.save()
        else:
            if raw.get("delete"):
                continue
            for row in _clean_targets([raw]):
                order += 1
                target = _target_create(plan, row, order)
                if open_cycle:
                    open_cycle.targets.add(target)


@transaction.atomic
def plan_new_version(*, plan: SupportPlan, by, next_review_date: date | None = None, reason: str = "") -> SupportPlan:
    """Replace the current plan with a new version: the old one is kept
    (superseded); its text is copied; its unfinished targets are carried
    forward (each new target remembers the one it came from); a first cycle
    opens on the new version. An open cycle on the old plan is closed with
    the decision to change the plan."""
    old = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if not old.can_move_to(SupportPlan.Status.SUPERSEDED):
        raise ValidationError("Only the current plan can be replaced by a new version")
    now = timezone.now()
    for cycle in old.cycles.filter(closed_at__isnull=True):
        cycle.decision = Cycle.Decision.CHANGE_PLAN
        cycle.decision_notes = cycle.decision_notes or (reason or "A new version of the plan was started")
        cycle.closed_at = now
        cycle.closed_by = by
        cycle.save()
    old.status = SupportPlan.Status.SUPERSEDED
    old.ended_at = now
    old._change_reason = (reason or "New version")[:100]
    old.save()
    review = next_review_date or old.next_review_date
    if review < _today():
        raise ValidationError({"next_review_date": "Enter a next review date that is not in the past"})
    new = SupportPlan.objects.create(
        pupil=old.pupil,
        version=old.version + 1,
        start_date=_today(),
        next_review_date=review,
        coordinator=old.coordinator,
        created_by=by,
        **{name: getattr(old, name) for name in PLAN_FIELDS if name not in ("next_review_date", "coordinator")},
    )
    for order, target in enumerate(old.targets.open(), start=1):
        _target_create(new, {k: getattr(target, k) for k in TARGET_FIELDS}, order, carried_from=target)
    cycle_open(plan=new, by=by, review_date=review)
    return new


@transaction.atomic
def cycle_open(*, plan: SupportPlan, by, review_date: date, term=None, targets=None) -> Cycle:
    """Open the next assess-plan-do-review cycle on a current plan, with the
    plan's open targets unless others are chosen. One open cycle per plan."""
    if not plan.is_current:
        raise ValidationError("Cycles open only on the current plan")
    if Cycle.objects.filter(plan=plan, closed_at__isnull=True).exists():
        raise ValidationError("This plan already has an open review cycle: close it first")
    today = _today()
    if review_date is None or review_date < today:
        raise ValidationError({"review_date": "Enter a review date that is not in the past"})
    last = Cycle.objects.filter(plan=plan).order_by("-number").values_list("number", flat=True).first()
    cycle = Cycle.objects.create(
        plan=plan,
        number=(last or 0) + 1,
        term=term or term_containing(today) or current_term(today),
        opened_on=today,
        review_date=review_date,
    )
    cycle.targets.set(plan.targets.open() if targets is None else targets)
    if plan.next_review_date != review_date:
        plan.next_review_date = review_date
        plan.save(update_fields=["next_review_date", "updated_at"])
    return cycle


@transaction.atomic
def cycle_update(*, cycle: Cycle, by, lock_version=UNCHECKED, **fields) -> Cycle:
    """Record the assess, plan and do parts of an open cycle. A save from a
    version someone else has changed since is refused (send_register.locking)."""
    allowed = {"assess_evidence", "assess_data", "plan_notes", "do_delivered"}
    if set(fields) - allowed:
        raise TypeError(f"cycle_update() got unexpected fields {sorted(set(fields) - allowed)}")
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open:
        raise ValidationError("This cycle is closed and can no longer be changed")
    check_and_bump(cycle, lock_version, "cycle")
    for name, value in fields.items():
        setattr(cycle, name, (value or "").strip())
    cycle.full_clean(exclude=["plan", "term"])
    cycle.save()
    _touch(cycle.plan)
    return cycle


@transaction.atomic
def cycle_record_review(
    *,
    cycle: Cycle,
    by,
    meeting_date: date,
    attendees: str,
    outcomes: dict,
    parent_attended: bool = False,
    parent_views: str = "",
    pupil_views: str = "",
    do_delivered: str | None = None,
    lock_version=UNCHECKED,
) -> Cycle:
    """Record the review of an open cycle (CoP 6.52-6.56): each target's
    outcome with its evidence, who attended, the meeting date, and the
    parents' and pupil's views. `outcomes` maps target id -> (outcome,
    evidence). A meeting with the parents counts towards the three a year
    (CoP 6.65)."""
    cycle = Cycle.objects.select_for_update().select_related("plan").get(pk=cycle.pk)
    errors: dict = {}
    if not cycle.is_open:
        raise ValidationError("This cycle has been closed: its review can no longer be changed")
    check_and_bump(cycle, lock_version, "review")
    if meeting_date is None:
        errors["meeting_date"] = "Enter the date of the review meeting"
    elif meeting_date > _today():
        errors["meeting_date"] = "The meeting date cannot be in the future"
    if not (attendees or "").strip():
        errors["attendees"] = "Say who attended the review"
    target_ids = set(cycle.targets.values_list("pk", flat=True))
    valid = set(TargetReview.Outcome.values)
    for target_id, (outcome, _evidence) in outcomes.items():
        if int(target_id) not in target_ids:
            errors["__all__"] = "One of the targets is not part of this cycle"
        elif outcome and outcome not in valid:
            errors[f"outcome_{target_id}"] = "Choose achieved, partly achieved or not achieved"
    if errors:
        raise ValidationError(errors)

    cycle.meeting_date = meeting_date
    cycle.attendees = attendees.strip()
    cycle.parent_attended = parent_attended
    cycle.parent_views = (parent_views or "").strip()
    cycle.pupil_views = (pupil_views or "").strip()
    if do_delivered is not None:
        cycle.do_delivered = do_delivered.strip()
    cycle.save()
    for target_id, (outcome, evidence) in outcomes.items():
        if not outcome:
            TargetReview.objects.filter(cycle=cycle, target_id=int(target_id)).delete()
            continue
        TargetReview.objects.update_or_create(
            cycle=cycle, target_id=int(target_id), defaults={"outcome": outcome, "evidence": (evidence or "").strip()}
        )
    if parent_attended:
        ParentMeeting.objects.update_or_create(
            cycle=cycle,
            defaults={
                "pupil_id": cycle.plan.pupil_id,
                "date": meeting_date,
                "kind": ParentMeeting.Kind.REVIEW,
                "attendees": cycle.attendees,
                "recorded_by": by,
            },
        )
    else:
        ParentMeeting.objects.filter(cycle=cycle).delete()
    _touch(cycle.plan)
    return cycle


@transaction.atomic
def cycle_close(
    *,
    cycle: Cycle,
    by,
    decision: str,
    decision_notes: str = "",
    next_review_date: date | None = None,
    leave_to: str = SenStatus.NONE,
    effective_date: date | None = None,
) -> Cycle | None:
    """Close a reviewed cycle and act on the decision (CoP 6.54-6.56):

    - continue: open the next cycle on the same plan, unfinished targets
      carried forward;
    - change: start a new version of the plan (unfinished targets carried);
    - leave: the pupil leaves SEN support through the register service
      (removed, or back to monitoring); the plan ends;
    - ehc: recorded for the reviews app, which collects these decisions; the
      support continues in a new cycle while the request is considered.

    Achieved targets are marked achieved on the meeting date. Returns the next
    cycle, or None when the pupil leaves SEN support."""
    cycle = Cycle.objects.select_for_update().select_related("plan", "plan__pupil").get(pk=cycle.pk)
    plan = cycle.plan
    errors: dict = {}
    if not cycle.is_open:
        raise ValidationError("This cycle is already closed")
    if decision not in Cycle.Decision.values:
        errors["decision"] = "Choose what happens next"
    if cycle.meeting_date is None:
        errors["__all__"] = "Record the review (the meeting and each target's outcome) before closing the cycle"
    reviewed = set(cycle.target_reviews.values_list("target_id", flat=True))
    missing = cycle.targets.exclude(pk__in=reviewed).count()
    if missing:
        errors["__all__"] = f"Record an outcome for every target first ({missing} still to do)"
    if decision != Cycle.Decision.LEAVE:
        if next_review_date is None:
            errors["next_review_date"] = "Enter the date of the next review"
        elif next_review_date < _today():
            errors["next_review_date"] = "The next review cannot be in the past"
    if decision == Cycle.Decision.LEAVE:
        if plan.pupil.sen_status == SenStatus.EHC_PLAN:
            errors["decision"] = "This pupil has an EHC plan: ceasing it is decided at the annual review, not here"
        if leave_to not in (SenStatus.NONE, SenStatus.MONITORING):
            errors["leave_to"] = "Choose whether the pupil leaves the register or stays on it for monitoring"
        if not (decision_notes or "").strip():
            errors["decision_notes"] = "Give the reason the pupil no longer needs SEN support"
    if errors:
        raise ValidationError(errors)

    for review in cycle.target_reviews.select_related("target"):
        if review.outcome == TargetReview.Outcome.ACHIEVED and review.target.achieved_on is None:
            review.target.achieved_on = cycle.meeting_date
            review.target.save(update_fields=["achieved_on", "updated_at"])
    cycle.decision = decision
    cycle.decision_notes = (decision_notes or "").strip()
    cycle.closed_at = timezone.now()
    cycle.closed_by = by
    cycle.save()

    if decision == Cycle.Decision.LEAVE:
        pupil = plan.pupil
        if pupil.sen_status != leave_to:
            register_set_status(
                pupil=pupil,
                status=leave_to,
                effective_date=effective_date or cycle.meeting_date,
                reason=f"Support plan review: {cycle.decision_notes}",
                decided_by=by,
            )
        plan.refresh_from_db()
        plan.status = SupportPlan.Status.ENDED
        plan.ended_at = cycle.closed_at
        plan._change_reason = "Left SEN support at review"
        plan.save()
        return None
    if decision == Cycle.Decision.CHANGE_PLAN:
        new_plan = plan_new_version(plan=plan, by=by, next_review_date=next_review_date, reason=cycle.decision_notes)
        return new_plan.cycles.get(closed_at__isnull=True)
    # continue, or consider an EHC needs assessment while support goes on
    next_cycle = cycle_open(plan=plan, by=by, review_date=next_review_date)
    _touch(plan)
    return next_cycle


@transaction.atomic
def meeting_record(
    *, pupil: Pupil, by, date: date, kind: str = ParentMeeting.Kind.TERMLY, attendees: str = "",
    agreed_actions: str = "", copy_given_to_parent: bool = False,
) -> ParentMeeting:
    """Record a meeting with the pupil's parents (CoP 6.65; DOMAIN.md 5.3-5.4)."""
    errors = {}
    if date is None:
        errors["date"] = "Enter the date of the meeting"
    elif date > _today():
        errors["date"] = "The meeting date cannot be in the future"
    if not (attendees or "").strip():
        errors["attendees"] = "Say who attended"
    if errors:
        raise ValidationError(errors)
    meeting = ParentMeeting(
        pupil=pupil, date=date, kind=kind, attendees=attendees.strip(), agreed_actions=(agreed_actions or "").strip(),
        copy_given_to_parent=copy_given_to_parent, recorded_by=by,
    )
    meeting.full_clean(exclude=["pupil", "cycle"])
    meeting.save()
    return meeting


def _check_parent(plan: SupportPlan, parent) -> None:
    if not children_of(parent).filter(pk=plan.pupil_id).exists():
        raise ValidationError("Only the pupil's own parents can do this")
    if not plan.is_current:
        raise ValidationError("This version of the plan has been replaced")


@transaction.atomic
def parent_add_views(*, plan: SupportPlan, parent, text: str) -> ParentPlanView:
    """A parent adds their views before a review (CoP 6.64-6.65); they show on
    the review page of the open cycle, and the person responsible for the
    plan is told by email (after the commit; no child's name in it)."""
    _check_parent(plan, parent)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write your views before sending them"})
    if len(text) > 5000:
        raise ValidationError({"text": "Keep your views to 5,000 characters or fewer"})
    response = ParentPlanView.objects.create(
        plan=plan, parent=parent, kind=ParentPlanView.Kind.VIEWS, text=text,
        cycle=plan.cycles.filter(closed_at__isnull=True).first(),
    )
    _touch(plan)
    coordinator = plan.coordinator
    if coordinator is not None and coordinator.is_active and coordinator.email:
        queue_email(
            to=coordinator.email,
            subject="A parent has added their views to a support plan",
            body=render_to_string(
                "support_plans/email/parent_views.txt",
                {"coordinator": coordinator, "plan": plan, "school": School.get(), "path": reverse("support_plans:plan_detail", args=[plan.pk])},
            ),
            purpose="plan_parent_views",
            related_id=response.pk,
        )
    return response


@transaction.atomic
def parent_confirm_read(*, plan: SupportPlan, parent) -> ParentPlanView:
    """A parent confirms they have read this version of the plan. Dated once:
    confirming again keeps the first date."""
    _check_parent(plan, parent)
    existing = ParentPlanView.objects.filter(plan=plan, parent=parent, kind=ParentPlanView.Kind.READ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return ParentPlanView.objects.create(plan=plan, parent=parent, kind=ParentPlanView.Kind.READ)
    except IntegrityError:  # a double click: the other request recorded it
        return ParentPlanView.objects.get(plan=plan, parent=parent, kind=ParentPlanView.Kind.READ)


@transaction.atomic
@transaction.atomic
def bank_save(*, item: TargetBank | StrategyBank, by, lock_version=UNCHECKED, **fields) -> TargetBank | StrategyBank:
    """Create or change a bank target or strategy (maintained by the SENCo).
    A change from a version someone else has changed since is refused."""
    lock_row(item, lock_version, "bank entry")
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    if not item.pk:
        item.created_by = by
    item.full_clean()
    item.save()
    return item
