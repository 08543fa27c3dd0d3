"""Figures for publication: the register's counts as suppressed, display-ready
tables (DOMAIN.md 8.5) with the DfE statistics labels (DOMAIN.md 1.6).

A FigureTable holds only strings that may be published ("c" for a suppressed
count); it is JSON-serialisable so that a published version can keep it. The
chart values beside each table are the published numbers only (a suppressed
bar is not drawn).
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings

from pupils.models import YEAR_ORDER, BroadArea, NeedType, SenStatus, YearGroup
from send_register.calendar import today
from send_register.models import AcademicYear, School

from . import selectors
from .suppression import SuppressedTable, percentage, suppress_table, suppression_note

# DOMAIN.md 1.6: the labels DfE uses in its published SEN statistics.
EHC_LABEL = "Education, health and care plan"
SUPPORT_LABEL = "SEN support"
ANY_SEN_LABEL = "All pupils with special educational needs"
NO_SEN_LABEL = "No identified special educational need"
NO_PRIMARY_LABEL = "No primary need"
STATUS_COLUMNS = [EHC_LABEL, SUPPORT_LABEL]
SEN = (SenStatus.EHC_PLAN, SenStatus.SEN_SUPPORT)


def breakdown_minimum() -> int:
    # DOMAIN.md 8.5: do not break figures down when the group is small.
    return int(getattr(settings, "SEND_BREAKDOWN_MINIMUM", 10))


@dataclass
class FigureTable:
    key: str
    caption: str
    header: list[str]  # first entry heads the row labels
    rows: list[list[str]] = field(default_factory=list)  # first entry of each row is its label
    total_row: list[str] | None = None
    note: str = ""
    withheld: str = ""  # set when the breakdown is not published at all
    suppressed: bool = False
    chart: list[dict] = field(default_factory=list)  # {"label", "value" (int or None), "shown"}
    chart_caption: str = ""
    after_total: list[list[str]] = field(default_factory=list)  # context rows below the total (the whole roll)

    def as_dict(self) -> dict:
        return asdict(self)


def _chart(labels: list[str], cells, caption: str) -> tuple[list[dict], str]:
    return [
        {"label": label, "value": None if cell.suppressed else cell.value, "shown": cell.shown}
        for label, cell in zip(labels, cells)
    ], caption


def _table_from(
    key: str, caption: str, row_header: str, row_labels: list[str], columns: list[str], table: SuppressedTable,
    *, total_label: str = "Total", row_total_label: str = "Total", extra: dict | None = None,
) -> FigureTable:
    """Lay out a SuppressedTable. `extra` adds published-as-is columns:
    {"header": [...], "rows": [[...]], "total": [...]}."""
    header = [row_header, *columns]
    if table.row_totals is not None:
        header.append(row_total_label)
    if extra:
        header += extra["header"]
    rows = []
    for i, label in enumerate(row_labels):
        row = [label, *[c.shown for c in table.cells[i]]]
        if table.row_totals is not None:
            row.append(table.row_totals[i].shown)
        if extra:
            row += extra["rows"][i]
        rows.append(row)
    total_row = None
    if table.column_totals is not None:
        total_row = [total_label, *[c.shown for c in table.column_totals]]
        if table.grand_total is not None and table.row_totals is not None:
            total_row.append(table.grand_total.shown)
        if extra:
            total_row += extra.get("total", [""] * len(extra["header"]))
    return FigureTable(
        key=key, caption=caption, header=header, rows=rows, total_row=total_row,
        note=suppression_note() if table.any_suppressed else "", suppressed=table.any_suppressed,
    )


def status_table(groups: Counter) -> FigureTable:
    """`groups`: selectors.register_counts (pupils on roll by Group)."""
    counts = Counter()
    for g, n in groups.items():
        counts[g.status] += n
    roll = sum(groups.values())
    table = suppress_table([[counts[SenStatus.EHC_PLAN]], [counts[SenStatus.SEN_SUPPORT]]], column_totals=True)
    percents = [[_pct(table.cells[0][0], roll)], [_pct(table.cells[1][0], roll)]]
    total_pct = _pct(table.grand_total, roll) if table.grand_total else ""
    result = _table_from(
        "status", "Pupils with special educational needs", "Type of SEN provision", STATUS_COLUMNS,
        ["Pupils"], table, total_label=ANY_SEN_LABEL,
        extra={"header": ["Percentage of pupils on roll"], "rows": percents, "total": [total_pct]},
    )
    result.after_total.append(["All pupils on roll", str(roll), "100%"])
    result.chart, result.chart_caption = _chart(STATUS_COLUMNS, [table.cells[0][0], table.cells[1][0]], "Pupils by type of SEN provision")
    return result


def _pct(cell, whole: int, places: int = 1) -> str:
    """A percentage beside a count: 'c' when the count is suppressed (8.5)."""
    if cell.suppressed:
        return "c"
    return percentage(cell, whole, places) or "0%"


def _by_status(groups: Counter, key) -> dict:
    """Pupils with SEN (K and E) by key(group), then by status."""
    out: dict = {}
    for g, n in groups.items():
        if g.status in SEN:
            out.setdefault(key(g), Counter())[g.status] += n
    return out


def _withheld(key: str, caption: str, total: int) -> FigureTable | None:
    if total < breakdown_minimum():
        return FigureTable(
            key=key, caption=caption, header=[],
            withheld=f"Not broken down: there are fewer than {breakdown_minimum()} pupils with SEN, so a breakdown could identify them.",
        )
    return None


def need_table(groups: Counter, need_types: list[NeedType]) -> FigureTable:
    caption = "Pupils with SEN by primary need"
    counts = _by_status(groups, lambda f: f.primary_need or "")
    total = sum(sum(c.values()) for c in counts.values())
    if (withheld := _withheld("need", caption, total)) is not None:
        return withheld
    labels, body = [], []
    known = {n.code for n in need_types}
    for need in need_types:
        labels.append(need.label)
        body.append([counts.get(need.code, Counter())[s] for s in SEN])
    for code in sorted(set(counts) - known - {""}):  # a need type no longer listed
        labels.append(code)
        body.append([counts[code][s] for s in SEN])
    labels.append(NO_PRIMARY_LABEL)
    body.append([counts.get("", Counter())[s] for s in SEN])
    table = suppress_table(body, row_totals=True, column_totals=True)
    result = _table_from("need", caption, "Primary need", labels, STATUS_COLUMNS, table, row_total_label=ANY_SEN_LABEL)
    result.chart, result.chart_caption = _chart(labels, table.row_totals, "Pupils with SEN by primary need")
    return result


def area_table(groups: Counter, need_types: list[NeedType]) -> FigureTable:
    caption = "Pupils with SEN by broad area of need"
    area_of = {n.code: n.broad_area for n in need_types}
    counts = _by_status(groups, lambda f: area_of.get(f.primary_need, BroadArea.OTHER) if f.primary_need else "")
    total = sum(sum(c.values()) for c in counts.values())
    if (withheld := _withheld("area", caption, total)) is not None:
        return withheld
    keys = [*BroadArea.values, ""]
    labels = [*BroadArea.labels, NO_PRIMARY_LABEL]
    body = [[counts.get(k, Counter())[s] for s in SEN] for k in keys]
    table = suppress_table(body, row_totals=True, column_totals=True)
    result = _table_from("area", caption, "Broad area of need", labels, STATUS_COLUMNS, table, row_total_label=ANY_SEN_LABEL)
    result.chart, result.chart_caption = _chart(labels, table.row_totals, "Pupils with SEN by broad area of need")
    return result


def year_group_table(groups: Counter) -> FigureTable:
    caption = "Pupils with SEN by year group, against the whole school"
    counts = _by_status(groups, lambda f: f.year_group)
    total = sum(sum(c.values()) for c in counts.values())
    if (withheld := _withheld("year_group", caption, total)) is not None:
        return withheld
    roll = Counter()
    for g, n in groups.items():
        roll[g.year_group] += n
    whole = sum(groups.values())
    years = sorted(roll, key=lambda y: (YEAR_ORDER.get(y, 99), y))
    labels = [YearGroup(y).label if y in YearGroup.values else y for y in years]
    body = [[counts.get(y, Counter())[s] for s in SEN] for y in years]
    table = suppress_table(body, row_totals=True, column_totals=True)
    extra_rows = []
    for i, y in enumerate(years):
        sen = table.row_totals[i]
        extra_rows.append([str(roll[y]), _pct(sen, roll[y], 0)])
    grand = table.grand_total
    extra = {"header": ["Pupils on roll", "Percentage with SEN"], "rows": extra_rows,
             "total": [str(whole), _pct(grand, whole, 0)]}
    result = _table_from("year_group", caption, "Year group", labels, STATUS_COLUMNS, table, row_total_label=ANY_SEN_LABEL, extra=extra)
    result.chart, result.chart_caption = _chart(labels, table.row_totals, "Pupils with SEN by year group")
    return result


MOVEMENT_LABELS = [
    (selectors.ENTERED_SEN, "Started to receive SEN support or an EHC plan"),
    (selectors.LEFT_SEN, "No longer needed SEN provision"),
    (selectors.TO_EHC, "Moved from SEN support to an EHC plan"),
    (selectors.FROM_EHC, "Moved from an EHC plan to SEN support"),
]


def movement_table(start: date, end: date) -> FigureTable:
    moved = selectors.sen_movement(start, end)
    # No totals are published (a pupil can be in more than one row), so each
    # count stands alone and only primary suppression applies.
    table = suppress_table([[moved[k]] for k, _ in MOVEMENT_LABELS])
    labels = [label for _, label in MOVEMENT_LABELS]
    result = _table_from("movement", f"Movement on and off the SEN register, {start:%-d %B %Y} to {end:%-d %B %Y}",
                         "Change", labels, ["Pupils"], table)
    result.note = " ".join(x for x in ["A pupil may appear in more than one row.", result.note] if x)
    return result


def contacts(school: School) -> dict:
    return {
        "school": school.name,
        "senco_name": school.senco_name,
        "senco_email": school.senco_email,
        "senco_phone": school.senco_phone,
        "sen_governor": school.sen_governor,
        "headteacher": school.headteacher,
        "local_offer_url": school.local_offer_url,
        "accessibility_plan_url": school.accessibility_plan_url,
        "local_authority": school.local_authority,
    }


def as_at_for(year: AcademicYear) -> date:
    return min(today(), year.end)


def current_need_types(day: date) -> list[NeedType]:
    return [n for n in NeedType.objects.all() if n.is_current(day)]


def register_tables(year: AcademicYear, as_at: date | None = None) -> list[FigureTable]:
    as_at = as_at or as_at_for(year)
    groups = selectors.register_counts(as_at)
    need_types = current_need_types(as_at)
    return [
        status_table(groups),
        need_table(groups, need_types),
        area_table(groups, need_types),
        year_group_table(groups),
        movement_table(year.start, as_at),
    ]


def report_figures(year: AcademicYear, as_at: date | None = None) -> dict:
    """Every published figure of the year's report, suppressed, as JSON-ready data."""
    from . import provision  # the other apps' figures, each guarded

    as_at = as_at or as_at_for(year)
    tables = register_tables(year, as_at) + provision.provision_tables(year, as_at)
    return {"as_at": as_at.isoformat(), "tables": [t.as_dict() for t in tables]}
