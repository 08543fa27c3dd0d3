"""Reads for the reports: who was on roll and on the register on a given day,
what moved during a period. Raw counts only; reports.figures turns them into
suppressed tables for publication. Each function runs a fixed number of
queries whatever the number of pupils (it fetches values, then counts in
Python)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from pupils.models import ON_REGISTER, Pupil, PupilNeed, RegisterEntry, RegisterEvent, SenStatus
from send_register.calendar import today


@dataclass(frozen=True)
class PupilFacts:
    """One pupil on roll on a day, without name, UPN or date of birth."""

    pk: int
    status: str
    year_group: str
    sex: str
    eal: bool
    pupil_premium: bool
    primary_need: str  # need type code, or "" when none is recorded


def on_roll_q(day: date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}admission_date__isnull": True}) | Q(**{f"{prefix}admission_date__lte": day})) & (
        Q(**{f"{prefix}leaving_date__isnull": True}) | Q(**{f"{prefix}leaving_date__gt": day})
    )


def _active_on(day: date) -> Q:
    # A register entry or need that ends on a day has been replaced that day.
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


def snapshot(day: date) -> list[PupilFacts]:
    """Every pupil on roll on `day` with their register status and primary need
    on that day. Today and later: the current status; earlier days: the
    register history (RegisterEntry and PupilNeed rows). Three queries."""
    rows = list(
        Pupil.objects.filter(on_roll_q(day)).values_list(
            "pk", "sen_status", "year_group", "sex", "eal", "pupil_premium"
        )
    )
    current = day >= today()
    if current:
        status = {pk: s for pk, s, *_ in rows}
        needs = dict(
            PupilNeed.objects.filter(end_date__isnull=True, rank=PupilNeed.Rank.PRIMARY, pupil__in=[r[0] for r in rows])
            .values_list("pupil_id", "need_type_id")
        ) if rows else {}
    else:
        status = dict(RegisterEntry.objects.filter(_active_on(day)).values_list("pupil_id", "status"))
        needs = dict(
            PupilNeed.objects.filter(_active_on(day), rank=PupilNeed.Rank.PRIMARY).values_list("pupil_id", "need_type_id")
        )
    facts = []
    for pk, _current_status, year_group, sex, eal, pp in rows:
        s = status.get(pk, SenStatus.NONE)
        facts.append(PupilFacts(pk, s, year_group, sex, eal, pp, needs.get(pk, "") if s in ON_REGISTER else ""))
    return facts


def status_counts(facts: list[PupilFacts]) -> Counter:
    return Counter(f.status for f in facts)


def register_over_time(days: list[date]) -> list[dict]:
    """For each day: pupils on roll, and on the register by status. Two queries
    for any number of days (entries and the roll are fetched once)."""
    now = today()
    pupils = list(Pupil.objects.values_list("pk", "admission_date", "leaving_date", "sen_status"))
    entries = list(RegisterEntry.objects.values_list("pupil_id", "status", "start_date", "end_date"))
    out = []
    for day in days:
        roll = {pk: s for pk, admitted, left, s in pupils if (admitted is None or admitted <= day) and (left is None or left > day)}
        if day >= now:
            status = roll
        else:
            status = {}
            for pupil_id, s, start, end in entries:
                if start <= day and (end is None or end > day):
                    status[pupil_id] = s
        counts = Counter(status.get(pk, SenStatus.NONE) for pk in roll)
        out.append({"day": day, "roll": len(roll), "E": counts[SenStatus.EHC_PLAN], "K": counts[SenStatus.SEN_SUPPORT],
                    "M": counts[SenStatus.MONITORING]})
    return out


# Movement, in census terms (DOMAIN.md 1.1): monitoring counts as no SEN.
ENTERED_SEN = "entered"
LEFT_SEN = "left"
TO_EHC = "to_ehc"
FROM_EHC = "from_ehc"


def movement_kind(from_status: str, to_status: str) -> str | None:
    before, after = SenStatus.census_code(from_status), SenStatus.census_code(to_status)
    if before == after:
        return None
    if before == SenStatus.NONE:
        return ENTERED_SEN
    if after == SenStatus.NONE:
        return LEFT_SEN
    return TO_EHC if after == SenStatus.EHC_PLAN else FROM_EHC


def register_events(start: date, end: date):
    """Placements, status changes and removals with effective dates in [start, end]."""
    return RegisterEvent.objects.filter(
        effective_date__gte=start, effective_date__lte=end,
        kind__in=[RegisterEvent.Kind.PLACED, RegisterEvent.Kind.STATUS_CHANGED, RegisterEvent.Kind.REMOVED],
    )


def sen_movement(start: date, end: date) -> dict[str, int]:
    """Distinct pupils who joined SEN (K/E), left it, moved K to E or E to K
    between `start` and `end`. One query."""
    seen: dict[str, set] = {ENTERED_SEN: set(), LEFT_SEN: set(), TO_EHC: set(), FROM_EHC: set()}
    for pupil_id, before, after in register_events(start, end).values_list("pupil_id", "from_status", "to_status"):
        kind = movement_kind(before, after)
        if kind:
            seen[kind].add(pupil_id)
    return {k: len(v) for k, v in seen.items()}


def register_movement(start: date, end: date) -> dict[str, int]:
    """The register as the SENCo keeps it (monitoring included): distinct pupils
    placed on it, removed from it, and whose status changed. One query."""
    seen = {RegisterEvent.Kind.PLACED: set(), RegisterEvent.Kind.REMOVED: set(), RegisterEvent.Kind.STATUS_CHANGED: set()}
    for pupil_id, kind in register_events(start, end).values_list("pupil_id", "kind"):
        seen[kind].add(pupil_id)
    return {"placed": len(seen[RegisterEvent.Kind.PLACED]), "removed": len(seen[RegisterEvent.Kind.REMOVED]),
            "changed": len(seen[RegisterEvent.Kind.STATUS_CHANGED])}
