"""Register analysis for the SENCo and head: the monitoring criteria of the
Derwent policy, appendix A ("the register is audited, analysed and any
appropriate action taken"; "there is movement on the register, both up and
down"; representation of groups). These pages name pupils, so they are for
the SENCo and head only (reports.access.can_see_analysis); nothing here is
published, so nothing is suppressed."""

from collections import Counter
from datetime import date

from pupils.models import ON_REGISTER, Pupil, PupilNeed, RegisterEvent, SenStatus, YEAR_ORDER, YearGroup
from send_register.calendar import today
from send_register.models import Term

from . import provision, selectors


def terms_to_date(limit: int = 6) -> list[Term]:
    """The latest terms that have started, oldest first."""
    terms = list(Term.objects.select_related("academic_year").filter(start__lte=today()).order_by("-start")[:limit])
    return list(reversed(terms))


def term_movement(terms: list[Term]) -> list[dict]:
    rows = []
    for term in terms:
        end = min(term.end, today())
        moved = selectors.register_movement(term.start, end)
        rows.append({"term": term, "end": end, **moved})
    return rows


def movement_events(term: Term):
    """The events of one term, with the pupil (names: SENCo and head only)."""
    return (
        selectors.register_events(term.start, min(term.end, today()))
        .select_related("pupil", "pupil__form")
        .order_by("effective_date", "pk")
    )


def sen_without_primary_need():
    """K and E pupils with no primary need recorded (census rule 2170 would reject them)."""
    has_primary = PupilNeed.objects.filter(end_date__isnull=True, rank=PupilNeed.Rank.PRIMARY).values("pupil_id")
    return (
        Pupil.objects.on_roll().filter(sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .exclude(pk__in=has_primary).select_related("form").order_by("legal_last_name", "legal_first_name")
    )


GROUPS = [
    ("pupil_premium", "Pupil premium", [(True, "Pupil premium"), (False, "Not pupil premium")]),
    ("eal", "English as an additional language", [(True, "English as an additional language"), (False, "English as a first language")]),
    ("sex", "Sex", [("F", "Female"), ("M", "Male")]),
]


def _row(label: str, members: list) -> dict:
    counts = Counter(f.status for f in members)
    e, k = counts[SenStatus.EHC_PLAN], counts[SenStatus.SEN_SUPPORT]
    return {"label": label, "roll": len(members), "E": e, "K": k, "M": counts[SenStatus.MONITORING], "sen": e + k}


def representation(facts: list[selectors.PupilFacts]) -> list[dict]:
    """For each characteristic: each group's share of the roll against its
    share of pupils with SEN, and the rate of SEN within the group."""
    all_sen = sum(1 for f in facts if f.status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN))
    roll = len(facts)
    sections = []
    groups = list(GROUPS)
    years = sorted({f.year_group for f in facts}, key=lambda y: YEAR_ORDER.get(y, 99))
    groups.append(("year_group", "Year group", [(y, YearGroup(y).label if y in YearGroup.values else y) for y in years]))
    for attr, title, values in groups:
        rows = []
        for value, label in values:
            row = _row(label, [f for f in facts if getattr(f, attr) == value])
            row["share_of_roll"] = _pct(row["roll"], roll)
            row["share_of_sen"] = _pct(row["sen"], all_sen)
            row["rate"] = _pct(row["sen"], row["roll"])
            rows.append(row)
        total = _row("Whole school", facts)
        total.update(share_of_roll="100%" if roll else "", share_of_sen="100%" if all_sen else "", rate=_pct(all_sen, roll))
        sections.append({"key": attr, "title": title, "rows": rows, "total": total})
    return sections


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def analysis(day: date | None = None) -> dict:
    day = day or today()
    facts = selectors.snapshot(day)
    terms = terms_to_date()
    current = terms[-1] if terms else None
    return {
        "as_at": day,
        "movement": term_movement(terms),
        "current_term": current,
        "events": list(movement_events(current)) if current else [],
        "no_primary_need": list(sen_without_primary_need()),
        "ehc_without_review_date": provision.ehc_without_review_date(),
        "support_without_review": provision.support_without_review_this_term(current),
        "representation": representation(facts),
        "on_register": sum(1 for f in facts if f.status in ON_REGISTER),
        "roll": len(facts),
        "event_kinds": RegisterEvent.Kind,
    }
