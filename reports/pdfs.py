"""The reports' PDF kinds, registered with send_register.pdf in
ReportsConfig.ready(). WeasyPrint writes them tagged (pdf/ua-1, set in
send_register/pdf.py); the templates use real headings, text and tables with
<th> so that a screen reader can follow them."""

import hashlib
from datetime import date

from django.db.models import Count, Max

from pupils.models import ON_REGISTER, Pupil, PupilNeed, RegisterEvent, SenStatus
from send_register.calendar import today
from send_register.models import School, Term
from send_register.pdf import PdfKind, register_pdf_kind

from . import figures
from .access import can_get_termly_register, can_read_reports
from .models import InformationReport
from .schedule import ORDER, SPECS, Item

REPORT_KIND = "sen_information_report"

# Which published tables illustrate which item.
ITEM_TABLES = {"1": ("area",), "3a": ("interventions",), "3b": ("reviews",), "7": ("attendance",)}
REGISTER_KIND = "termly_register"


def _report(report_id: int) -> InformationReport | None:
    return InformationReport.objects.select_related("academic_year").filter(pk=report_id).first()


def report_document(report: InformationReport, *, published: bool | None = None, version=None) -> dict:
    """What a reader of the report sees: the latest published version for a
    published report (or when `published` is asked for: the public page shows
    it even while the next draft is being written), the live draft otherwise.
    Aggregates only."""
    school = School.get()
    if published is None:
        published = report.is_published
    if version is None and published:
        version = report.latest_version()
    if version is not None:
        answers, contacts, figs = version.answers, version.contacts, version.figures
        dates = {"governor_approval_date": version.governor_approval_date, "published_on": version.published_on,
                 "next_review_date": version.next_review_date, "version": version.number}
    else:
        answers = {a.item: a.text for a in report.answers.all()}
        contacts = figures.contacts(school)
        figs = figures.report_figures(report.academic_year)
        dates = {"governor_approval_date": report.governor_approval_date, "published_on": None,
                 "next_review_date": report.next_review_date, "version": None}
    tables = figs.get("tables", [])
    items = document_items(answers, contacts)
    attached = set()
    for item in items:
        # The figures that back an item sit under it (DOMAIN.md 7.2: item 1
        # from the needs, 3(a) and 3(b) from interventions and reviews).
        item["tables"] = [t for t in tables if t.get("key") in ITEM_TABLES.get(item["key"], ())]
        attached.update(t["key"] for t in item["tables"])
    return {
        "report": report,
        "draft": version is None,
        "items": items,
        "contacts": contacts,
        "figures": figs,
        "tables": [t for t in tables if t.get("key") not in attached],
        "as_at": date.fromisoformat(figs["as_at"]) if figs.get("as_at") else None,
        **dates,
    }


def document_items(answers: dict, contacts: dict) -> list[dict]:
    items = []
    for item in ORDER:
        items.append({
            "key": item,
            "title": Item(item).label,
            "text": answers.get(item, ""),
            "spec": SPECS[item],
            "senco": SPECS[item].filled_by == "senco",
            "local_offer": SPECS[item].filled_by == "local_offer",
            "accessibility_plan": SPECS[item].filled_by == "accessibility_plan",
        })
    return items


def _report_context(report_id: int) -> dict:
    report = _report(report_id)
    if report is None:
        raise ValueError("No such report")
    context = report_document(report)
    context["school"] = School.get()
    context["document_title"] = f"SEN information report {report.academic_year.name}"
    return context


def _report_version(report_id: int, live_figures: dict | None = None) -> str:
    """Changes whenever the PDF would: a new published version, or for a
    draft, its answers, its dates, the school's contacts or the live figures
    (pass them in when already computed, to save computing them twice)."""
    report = _report(report_id)
    if report is None:
        return ""
    if report.is_published:
        version = report.latest_version()
        return f"published-{version.pk if version else 0}"
    # A draft changes with its answers and with the register.
    stamp = report.answers.aggregate(m=Max("updated_at"))["m"]
    live = live_figures if live_figures is not None else figures.report_figures(report.academic_year)
    digest = hashlib.sha256(repr(live).encode()).hexdigest()[:16]
    school = School.get()
    return f"draft-{report.updated_at.timestamp()}-{stamp.timestamp() if stamp else 0}-{school.updated_at.timestamp()}-{digest}"


def _report_can_request(user, report_id: int) -> bool:
    return can_read_reports(user) and InformationReport.objects.filter(pk=report_id).exists()


def _report_filename(report_id: int) -> str:
    report = _report(report_id)
    return f"sen-information-report-{report.slug if report else report_id}.pdf"


# -- the termly register -------------------------------------------------------

def register_rows(day):
    """Summary tier only: name, class, status and needs of each pupil on the
    register (ARCHITECTURE.md: the whole staff sees the termly register)."""
    pupils = (
        Pupil.objects.filter(leaving_date__isnull=True, sen_status__in=ON_REGISTER)
        .with_summary().order_by("form__name", "legal_last_name", "legal_first_name")
    )
    rows = []
    for pupil in pupils:
        rows.append({
            "name": pupil.display_name,
            "form": pupil.form.name if pupil.form else "",
            "year": pupil.get_year_group_display(),
            "status": pupil.get_sen_status_display(),
            "needs": [n.need_type.label + (" (primary)" if n.rank == PupilNeed.Rank.PRIMARY else "") for n in pupil.current_needs],
        })
    return rows


def _register_context(term_id: int) -> dict:
    term = Term.objects.select_related("academic_year").get(pk=term_id)
    rows = register_rows(today())
    counts = {s.label: sum(1 for r in rows if r["status"] == s.label) for s in (SenStatus.EHC_PLAN, SenStatus.SEN_SUPPORT, SenStatus.MONITORING)}
    return {
        "term": term,
        "rows": rows,
        "counts": counts,
        "as_at": today(),
        "school": School.get(),
        "document_title": f"SEND register, {term}",
    }


def _register_version(term_id: int) -> str:
    stats = Pupil.objects.filter(sen_status__in=ON_REGISTER).aggregate(n=Count("pk"), m=Max("updated_at"))
    last_event = RegisterEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    last_need = PupilNeed.objects.aggregate(m=Max("updated_at"))["m"]
    return f"{term_id}-{today()}-{stats['n']}-{stats['m']}-{last_event}-{last_need}"


def _register_can_request(user, term_id: int) -> bool:
    return can_get_termly_register(user) and Term.objects.filter(pk=term_id).exists()


def register_kinds() -> None:
    register_pdf_kind(PdfKind(
        kind=REPORT_KIND,
        template="reports/pdf/information_report.html",
        context=_report_context,
        can_request=_report_can_request,
        filename=_report_filename,
        title="SEN information report",
        version=_report_version,
    ))
    register_pdf_kind(PdfKind(
        kind=REGISTER_KIND,
        template="reports/pdf/termly_register.html",
        context=_register_context,
        can_request=_register_can_request,
        filename=lambda term_id: f"send-register-term-{term_id}.pdf",
        title="Termly SEND register",
        version=_register_version,
    ))
