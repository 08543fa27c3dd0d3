"""THE one place that computes what falls due (ARCHITECTURE.md, STYLE.md).

Every date rule is a `Rule`: an anchor, an offset and a unit, whether the law
requires it (statutory) or it is good practice, and where it comes from. The
reminder job, the due page, the home panel, the pupil page and the reports all
ask this module; nothing else does date arithmetic on deadlines.

Day-counting (DOMAIN.md 0, [U]): "weeks" are calendar weeks; "15 days
beginning with the day of service" counts that day as day 1 (service + 14);
"12 months" is the same day a year later, or the last day of the month when
that day does not exist (a plan issued on 29 February 2024 is due on 28
February 2025).

Two halves:
- pure functions (no database) that take dates and return dates: the rules
  themselves, tested from a table of hand-computed cases;
- collectors that read the database in a fixed number of queries (never one
  per pupil) and return `DueItem`s.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db.models import F, Q
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str  # the DueItem kind it produces (see KINDS)
    title: str
    anchor: str  # what the offset counts from, in words
    offset: int
    unit: str  # "days", "weeks", "months", or "fixed" (a calendar date: offset = month*100 + day)
    statutory: bool
    source_ref: str

    def apply(self, anchor: date) -> date:
        return shift(anchor, self.offset, self.unit)

    @property
    def label(self) -> str:
        return "Statutory" if self.statutory else "Good practice"


def shift(day: date, offset: int, unit: str) -> date:
    if unit == "days":
        return day + timedelta(days=offset)
    if unit == "weeks":
        return day + timedelta(weeks=offset)
    if unit == "months":
        # relativedelta clamps to the end of a shorter month (29 Feb + 12 months = 28 Feb).
        return day + relativedelta(months=offset)
    if unit == "fixed":
        month, dom = divmod(offset, 100)
        return date(day.year, month, dom)
    raise ValueError(f"unknown unit {unit}")


class Kind:
    ANNUAL_REVIEW = "annual_review"
    INTERIM_REVIEW = "interim_review"
    PHASE_TRANSFER = "phase_transfer"
    EHC_REQUEST = "ehc_request"
    SUPPORT_PLAN = "support_plan"
    CONCERN = "concern"
    INTERVENTION = "intervention"
    PARENTS_TOLD = "parents_told"


KINDS = [
    (Kind.ANNUAL_REVIEW, "EHC annual reviews"),
    (Kind.INTERIM_REVIEW, "Reviews for children under 5"),
    (Kind.PHASE_TRANSFER, "Phase-transfer reviews"),
    (Kind.EHC_REQUEST, "EHC needs assessments"),
    (Kind.SUPPORT_PLAN, "Support plan reviews"),
    (Kind.CONCERN, "Concern reviews"),
    (Kind.INTERVENTION, "Intervention exit assessments"),
    (Kind.PARENTS_TOLD, "Parents to tell about SEN support"),
]

_R = Rule
DEFAULT_RULES: dict[str, Rule] = {r.key: r for r in [
    # ---- EHC needs assessment (DOMAIN.md 3) ------------------------------
    _R("req_decision", Kind.EHC_REQUEST, "LA decides whether to assess", "the LA receives the request",
       6, "weeks", True, "SEND Regs 2014 reg 5 (DOMAIN.md 3 A1)"),
    _R("req_advice", Kind.EHC_REQUEST, "School's advice to the LA", "the LA asks for advice (or the request, if not recorded)",
       6, "weeks", True, "SEND Regs 2014 reg 8 (DOMAIN.md 3 A2)"),
    _R("req_no_plan", Kind.EHC_REQUEST, "LA says if it will not issue a plan (draft usually by now)", "the LA receives the request",
       16, "weeks", True, "SEND Regs 2014 reg 10 (DOMAIN.md 3 A3)"),
    _R("req_draft_comments", Kind.EHC_REQUEST, "Comments on the draft plan", "the draft is served (day 1)",
       14, "days", True, "SEND Regs 2014 reg 13(1): at least 15 days counting the day of service (DOMAIN.md 3 A4)"),
    _R("req_final", Kind.EHC_REQUEST, "LA issues the final plan", "the LA receives the request",
       20, "weeks", True, "SEND Regs 2014 reg 13(2) (DOMAIN.md 3 A5)"),
    # ---- Annual review clock (DOMAIN.md 4.1, 4.4) ------------------------
    _R("ar_due", Kind.ANNUAL_REVIEW, "Annual review due (12 months)", "the plan was issued or last reviewed",
       12, "months", True, "CFA 2014 s.44; CoP 9.166 (DOMAIN.md 4.1 R1)"),
    _R("ar_latest_meeting", Kind.ANNUAL_REVIEW, "Hold the annual review meeting", "the 12-month date",
       -4, "weeks", False, "DOMAIN.md 4.4: leaves the LA its 4 weeks (R9) inside the 12 months"),
    _R("ar_target_meeting", Kind.ANNUAL_REVIEW, "Book the annual review meeting (target date)", "the latest meeting date",
       -4, "weeks", False, "DOMAIN.md 4.4: buffer before the latest meeting date (school setting)"),
    # ---- Steps of one review (DOMAIN.md 4.1 R4-R12) ----------------------
    _R("ar_advice_request", Kind.ANNUAL_REVIEW, "Ask for advice for the review", "the meeting date",
       -6, "weeks", False, "Local practice (DOMAIN.md 4.4): lets advisers reply before circulation"),
    _R("ar_invite", Kind.ANNUAL_REVIEW, "Invite everyone to the review meeting", "the meeting date",
       -2, "weeks", True, "SEND Regs 2014 reg 20(3)"),
    _R("ar_circulate", Kind.ANNUAL_REVIEW, "Send the advice to everyone invited", "the meeting date",
       -2, "weeks", True, "SEND Regs 2014 reg 20(4)"),
    _R("ar_meeting", Kind.ANNUAL_REVIEW, "Review meeting", "the meeting date",
       0, "days", True, "SEND Regs 2014 reg 20(5)"),
    _R("ar_report", Kind.ANNUAL_REVIEW, "Send the review report to the LA", "the meeting date",
       2, "weeks", True, "SEND Regs 2014 reg 20(7)-(8) (DOMAIN.md 4.1 R8)"),
    _R("ar_la_decision", Kind.ANNUAL_REVIEW, "LA's decision after the review", "the meeting date",
       4, "weeks", True, "SEND Regs 2014 reg 20(10); CoP 9.176 (DOMAIN.md 4.1 R9, R10)"),
    _R("ar_amend_comments", Kind.ANNUAL_REVIEW, "Comments on the proposed amendments", "the amendment notice (day 1)",
       14, "days", True, "SEND Regs 2014 reg 22(2): at least 15 days (DOMAIN.md 4.1 R11)"),
    _R("ar_amended_final", Kind.ANNUAL_REVIEW, "LA issues the amended plan", "the amendment notice",
       8, "weeks", True, "SEND Regs 2014 reg 22(3) (DOMAIN.md 4.1 R12)"),
    # ---- Under 5 (DOMAIN.md 4.3) -----------------------------------------
    _R("interim_review", Kind.INTERIM_REVIEW, "Review for a child under 5", "the plan was issued or last reviewed",
       6, "months", False, "CoP 9.178: every 3 to 6 months (school setting)"),
    # ---- Phase transfer (DOMAIN.md 4.2) ----------------------------------
    _R("pt_final", Kind.PHASE_TRANSFER, "Plan amended to name the next school", "the calendar year of transfer",
       215, "fixed", True, "SEND Regs 2014 reg 18(1)(a): before 15 February"),
    _R("pt_final_post16", Kind.PHASE_TRANSFER, "Plan amended to name the post-16 setting", "the calendar year of transfer",
       331, "fixed", True, "SEND Regs 2014 reg 18(1)(b): before 31 March"),
    _R("pt_meeting", Kind.PHASE_TRANSFER, "Hold the phase-transfer review meeting", "the transfer deadline",
       -12, "weeks", False, "DOMAIN.md 4.2: 8 weeks to amend (reg 22(3)) + 4 weeks to decide (R9)"),
    # ---- SEN support and the rest (DOMAIN.md 5) --------------------------
    _R("sp_review", Kind.SUPPORT_PLAN, "Support plan review", "the plan's next review date",
       0, "days", False, "CoP 6.52-6.54, review on the agreed date (DOMAIN.md 5.2)"),
    _R("cycle_review", Kind.SUPPORT_PLAN, "Assess-plan-do-review cycle review", "the cycle's review date",
       0, "days", False, "CoP 6.44-6.56 (DOMAIN.md 5.2)"),
    _R("concern_review", Kind.CONCERN, "Concern review", "the agreed review date",
       0, "days", False, "Derwent SEND policy appendix B (DOMAIN.md 5.1)"),
    _R("intervention_exit", Kind.INTERVENTION, "Intervention exit assessment", "the placement's planned end",
       0, "days", False, "CoP 6.56: review the impact of interventions"),
    _R("parents_told", Kind.PARENTS_TOLD, "Tell the parents about the register decision", "the decision",
       0, "days", True, "Children and Families Act 2014 s.68; CoP 6.2"),
]}


def rules(config=None) -> dict[str, Rule]:
    """The rules with the school's settings applied: the under-5 interval and
    the meeting buffer are review settings; an installation may also change a
    rule's offset in Django settings, e.g. for an LA with its own timetable:

        REVIEWS_RULE_OVERRIDES = {"ar_advice_request": {"offset": -8}}

    (DOMAIN.md 0: every deadline a configurable rule). A statutory rule can be
    overridden too, but the override is the school's responsibility."""
    from django.conf import settings

    current = dict(DEFAULT_RULES)
    for key, changes in (getattr(settings, "REVIEWS_RULE_OVERRIDES", None) or {}).items():
        if key in current:
            allowed = {k: v for k, v in changes.items() if k in ("offset", "unit", "title", "statutory", "source_ref")}
            current[key] = replace(current[key], **allowed)
    if config is not None:
        current["interim_review"] = replace(current["interim_review"], offset=int(config.under5_interval_months))
        current["ar_target_meeting"] = replace(current["ar_target_meeting"], offset=-int(config.meeting_buffer_weeks))
    return current


# --------------------------------------------------------------------------
# Pure date rules
# --------------------------------------------------------------------------


def _pupil_age(dob: date, on: date) -> int:
    years = on.year - dob.year
    if (on.month, on.day) < (dob.month, dob.day):
        years -= 1
    return years


# Year-group codes in order (pupils.models.YearGroup).
YEAR_CODES = ["N1", "N2", "R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"]

# Where pupils change phase, by school phase (send_register.School.Phase). Reg 2
# defines transfers between phases: early years -> school, infant -> junior,
# primary -> middle or secondary, secondary -> post-16 (DOMAIN.md 4.2, the last
# two [U]). A school can override this in the review settings.
DEFAULT_TRANSFER_YEARS = {
    "NS": ["N2"],
    "PS": ["N2", "6"],
    "MS": ["8"],
    "SS": ["11"],
    "AT": ["11"],
    "SP": ["6", "11"],
    "PR": [],
}


def transfer_years(school_phase: str, config=None) -> list[str]:
    if config is not None and config.transfer_year_list():
        return config.transfer_year_list()
    years = list(DEFAULT_TRANSFER_YEARS.get(school_phase, []))
    if config is not None and config.infant_school:
        years = [y for y in years if y != "6"] + ["2"]
    return years


def academic_start_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


@dataclass(frozen=True)
class Transfer:
    transfer_on: date  # 1 September of the move
    deadline: date  # reg 18: 15 February, or 31 March for secondary -> post-16
    rule: Rule
    post16: bool


def next_transfer(year_group: str, today: date, years: list[str], rule_set: dict | None = None) -> Transfer | None:
    """The pupil's next phase transfer if it is within 12 months of `today`
    (reg 18; DOMAIN.md 4.2), else None."""
    rule_set = rule_set or rules()
    if year_group not in YEAR_CODES:
        return None
    here = YEAR_CODES.index(year_group)
    ahead = [YEAR_CODES.index(y) for y in years if y in YEAR_CODES and YEAR_CODES.index(y) >= here]
    if not ahead:
        return None
    leaving = min(ahead)
    transfer_on = date(academic_start_year(today) + 1 + (leaving - here), 9, 1)
    if transfer_on > today + relativedelta(months=12):
        return None
    post16 = YEAR_CODES[leaving] == "11"
    rule = rule_set["pt_final_post16" if post16 else "pt_final"]
    return Transfer(transfer_on=transfer_on, deadline=rule.apply(transfer_on), rule=rule, post16=post16)


def annual_anchor(*, issued_on: date, last_review_on: date | None, reviews, anchor_setting: str) -> date:
    """The date the next 12 months run from: the plan's issue, or the last full
    review: its meeting or the LA's decision, as the school has chosen
    (DOMAIN.md 4.4 and 11 item 9). Interim (under-5) reviews do not restart it."""
    anchor = max(d for d in (issued_on, last_review_on) if d)
    for review in reviews:
        if not _is_full(review) or review.status == "cancelled":
            continue
        if anchor_setting == "la_decision":
            candidate = review.la_decision_on
        else:
            candidate = review.meeting_date if review.status in ("held", "report_sent", "decided") else None
        if candidate and candidate > anchor:
            anchor = candidate
    return anchor


def interim_anchor(*, issued_on: date, last_review_on: date | None, reviews) -> date:
    """Interim reviews count from the last review of any kind that was held."""
    anchor = max(d for d in (issued_on, last_review_on) if d)
    for review in reviews:
        if review.status in ("held", "report_sent", "decided") and review.meeting_date > anchor:
            anchor = review.meeting_date
    return anchor


def _is_full(review) -> bool:
    return review.kind in ("annual", "transfer", "early")


@dataclass
class Step:
    """One dated step of a plan, request or review, before it becomes a DueItem."""

    rule: Rule
    due: date
    done: bool
    reached_on: date | None = None
    review_id: int | None = None
    note: str = ""

    @property
    def key_part(self) -> str:
        return f"{self.rule.key}{'' if self.review_id is None else f'.r{self.review_id}'}"


def plan_steps(plan, reviews, *, today: date, dob: date | None, year_group: str, config, school_phase: str) -> list[Step]:
    """What falls due on one EHC plan: the 12-month clock, each open review's
    steps, the under-5 interval and any phase transfer. `reviews` are the plan's
    reviews (any order); `config` is the ReviewSettings."""
    rs = rules(config)
    steps: list[Step] = []
    if plan.status != "in_force":
        return steps
    reviews = sorted(reviews, key=lambda r: (r.meeting_date, r.pk or 0))
    live = [r for r in reviews if r.status != "cancelled"]

    # The 12-month clock (CFA s.44; DOMAIN.md 4.4).
    anchor = annual_anchor(issued_on=plan.issued_on, last_review_on=plan.last_review_on, reviews=live,
                           anchor_setting=config.annual_anchor)
    this_cycle = [r for r in live if _is_full(r) and r.meeting_date > anchor]
    held = [r for r in this_cycle if r.status in ("held", "report_sent", "decided")]
    due = rs["ar_due"].apply(anchor)
    latest = rs["ar_latest_meeting"].apply(due)
    target = rs["ar_target_meeting"].apply(latest)
    steps.append(Step(rs["ar_target_meeting"], target, done=bool(this_cycle)))
    steps.append(Step(rs["ar_latest_meeting"], latest, done=bool(held),
                      reached_on=held[0].meeting_date if held else None))
    decided = [r for r in this_cycle if r.la_decision_on]
    steps.append(Step(rs["ar_due"], due, done=bool(decided), reached_on=decided[0].la_decision_on if decided else None))

    # Each review still in progress (reg 20).
    for review in live:
        steps.extend(review_steps(review, rs, today))

    # Under 5: interim reviews every N months (CoP 9.178; DOMAIN.md 4.3). The
    # interval counts while the child is under 5 when it starts.
    if dob is not None:
        start = interim_anchor(issued_on=plan.issued_on, last_review_on=plan.last_review_on, reviews=live)
        interim_due = rs["interim_review"].apply(start)
        if _pupil_age(dob, start) < 5 and interim_due < due:
            booked = any(r.meeting_date > start for r in live)
            steps.append(Step(rs["interim_review"], interim_due, done=booked))

    # Phase transfer (reg 18; DOMAIN.md 4.2).
    transfer = next_transfer(year_group, today, transfer_years(school_phase, config), rs)
    if transfer is not None and plan.issued_on < transfer.deadline:
        window_start = transfer.transfer_on - relativedelta(months=12)
        in_window = [r for r in live if _is_full(r) and window_start <= r.meeting_date <= transfer.deadline]
        meeting_by = rs["pt_meeting"].apply(transfer.deadline)
        if plan.issued_on < meeting_by:
            held_pt = [r for r in in_window if r.status in ("held", "report_sent", "decided")]
            steps.append(Step(rs["pt_meeting"], meeting_by, done=bool(held_pt),
                              reached_on=held_pt[0].meeting_date if held_pt else None))
        finished = [r for r in in_window if r.amended_plan_on or (r.la_decision_on and r.la_decision and r.la_decision != "amend")]
        steps.append(Step(transfer.rule, transfer.deadline, done=bool(finished),
                          note=f"Moves on {transfer.transfer_on:%d/%m/%Y}"))
    return steps


def review_steps(review, rs: dict | None = None, today: date | None = None) -> list[Step]:
    """The dated steps of one review (reg 20, 22; DOMAIN.md 4.1, 4.4), each done
    or not. Interim reviews have only the meeting (CoP 9.178: not the full rules).
    A comment period (reg 22(2)) is a window for the family, not a task: once
    it has passed (`today` given) it no longer counts as due."""
    rs = rs or rules()
    meeting = review.meeting_date
    rid = review.pk
    if review.status == "cancelled":
        return []
    held = review.status in ("held", "report_sent", "decided")
    steps = [Step(rs["ar_meeting"], meeting, done=held, reached_on=meeting if held else None, review_id=rid)]
    if not _is_full(review):
        return steps
    invitees = list(review.invitees.all())
    advice_asked = review.advice_requested_on or next(
        (i.invited_on for i in invitees if i.advice_requested and i.invited_on), None)
    steps.insert(0, Step(rs["ar_advice_request"], rs["ar_advice_request"].apply(meeting),
                         done=bool(advice_asked) or held, reached_on=advice_asked, review_id=rid))
    all_invited = bool(invitees) and all(i.invited_on for i in invitees)
    last_invite = max((i.invited_on for i in invitees if i.invited_on), default=None)
    steps.insert(1, Step(rs["ar_invite"], rs["ar_invite"].apply(meeting), done=all_invited or held,
                         reached_on=last_invite if all_invited else None, review_id=rid))
    steps.insert(2, Step(rs["ar_circulate"], rs["ar_circulate"].apply(meeting),
                         done=bool(review.advice_circulated_on) or held, reached_on=review.advice_circulated_on, review_id=rid))
    steps.append(Step(rs["ar_report"], rs["ar_report"].apply(meeting), done=bool(review.report_sent_on),
                      reached_on=review.report_sent_on, review_id=rid))
    steps.append(Step(rs["ar_la_decision"], rs["ar_la_decision"].apply(meeting), done=bool(review.la_decision_on),
                      reached_on=review.la_decision_on, review_id=rid))
    if review.la_decision == "amend" and review.amendment_notice_on:
        notice = review.amendment_notice_on
        comments_by = rs["ar_amend_comments"].apply(notice)
        steps.append(Step(rs["ar_amend_comments"], comments_by,
                          done=bool(review.amended_plan_on) or (today is not None and comments_by < today), review_id=rid))
        steps.append(Step(rs["ar_amended_final"], rs["ar_amended_final"].apply(notice),
                          done=bool(review.amended_plan_on), reached_on=review.amended_plan_on, review_id=rid))
    return steps


def request_steps(request, rs: dict | None = None, today: date | None = None) -> list[Step]:
    """The LA's milestones for one needs-assessment request (DOMAIN.md 3), with
    the dates reached. Steps that no longer apply (after a refusal, say) are
    marked done so they neither show as due nor send reminders."""
    rs = rs or rules()
    received = request.requested_on
    status = request.status
    stopped = status in ("refused", "not_issued", "withdrawn")
    steps = [Step(rs["req_decision"], rs["req_decision"].apply(received), done=bool(request.decision_on) or stopped,
                  reached_on=request.decision_on)]
    # Reg 8 counts from the LA's request for advice; before that is recorded we
    # count from the request itself, the earliest it can be (never later).
    advice_anchor = request.advice_requested_on or received
    steps.append(Step(rs["req_advice"], rs["req_advice"].apply(advice_anchor),
                      done=bool(request.advice_submitted_on) or stopped or status == "final",
                      reached_on=request.advice_submitted_on))
    past_16 = bool(request.draft_received_on or request.final_issued_on or request.not_issued_on)
    steps.append(Step(rs["req_no_plan"], rs["req_no_plan"].apply(received), done=past_16 or stopped,
                      reached_on=request.not_issued_on or request.draft_received_on))
    if request.draft_received_on:
        # A window for the family's comments (reg 13(1)): not a task once it has passed.
        comments_by = rs["req_draft_comments"].apply(request.draft_received_on)
        steps.append(Step(rs["req_draft_comments"], comments_by,
                          done=bool(request.final_issued_on) or stopped or (today is not None and comments_by < today)))
    steps.append(Step(rs["req_final"], rs["req_final"].apply(received), done=bool(request.final_issued_on) or stopped,
                      reached_on=request.final_issued_on))
    return steps


def review_warnings(review, invitees=None) -> list[str]:
    """Timing problems with one review, in plain words (reg 20(3), 20(4), R8, R9)."""
    rs = rules()
    meeting = review.meeting_date
    warnings = []
    invite_by = rs["ar_invite"].apply(meeting)
    invitees = list(review.invitees.all()) if invitees is None else invitees
    full = _is_full(review)
    for person in invitees:
        if full and person.invited_on and person.invited_on > invite_by:
            warnings.append(
                f"{person} was invited on {person.invited_on:%d/%m/%Y}, less than 2 weeks before the meeting "
                f"(invite by {invite_by:%d/%m/%Y}: SEND Regs 2014 reg 20(3))"
            )
        if full and person.advice_received_on and review.advice_circulated_on and person.advice_received_on > review.advice_circulated_on:
            warnings.append(f"Advice from {person} arrived after the advice was circulated")
    if full:
        roles = {p.role for p in invitees}
        for role, label in (("parent", "the parent or carer"), ("la_send", "the LA SEND team")):
            if role not in roles:
                warnings.append(f"No invitation recorded for {label} (SEND Regs 2014 reg 20(2))")
        circulate_by = rs["ar_circulate"].apply(meeting)
        if review.advice_circulated_on and review.advice_circulated_on > circulate_by:
            warnings.append(
                f"Advice was circulated on {review.advice_circulated_on:%d/%m/%Y}, less than 2 weeks before the meeting "
                f"(by {circulate_by:%d/%m/%Y}: SEND Regs 2014 reg 20(4))"
            )
        report_by = rs["ar_report"].apply(meeting)
        if review.report_sent_on and review.report_sent_on > report_by:
            warnings.append(f"The report went to the LA on {review.report_sent_on:%d/%m/%Y}, after {report_by:%d/%m/%Y} (2 weeks after the meeting)")
        decide_by = rs["ar_la_decision"].apply(meeting)
        if review.la_decision_on and review.la_decision_on > decide_by:
            warnings.append(f"The LA decided on {review.la_decision_on:%d/%m/%Y}, after {decide_by:%d/%m/%Y} (4 weeks after the meeting)")
    return warnings


def late_meeting_warnings(review, plan_step_list) -> list[str]:
    """A planned meeting later than the plan's clock allows: after the latest
    meeting date the LA's 4 weeks (R9) run past the 12 months (CFA s.44), or
    past the phase-transfer deadline (reg 18)."""
    if review.status != "planned" or not _is_full(review):
        return []
    warnings = []
    for step in plan_step_list:
        if step.review_id is None and not step.done and step.rule.key in ("ar_latest_meeting", "pt_meeting") \
                and review.meeting_date > step.due:
            warnings.append(
                f"The meeting is after {step.due:%d/%m/%Y}, the latest date for this "
                f"{'phase-transfer review' if step.rule.key == 'pt_meeting' else 'annual review'}: "
                f"the LA may not be able to decide in time ({step.rule.source_ref})"
            )
    return warnings


def needs_adulthood(year_group: str) -> bool:
    """From Year 9 the review considers preparing for adulthood (reg 20(6), 21(6); DOMAIN.md 4.1 R7)."""
    return year_group.isdigit() and int(year_group) >= 9


# --------------------------------------------------------------------------
# Due items
# --------------------------------------------------------------------------


@dataclass
class DueItem:
    key: str  # stable per item and due date: reminders are recorded against it
    kind: str
    pupil_id: int
    pupil_name: str
    title: str
    due_date: date
    responsible_id: int | None
    rule: Rule
    url: str
    done: bool = False
    responsible: object = None  # the User, filled in by collect()
    note: str = ""
    extra: dict = field(default_factory=dict)
    responsible_name: str = ""  # from the cached table (DueTable.item), where responsible is not kept

    def days_left(self, today: date) -> int:
        return (self.due_date - today).days

    def is_overdue(self, today: date) -> bool:
        return not self.done and self.due_date < today

    @property
    def statutory(self) -> bool:
        return self.rule.statutory


_PK_SENTINEL = 918273645


@functools.lru_cache(maxsize=256)
def _url_pattern(name: str, prefix: str, urlconf) -> str | None:
    """The URL of `name` for one integer argument, as a format string: one
    reverse() per URL name instead of one per item (reverse() was a fifth of
    the due page's time; docs/performance.md)."""
    try:
        return reverse(name, args=[_PK_SENTINEL], urlconf=urlconf).replace(str(_PK_SENTINEL), "{}")
    except NoReverseMatch:
        return None


def _url_maker(*names):
    """A function of one id per name that gives the URL of the first of
    `names` that exists (another app's page may not be installed), with the
    patterns looked up once per collector rather than per item
    (docs/performance.md)."""
    prefix, urlconf = get_script_prefix(), get_urlconf()
    for position, name in enumerate(names):
        pattern = _url_pattern(name, prefix, urlconf)
        if pattern is not None:
            return lambda *ids: pattern.format(ids[position])
    return lambda *ids: ""


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _has_fields(model, *names) -> bool:
    have = {f.name for f in model._meta.get_fields()}
    return all(n in have for n in names)


def _name(pupil) -> str:
    return pupil.display_name


def _default_lead_id():
    """The SENCo who owns items with no named lead (the lowest id, stable)."""
    User = apps.get_model("accounts", "User")
    for role in ("senco", "head"):  # a school with no SENCo account yet: the head
        user = User.objects.with_role(role).order_by("pk").values_list("pk", flat=True).first()
        if user is not None:
            return user
    return None


def collect_ehc(today: date, config, school_phase: str, lead_id, pupil_ids=None) -> list[DueItem]:
    """EHC plans (12-month clock, reviews, under 5, phase transfer) and
    needs-assessment requests: four queries, whatever the number of plans."""
    from django.db.models import Prefetch

    from .models import AnnualReview, AssessmentRequest, EHCPlan, ReviewInvitee

    items: list[DueItem] = []
    review_url, plan_url = _url_maker("reviews:review_detail"), _url_maker("reviews:plan_detail")
    request_url = _url_maker("reviews:request_detail")
    plans = (
        EHCPlan.objects.filter(status=EHCPlan.Status.IN_FORCE, pupil__leaving_date__isnull=True)
        .select_related("pupil")
        .prefetch_related(Prefetch("reviews", queryset=AnnualReview.objects.prefetch_related(
            Prefetch("invitees", queryset=ReviewInvitee.objects.order_by("pk")))))
    )
    if pupil_ids is not None:
        plans = plans.filter(pupil_id__in=pupil_ids)
    for plan in plans:
        pupil = plan.pupil
        reviews = list(plan.reviews.all())
        by_id = {r.pk: r for r in reviews}
        for step in plan_steps(plan, reviews, today=today, dob=pupil.date_of_birth, year_group=pupil.year_group,
                               config=config, school_phase=school_phase):
            review = by_id.get(step.review_id)
            responsible = (review.organiser_id if review and review.organiser_id else None) or plan.lead_id or lead_id
            url = review_url(review.pk) if review else plan_url(plan.pk)
            title = step.rule.title
            if review is not None and review.kind == "interim" and step.rule.key == "ar_meeting":
                title = "Interim review meeting (under 5)"
            items.append(DueItem(
                key=f"plan{plan.pk}.{step.key_part}.{step.due.isoformat()}", kind=step.rule.kind,
                pupil_id=pupil.pk, pupil_name=_name(pupil), title=title, due_date=step.due,
                responsible_id=responsible, rule=step.rule, url=url, done=step.done, note=step.note,
            ))
    requests = AssessmentRequest.objects.filter(status__in=AssessmentRequest.OPEN).select_related("pupil")
    if pupil_ids is not None:
        requests = requests.filter(pupil_id__in=pupil_ids)
    for req in requests:
        for step in request_steps(req, today=today):
            items.append(DueItem(
                key=f"req{req.pk}.{step.key_part}.{step.due.isoformat()}", kind=step.rule.kind,
                pupil_id=req.pupil_id, pupil_name=_name(req.pupil), title=step.rule.title, due_date=step.due,
                responsible_id=req.lead_id or lead_id, rule=step.rule, url=request_url(req.pk), done=step.done,
            ))
    return items


# The pupil's name as Pupil.display_name gives it, from the columns: the
# collectors below read values, not model instances (building ~100,000
# instances was most of collect()'s time at 100,000 pupils; docs/performance.md).
_NAME_COLUMNS = ("legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name")


def _name_columns(path: str) -> list[str]:
    return [f"{path}__{column}" for column in _NAME_COLUMNS]


def _name_from(legal_first: str, legal_last: str, preferred_first: str, preferred_last: str) -> str:
    # Pupil.display_name: the preferred name where one is recorded.
    return f"{preferred_first or legal_first} {preferred_last or legal_last}"


def collect_support_plans(today: date, lead_id, pupil_ids=None) -> list[DueItem]:
    """Support plan review dates and open APDR cycles (support_plans app, DOMAIN.md 5.2)."""
    items: list[DueItem] = []
    SupportPlan = _model("support_plans.SupportPlan")
    Cycle = _model("support_plans.Cycle")
    if SupportPlan is not None and _has_fields(SupportPlan, "pupil", "next_review_date"):
        qs = SupportPlan.objects.filter(next_review_date__isnull=False, pupil__leaving_date__isnull=True)
        if _has_fields(SupportPlan, "status"):
            qs = qs.filter(status="current")
        if pupil_ids is not None:
            qs = qs.filter(pupil_id__in=pupil_ids)
        coordinator = ["coordinator_id"] if _has_fields(SupportPlan, "coordinator") else []
        rule = rules()["sp_review"]
        plan_url = _url_maker("support_plans:plan_detail", "pupils:detail")
        for pk, pupil_id, review_on, *rest in qs.values_list(
                "pk", "pupil_id", "next_review_date", *coordinator, *_name_columns("pupil")):
            coordinator_id = rest.pop(0) if coordinator else None
            url = plan_url(pk, pupil_id)
            items.append(DueItem(
                key=f"sp{pk}.{review_on.isoformat()}", kind=rule.kind, pupil_id=pupil_id,
                pupil_name=_name_from(*rest), title=rule.title, due_date=review_on,
                responsible_id=coordinator_id or lead_id, rule=rule, url=url,
            ))
    if Cycle is not None and _has_fields(Cycle, "plan", "review_date", "closed_at"):
        qs = Cycle.objects.filter(closed_at__isnull=True, review_date__isnull=False, plan__pupil__leaving_date__isnull=True)
        if SupportPlan is not None and _has_fields(SupportPlan, "status"):
            qs = qs.filter(plan__status="current")  # a superseded plan's cycles are history
        if SupportPlan is not None and _has_fields(SupportPlan, "next_review_date"):
            # When the plan's own next review is the same day, one item is enough.
            qs = qs.exclude(review_date=F("plan__next_review_date"))
        if pupil_ids is not None:
            qs = qs.filter(plan__pupil_id__in=pupil_ids)
        coordinator = ["plan__coordinator_id"] if SupportPlan is not None and _has_fields(SupportPlan, "coordinator") else []
        rule = rules()["cycle_review"]
        cycle_url = _url_maker("support_plans:cycle_review", "support_plans:plan_detail", "pupils:detail")
        for pk, plan_id, pupil_id, review_on, *rest in qs.values_list(
                "pk", "plan_id", "plan__pupil_id", "review_date", *coordinator, *_name_columns("plan__pupil"),
        ):
            coordinator_id = rest.pop(0) if coordinator else None
            url = cycle_url(pk, plan_id, pupil_id)
            items.append(DueItem(
                key=f"cycle{pk}.{review_on.isoformat()}", kind=rule.kind, pupil_id=pupil_id,
                pupil_name=_name_from(*rest), title=rule.title, due_date=review_on,
                responsible_id=coordinator_id or lead_id, rule=rule, url=url,
            ))
    return items


def collect_concerns(today: date, lead_id, pupil_ids=None) -> list[DueItem]:
    """Open concerns with an agreed review date (concerns app; DOMAIN.md 5.1)."""
    Concern = _model("concerns.Concern")
    if Concern is None or not _has_fields(Concern, "pupil", "review_date", "closed_at"):
        return []
    qs = Concern.objects.filter(closed_at__isnull=True, review_date__isnull=False, pupil__leaving_date__isnull=True)
    if _has_fields(Concern, "step"):
        qs = qs.exclude(step="draft")
    if pupil_ids is not None:
        qs = qs.filter(pupil_id__in=pupil_ids)
    rule = rules()["concern_review"]
    concern_url = _url_maker("concerns:detail", "pupils:detail")
    items = []
    for pk, pupil_id, review_on, *names in qs.values_list("pk", "pupil_id", "review_date", *_name_columns("pupil")):
        url = concern_url(pk, pupil_id)
        items.append(DueItem(
            key=f"concern{pk}.{review_on.isoformat()}", kind=rule.kind, pupil_id=pupil_id,
            pupil_name=_name_from(*names), title=rule.title, due_date=review_on,
            # The SENCo agrees the review date in triage and follows it up.
            responsible_id=lead_id, rule=rule, url=url,
        ))
    return items


def collect_interventions(today: date, lead_id, pupil_ids=None) -> list[DueItem]:
    """Exit assessments due at a placement's planned end (interventions app)."""
    PlacementPupil = _model("interventions.PlacementPupil")
    if PlacementPupil is None or not _has_fields(PlacementPupil, "placement", "pupil", "exit_value"):
        return []
    Placement = PlacementPupil._meta.get_field("placement").related_model
    qs = PlacementPupil.objects.filter(exit_value__isnull=True, placement__planned_end__isnull=False,
                                       pupil__leaving_date__isnull=True)
    if _has_fields(PlacementPupil, "left_on"):
        qs = qs.filter(left_on__isnull=True)
    if pupil_ids is not None:
        qs = qs.filter(pupil_id__in=pupil_ids)
    optional = [column for field, column in (("intervention", "placement__intervention__name"), ("staff", "placement__staff_id"))
                if _has_fields(Placement, field)]
    rule = rules()["intervention_exit"]
    member_url = _url_maker("interventions:member_assessment", "interventions:placement_detail", "pupils:detail")
    items = []
    for pk, placement_id, pupil_id, end_on, *rest in qs.values_list(
            "pk", "placement_id", "pupil_id", "placement__planned_end", *optional, *_name_columns("pupil"),
    ):
        extra = dict(zip(optional, rest[:len(optional)]))
        name = extra.get("placement__intervention__name") or ""
        url = member_url(pk, placement_id, pupil_id)
        items.append(DueItem(
            key=f"exit{pk}.{end_on.isoformat()}", kind=rule.kind, pupil_id=pupil_id,
            pupil_name=_name_from(*rest[len(optional):]), title=f"{rule.title}{f': {name}' if name else ''}",
            due_date=end_on, responsible_id=extra.get("placement__staff_id") or lead_id, rule=rule, url=url,
        ))
    return items


def collect_parent_notices(today: date, lead_id, pupil_ids=None) -> list[DueItem]:
    """Register decisions that started or ended SEN provision whose parents
    are not all told yet (s.68): a parent with no email address waiting for
    a letter, an email that could not be sent (or has not gone by the next
    day), or no parent recorded at all.
    Two queries, whatever the number of pupils."""
    from pupils.models import SEN_PROVISION, ParentNotice, RegisterEvent

    # An email waiting in the outbox normally goes within a minute (and is
    # retried): it counts as not told once it has failed, or if it is still
    # waiting the day after it was queued.
    email_late = Q(email__isnull=True) | Q(email__status="failed") | Q(queued_at__date__lt=today)
    waiting = ParentNotice.objects.filter(
        ~Q(method="email") | email_late, told_on__isnull=True, event__pupil__leaving_date__isnull=True,
    )
    if pupil_ids is not None:
        waiting = waiting.filter(event__pupil_id__in=pupil_ids)
    by_event: dict[int, list] = {}
    for event_id, pupil_id, decided_on, *names in waiting.values_list(
            "event_id", "event__pupil_id", "event__effective_date", *_name_columns("event__pupil")):
        by_event.setdefault(event_id, [pupil_id, decided_on, names, 0])[3] += 1
    # SEN provision started or ended (the census code moved) and nobody was told.
    not_provision = ~Q(**{"from_status__in": SEN_PROVISION})
    moved = (
        (not_provision & Q(to_status__in=SEN_PROVISION))
        | (Q(from_status__in=SEN_PROVISION) & ~Q(to_status__in=SEN_PROVISION))
        | Q(from_status="K", to_status="E") | Q(from_status="E", to_status="K")
    )
    nobody = RegisterEvent.objects.filter(moved, parents_told_on__isnull=True, notices__isnull=True,
                                          pupil__leaving_date__isnull=True)
    if pupil_ids is not None:
        nobody = nobody.filter(pupil_id__in=pupil_ids)
    for event_id, pupil_id, decided_on, *names in nobody.values_list(
            "pk", "pupil_id", "effective_date", *_name_columns("pupil")):
        by_event.setdefault(event_id, [pupil_id, decided_on, names, 0])
    rule = rules()["parents_told"]
    try:
        pattern = reverse("pupils:event_notices", args=[_PK_SENTINEL, _PK_SENTINEL + 1])
    except NoReverseMatch:
        pattern = ""
    items = []
    for event_id, (pupil_id, decided_on, names, count) in by_event.items():
        waiting_words = f": {count} not told yet" if count else ": no parent recorded"
        items.append(DueItem(
            key=f"told{event_id}", kind=rule.kind, pupil_id=pupil_id, pupil_name=_name_from(*names),
            title=f"{rule.title}{waiting_words}", due_date=decided_on, responsible_id=lead_id, rule=rule,
            url=pattern.replace(str(_PK_SENTINEL + 1), str(event_id)).replace(str(_PK_SENTINEL), str(pupil_id)),
        ))
    return items


def collect(*, today: date, include_done: bool = False, pupil_ids=None) -> list[DueItem]:
    """Everything that falls due, for every pupil on roll, ordered by date.
    A bounded number of queries whatever the size of the school."""
    from send_register.models import School

    from .models import ReviewSettings

    config = ReviewSettings.get()
    school = School.get()
    lead_id = _default_lead_id()
    items: list[DueItem] = []
    items += collect_ehc(today, config, school.phase, lead_id, pupil_ids)
    for collector in (collect_support_plans, collect_concerns, collect_interventions, collect_parent_notices):
        try:
            items += collector(today, lead_id, pupil_ids)
        except Exception as exc:  # another app mid-migration must not take the due page down
            log.warning("due-item collector %s failed: %s", collector.__name__, type(exc).__name__)
    if not include_done:
        items = [i for i in items if not i.done]
    User = apps.get_model("accounts", "User")
    users = User.objects.in_bulk({i.responsible_id for i in items if i.responsible_id})
    for item in items:
        item.responsible = users.get(item.responsible_id)
    items.sort(key=lambda i: (i.due_date, i.pupil_name, i.title, i.key))  # the key: the same order on every page
    return items


# --------------------------------------------------------------------------
# The cached table: what the due page, the home panel and the register's
# "review overdue" filter read
# --------------------------------------------------------------------------

# collect() works out every date of every pupil in Python: it made the due
# page cost 140 ms of CPU at 2,000 pupils and 4.5 s at 100,000, and still
# takes 1.6 s at 100,000 (docs/performance.md). Its result depends
# only on the SEND data and today, not on who asks, so it is kept in the data
# cache (send_register.datacache: keyed by the data's version and the date)
# and filtered by what the user may see after reading it.
#
# A row is a plain tuple, in this order (plain tuples and an ordinal for the
# date unpickle several times faster than dataclasses, named tuples or dates,
# and the whole table is unpickled on every request):
ROW_FIELDS = ("due", "done", "kind", "statutory", "pupil_id", "responsible_id", "pupil_name", "title", "url",
              "note", "rule_key", "key")
DUE, DONE, KIND, STATUTORY, PUPIL_ID, RESPONSIBLE_ID, PUPIL_NAME, TITLE, URL, NOTE, RULE_KEY, KEY = range(len(ROW_FIELDS))


@dataclass(frozen=True)
class DueTable:
    """Every date that falls due on `today` for every pupil on roll, done or
    not, ordered as collect() orders them."""

    today: date
    rows: list[tuple]
    rules: dict[str, Rule]  # by key: a row names its rule
    names: dict[int, str]  # the full name of each person responsible

    def item(self, row: tuple) -> DueItem:
        """One row as a DueItem (responsible stays None: `responsible_name` says who)."""
        return DueItem(
            key=row[KEY], kind=row[KIND], pupil_id=row[PUPIL_ID], pupil_name=row[PUPIL_NAME], title=row[TITLE],
            due_date=date.fromordinal(row[DUE]), responsible_id=row[RESPONSIBLE_ID], rule=self.rules[row[RULE_KEY]],
            url=row[URL], done=row[DONE], note=row[NOTE], responsible_name=self.names.get(row[RESPONSIBLE_ID], ""),
        )


def _build_table(today: date) -> DueTable:
    items = collect(today=today, include_done=True)
    strings: dict[str, str] = {}

    def share(text: str) -> str:  # one copy of each repeated string: a smaller pickle
        return strings.setdefault(text, text)

    rows = [
        (item.due_date.toordinal(), item.done, item.kind, item.rule.statutory, item.pupil_id, item.responsible_id,
         share(item.pupil_name), share(item.title), share(item.url), share(item.note), share(item.rule.key), item.key)
        for item in items
    ]
    names = {item.responsible_id: item.responsible.get_full_name() for item in items if item.responsible is not None}
    return DueTable(today=today, rows=rows, rules={item.rule.key: item.rule for item in items}, names=names)


def due_table(today: date) -> DueTable:
    """The table for `today`, from the data cache when the data has not changed
    since it was worked out (a bounded number of queries; collect()'s when not)."""
    from send_register.datacache import cached

    # Kept unpickled in the process too: at a local authority's size the table
    # is megabytes, and unpickling it was most of the due page (docs/performance.md).
    return cached(f"reviews-due-table:{today.isoformat()}", lambda: _build_table(today), keep=True)


def rows_for_user(user, *, today: date, include_done: bool = False) -> tuple[DueTable, list[tuple]]:
    """The rows `user` may see. The SENCo and the head see everything; other
    staff see their own items, for pupils they may see (pupils.access)."""
    from pupils.access import pupils_visible_to

    table = due_table(today)
    rows = table.rows if include_done else [r for r in table.rows if not r[DONE]]
    if user.is_senco_or_head:
        return table, rows
    user_id = user.pk  # once: request.user is a lazy proxy, slow to read in a loop
    mine = [r for r in rows if r[RESPONSIBLE_ID] == user_id]
    if not mine:
        return table, []
    visible = set(pupils_visible_to(user).filter(pk__in={r[PUPIL_ID] for r in mine}).values_list("pk", flat=True))
    return table, [r for r in mine if r[PUPIL_ID] in visible]


def items_for_user(user, *, today: date, include_done: bool = False) -> list[DueItem]:
    """The DueItems `user` may see (rows_for_user), ordered by date."""
    table, rows = rows_for_user(user, today=today, include_done=include_done)
    return [table.item(r) for r in rows]


def overdue_pupil_ids(today: date, kinds) -> set[int]:
    """Pupils with an item of one of `kinds` past its date and not done (the
    register's "review overdue" filter), from the cached table."""
    cutoff = today.toordinal()
    kinds = set(kinds)
    return {r[PUPIL_ID] for r in due_table(today).rows if r[DUE] < cutoff and not r[DONE] and r[KIND] in kinds}


def next_review_for_plan(plan, today: date) -> Step | None:
    """The next undone step of one plan (the pupil page's 'next review')."""
    from send_register.models import School

    from .models import ReviewSettings

    pupil = plan.pupil
    steps = plan_steps(plan, list(plan.reviews.prefetch_related("invitees")), today=today, dob=pupil.date_of_birth,
                       year_group=pupil.year_group, config=ReviewSettings.get(), school_phase=School.get().phase)
    keys = ("ar_due", "ar_latest_meeting", "ar_meeting", "interim_review", "pt_meeting", "pt_final", "pt_final_post16")
    pending = sorted((s for s in steps if not s.done and s.rule.key in keys), key=lambda s: s.due)
    return pending[0] if pending else None
