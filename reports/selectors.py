"""Reads for the reports: who was on roll and on the register on a given day,
what moved during a period. Raw counts only; reports.figures turns them into
suppressed tables for publication. Each function runs a fixed number of
queries whatever the number of pupils. The published figures are counted in
the database (GROUP BY and conditional counts: a few hundred rows at most
come back, at 100,000 pupils as at 2,000; docs/performance.md); the analysis
page, which names pupils, fetches one row a pupil (snapshot)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Subquery

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
        # At most one open primary need a pupil (a database constraint), so
        # every open one is fetched: only the pupils on roll are looked up
        # below, and a list of every pupil's id in the query cost more than
        # the rows it left out (docs/performance.md).
        needs = dict(
            PupilNeed.objects.filter(end_date__isnull=True, rank=PupilNeed.Rank.PRIMARY)
            .order_by().values_list("pupil_id", "need_type_id")
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


class Group(NamedTuple):
    """Pupils on roll alike in what the published figures break down by."""

    status: str
    year_group: str
    primary_need: str  # need type code, or "" (none recorded, or not on the register)


def count_facts(facts: list[PupilFacts]) -> Counter:
    """A snapshot counted as register_counts counts it."""
    return Counter(Group(f.status, f.year_group, f.primary_need) for f in facts)


def entries_in_force(day: date):
    """The register entries that give pupils their status on a past day: of
    each pupil's entries active that day, the one that began first, as
    snapshot reads them (entries overlap only after a backdated return to the
    register). An anti-join, so the database counts them in one pass."""
    earlier = RegisterEntry.objects.filter(_active_on(day), pupil_id=OuterRef("pupil_id")).filter(
        Q(start_date__lt=OuterRef("start_date")) | Q(start_date=OuterRef("start_date"), pk__lt=OuterRef("pk"))
    )
    return RegisterEntry.objects.filter(_active_on(day)).filter(~Exists(earlier)).order_by()


def register_counts(day: date) -> Counter:
    """Pupils on roll on `day` counted by Group (status, year group, primary
    need), in the database: the same figures as count_facts(snapshot(day)),
    from queries returning a row per group instead of one per pupil."""
    pupils = Pupil.objects.filter(on_roll_q(day)).order_by()
    counts: Counter = Counter()
    if day >= today():
        # At most one open primary need a pupil (a database constraint): a
        # LEFT JOIN on it counts each pupil once.
        rows = pupils.annotate(
            open_primary=FilteredRelation("needs", condition=Q(needs__end_date__isnull=True, needs__rank=PupilNeed.Rank.PRIMARY)),
        ).values_list("sen_status", "year_group", "open_primary__need_type_id").annotate(n=Count("pk"))
        for s, year_group, need, n in rows:
            counts[Group(s, year_group, (need or "") if s in ON_REGISTER else "")] += n
        return counts
    # A past day, from the history: the pupils on the register that day by
    # their entry in force, with the primary need snapshot would keep (the
    # last in the need types' order, should two overlap); everyone else on
    # roll has no SEN that day.
    need = Subquery(
        PupilNeed.objects.filter(_active_on(day), pupil_id=OuterRef("pupil_id"), rank=PupilNeed.Rank.PRIMARY)
        .order_by("-need_type__sort_order").values("need_type_id")[:1]
    )
    on_register = Counter()
    rows = (
        entries_in_force(day).filter(on_roll_q(day, "pupil__")).annotate(need=need)
        .values_list("status", "pupil__year_group", "need").annotate(n=Count("pk"))
    )
    for s, year_group, need_type, n in rows:
        counts[Group(s, year_group, (need_type or "") if s in ON_REGISTER else "")] += n
        on_register[year_group] += n
    for year_group, n in pupils.values_list("year_group").annotate(n=Count("pk")):
        if n > on_register[year_group]:
            counts[Group(SenStatus.NONE, year_group, "")] += n - on_register[year_group]
    return counts


def register_over_time(days: list[date]) -> list[dict]:
    """For each day: pupils on roll, and on the register by status. Counted in
    the database: one query for the roll on every day (and today's statuses),
    and one for each past day's statuses from the register history."""
    now = today()
    statuses = (SenStatus.EHC_PLAN, SenStatus.SEN_SUPPORT, SenStatus.MONITORING)
    sums = {}
    for i, day in enumerate(days):
        sums[f"roll{i}"] = Count("pk", filter=on_roll_q(day))
        if day >= now:
            for s in statuses:
                sums[f"{s}{i}"] = Count("pk", filter=on_roll_q(day) & Q(sen_status=s))
    totals = Pupil.objects.order_by().aggregate(**sums) if sums else {}
    out = []
    for i, day in enumerate(days):
        if day >= now:
            counts = {s: totals[f"{s}{i}"] for s in statuses}
        else:
            # Each pupil on roll that day counts once, by their entry in force.
            counts = dict(
                entries_in_force(day).filter(on_roll_q(day, "pupil__")).values_list("status").annotate(n=Count("pk"))
            )
        out.append({"day": day, "roll": totals[f"roll{i}"], "E": counts.get(SenStatus.EHC_PLAN, 0),
                    "K": counts.get(SenStatus.SEN_SUPPORT, 0), "M": counts.get(SenStatus.MONITORING, 0)})
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
