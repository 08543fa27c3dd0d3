"""Reads that are more than one queryset: the evidence checklist for a needs
assessment request (Derwent SEND policy section 11), the evidence pack, and
the plan list. Other apps' models are read through django.apps so that this
app works (with less found) while they are absent or changing."""

from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db.models import Count, Q

from pupils.models import PupilDocument

from .models import AnnualReview, AssessmentRequest, EHCPlan, EvidenceItem

# Agencies whose involvement counts as each kind of evidence (section 11 list).
HEALTH_AGENCIES = {"paed", "camhs", "physio", "ot", "hi", "vi"}
SPECIALIST_AGENCIES = {"ep", "outreach", "salt"}
SOCIAL_AGENCIES = {"social"}


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()} if model is not None else set()


@dataclass
class EvidenceLine:
    key: str
    label: str
    found: list[str] = field(default_factory=list)  # what the register already holds
    provided: bool = False  # the school's own tick
    note: str = ""

    @property
    def present(self) -> bool:
        return bool(self.found) or self.provided


def _support_plans(pupil):
    SupportPlan = _model("support_plans.SupportPlan")
    if SupportPlan is None or "pupil" not in _fields(SupportPlan):
        return []
    try:
        return list(SupportPlan.objects.filter(pupil=pupil).order_by("-pk"))
    except Exception:
        return []


def _closed_cycles(pupil):
    Cycle = _model("support_plans.Cycle")
    if Cycle is None or not {"plan", "closed_at"} <= _fields(Cycle):
        return []
    try:
        return list(Cycle.objects.filter(plan__pupil=pupil, closed_at__isnull=False).order_by("closed_at"))
    except Exception:
        return []


def _placements(pupil):
    PlacementPupil = _model("interventions.PlacementPupil")
    if PlacementPupil is None or not {"placement", "pupil"} <= _fields(PlacementPupil):
        return []
    try:
        return list(PlacementPupil.objects.filter(pupil=pupil).select_related("placement", "placement__intervention")
                    .order_by("-placement__start"))
    except Exception:
        return []


def _profiles(pupil):
    return list(pupil.profiles.all()[:1])


def evidence_checklist(request: AssessmentRequest) -> list[EvidenceLine]:
    """Each line of the section 11 list with what the register holds for the
    pupil and the school's own tick and note. A line is missing when neither."""
    pupil = request.pupil
    Key = EvidenceItem.Key
    lines = {key: EvidenceLine(key=key, label=label) for key, label in Key.choices}

    placements = _placements(pupil)
    for member in placements:
        placement = member.placement
        name = getattr(getattr(placement, "intervention", None), "name", "Intervention")
        lines[Key.INTERVENTIONS].found.append(f"{name} from {placement.start:%d/%m/%Y}")
        if getattr(member, "entry_value", None) is not None or getattr(member, "exit_value", None) is not None:
            lines[Key.ASSESSMENTS].found.append(f"Entry and exit assessments: {name}")

    plans = _support_plans(pupil)
    for plan in plans:
        version = getattr(plan, "version", "")
        start = getattr(plan, "start_date", None)
        lines[Key.SUPPORT_PLANS].found.append(
            f"Support plan{f' version {version}' if version else ''}{f' from {start:%d/%m/%Y}' if start else ''}"
        )
        if getattr(plan, "parent_views", ""):
            lines[Key.PARENT_VIEWS].found.append(f"Parents' views in support plan{f' version {version}' if version else ''}")
        if getattr(plan, "pupil_views", ""):
            lines[Key.PUPIL_VIEWS].found.append(f"Pupil's views in support plan{f' version {version}' if version else ''}")
    for cycle in _closed_cycles(pupil):
        when = getattr(cycle, "meeting_date", None) or cycle.closed_at.date()
        lines[Key.REVIEWS].found.append(f"Support plan review of {when:%d/%m/%Y}")

    for agency in pupil.agencies.all():
        text = f"{agency.get_agency_display()} from {agency.start_date:%d/%m/%Y}"
        if agency.agency in HEALTH_AGENCIES:
            lines[Key.HEALTH].found.append(text)
        elif agency.agency in SPECIALIST_AGENCIES:
            lines[Key.SPECIALISTS].found.append(text)
        elif agency.agency in SOCIAL_AGENCIES:
            lines[Key.SOCIAL_CARE].found.append(text)
        else:
            lines[Key.OTHER_PROFESSIONALS].found.append(text)

    for document in pupil.documents.all():
        text = f"Document: {document.title}"
        if document.kind == PupilDocument.Kind.ASSESSMENT:
            lines[Key.ASSESSMENTS].found.append(text)
        elif document.kind == PupilDocument.Kind.REPORT:
            lines[Key.SPECIALISTS].found.append(text)

    if request.parents_views.strip():
        lines[Key.PARENT_VIEWS].found.append("Parents' views on this request")
    if request.pupil_views.strip():
        lines[Key.PUPIL_VIEWS].found.append("Pupil's views on this request")
    for profile in _profiles(pupil):
        if profile.pupil_words or profile.important_to_me:
            lines[Key.PUPIL_VIEWS].found.append(f"One-page profile of {profile.gathered_on:%d/%m/%Y}")

    for item in request.evidence.all():
        line = lines.get(item.key)
        if line is not None:
            line.provided = item.provided
            line.note = item.note
    return list(lines.values())


def evidence_pack_context(request: AssessmentRequest) -> dict:
    """Everything the pack PDF prints: the request, the checklist and the
    records behind it."""
    from .deadlines import request_steps

    pupil = request.pupil
    plans = _support_plans(pupil)
    targets = {}
    Target = _model("support_plans.Target")
    if Target is not None and plans and "plan" in _fields(Target):
        try:
            for target in Target.objects.filter(plan__in=plans).order_by("plan_id", "order", "pk"):
                targets.setdefault(target.plan_id, []).append(target)
        except Exception:
            targets = {}
    return {
        "request": request,
        "pupil": pupil,
        "needs": pupil.current_needs,
        "checklist": evidence_checklist(request),
        "milestones": request_steps(request),
        "support_plans": [(plan, targets.get(plan.pk, [])) for plan in plans],
        "reviews": _closed_cycles(pupil),
        "placements": _placements(pupil),
        "agencies": list(pupil.agencies.all()),
        "documents": _attachments(list(pupil.documents.all())),
        "profile": (_profiles(pupil) or [None])[0],
        "events": list(request.events.select_related("recorded_by")),
    }


def _attachments(documents) -> list[tuple]:
    """file:// addresses of the pupil's uploaded documents, so that the pack
    PDF carries them as embedded attachments (one file to send to the LA).
    Only files on the local disk; a document whose file is gone, or that is
    still waiting for its virus scan (send_register.scanning), is listed only."""
    rows = []
    for document in documents:
        if not document.is_released:
            rows.append((document, ""))
            continue
        try:
            path = Path(document.file.path)
        except (NotImplementedError, ValueError):
            path = None
        rows.append((document, path.as_uri() if path is not None and path.is_file() else ""))
    return rows


def plans_for_list(*, status: str = "in_force"):
    """The EHC plan list: each plan with its pupil and the number of reviews,
    in a fixed number of queries."""
    qs = EHCPlan.objects.select_related("pupil", "pupil__form", "lead").annotate(
        review_count=Count("reviews", filter=~Q(reviews__status=AnnualReview.Status.CANCELLED))
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("pupil__legal_last_name", "pupil__legal_first_name")


def open_requests():
    return AssessmentRequest.objects.filter(status__in=AssessmentRequest.OPEN).select_related("pupil", "pupil__form")
