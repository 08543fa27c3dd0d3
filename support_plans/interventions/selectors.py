"""Reads for the interventions pages. Costs are summed in the database (one
query per kind of figure, whatever the number of pupils or sessions), then
rounded in Python with calc.round_pence. The rules are in calc.py."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast

from pupils.models import BroadArea, Pupil

from . import calc
from .models import Intervention, Placement, PlacementPupil, Session, SessionAttendance

# The notional SEN budget: a mainstream school meets the first £6,000 a year
# of a pupil's additional support from it; above that the local authority
# provides top-up funding (CoP 6.99; ESFA high needs funding guidance). A
# setting, in pence, so that a change of the national figure needs no code.
NOTIONAL_THRESHOLD_PENCE = getattr(settings, "SEND_NOTIONAL_SEN_THRESHOLD_PENCE", 600_000)

EXIT_DUE_WITHIN_DAYS = 14


# -- costs, summed in the database -------------------------------------------

def _share_expression():
    # minutes x hourly cost / (60 x pupils present), as a float in SQL (integer
    # division would truncate on both SQLite and PostgreSQL).
    return Cast(F("session__minutes") * F("session__hourly_cost_pence"), FloatField()) / Cast(
        F("session__pupils_present") * 60, FloatField()
    )


def member_costs(*, placement_ids=None, pupil_ids=None, start: date | None = None, end: date | None = None) -> dict:
    """{(placement_id, pupil_id): {"staff": float pence, "attended": n, "held": n, "minutes": n}}
    over sessions from `start` to `end`: the pupil's share of the sessions
    they attended, how many they attended out of those held while they were
    in the group (those with an attendance row), and the minutes attended."""
    qs = SessionAttendance.objects.all()
    if placement_ids is not None:
        qs = qs.filter(session__placement_id__in=placement_ids)
    if pupil_ids is not None:
        qs = qs.filter(pupil_id__in=pupil_ids)
    if start is not None:
        qs = qs.filter(session__date__gte=start)
    if end is not None:
        qs = qs.filter(session__date__lte=end)
    attended = Q(attended=True)
    rows = qs.values("session__placement_id", "pupil_id").annotate(
        staff=Sum(_share_expression(), filter=attended),
        attended_count=Count("id", filter=attended),
        held=Count("id"),
        minutes=Sum("session__minutes", filter=attended),
    )
    return {
        (r["session__placement_id"], r["pupil_id"]): {
            "staff": r["staff"] or 0.0, "attended": r["attended_count"], "held": r["held"], "minutes": r["minutes"] or 0,
        }
        for r in rows
    }


def session_totals(*, start: date, end: date, group_by: str = "placement__intervention_id") -> dict:
    """{key: {"sessions", "minutes", "staff_pence"}} of every session held from
    `start` to `end` (with or without pupils present: calc docstring)."""
    rows = (
        Session.objects.filter(date__gte=start, date__lte=end)
        .values(group_by)
        .annotate(n=Count("id"), minute_pence=Sum(F("minutes") * F("hourly_cost_pence")), total_minutes=Sum("minutes"))
    )
    return {
        r[group_by]: {"sessions": r["n"], "minutes": r["total_minutes"] or 0, "staff_pence": Decimal(r["minute_pence"] or 0) / 60}
        for r in rows
    }


def joins_by_intervention(*, start: date, end: date) -> dict:
    """{intervention_id: pupils who joined a group from `start` to `end`} (the
    other cost is counted when a pupil joins: calc docstring)."""
    rows = (
        PlacementPupil.objects.filter(joined_on__gte=start, joined_on__lte=end)
        .values("placement__intervention_id")
        .annotate(n=Count("id"))
    )
    return {r["placement__intervention_id"]: r["n"] for r in rows}


# -- placements --------------------------------------------------------------

def placement_rows(queryset):
    """A placement list: the intervention, staff, pupils now, sessions held and
    the last one, in one query."""
    return (
        queryset.select_related("intervention", "staff")
        .annotate(
            pupil_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            session_count=Count("sessions", distinct=True),
            last_session=Max("sessions__date"),
        )
        .order_by(F("ended_on").desc(nulls_first=True), "-start", "pk")
    )


@dataclass
class MemberRow:
    member: PlacementPupil
    attended: int = 0
    held: int = 0
    minutes: int = 0
    cost_pence: int | None = None
    impact: calc.Impact | None = None
    can_see_results: bool = False

    @property
    def attendance_percent(self):
        return calc.share(self.attended, self.held)


def member_impact(member: PlacementPupil, intervention: Intervention) -> calc.Impact | None:
    if not member.has_completed or member.entry_date is None or member.exit_date is None:
        return None
    return calc.impact(
        measure=intervention.measure, entry=member.entry_value, entry_date=member.entry_date,
        exit=member.exit_value, exit_date=member.exit_date, expected=intervention.expected_gain,
    )


def placement_members(placement: Placement, *, visible_ids: set | None, plan_ids: set | None, with_costs: bool) -> tuple[list[MemberRow], int]:
    """The members of a placement a user may see (visible_ids None = all),
    with attendance, impact and (for managers) cost; and how many are hidden."""
    members = list(placement.members.select_related("pupil", "pupil__form"))
    facts = member_costs(placement_ids=[placement.pk])
    intervention = placement.intervention
    rows, hidden = [], 0
    for m in members:
        if visible_ids is not None and m.pupil_id not in visible_ids:
            hidden += 1
            continue
        f = facts.get((placement.pk, m.pupil_id), {})
        row = MemberRow(
            member=m, attended=f.get("attended", 0), held=f.get("held", 0), minutes=f.get("minutes", 0),
            can_see_results=plan_ids is None or m.pupil_id in plan_ids,
        )
        if row.can_see_results:
            row.impact = member_impact(m, intervention)
        if with_costs:
            row.cost_pence = calc.round_pence(Decimal(str(f.get("staff", 0.0))) + intervention.other_cost_pence)
        rows.append(row)
    return rows, hidden


def placement_cost_pence(placement: Placement) -> int:
    """Everything this placement has cost so far (calc.placement_cost_pence)."""
    agg = placement.sessions.aggregate(minute_pence=Sum(F("minutes") * F("hourly_cost_pence")))
    staff = Decimal(agg["minute_pence"] or 0) / 60
    return calc.round_pence(staff + placement.members.count() * placement.intervention.other_cost_pence)


def current_member_ids(placement: Placement, on: date) -> list[int]:
    return list(
        placement.members.filter(joined_on__lte=on).exclude(left_on__lt=on).values_list("pupil_id", flat=True)
    )


# -- the whole-school provision map ------------------------------------------

@dataclass
class MapRow:
    intervention: Intervention
    pupils: int = 0
    groups: int = 0
    staff: list = field(default_factory=list)
    hours_term: Decimal = Decimal(0)
    cost_term: int = 0
    cost_year: int = 0


@dataclass
class MapArea:
    code: str
    label: str
    waves: list  # [(wave label, [MapRow])]
    pupils: int = 0
    cost_term: int = 0
    cost_year: int = 0


def _period_cost(intervention: Intervention, sessions: dict, joins: dict) -> int:
    staff = sessions.get(intervention.pk, {}).get("staff_pence", Decimal(0))
    return calc.round_pence(staff + joins.get(intervention.pk, 0) * intervention.other_cost_pence)


def provision_map(*, term_start: date, term_end: date, year_start: date, year_end: date) -> dict:
    """The whole-school map by broad area of need and wave: each intervention
    running this year with its pupils, staffing and cost this term and year.
    A fixed number of queries whatever the size of the school."""
    interventions = list(Intervention.objects.all())
    # No model ordering (by pupil name): it would join every pupil into the counts below.
    in_year = PlacementPupil.objects.filter(joined_on__lte=year_end).exclude(left_on__lt=year_start).order_by()
    pupils = {
        r["placement__intervention_id"]: r["n"]
        for r in in_year.values("placement__intervention_id").annotate(n=Count("pupil", distinct=True))
    }
    total_pupils = in_year.values("pupil").distinct().count()
    placements = Placement.objects.filter(start__lte=year_end).exclude(ended_on__lt=year_start)
    staff, groups = defaultdict(set), defaultdict(int)
    for r in placements.values("intervention_id", "staff__full_name").annotate(n=Count("id")):
        staff[r["intervention_id"]].add(r["staff__full_name"])
        groups[r["intervention_id"]] += r["n"]
    s_term, s_year = session_totals(start=term_start, end=term_end), session_totals(start=year_start, end=year_end)
    j_term, j_year = joins_by_intervention(start=term_start, end=term_end), joins_by_intervention(start=year_start, end=year_end)

    by_area: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for i in interventions:
        row = MapRow(
            intervention=i, pupils=pupils.get(i.pk, 0), groups=groups.get(i.pk, 0), staff=sorted(staff.get(i.pk, ())),
            hours_term=(Decimal(s_term.get(i.pk, {}).get("minutes", 0)) / 60).quantize(Decimal("0.1")),
            cost_term=_period_cost(i, s_term, j_term), cost_year=_period_cost(i, s_year, j_year),
        )
        if not i.is_active and not row.pupils and not row.cost_year:
            continue
        by_area[i.broad_area][i.wave].append(row)
    areas = []
    for code, label in BroadArea.choices:
        if code not in by_area:
            continue
        waves = [(Intervention.Wave(w).label, by_area[code][w]) for w in sorted(by_area[code])]
        rows = [r for _, rs in waves for r in rs]
        areas.append(MapArea(
            code=code, label=label, waves=waves, pupils=sum(r.pupils for r in rows),
            cost_term=sum(r.cost_term for r in rows), cost_year=sum(r.cost_year for r in rows),
        ))
    return {
        "areas": areas,
        "total_pupils": total_pupils,
        "total_term": sum(a.cost_term for a in areas),
        "total_year": sum(a.cost_year for a in areas),
    }


# -- one pupil's costed provision map ----------------------------------------

@dataclass
class PupilMapRow:
    member: PlacementPupil
    attended: int
    held: int
    minutes: int
    staff_pence: int
    other_pence: int

    @property
    def total_pence(self) -> int:
        return self.staff_pence + self.other_pence

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))


def pupil_provision(*, pupil: Pupil, start: date, end: date) -> dict:
    """Everything additional `pupil` received from `start` to `end`, with its
    cost, and the total against the notional SEN budget threshold."""
    members = list(
        PlacementPupil.objects.filter(pupil=pupil, joined_on__lte=end)
        .exclude(left_on__lt=start)
        .select_related("placement__intervention", "placement__staff")
        .order_by("joined_on", "pk")
    )
    facts = member_costs(pupil_ids=[pupil.pk], start=start, end=end)
    rows = []
    for m in members:
        f = facts.get((m.placement_id, pupil.pk), {})
        other = m.placement.intervention.other_cost_pence if start <= m.joined_on <= end else 0
        rows.append(PupilMapRow(
            member=m, attended=f.get("attended", 0), held=f.get("held", 0), minutes=f.get("minutes", 0),
            staff_pence=calc.round_pence(f.get("staff", 0.0)), other_pence=other,
        ))
    total = sum(r.total_pence for r in rows)
    return {
        "rows": rows,
        "total": total,
        "threshold": NOTIONAL_THRESHOLD_PENCE,
        "over_threshold": max(0, total - NOTIONAL_THRESHOLD_PENCE),
        "remaining": max(0, NOTIONAL_THRESHOLD_PENCE - total),
        "percent_of_threshold": min(100, int(total * 100 / NOTIONAL_THRESHOLD_PENCE)) if NOTIONAL_THRESHOLD_PENCE else 0,
    }


# -- effectiveness -------------------------------------------------------------

@dataclass
class EffectRow:
    intervention: Intervention
    completed: int = 0
    met: int = 0
    scores: list = field(default_factory=list)
    gains: list = field(default_factory=list)
    cost_pence: int = 0

    @property
    def average_score(self) -> Decimal | None:
        return (sum(self.scores) / len(self.scores)).quantize(Decimal("0.01")) if self.scores else None

    @property
    def average_gain(self) -> Decimal | None:
        return (sum(self.gains) / len(self.gains)).quantize(Decimal("0.1")) if self.gains else None

    @property
    def met_percent(self):
        return calc.share(self.met, len(self.scores))

    @property
    def cost_per_pupil(self) -> int | None:
        return calc.round_pence(Decimal(self.cost_pence) / self.completed) if self.completed else None

    @property
    def cost_per_unit(self) -> int | None:
        return calc.cost_per_unit(self.cost_pence, sum(self.gains, Decimal(0)))


def effectiveness(*, start: date, end: date) -> list[EffectRow]:
    """For each intervention, the pupils who completed it (exit assessment
    from `start` to `end`): how many, their average impact, the share that
    met the expected gain, and what their places cost in all (per pupil and
    per month, point or step gained)."""
    completers = list(
        PlacementPupil.objects.filter(
            entry_value__isnull=False, exit_value__isnull=False, exit_date__gte=start, exit_date__lte=end,
        ).select_related("placement__intervention")
    )
    facts = member_costs(
        placement_ids={m.placement_id for m in completers}, pupil_ids={m.pupil_id for m in completers}
    ) if completers else {}
    rows: dict[int, EffectRow] = {}
    for m in completers:
        intervention = m.placement.intervention
        row = rows.setdefault(intervention.pk, EffectRow(intervention=intervention))
        row.completed += 1
        staff = facts.get((m.placement_id, m.pupil_id), {}).get("staff", 0.0)
        row.cost_pence += calc.round_pence(Decimal(str(staff)) + intervention.other_cost_pence)
        result = member_impact(m, intervention)
        if result is None:
            continue
        row.gains.append(result.gain)
        if result.score is not None:
            row.scores.append(result.score)
            row.met += bool(result.meets_expected)
    return sorted(rows.values(), key=lambda r: (r.intervention.broad_area, r.intervention.wave, r.intervention.name))


# -- panels and sections ---------------------------------------------------------

def groups_run_by(user):
    """The open placements `user` runs, for their home page."""
    return placement_rows(Placement.objects.filter(staff=user, ended_on__isnull=True))


def exits_due(*, on: date, within_days: int = EXIT_DUE_WITHIN_DAYS):
    """Open placements whose planned end (the exit assessment) is past or
    within `within_days`, with pupils still awaiting their exit assessment."""
    return (
        Placement.objects.filter(ended_on__isnull=True, planned_end__lte=on + timedelta(days=within_days))
        .select_related("intervention", "staff")
        .annotate(awaiting=Count("members", filter=Q(members__exit_value__isnull=True, members__left_on__isnull=True)))
        .filter(awaiting__gt=0)
        .order_by("planned_end", "pk")
    )


def pupil_places(pupil: Pupil):
    """A pupil's places, newest first, for the staff and parent pages."""
    return list(
        PlacementPupil.objects.filter(pupil=pupil)
        .select_related("placement__intervention", "placement__staff")
        .order_by(F("left_on").desc(nulls_first=True), "-joined_on")
    )
