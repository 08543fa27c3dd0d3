"""The governors' dashboard: aggregates only, never a name, UPN or date of
birth, and small numbers suppressed (DOMAIN.md 8.5) as in the published
report, because governors are outside the staff who may see pupils."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from send_register import datacache
from send_register.calendar import current_term, today
from send_register.models import AcademicYear

from . import figures, provision, selectors
from .analysis import terms_to_date
from .figures import STATUS_COLUMNS, FigureTable, _pct, _table_from
from .models import InformationReport, ParentSurvey
from .suppression import suppress_table, suppression_note


def register_over_time_table(limit: int = 6) -> FigureTable:
    terms = terms_to_date(limit)
    caption = "Pupils with SEN at the end of each term, against the whole school"
    if not terms:
        return FigureTable(key="over_time", caption=caption, header=[], withheld="No terms have been set up yet.")
    points = [min(t.end, today()) for t in terms]
    history = selectors.register_over_time(points)
    labels = [f"{t.get_name_display()} {t.academic_year.name}" for t in terms]
    table = suppress_table([[h["E"], h["K"]] for h in history], row_totals=True)
    extra_rows = [[str(h["roll"]), _pct(table.row_totals[i], h["roll"])] for i, h in enumerate(history)]
    result = _table_from(
        "over_time", caption, "Term", labels, STATUS_COLUMNS, table, row_total_label=figures.ANY_SEN_LABEL,
        extra={"header": ["Pupils on roll", "Percentage with SEN"], "rows": extra_rows},
    )
    result.chart, result.chart_caption = figures._chart(labels, table.row_totals, "Pupils with SEN by term")
    return result


def survey_table(year: AcademicYear | None) -> FigureTable | None:
    surveys = list(ParentSurvey.objects.filter(academic_year__in=_recent_years(year)).order_by("taken_on"))
    if not surveys:
        return None
    labels = [f"{s.taken_on:%-d %B %Y}: {s.question}" for s in surveys]
    table = suppress_table([[s.satisfied, s.responses - s.satisfied] for s in surveys], row_totals=True)
    # No percentage from a suppressed count, nor one that gives away a small
    # number of dissatisfied parents (8.5).
    extra = {"header": ["Percentage satisfied"], "rows": [
        ["c" if table.row_totals[i].suppressed or table.cells[i][0].suppressed or table.cells[i][1].suppressed
         else _pct(table.cells[i][0], s.responses, 0)]
        for i, s in enumerate(surveys)
    ]}
    result = _table_from("surveys", "Parents' satisfaction surveys", "Survey", labels,
                         ["Agreed or strongly agreed", "Did not agree"], table, row_total_label="Parents who answered", extra=extra)
    result.chart = [
        {"label": label, "value": None if extra["rows"][i][0] in ("c", "0%") or not s.responses else round(100 * s.satisfied / s.responses),
         "shown": extra["rows"][i][0]}
        for i, (label, s) in enumerate(zip(labels, surveys))
    ]
    result.chart_caption = "Percentage of parents satisfied"
    if table.any_suppressed:
        result.note = suppression_note().replace("pupils", "parents")
    return result


def _recent_years(year):
    if year is None:
        return AcademicYear.objects.none()
    return AcademicYear.objects.filter(start__lte=year.start).order_by("-start")[:2]


def dashboard_figures() -> dict:
    """Every figure on the dashboard, suppressed, as plain data: the same for
    every reader (governors see aggregates only), so it can be cached."""
    term = current_term()
    year = term.academic_year if term else AcademicYear.objects.filter(start__lte=today()).order_by("-start").first()
    tables = [register_over_time_table()]
    if year is not None:
        as_at = figures.as_at_for(year)
        register = figures.register_tables(year, as_at)
        tables += [t for t in register if t.key in ("status", "need", "area", "year_group", "movement")]
        tables += provision.provision_tables(year, as_at, dashboard=True)
    survey = survey_table(year)
    tables = [t.as_dict() for t in tables]
    survey = survey.as_dict() if survey else None
    return {
        "year_name": year.name if year else "",
        "tables": tables,
        "survey": survey,
        # Drawn here, once per change, rather than on every request: the
        # tables and their charts are most of the page's work (some 600
        # template nodes a table; docs/performance.md).
        "tables_html": render_to_string("reports/partials/governors_tables.html", {"tables": tables}),
        "survey_html": render_to_string("reports/partials/governors_survey.html", {"survey": survey}),
    }


def dashboard() -> dict:
    """The dashboard's figures and the information reports. The figures (and
    their small-number suppression) change only when the SEND data changes,
    so they are worked out once per change and day (send_register.datacache:
    any save or delete in the SEND apps moves the data's version, and the key
    holds today's date, so no figure outlives a change; docs/performance.md).
    The reports list stays live: its PDF jobs are not SEND data."""
    data = datacache.cached("governors-figures", dashboard_figures)
    reports = InformationReport.objects.select_related("academic_year").order_by("-academic_year__start")
    return {
        **data,
        # Rendered by our own templates (autoescaped) from the cached figures.
        "tables_html": mark_safe(data["tables_html"]),
        "survey_html": mark_safe(data["survey_html"]),
        "reports": list(reports),
    }
