"""Figures from the apps that record provision: interventions (support_plans.
interventions), support-plan reviews (support_plans) and EHC annual reviews
(reviews). Each figure is guarded: an app whose models are not there gives
no table (or None), and an app with no data gives zeros, so that the report
always renders. Counts go through reports.suppression like every published
figure (DOMAIN.md 8.5); money is shown only beside an unsuppressed count."""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q

from pupils.models import BroadArea, Pupil, SenStatus
from send_register.models import AcademicYear

from .figures import FigureTable, _chart, _pct, _table_from
from .suppression import suppress_table

# -- guarded imports -------------------------------------------------------------


def _interventions():
    try:
        from support_plans.interventions import models, selectors

        return models, selectors
    except (ImportError, AttributeError):
        return None


def _support_plans():
    try:
        from support_plans import models

        models.Cycle  # noqa: B018 (the model this module reads)
        return models
    except (ImportError, AttributeError):
        return None


def _reviews():
    try:
        from reviews import models

        models.EHCPlan  # noqa: B018
        models.AnnualReview  # noqa: B018
        return models
    except (ImportError, AttributeError):
        return None


def _money(pence: int) -> str:
    return f"£{Decimal(pence) / 100:,.2f}"


# -- interventions ----------------------------------------------------------------

def intervention_places(year_start: date, end: date, effect_rows: list | None = None) -> dict | None:
    """Places in interventions during the period, by broad area: places taken,
    completed (entry and exit assessed in the period) and meeting the expected
    progress. None when the interventions app is not there. `effect_rows`:
    selectors.effectiveness for the same period, when the caller has it."""
    found = _interventions()
    if found is None:
        return None
    models, selectors = found
    # Counted in the database, and without the model's ordering (by the
    # pupil's name: a join with every pupil for nothing).
    taken = Counter(dict(
        models.PlacementPupil.objects.filter(joined_on__lte=end).exclude(left_on__lt=year_start).order_by()
        .values_list("placement__intervention__broad_area").annotate(n=Count("pk"))
    ))
    completed, scored, met = Counter(), Counter(), Counter()
    rows = effect_rows if effect_rows is not None else selectors.effectiveness(start=year_start, end=end)
    for row in rows:
        area = row.intervention.broad_area
        completed[area] += row.completed
        scored[area] += len(row.scores)
        met[area] += row.met
    return {"taken": taken, "completed": completed, "scored": scored, "met": met}


def _small_either_way(part: int, whole: int) -> bool:
    from .suppression import default_threshold, is_small

    return is_small(part, default_threshold()) or is_small(whole - part, default_threshold())


def _met_share(met, scored: int) -> str:
    """The share meeting the expected progress. The number assessed is not
    published, so the percentage is withheld when it would give away a small
    number either way: few meeting it, or few not meeting it (8.5)."""
    if not scored:
        return "–"
    if met.suppressed or _small_either_way(met.value, scored):
        return "c"
    return _pct(met, scored, 0)


def intervention_table(year_start: date, end: date, effect_rows: list | None = None) -> FigureTable | None:
    data = intervention_places(year_start, end, effect_rows)
    if data is None:
        return None
    areas = [(code, label) for code, label in BroadArea.choices]
    body = [[data["taken"][c], data["completed"][c], data["met"][c]] for c, _ in areas]
    # Columns add up down the areas, so the column totals are published and
    # take part in the suppression; the columns are nested (completed within
    # taken), not parts of a row total, so there is no row total.
    table = suppress_table(body, column_totals=True)
    extra_rows = []
    for i, (code, _) in enumerate(areas):
        extra_rows.append([_met_share(table.cells[i][2], data["scored"][code])])
    total_scored = sum(data["scored"].values())
    extra = {"header": ["Percentage of assessed places meeting the expected progress"], "rows": extra_rows,
             "total": [_met_share(table.column_totals[2], total_scored)]}
    result = _table_from(
        "interventions", "Interventions delivered and their effectiveness, by broad area of need",
        "Broad area of need", [label for _, label in areas],
        ["Places taken", "Places completed with entry and exit assessments", "Met the expected progress"], table, extra=extra,
    )
    result.note = " ".join(x for x in ["A pupil may take more than one place.", result.note] if x)
    result.chart, result.chart_caption = _chart([label for _, label in areas], [r[0] for r in table.cells], "Places taken in interventions")
    return result


def intervention_spending_table(year: AcademicYear, end: date, effect_rows: list | None = None) -> FigureTable | None:
    """Governors: what interventions cost this year, by broad area, and each
    intervention's effectiveness. An intervention with few pupils shows 'c'
    for its counts and no average or cost per pupil (8.5)."""
    found = _interventions()
    if found is None:
        return None
    models, selectors = found
    rows = effect_rows if effect_rows is not None else selectors.effectiveness(start=year.start, end=end)
    if not rows:
        return FigureTable(key="effectiveness", caption="Effectiveness and cost of each intervention", header=[],
                           withheld="No intervention has finished with entry and exit assessments this year.")
    table = suppress_table([[r.completed] for r in rows])
    labels, out_rows = [], []
    for i, r in enumerate(rows):
        cell = table.cells[i][0]
        small = cell.suppressed
        labels.append(r.intervention.name)
        out_rows.append([
            r.intervention.name, cell.shown,
            "c" if small or r.met_percent is None or _small_either_way(r.met, len(r.scores)) else f"{r.met_percent}%",
            "c" if small or r.average_gain is None else f"{r.average_gain} {r.intervention.gain_unit}s",
            "c" if small or r.cost_per_pupil is None else _money(r.cost_per_pupil),
        ])
    result = FigureTable(
        key="effectiveness", caption="Effectiveness and cost of each intervention (places completed this year)",
        header=["Intervention", "Places completed", "Met the expected progress", "Average gain", "Cost per place"],
        rows=out_rows, suppressed=table.any_suppressed,
        note="c: not shown because fewer than 5 pupils completed it, so the figures could describe individual pupils." if table.any_suppressed else "",
    )
    return result


def spending_table(year: AcademicYear, end: date) -> FigureTable | None:
    found = _interventions()
    if found is None:
        return None
    models, selectors = found
    data = selectors.provision_map(term_start=year.start, term_end=end, year_start=year.start, year_end=end)
    by_area = {a.code: a for a in data["areas"]}
    labels, body, costs = [], [], []
    for code, label in BroadArea.choices:
        area = by_area.get(code)
        labels.append(label)
        body.append([area.pupils if area else 0])
        costs.append(area.cost_year if area else 0)
    # Areas add up to the total row (a pupil in two areas counts in both), so
    # the total takes part in the suppression; a cost is hidden with its count.
    table = suppress_table(body, column_totals=True)
    out_rows = []
    for i, label in enumerate(labels):
        cell = table.cells[i][0]
        out_rows.append([label, cell.shown, "c" if cell.suppressed else _money(costs[i])])
    total = table.column_totals[0]
    total_row = ["All interventions", total.shown, _money(data["total_year"])]
    result = FigureTable(
        key="spending", caption=f"Spending on interventions in {year.name} so far, by broad area of need",
        header=["Broad area of need", "Pupils", "Cost so far"], rows=out_rows, total_row=total_row,
        suppressed=table.any_suppressed,
        note="A pupil in interventions in two areas is counted in both. Costs are staff time delivered plus materials. "
        + ("c: not shown to protect pupils' privacy (fewer than 5 pupils, or a figure that would give one away)." if table.any_suppressed else ""),
    )
    result.chart = [
        {"label": label, "value": None if table.cells[i][0].suppressed else round(costs[i] / 100), "shown": out_rows[i][2]}
        for i, label in enumerate(labels)
    ]
    result.chart_caption = "Cost of interventions by broad area (pounds)"
    return result


# -- reviews ----------------------------------------------------------------------

def support_plan_reviews(start: date, end: date) -> dict | None:
    """Support-plan reviews falling due from `start` to `end`: held on time
    (meeting on or before the due date), held late, not yet held; and, of the
    reviews held, those a parent took part in."""
    models = _support_plans()
    if models is None:
        return None
    # Counted in the database (docs/performance.md); a count of none is left
    # out, as a Counter leaves it out.
    due = models.Cycle.objects.filter(review_date__gte=start, review_date__lte=end).order_by().aggregate(
        not_held=Count("pk", filter=Q(meeting_date__isnull=True)),
        on_time=Count("pk", filter=Q(meeting_date__lte=F("review_date"))),
        late=Count("pk", filter=Q(meeting_date__gt=F("review_date"))),
    )
    held = models.Cycle.objects.filter(meeting_date__gte=start, meeting_date__lte=end).order_by().aggregate(
        attended=Count("pk", filter=Q(parent_attended=True)), absent=Count("pk", filter=Q(parent_attended=False)),
    )
    return {**{k: n for k, n in due.items() if n}, "parent_attended": held["attended"], "parent_absent": held["absent"]}


HELD = ("held", "report_sent", "decided")


def ehc_annual_reviews(start: date, end: date) -> dict | None:
    """EHC annual reviews falling due from `start` to `end`: held on time
    (within 12 months of the plan's issue or last full review, CFA s.44,
    DOMAIN.md 4.1, with the offset reviews/deadlines.py uses), held late, and
    plans whose 12 months ran out in the period with no review held; and, of
    the reviews held in the period, those a parent attended."""
    models = _reviews()
    if models is None:
        return None
    add_twelve_months = _annual_due_rule()
    counts = Counter()
    attended = Counter()
    # Plain values, not model instances (thousands of plans and reviews at a
    # large school; docs/performance.md): whether a parent attended is worked
    # out in the database, for the reviews held, the only ones it is asked of.
    parent_there = models.ReviewInvitee.objects.filter(review_id=OuterRef("pk"), role="parent", attended=True)
    reviews_of: dict[int, list] = {}
    held = (
        models.AnnualReview.objects.filter(status__in=HELD)
        .annotate(parent=Exists(parent_there)).order_by()
        .values_list("plan_id", "meeting_date", "pk", "kind", "parent")
    )
    for plan_id, *review in held:
        reviews_of.setdefault(plan_id, []).append(review)
    for pk, issued_on, last_review_on, status in models.EHCPlan.objects.order_by().values_list(
        "pk", "issued_on", "last_review_on", "status"
    ):
        anchor = max(d for d in (issued_on, last_review_on) if d)
        for meeting_date, _pk, kind, parent in sorted(reviews_of.get(pk, ())):
            if start <= meeting_date <= end:
                attended[parent] += 1
            if kind not in ("annual", "transfer", "early") or meeting_date <= anchor:
                continue
            due = add_twelve_months(anchor)
            if start <= meeting_date <= end or start <= due <= end:
                counts["on_time" if meeting_date <= due else "late"] += 1
            anchor = meeting_date
        due = add_twelve_months(anchor)
        if status == "in_force" and start <= due <= end and due < end:
            counts["not_held"] += 1
    return {**counts, "parent_attended": attended[True], "parent_absent": attended[False]}


def _annual_due_rule():
    """The 12-month rule from reviews/deadlines.py, or a plain year."""
    try:
        from reviews import deadlines
        from reviews.models import ReviewSettings

        rule = deadlines.rules(ReviewSettings.get())["ar_due"]
        return rule.apply
    except (ImportError, AttributeError, KeyError):
        return _add_year


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _share(part, whole) -> str:
    """part/whole as a percentage: 'c' if either count is suppressed (8.5),
    a dash when there is nothing to divide by."""
    if part.suppressed or whole.suppressed:
        return "c"
    if not whole.value:
        return "–"
    return _pct(part, whole.value, 0)


def review_counts(start: date, end: date) -> tuple[dict | None, dict | None]:
    """Support-plan reviews and EHC annual reviews, for reviews_table and
    attendance_table (read once when both are drawn)."""
    return support_plan_reviews(start, end), ehc_annual_reviews(start, end)


def reviews_table(start: date, end: date, counts: tuple | None = None) -> FigureTable | None:
    plans, ehc = counts or review_counts(start, end)
    rows, labels = [], []
    if plans is not None:
        labels.append("Support plan reviews")
        rows.append([plans.get("on_time", 0), plans.get("late", 0), plans.get("not_held", 0)])
    if ehc is not None:
        labels.append("EHC plan annual reviews")
        rows.append([ehc.get("on_time", 0), ehc.get("late", 0), ehc.get("not_held", 0)])
    if not rows:
        return None
    table = suppress_table(rows, row_totals=True)
    result = _table_from(
        "reviews", f"Reviews that fell due from {start:%-d %B %Y} to {end:%-d %B %Y}", "Review", labels,
        ["Held on time", "Held late", "Not yet held"], table, row_total_label="Fell due",
        extra={"header": ["Percentage held on time"], "rows": [[_share(table.cells[i][0], table.row_totals[i])] for i in range(len(rows))]},
    )
    result.chart, result.chart_caption = _chart(labels, [r[0] for r in table.cells], "Reviews held on time")
    return result


def attendance_table(start: date, end: date, counts: tuple | None = None) -> FigureTable | None:
    plans, ehc = counts or review_counts(start, end)
    rows, labels = [], []
    if plans is not None:
        labels.append("Support plan reviews")
        rows.append([plans["parent_attended"], plans["parent_absent"]])
    if ehc is not None:
        labels.append("EHC plan annual reviews")
        rows.append([ehc["parent_attended"], ehc["parent_absent"]])
    if not rows:
        return None
    table = suppress_table(rows, row_totals=True)
    extra_rows = [[_share(table.cells[i][0], table.row_totals[i])] for i in range(len(rows))]
    result = _table_from(
        "attendance", "Parents' attendance at reviews held this year", "Review", labels,
        ["A parent took part", "No parent took part"], table, row_total_label="Reviews held",
        extra={"header": ["Percentage with a parent"], "rows": extra_rows},
    )
    return result


# -- lists for the SENCo's analysis (names: SENCo and head only) ----------------------

def ehc_without_review_date() -> list | None:
    """E pupils on roll with no EHC plan in force to date their annual review
    from. None while the reviews app has no EHC plan model to ask."""
    models = _reviews()
    if models is None:
        return None
    in_force = models.EHCPlan.objects.filter(ceased_on__isnull=True).values("pupil_id")
    return list(
        Pupil.objects.on_roll().filter(sen_status=SenStatus.EHC_PLAN).exclude(pk__in=in_force)
        .select_related("form").order_by("legal_last_name", "legal_first_name")
    )


def support_without_review_this_term(term) -> list | None:
    """K pupils on roll with no support-plan review due or held this term.
    None while the support_plans app has no review cycles to ask."""
    models = _support_plans()
    if models is None or term is None:
        return None
    reviewed = models.Cycle.objects.filter(
        Q(review_date__gte=term.start, review_date__lte=term.end) | Q(meeting_date__gte=term.start, meeting_date__lte=term.end)
    ).values("plan__pupil_id")
    return list(
        Pupil.objects.on_roll().filter(sen_status=SenStatus.SEN_SUPPORT).exclude(pk__in=reviewed)
        .select_related("form").order_by("legal_last_name", "legal_first_name")
    )


# -- all together ---------------------------------------------------------------------

def provision_tables(year: AcademicYear, as_at: date, dashboard: bool = False) -> list:
    # What two tables both read is read once.
    found = _interventions()
    effect_rows = found[1].effectiveness(start=year.start, end=as_at) if found is not None else None
    reviews = review_counts(year.start, as_at)
    tables = [
        intervention_table(year.start, as_at, effect_rows),
        reviews_table(year.start, as_at, reviews),
        attendance_table(year.start, as_at, reviews),
    ]
    if dashboard:
        tables += [spending_table(year, as_at), intervention_spending_table(year, as_at, effect_rows)]
    return [t for t in tables if t is not None]
