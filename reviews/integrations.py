"""What this app adds to other floors' pages through their registries: PDF
kinds, the home panel, the staff pupil page and the parent's child page.
Registered in ReviewsConfig.ready(), so no lower app imports reviews."""

from bisect import bisect_left
from operator import itemgetter

from django.utils import timezone

from pupils.models import Tier
from send_register.pdf import PdfKind, register_pdf_kind

from .access import can_request_evidence_pack, can_request_review_report


def evidence_pack_context(object_id: int) -> dict:
    from send_register.models import School

    from .models import AssessmentRequest
    from .selectors import evidence_pack_context as build

    req = AssessmentRequest.objects.select_related("pupil", "pupil__form").get(pk=object_id)
    context = build(req)
    context["school"] = School.get()
    context["today"] = timezone.localdate()
    return context


def review_report_context(object_id: int) -> dict:
    from send_register.models import School

    from . import deadlines
    from .models import AnnualReview

    review = AnnualReview.objects.select_related("plan", "plan__pupil", "plan__pupil__form", "organiser").get(pk=object_id)
    plan = review.plan
    invitees = list(review.invitees.all())
    return {
        "school": School.get(),
        "review": review,
        "plan": plan,
        "pupil": plan.pupil,
        "invitees": invitees,
        "progress": list(review.progress.select_related("outcome")),
        "provision": list(plan.provision.filter(active=True)),
        "steps": deadlines.review_steps(review, today=timezone.localdate()),
        "warnings": deadlines.review_warnings(review, invitees),
        "adulthood": deadlines.needs_adulthood(plan.pupil.year_group),
        "today": timezone.localdate(),
    }


def home_panels(user) -> list[dict]:
    """The user's next due items (the SENCo and head: everything)."""
    if not (user.is_authenticated and user.is_school_staff):
        return []
    from .deadlines import DUE, rows_for_user

    today = timezone.localdate()
    table, rows = rows_for_user(user, today=today)
    items = [table.item(row) for row in rows[:6]]  # only the dates shown become DueItems
    for item in items:
        item.days = item.days_left(today)
        item.overdue = item.is_overdue(today)
        item.late = -item.days
    # In date order and none done: the overdue ones are the rows before today.
    overdue = bisect_left(rows, today.toordinal(), key=itemgetter(DUE))
    return [{
        "title": "Coming up",
        "template": "reviews/partials/home_panel.html",
        "context": {"items": items, "more": max(0, len(rows) - 6), "overdue": overdue},
        "order": 20,
    }]


def pupil_section_data(pupil, tier) -> dict:
    """The EHC plan in force and its next review (plan tier), and a
    needs-assessment request in progress (confidential tier), as plain data
    that does not depend on who is asking (pupils.sections: the page may cache
    it until the data changes)."""
    if tier < Tier.PLAN:
        return {}
    from .deadlines import next_review_for_plan
    from .models import AssessmentRequest, EHCPlan

    plan = EHCPlan.objects.filter(pupil=pupil, status=EHCPlan.Status.IN_FORCE).first()
    req = None
    if tier >= Tier.CONFIDENTIAL:
        req = AssessmentRequest.objects.filter(pupil=pupil, status__in=AssessmentRequest.OPEN).first()
    data = {"plan": None, "next": None, "req": None}
    if plan is not None:
        plan.pupil = pupil
        data["plan"] = {"pk": plan.pk, "local_authority": plan.local_authority, "issued_on": plan.issued_on,
                        "named_setting": plan.named_setting}
        step = next_review_for_plan(plan, timezone.localdate())
        if step is not None:
            data["next"] = {"title": step.rule.title, "due": step.due}
    if req is not None:
        data["req"] = {"pk": req.pk, "requested_on": req.requested_on, "status": req.get_status_display()}
    return data


def pupil_sections(user, pupil, tier, data: dict | None = None) -> list[dict]:
    """The staff pupil page: the EHC plan summary and its next review date
    (plan tier); a needs-assessment request in progress (confidential tier)."""
    if tier < Tier.PLAN:
        return []
    from .access import can_manage

    if data is None:
        data = pupil_section_data(pupil, tier)
    can_edit = can_manage(user)
    if data["plan"] is None and data["req"] is None and not can_edit:
        return []
    return [{
        "title": "EHC plan",
        "template": "reviews/partials/pupil_section.html",
        "context": {**data, "pupil": pupil, "can_edit": can_edit},
        "order": 40,
    }]


def parent_sections(user, pupil) -> list[dict]:
    """The parent's child page: the plan in plain words and a planned review
    they can give their views for."""
    from .models import AnnualReview, EHCPlan

    plan = EHCPlan.objects.filter(pupil=pupil, status=EHCPlan.Status.IN_FORCE).first()
    if plan is None:
        return []
    review = plan.reviews.filter(status=AnnualReview.Status.PLANNED).order_by("meeting_date").first()
    return [{
        "title": "Education, health and care plan",
        "template": "reviews/partials/parent_section.html",
        "context": {"plan": plan, "review": review, "pupil": pupil,
                    "outcomes": list(plan.outcomes.filter(active=True))},
        "order": 40,
    }]


def register():
    from pupils.sections import register_overdue_reviews, register_parent_section, register_pupil_section
    from send_register.home import register_home_panel

    register_pdf_kind(PdfKind(
        kind="ehc_evidence_pack",
        template="reviews/pdf/evidence_pack.html",
        context=evidence_pack_context,
        can_request=can_request_evidence_pack,
        filename=lambda object_id: f"ehc-request-{object_id}-evidence-pack.pdf",
        title="EHC needs assessment request: evidence pack",
    ))
    register_pdf_kind(PdfKind(
        kind="annual_review_report",
        template="reviews/pdf/annual_review_report.html",
        context=review_report_context,
        can_request=can_request_review_report,
        filename=lambda object_id: f"ehc-review-{object_id}-report.pdf",
        title="EHC plan review: report to the local authority",
    ))
    register_home_panel(home_panels)
    register_overdue_reviews(pupils_with_overdue_reviews)
    register_pupil_section(pupil_sections, data=pupil_section_data)
    register_parent_section(parent_sections)


OVERDUE_REVIEW_KINDS = ("annual_review", "interim_review", "phase_transfer", "support_plan")


def pupils_with_overdue_reviews(today) -> list[int]:
    """Pupils with an EHC review or a support plan review past its date (from
    the due dates' cached table, as the due page reads them)."""
    from .deadlines import overdue_pupil_ids

    return list(overdue_pupil_ids(today, OVERDUE_REVIEW_KINDS))
