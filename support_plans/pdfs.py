"""The support plan and the one-page profile as PDFs (send_register.pdf).
Filenames carry ids only, never names."""

from django.utils import timezone

from pupils.models import OnePageProfile, Pupil
from send_register.models import School
from send_register.pdf import PdfKind, register_pdf_kind

from . import selectors
from .provision import provision_for
from .access import can_request_plan_pdf, can_request_profile_pdf
from .models import SupportPlan


def plan_context(plan_id: int) -> dict:
    plan = selectors.plan_with_details(plan_id)
    cycles = plan.all_cycles
    closed = [c for c in cycles if not c.is_open]
    last = closed[-1] if closed else None
    outcomes = []
    if last is not None:
        reviews = {r.target_id: r for r in last.target_reviews.all()}
        outcomes = [(t, reviews.get(t.pk)) for t in last.targets.all()]
    return {
        "school": School.get(),
        "plan": plan,
        "pupil": plan.pupil,
        "targets": [t for t in plan.live_targets if t.is_open],
        "last_review": last,
        "last_outcomes": outcomes,
        "placements": provision_for(plan.pupil) if plan.is_current else [],
        "made_on": timezone.localdate(),
        "document_title": "Support plan",
    }


def plan_version(plan_id: int) -> str:
    plan = SupportPlan.objects.filter(pk=plan_id).values("lock_version", "updated_at").first()
    return f"{plan['lock_version']}-{plan['updated_at']:%Y%m%d%H%M%S%f}" if plan else ""


def profile_context(pupil_id: int) -> dict:
    pupil = Pupil.objects.select_related("form").get(pk=pupil_id)
    return {
        "school": School.get(),
        "pupil": pupil,
        "profile": OnePageProfile.objects.filter(pupil=pupil).order_by("-created_at", "-pk").first(),
        "made_on": timezone.localdate(),
        "document_title": "One-page profile",
    }


def profile_version(pupil_id: int) -> str:
    profile = OnePageProfile.objects.filter(pupil_id=pupil_id).order_by("-created_at", "-pk").values("pk").first()
    return f"profile-{profile['pk']}" if profile else "none"


def register() -> None:
    register_pdf_kind(PdfKind(
        kind="support_plan",
        template="support_plans/pdf/support_plan.html",
        context=plan_context,
        can_request=can_request_plan_pdf,
        filename=lambda plan_id: f"support-plan-{plan_id}.pdf",
        title="Support plan",
        version=plan_version,
    ))
    register_pdf_kind(PdfKind(
        kind="one_page_profile",
        template="support_plans/pdf/one_page_profile.html",
        context=profile_context,
        can_request=can_request_profile_pdf,
        filename=lambda pupil_id: f"one-page-profile-{pupil_id}.pdf",
        title="One-page profile",
        version=profile_version,
    ))
