"""Access, proven (issue 9): every URL of the project, for every persona and
anonymous, for records they own and records they don't.

`TABLE` has one entry per named URL ("namespace:name"). Each entry is a list
of variants; a variant builds the URL's arguments from a `Scene` (the `world`
fixture of tests/conftest.py plus one of each kind of record, made through the
apps' services) and says what a GET answers for each persona:

- 200: the page;
- LOGIN: a redirect to the sign-in page (anonymous);
- 302: another redirect (a page that sends you on, e.g. to a wizard step);
- 403: may see the record but not change it;
- 404: may not know the record exists (ARCHITECTURE.md: never 403 for that);
- 405: POST-only.

The policy (ARCHITECTURE.md "Tiers", pupils/access.py): the SENCo and the
head see every pupil at every tier; teachers and TAs see their caseload at
plan tier and every pupil on the register at summary tier; parents see their
own children through the parent pages only; governors and administrators see
no pupil at all (aggregates only); anonymous visitors are sent to sign in.

A URL added to the project without an entry here fails
`test_every_url_is_in_the_table`.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from send_register.models import PdfJob

LOGIN = "login"
PERSONAS = ("senco", "head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor", "admin")
ALL = PERSONAS + ("anonymous",)
IGNORED_NAMESPACES = {"admin", "djdt"}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# ---------------------------------------------------------------- the URLs


def project_url_names() -> set[str]:
    """Every named URL of the project as "namespace:name", walking the
    resolver recursively (the Django admin site and static/media left out)."""
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in IGNORED_NAMESPACES:
                    continue
                inner = pattern.namespace
                walk(pattern.url_patterns, f"{namespace}:{inner}" if namespace and inner else (inner or namespace))
            elif isinstance(pattern, URLPattern) and pattern.name:
                if str(pattern.pattern).startswith(("static/", "media/", "^static", "^media")):
                    continue
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


# ---------------------------------------------------------------- the scene


@dataclass
class Scene:
    world: object
    concern: object  # teacher's submitted concern about world.pupil (with evidence)
    other_concern: object  # other_teacher's concern about other_pupil
    parent_concern: object  # parent's draft concern about world.pupil
    other_parent_concern: object  # other_parent's draft concern about other_pupil
    attachment: object
    plan: object  # support plan of world.pupil
    other_plan: object
    cycle: object
    other_cycle: object
    bank_target: object
    intervention: object
    placement: object  # run by the TA, with world.pupil in it
    other_placement: object  # run by other_teacher, with other_pupil in it
    session: object
    other_session: object
    member: object
    other_member: object
    ehc_request: object
    other_ehc_request: object
    ehc_plan: object
    other_ehc_plan: object
    review: object
    other_review: object
    report: object
    profile: object
    other_profile: object
    agency: object
    other_agency: object
    document: object
    other_document: object
    confidential_document: object  # world.pupil's, confidential tier: SENCo and head only
    import_batch: object
    pdf_job: object  # support plan PDF of world.pupil
    other_pdf_job: object

    def __getattr__(self, name):
        return getattr(self.world, name)


def build_scene(world) -> Scene:
    from concerns import services as concern_services
    from concerns.models import ClassStrategy, Concern
    from concerns.services import StaffConcernInput
    from pupils.models import AgencyInvolvement, BroadArea, ImportBatch, OnePageProfile, PupilDocument, Tier
    from reports import services as report_services
    from reports.schedule import ORDER
    from reviews import services as review_services
    from send_register.calendar import academic_year_containing
    from support_plans import services as plan_services
    from support_plans.interventions.models import Intervention, Placement, PlacementPupil, Session
    from support_plans.models import TargetBank

    today = timezone.localdate()

    def staff_concern(user, pupil, evidence=()):
        data = StaffConcernInput(
            pupil=pupil,
            areas={BroadArea.COGNITION: "Struggles to hold a sentence in mind"},
            parents_said="Homework is hard",
            parents_want="Ideas for home",
            strategies=[("Word bank", ClassStrategy.Effect.SOME)],
            support_wanted=[Concern.Support.OBSERVATION],
            support_detail="",
        )
        return concern_services.concern_save_staff(concern=None, by=user, data=data, evidence=evidence, submit=True)

    def parent_draft(parent, pupil):
        draft = concern_services.concern_create_draft(pupil=pupil, raised_by=parent, raised_by_role=Concern.RaisedByRole.PARENT)
        concern_services.concern_save_parent_answer(concern=draft, by=parent, parent_concern="Cannot sleep before school")
        return draft

    concern = staff_concern(world.teacher, world.pupil, evidence=[SimpleUploadedFile("work.png", PNG, content_type="image/png")])
    other_concern = staff_concern(world.other_teacher, world.other_pupil)

    def support_plan(pupil):
        return plan_services.plan_create(
            pupil=pupil, by=world.senco, next_review_date=today + timedelta(days=30),
            teaching_strategies="Short instructions", targets=[{"text": "Read 20 words", "success_looks_like": "All 20", "area": "CL"}],
        )

    plan, other_plan = support_plan(world.pupil), support_plan(world.other_pupil)

    intervention = Intervention.objects.create(
        name="Phonics catch-up", broad_area="CL", wave=2, description="Phonics games", aim="Read new words",
        group_size=3, sessions_per_week=3, minutes_per_session=30, planned_weeks=8, delivered_by="ta",
        location="the library", hourly_cost_pence=1500, other_cost_pence=600, measure="months",
        measure_name="Reading age (months)", expected_gain=Decimal("2.0"),
    )
    start = today - timedelta(days=60)

    def group(staff, pupil):
        placement = Placement.objects.create(intervention=intervention, staff=staff, start=start, planned_end=start + timedelta(weeks=8),
                                             days="Monday", times="9:10 to 9:40")
        member = PlacementPupil.objects.create(placement=placement, pupil=pupil, joined_on=start)
        session = Session.objects.create(placement=placement, date=start, minutes=30, pupils_present=1, hourly_cost_pence=1500)
        return placement, member, session

    placement, member, session = group(world.ta, world.pupil)
    other_placement, other_member, other_session = group(world.other_teacher, world.other_pupil)

    def ehc(pupil):
        request = review_services.request_create(pupil=pupil, requested_by="school", requested_on=today - timedelta(days=300), by=world.senco)
        ehc_plan = review_services.plan_record(pupil=pupil, issued_on=today - timedelta(days=200), local_authority="Derbyshire",
                                               by=world.senco, request=request)
        review = review_services.review_create(plan=ehc_plan, meeting_date=today + timedelta(days=30), by=world.senco)
        return request, ehc_plan, review

    ehc_request, ehc_plan, review = ehc(world.pupil)
    other_ehc_request, other_ehc_plan, other_review = ehc(world.other_pupil)
    for pupil in (world.pupil, world.other_pupil):
        pupil.refresh_from_db()

    year = academic_year_containing(today)
    report = report_services.report_start(academic_year=year, by=world.senco)
    for item in ORDER:
        report_services.answer_save(report=report, item=item, text=f"Our answer for item {item}.", by=world.senco)
    report_services.report_update_dates(report=report, governor_approval_date=today, next_review_date=None, by=world.senco)
    report.refresh_from_db()
    report_services.report_publish(report=report, by=world.senco)
    report.refresh_from_db()

    def profile(pupil):
        return OnePageProfile.objects.create(pupil=pupil, like_and_admire="Kind", gathered_on=today, written_by=world.senco)

    def agency(pupil):
        return AgencyInvolvement.objects.create(pupil=pupil, agency=AgencyInvolvement.Agency.choices[0][0], start_date=today)

    def document(pupil, tier=Tier.SUMMARY):
        return PupilDocument.objects.create(
            pupil=pupil, title="Class observation", tier=tier, file=SimpleUploadedFile("obs.pdf", b"%PDF-1.4\n%test\n"),
            original_name="obs.pdf", content_type="application/pdf", size=16, uploaded_by=world.senco, scan_status="clean",
        )

    def ready_pdf(support_plan):
        job = PdfJob.objects.create(kind="support_plan", object_id=support_plan.pk, requested_by=world.senco, status=PdfJob.Status.READY)
        job.file.save(f"plan-{support_plan.pk}.pdf", ContentFile(b"%PDF-1.4\n%test\n"))
        return job

    import_batch = ImportBatch.objects.create(uploaded_by=world.senco, content="upn\n", sha256="0" * 64)

    return Scene(
        world=world, concern=concern, other_concern=other_concern,
        parent_concern=parent_draft(world.parent, world.pupil), other_parent_concern=parent_draft(world.other_parent, world.other_pupil),
        attachment=concern.attachments.get(), plan=plan, other_plan=other_plan,
        cycle=plan.cycles.get(), other_cycle=other_plan.cycles.get(),
        bank_target=TargetBank.objects.create(area="CL", text="Read 20 words", created_by=world.senco),
        intervention=intervention, placement=placement, other_placement=other_placement,
        session=session, other_session=other_session, member=member, other_member=other_member,
        ehc_request=ehc_request, other_ehc_request=other_ehc_request, ehc_plan=ehc_plan, other_ehc_plan=other_ehc_plan,
        review=review, other_review=other_review, report=report,
        profile=profile(world.pupil), other_profile=profile(world.other_pupil),
        agency=agency(world.pupil), other_agency=agency(world.other_pupil),
        document=document(world.pupil), other_document=document(world.other_pupil),
        confidential_document=document(world.pupil, Tier.CONFIDENTIAL),
        import_batch=import_batch,
        pdf_job=ready_pdf(plan), other_pdf_job=ready_pdf(other_plan),
    )


@pytest.fixture
def scene(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_scene(world)


# ---------------------------------------------------------------- answering


def answer(client, url: str):
    response = client.get(url)
    if response.status_code == 302:
        if response["Location"].startswith(reverse("accounts:login")):
            return LOGIN, response
        return 302, response
    return response.status_code, response


def answers_for(scene, client_for, client, url: str) -> dict:
    """persona -> answer to a GET of `url`."""
    got = {}
    for persona in PERSONAS:
        got[persona], _ = answer(client_for(getattr(scene.world, persona)), url)
    client.logout()
    got["anonymous"], _ = answer(client, url)
    return got


# ---------------------------------------------------------------- the table

NOARGS = {"": lambda s: {}}


PUPIL3 = {
    "own": lambda s: {"pk": s.pupil.pk},
    "other": lambda s: {"pk": s.other_pupil.pk},
    "unlisted": lambda s: {"pk": s.unlisted_pupil.pk},
}


def pupil3(key):
    return {
        "own": lambda s: {key: s.pupil.pk},
        "other": lambda s: {key: s.other_pupil.pk},
        "unlisted": lambda s: {key: s.unlisted_pupil.pk},
    }


def pair(attr, other_attr, key="pk"):
    return {"own": lambda s: {key: getattr(s, attr).pk}, "other": lambda s: {key: getattr(s, other_attr).pk}}



def _contacts_batch(s):
    """A contacts import previewed by the SENCo (one per scene)."""
    from pupils.models import ImportBatch

    batch, _ = ImportBatch.objects.get_or_create(
        kind=ImportBatch.Kind.CONTACTS, uploaded_by=s.world.senco, defaults={"content": "upn\n", "sha256": "0" * 64},
    )
    return batch


def pair_contact(parent_attr, other_parent_attr):
    """The contact (with a parent link) of world.pupil's and other_pupil's parent."""
    def build(pupil_attr, parent):
        def args(s):
            link = getattr(s, pupil_attr).parent_links.get(parent=getattr(s.world, parent))
            return {"pk": link.pupil_id, "contact_pk": link.contact_id}
        return args
    return {"own": build("pupil", parent_attr), "other": build("other_pupil", other_parent_attr)}



def E(codes: str) -> dict:
    """Expected answers, in the order senco head teacher other_teacher ta
    parent other_parent governor admin anonymous."""
    values = codes.split()
    assert len(values) == len(ALL), codes
    return {persona: (value if value == LOGIN else int(value)) for persona, value in zip(ALL, values)}


def T(arguments: dict, expected: dict) -> dict:
    """variant -> (how to build the URL's arguments from the scene, expected answers)."""
    assert arguments.keys() == expected.keys(), (arguments.keys(), expected.keys())
    return {variant: (arguments[variant], expected[variant]) for variant in arguments}


# Variants: "own" is the record of world.pupil (the teacher's and TA's class,
# the parent's child); "other" is other_pupil's (other_teacher's class,
# other_parent's child); "unlisted" is a pupil not on the register (other class).
#                                              senco head teach oteach ta parent oparent gov admin anon
TABLE = {
    "accounts:account": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 login"),
    }),
    "accounts:invitation_accept": T({"bad-token": lambda s: {"uidb64": "MQ", "token": "bad-token"}}, {
        "bad-token": E("200 200 200 200 200 200 200 200 200 200"),
    }),
    "accounts:login": T(NOARGS, {
        "": E("302 302 302 302 302 302 302 302 302 200"),
    }),
    "accounts:logout": T(NOARGS, {
        "": E("405 405 405 405 405 405 405 405 405 405"),
    }),
    "accounts:mfa_backup_codes": T(NOARGS, {
        "": E("302 302 302 302 302 302 302 302 302 login"),
    }),
    "accounts:mfa_backup_codes_regenerate": T(NOARGS, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "accounts:mfa_confirm": T(NOARGS, {
        "": E("200 200 200 200 200 302 302 302 200 login"),
    }),
    "accounts:mfa_enrol": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 login"),
    }),
    "accounts:mfa_remove": T(NOARGS, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "accounts:mfa_verify": T(NOARGS, {
        "": E("302 302 302 302 302 302 302 302 302 login"),
    }),
    "accounts:password_change": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 login"),
    }),
    "accounts:password_reset": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 200"),
    }),
    "accounts:password_reset_complete": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 200"),
    }),
    "accounts:password_reset_confirm": T({"bad-token": lambda s: {"uidb64": "MQ", "token": "bad-token"}}, {
        "bad-token": E("200 200 200 200 200 200 200 200 200 200"),
    }),
    "accounts:password_reset_done": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 200"),
    }),
    "accounts:security_log": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "accounts:user_deactivate": T({"": lambda s: {"pk": s.teacher.pk}}, {
        "": E("403 403 403 403 403 403 403 403 200 login"),
    }),
    "accounts:user_edit": T({"": lambda s: {"pk": s.teacher.pk}}, {
        "": E("403 403 403 403 403 403 403 403 200 login"),
    }),
    "accounts:user_invite": T(NOARGS, {
        "": E("403 403 403 403 403 403 403 403 200 login"),
    }),
    "accounts:user_list": T(NOARGS, {
        "": E("403 403 403 403 403 403 403 403 200 login"),
    }),
    "accounts:user_mfa_reset": T({"": lambda s: {"pk": s.teacher.pk}}, {
        "": E("403 403 403 403 403 403 403 403 405 login"),
    }),
    "accounts:user_reactivate": T({"": lambda s: {"pk": s.teacher.pk}}, {
        "": E("403 403 403 403 403 403 403 403 405 login"),
    }),
    "accounts:user_resend_invitation": T({"": lambda s: {"pk": s.teacher.pk}}, {
        "": E("403 403 403 403 403 403 403 403 405 login"),
    }),
    "concerns:attachment": T({"": lambda s: {"pk": s.attachment.pk}}, {
        "": E("200 200 200 404 404 404 404 404 404 login"),
    }),
    "concerns:attachment_remove": T({"": lambda s: {"pk": s.attachment.pk}}, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "concerns:delete": T(pair("concern", "other_concern"), {
        "own": E("403 403 403 404 404 403 403 403 403 login"),
        "other": E("403 403 404 403 404 403 403 403 403 login"),
    }),
    "concerns:detail": T(pair("concern", "other_concern"), {
        "own": E("200 200 200 404 404 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "concerns:edit": T(pair("concern", "other_concern"), {
        "own": E("403 403 403 404 404 403 403 403 403 login"),
        "other": E("403 403 404 403 404 403 403 403 403 login"),
    }),
    "concerns:list": T(NOARGS, {
        "": E("200 200 302 302 302 302 302 403 403 login"),
    }),
    "concerns:mine": T(NOARGS, {
        "": E("200 200 200 200 200 403 403 403 403 login"),
    }),
    "concerns:new": T(NOARGS, {
        "": E("200 200 200 200 200 403 403 403 403 login"),
    }),
    "concerns:outcome": T(pair("concern", "other_concern"), {
        "own": E("302 302 403 404 404 404 404 404 404 login"),
        "other": E("302 302 404 403 404 404 404 404 404 login"),
    }),
    "concerns:parent_check": T(pair("parent_concern", "other_parent_concern"), {
        "own": E("404 404 404 404 404 200 404 404 404 login"),
        "other": E("404 404 404 404 404 404 200 404 404 login"),
    }),
    "concerns:parent_detail": T(pair("parent_concern", "other_parent_concern"), {
        "own": E("404 404 404 404 404 302 404 404 404 login"),
        "other": E("404 404 404 404 404 404 302 404 404 login"),
    }),
    "concerns:parent_list": T(NOARGS, {
        "": E("404 404 404 404 404 200 200 404 404 login"),
    }),
    "concerns:parent_new": T(NOARGS, {
        "": E("404 404 404 404 404 200 200 404 404 login"),
    }),
    "concerns:parent_question": T({"own": lambda s: {"pk": s.parent_concern.pk, "number": 1}, "other": lambda s: {"pk": s.other_parent_concern.pk, "number": 1}}, {
        "own": E("404 404 404 404 404 200 404 404 404 login"),
        "other": E("404 404 404 404 404 404 200 404 404 login"),
    }),
    "concerns:skip": T(pair("concern", "other_concern"), {
        "own": E("302 302 403 404 404 404 404 404 404 login"),
        "other": E("302 302 404 403 404 404 404 404 404 login"),
    }),
    "concerns:step": T({"own": lambda s: {"pk": s.concern.pk, "step": "received"}, "other": lambda s: {"pk": s.other_concern.pk, "step": "received"}}, {
        "own": E("200 200 403 404 404 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "healthz": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 200"),
    }),
    "home": T(NOARGS, {
        "": E("200 200 200 200 200 200 200 200 200 login"),
    }),
    "interventions:create": T(NOARGS, {
        "": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:detail": T({"": lambda s: {"pk": s.intervention.pk}}, {
        "": E("200 200 200 200 200 404 404 404 404 login"),
    }),
    "interventions:edit": T({"": lambda s: {"pk": s.intervention.pk}}, {
        "": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:effectiveness": T(NOARGS, {
        "": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:list": T(NOARGS, {
        "": E("200 200 200 200 200 404 404 404 404 login"),
    }),
    "interventions:member_assessment": T(pair("member", "other_member"), {
        "own": E("200 200 404 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "interventions:member_remove": T(pair("member", "other_member"), {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:placement_add_pupil": T(pair("placement", "other_placement"), {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:placement_create": T(NOARGS, {
        "": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:placement_detail": T(pair("placement", "other_placement"), {
        "own": E("200 200 404 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "interventions:placement_edit": T(pair("placement", "other_placement"), {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:placement_end": T(pair("placement", "other_placement"), {
        "own": E("405 405 405 405 405 405 405 405 405 login"),
        "other": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "interventions:placement_list": T(NOARGS, {
        "": E("200 200 200 200 200 404 404 404 404 login"),
    }),
    "interventions:provision_map": T(NOARGS, {
        "": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "interventions:pupil_map": T(pupil3("pupil_id"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
        "unlisted": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "interventions:session_delete": T({"own": lambda s: {"pk": s.placement.pk, "session_pk": s.session.pk}, "other": lambda s: {"pk": s.other_placement.pk, "session_pk": s.other_session.pk}}, {
        "own": E("200 200 404 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "interventions:session_log": T(pair("placement", "other_placement"), {
        "own": E("200 200 404 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "pdfs:download": T(pair("pdf_job", "other_pdf_job", key="job_id"), {
        "own": E("200 200 200 404 200 200 404 404 404 login"),
        "other": E("200 200 404 200 404 404 200 404 404 login"),
    }),
    "pdfs:request": T({"own": lambda s: {"kind": "support_plan", "object_id": s.plan.pk}, "other": lambda s: {"kind": "support_plan", "object_id": s.other_plan.pk}}, {
        "own": E("405 405 405 405 405 405 405 405 405 login"),
        "other": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "pdfs:status": T(pair("pdf_job", "other_pdf_job", key="job_id"), {
        "own": E("200 200 200 404 200 200 404 404 404 login"),
        "other": E("200 200 404 200 404 404 200 404 404 login"),
    }),
    "pupil_subject_access": T(PUPIL3, {
        "own": E("405 405 405 405 405 405 405 405 405 login"),
        "other": E("405 405 405 405 405 405 405 405 405 login"),
        "unlisted": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "pupils:access_log": T(PUPIL3, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
        "unlisted": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "pupils:access_log_user": T({"": lambda s: {"user_pk": s.teacher.pk}}, {
        "": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "pupils:agency_add": T(PUPIL3, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
        "unlisted": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "pupils:agency_edit": T({"own": lambda s: {"pk": s.pupil.pk, "agency_pk": s.agency.pk}, "other": lambda s: {"pk": s.other_pupil.pk, "agency_pk": s.other_agency.pk}}, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "pupils:agency_end": T({"own": lambda s: {"pk": s.pupil.pk, "agency_pk": s.agency.pk}, "other": lambda s: {"pk": s.other_pupil.pk, "agency_pk": s.other_agency.pk}}, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "pupils:detail": T(PUPIL3, {
        "own": E("200 200 200 200 200 404 404 404 404 login"),
        "other": E("200 200 200 200 200 404 404 404 404 login"),
        "unlisted": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "pupils:document_add": T(PUPIL3, {
        "own": E("200 200 200 403 200 404 404 404 404 login"),
        "other": E("200 200 403 200 403 404 404 404 404 login"),
        "unlisted": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "pupils:document_download": T({**pair("document", "other_document"), "confidential": lambda s: {"pk": s.confidential_document.pk}}, {
        "confidential": E("200 200 404 404 404 404 404 404 404 login"),
        "own": E("200 200 200 200 200 404 404 404 404 login"),
        "other": E("200 200 200 200 200 404 404 404 404 login"),
    }),
    "pupils:import": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "pupils:import_discard": T({"": lambda s: {"pk": s.import_batch.pk}}, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "pupils:import_preview": T({"": lambda s: {"pk": s.import_batch.pk}}, {
        "": E("200 404 403 403 403 403 403 403 403 login"),
    }),
    "pupils:index": T(NOARGS, {
        "": E("302 302 302 302 302 302 302 302 302 302"),
    }),
    "pupils:list": T(NOARGS, {
        "": E("200 200 200 200 200 403 403 403 403 login"),
    }),
    "pupils:needs": T(PUPIL3, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
        "unlisted": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "pupils:parent_child": T(PUPIL3, {
        "own": E("404 404 404 404 404 200 404 404 404 login"),
        "other": E("404 404 404 404 404 404 200 404 404 login"),
        "unlisted": E("404 404 404 404 404 404 404 404 404 login"),
    }),
    "pupils:parent_children": T(NOARGS, {
        "": E("403 403 403 403 403 200 200 403 403 login"),
    }),
    "pupils:profile": T(PUPIL3, {
        "own": E("200 200 200 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
        "unlisted": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "pupils:profile_edit": T(PUPIL3, {
        "own": E("200 200 200 403 200 404 404 404 404 login"),
        "other": E("200 200 403 200 403 404 404 404 404 login"),
        "unlisted": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "pupils:register": T(NOARGS, {
        "": E("200 200 200 200 200 403 403 403 403 login"),
    }),
    "pupils:register_export": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "pupils:event_notices": T({"own": lambda s: {"pk": s.pupil.pk, "event_pk": s.pupil.register_events.first().pk}, "other": lambda s: {"pk": s.other_pupil.pk, "event_pk": s.other_pupil.register_events.first().pk}}, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "pupils:event_notices_queue": T({"own": lambda s: {"pk": s.pupil.pk, "event_pk": s.pupil.register_events.first().pk}}, {
        "own": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "pupils:notice_record": T({"own": lambda s: {"pk": s.pupil.pk, "notice_pk": s.pupil.register_events.first().notices.get().pk}, "other": lambda s: {"pk": s.other_pupil.pk, "notice_pk": s.other_pupil.register_events.first().notices.get().pk}}, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "pupils:status": T(PUPIL3, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
        "unlisted": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    # Classes and teaching groups (pupils.class_views): SENCo, head and administrator
    # manage classes and their staff; only the SENCo and head see or change pupils in them.
    "pupils:class_list": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:class_add": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:class_detail": T({"": lambda s: {"class_pk": s.form.pk}}, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:class_edit": T({"": lambda s: {"class_pk": s.form.pk}}, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:class_delete": T({"": lambda s: {"class_pk": s.form.pk}}, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:class_staff_add": T({"": lambda s: {"class_pk": s.form.pk}}, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:class_staff_remove": T({"": lambda s: {"class_pk": s.form.pk, "link_pk": s.form.staff_links.first().pk}}, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "pupils:class_members_add": T({"": lambda s: {"class_pk": s.form.pk}}, {
        "": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "pupils:class_member_remove": T({"": lambda s: {"class_pk": s.form.pk, "pupil_pk": s.pupil.pk}}, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "pupils:key_staff": T(PUPIL3, {
        "own": E("200 200 403 403 403 404 404 404 404 login"),
        "other": E("200 200 403 403 403 404 404 404 404 login"),
        "unlisted": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "pupils:key_staff_remove": T({"": lambda s: {"pk": s.pupil.pk, "user_pk": s.teacher.pk}}, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "reports:analysis": T(NOARGS, {
        "": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reports:census_check": T(NOARGS, {
        "": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reports:census_export": T(NOARGS, {
        "": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reports:governors": T(NOARGS, {
        "": E("200 200 404 404 404 404 404 200 404 login"),
    }),
    "reports:index": T(NOARGS, {
        "": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reports:item_edit": T({"": lambda s: {"slug": s.report.slug, "item": __import__("reports.schedule", fromlist=["ORDER"]).ORDER[0]}}, {
        "": E("403 403 404 404 404 404 404 403 404 login"),
    }),
    "reports:public_latest": T(NOARGS, {
        "": E("302 302 302 302 302 302 302 302 302 302"),
    }),
    "reports:public_report": T({"": lambda s: {"slug": s.report.slug}}, {
        "": E("200 200 200 200 200 200 200 200 200 200"),
    }),
    "reports:report_dates": T({"": lambda s: {"slug": s.report.slug}}, {
        "": E("403 403 404 404 404 404 404 403 404 login"),
    }),
    "reports:report_detail": T({"": lambda s: {"slug": s.report.slug}}, {
        "": E("200 200 404 404 404 404 404 200 404 login"),
    }),
    "reports:report_publish": T({"": lambda s: {"slug": s.report.slug}}, {
        "": E("403 403 404 404 404 404 404 403 404 login"),
    }),
    "reports:report_reopen": T({"": lambda s: {"slug": s.report.slug}}, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "reports:report_start": T(NOARGS, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "reports:report_version": T({"": lambda s: {"slug": s.report.slug, "number": 1}}, {
        "": E("200 200 404 404 404 404 404 200 404 login"),
    }),
    "reports:surveys": T(NOARGS, {
        "": E("200 200 404 404 404 404 404 200 404 login"),
    }),
    "reports:termly_register": T(NOARGS, {
        "": E("200 200 200 200 200 404 404 404 404 login"),
    }),
    "reviews:due": T(NOARGS, {
        "": E("200 200 200 200 200 403 403 403 403 login"),
    }),
    "reviews:parent_views": T({"own": lambda s: {"pupil_id": s.pupil.pk, "review_id": s.review.pk}, "other": lambda s: {"pupil_id": s.other_pupil.pk, "review_id": s.other_review.pk}}, {
        "own": E("404 404 404 404 404 200 404 404 404 login"),
        "other": E("404 404 404 404 404 404 200 404 404 login"),
    }),
    "reviews:plan_cease": T(pair("ehc_plan", "other_ehc_plan"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "reviews:plan_create": T({"unlisted": lambda s: {"pupil_id": s.unlisted_pupil.pk}}, {
        "unlisted": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "reviews:plan_detail": T(pair("ehc_plan", "other_ehc_plan"), {
        "own": E("200 200 200 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "reviews:plan_edit": T(pair("ehc_plan", "other_ehc_plan"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "reviews:plan_list": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "reviews:plan_sections": T(pair("ehc_plan", "other_ehc_plan"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "reviews:plan_start": T({"unlisted": lambda s: {"?": f"pupil={s.unlisted_pupil.pk}"}}, {
        "unlisted": E("302 302 403 403 403 403 403 403 403 login"),
    }),
    "reviews:request_create": T({"unlisted": lambda s: {"pupil_id": s.unlisted_pupil.pk}}, {
        "unlisted": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "reviews:request_detail": T(pair("ehc_request", "other_ehc_request"), {
        "own": E("200 200 404 404 404 404 404 404 404 login"),
        "other": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reviews:request_edit": T(pair("ehc_request", "other_ehc_request"), {
        "own": E("200 200 404 404 404 404 404 404 404 login"),
        "other": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reviews:request_evidence": T(pair("ehc_request", "other_ehc_request"), {
        "own": E("200 200 404 404 404 404 404 404 404 login"),
        "other": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reviews:request_step": T(pair("ehc_request", "other_ehc_request"), {
        "own": E("200 200 404 404 404 404 404 404 404 login"),
        "other": E("200 200 404 404 404 404 404 404 404 login"),
    }),
    "reviews:review_cancel": T(pair("review", "other_review"), {
        "own": E("405 405 405 405 405 405 405 405 405 login"),
        "other": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "reviews:review_create": T(pair("ehc_plan", "other_ehc_plan", key="plan_pk"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "reviews:review_detail": T(pair("review", "other_review"), {
        "own": E("200 200 200 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "reviews:review_edit": T(pair("review", "other_review"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "reviews:review_invitees": T(pair("review", "other_review"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "reviews:review_progress": T(pair("review", "other_review"), {
        "own": E("200 200 403 404 403 404 404 404 404 login"),
        "other": E("200 200 404 403 404 404 404 404 404 login"),
    }),
    "reviews:settings": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 403 login"),
    }),
    "school:calendar": T(NOARGS, {
        "": E("200 403 403 403 403 403 403 403 200 login"),
    }),
    "school:census_edit": T({"": lambda s: {"year_pk": __import__("send_register.models", fromlist=["AcademicYear"]).AcademicYear.objects.first().pk}}, {
        "": E("200 403 403 403 403 403 403 403 200 login"),
    }),
    "school:settings": T(NOARGS, {
        "": E("200 403 403 403 403 403 403 403 200 login"),
    }),
    "school:term_edit": T({"": lambda s: {"pk": __import__("send_register.models", fromlist=["Term"]).Term.objects.first().pk}}, {
        "": E("200 403 403 403 403 403 403 403 200 login"),
    }),
    "school:year_add": T(NOARGS, {
        "": E("200 403 403 403 403 403 403 403 200 login"),
    }),
    "support_plans:bank_add": T({"": lambda s: {"bank": "targets"}}, {
        "": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "support_plans:bank_edit": T({"": lambda s: {"bank": "targets", "pk": s.bank_target.pk}}, {
        "": E("200 200 403 403 403 404 404 404 404 login"),
    }),
    "support_plans:bank_list": T(NOARGS, {
        "": E("200 200 200 200 200 404 404 404 404 login"),
    }),
    "support_plans:cycle_close": T(pair("cycle", "other_cycle"), {
        "own": E("200 200 200 404 403 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:cycle_edit": T(pair("cycle", "other_cycle"), {
        "own": E("200 200 200 404 403 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:cycle_review": T(pair("cycle", "other_cycle"), {
        "own": E("200 200 200 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:meeting_add": T(pupil3("pupil_id"), {
        "own": E("200 200 200 404 403 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
        "unlisted": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:parent_confirm_read": T(pupil3("pupil_id"), {
        "own": E("405 405 405 405 405 405 405 405 405 login"),
        "other": E("405 405 405 405 405 405 405 405 405 login"),
        "unlisted": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "support_plans:parent_plan": T(pupil3("pupil_id"), {
        "own": E("404 404 404 404 404 200 404 404 404 login"),
        "other": E("404 404 404 404 404 404 200 404 404 login"),
        "unlisted": E("404 404 404 404 404 404 404 404 404 login"),
    }),
    "support_plans:parent_views": T(pupil3("pupil_id"), {
        "own": E("405 405 405 405 405 405 405 405 405 login"),
        "other": E("405 405 405 405 405 405 405 405 405 login"),
        "unlisted": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "support_plans:plan_create": T(pupil3("pupil_id"), {
        "own": E("302 302 302 404 403 404 404 404 404 login"),
        "other": E("302 302 404 302 404 404 404 404 404 login"),
        "unlisted": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:plan_detail": T(pair("plan", "other_plan"), {
        "own": E("200 200 200 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:plan_edit": T(pair("plan", "other_plan"), {
        "own": E("200 200 200 404 403 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:plan_list": T(NOARGS, {
        "": E("200 200 200 200 200 404 404 404 404 login"),
    }),
    "support_plans:plan_new_version": T(pair("plan", "other_plan"), {
        "own": E("200 200 200 404 403 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:plan_versions": T(pupil3("pupil_id"), {
        "own": E("200 200 200 404 200 404 404 404 404 login"),
        "other": E("200 200 404 200 404 404 404 404 404 login"),
        "unlisted": E("200 200 404 200 404 404 404 404 404 login"),
    }),
    "support_plans:pupil_plan": T(pupil3("pupil_id"), {
        "own": E("302 302 302 404 302 404 404 404 404 login"),
        "other": E("302 302 404 302 404 404 404 404 404 login"),
        "unlisted": E("302 302 404 302 404 404 404 404 404 login"),
    }),
    # Parents and carers (pupils.contact_views): the SENCo, the head and the
    # administrator; contact details are confidential tier, so a teacher
    # who may see the pupil still gets 404.
    "pupils:contacts_list": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:contact_import": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:contact_import_preview": T({"": lambda s: {"pk": _contacts_batch(s).pk}}, {
        "": E("200 404 403 403 403 403 403 403 404 login"),
    }),
    "pupils:contact_import_discard": T({"": lambda s: {"pk": _contacts_batch(s).pk}}, {
        "": E("405 405 405 405 405 405 405 405 405 login"),
    }),
    "pupils:contacts_invite_all": T(NOARGS, {
        "": E("200 200 403 403 403 403 403 403 200 login"),
    }),
    "pupils:contacts": T(PUPIL3, {
        "own": E("200 200 404 404 404 404 404 404 200 login"),
        "other": E("200 200 404 404 404 404 404 404 200 login"),
        "unlisted": E("200 200 404 404 404 404 404 404 200 login"),
    }),
    "pupils:contact_invite": T(pair_contact("parent", "other_parent"), {
        "own": E("200 200 404 404 404 404 404 404 200 login"),
        "other": E("200 200 404 404 404 404 404 404 200 login"),
    }),
    "pupils:contact_link": T(pair_contact("parent", "other_parent"), {
        "own": E("200 200 404 404 404 404 404 404 200 login"),
        "other": E("200 200 404 404 404 404 404 404 200 login"),
    }),
    "pupils:contact_unlink": T(pair_contact("parent", "other_parent"), {
        "own": E("200 200 404 404 404 404 404 404 200 login"),
        "other": E("200 200 404 404 404 404 404 404 200 login"),
    }),
    "pupils:parent_confirm": T(NOARGS, {
        "": E("403 403 403 403 403 302 302 403 403 login"),
    }),
}


def staff_batch(scene):
    """A staff import batch the administrator uploaded (previewed)."""
    from pupils.models import ImportBatch

    batch, _ = ImportBatch.objects.get_or_create(
        kind=ImportBatch.Kind.STAFF, uploaded_by=scene.admin, defaults={"content": "", "sha256": "1" * 64}
    )
    return batch


# Setting up: the staff import and the test email (administrator only).
TABLE.update({
    "accounts:staff_import": T(NOARGS, {
        "": E("403 403 403 403 403 403 403 403 200 login"),
    }),
    "accounts:staff_import_preview": T({"": lambda s: {"pk": staff_batch(s).pk}}, {
        "": E("403 403 403 403 403 403 403 403 200 login"),
    }),
    "accounts:staff_import_discard": T({"": lambda s: {"pk": staff_batch(s).pk}}, {
        "": E("403 403 403 403 403 403 403 403 405 login"),
    }),
    "accounts:staff_import_invite": T({"": lambda s: {"pk": staff_batch(s).pk}}, {
        "": E("403 403 403 403 403 403 403 403 405 login"),
    }),
    "accounts:test_email_send": T(NOARGS, {
        "": E("403 403 403 403 403 403 403 403 405 login"),
    }),
})


def build_url(scene, name: str, build) -> str:
    kwargs = dict(build(scene))
    query = kwargs.pop("?", "")
    return reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


def group_of(name: str) -> str:
    return name.split(":")[0] if ":" in name else "project"


GROUPS = sorted({group_of(name) for name in TABLE})


# ---------------------------------------------------------------- the tests


def test_every_url_is_in_the_table():
    names = project_url_names()
    missing = sorted(names - TABLE.keys())
    assert not missing, f"URLs with no entry in tests/security/test_url_access.py TABLE: {missing}"
    stale = sorted(TABLE.keys() - names)
    assert not stale, f"TABLE entries for URLs that no longer exist: {stale}"


def test_it_fails_for_a_url_missing_from_the_table(monkeypatch):
    """The completeness check can fail: a URL the table does not know about."""
    monkeypatch.setattr(__import__(__name__, fromlist=["project_url_names"]), "project_url_names",
                        lambda: set(TABLE) | {"pupils:brand_new_page"})
    with pytest.raises(AssertionError, match="brand_new_page"):
        test_every_url_is_in_the_table()


@pytest.mark.parametrize("group", GROUPS)
def test_it_answers_every_persona_as_the_table_says(group, scene, client_for, client):
    """One scene per group of URLs (building it is the slow part); every URL
    and variant of the group, every persona and anonymous. A failure lists
    each URL, variant and persona whose answer differs."""
    wrong = []
    for name in sorted(n for n in TABLE if group_of(n) == group):
        for variant, (build, expected) in TABLE[name].items():
            url = build_url(scene, name, build)
            got = answers_for(scene, client_for, client, url)
            for persona in ALL:
                if got[persona] != expected[persona]:
                    wrong.append(f"{name} [{variant or '-'}] {url} as {persona}: expected {expected[persona]}, got {got[persona]}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- privacy


def identifiers(pupil) -> list[str]:
    """A pupil's name, UPN and date of birth in the forms the templates use."""
    dob = pupil.date_of_birth
    values = [
        pupil.legal_first_name, pupil.legal_last_name, pupil.display_name, pupil.upn,
        dob.isoformat(), dob.strftime("%d/%m/%Y"), f"{dob.day} {dob:%B %Y}", f"{dob.day} {dob:%b %Y}",
    ]
    preferred = getattr(pupil, "preferred_first_name", "") or ""
    if preferred:
        values.append(preferred)
    return [v for v in values if v]


def pages_answering_200(scene, client_for, persona: str) -> list[str]:
    urls = []
    for name, variants in sorted(TABLE.items()):
        for variant, (build, expected) in variants.items():
            if expected[persona] == 200:
                urls.append(build_url(scene, name, build))
    return urls


def leaks(client, urls, pupils) -> list[str]:
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        for pupil in pupils:
            for value in identifiers(pupil):
                # Whole words: "Brook" is in "Brookfield Primary School".
                if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text):
                    found.append(f"{url}: pupil #{pupil.pk}'s {value!r}")
    return found


def test_it_shows_a_governor_no_pupil_name_upn_or_date_of_birth(scene, client_for):
    urls = pages_answering_200(scene, client_for, "governor")
    assert any("governors" in url for url in urls)  # the dashboard is among them
    pupils = [scene.pupil, scene.other_pupil, scene.unlisted_pupil]
    assert not leaks(client_for(scene.governor), urls, pupils)


def test_it_shows_a_parent_nothing_of_another_child(scene, client_for):
    urls = pages_answering_200(scene, client_for, "parent")
    assert any(str(scene.pupil.pk) in url for url in urls)  # their own child's pages are among them
    assert not leaks(client_for(scene.parent), urls, [scene.other_pupil, scene.unlisted_pupil])


def test_the_leak_check_can_fail(scene, client_for):
    """The same check on a page that does show the pupil finds them."""
    url = reverse("pupils:parent_child", kwargs={"pk": scene.pupil.pk})
    assert leaks(client_for(scene.parent), [url], [scene.pupil])


# The one place an administrator sees pupils' names: linking parents and carers
# to their children needs the child's name, class and contacts (as the MIS the
# administrator imports from shows them), never the child's SEN record.
ADMINISTRATOR_SEES_NAMES = {"pupils:contacts_list", "pupils:contacts", "pupils:contact_invite", "pupils:contact_link",
                            "pupils:contact_unlink"}


def test_it_shows_an_administrator_no_pupil_name_upn_or_date_of_birth(scene, client_for):
    """The administrator sets up classes and their staff, yet sees no pupil:
    every page they may open, the class pages among them, but for the
    parents-and-carers pages (ADMINISTRATOR_SEES_NAMES)."""
    scene.form.group_pupils.add(scene.other_pupil)  # a form that is also someone's group: still no names
    contacts_pages = [build_url(scene, name, build) for name in ADMINISTRATOR_SEES_NAMES
                      for build, expected in TABLE[name].values() if expected["admin"] == 200]
    urls = [u for u in pages_answering_200(scene, client_for, "admin") if u not in contacts_pages]
    assert reverse("pupils:class_detail", kwargs={"class_pk": scene.form.pk}) in urls
    pupils = [scene.pupil, scene.other_pupil, scene.unlisted_pupil]
    assert not leaks(client_for(scene.admin), urls, pupils)
