"""Stored markup: text a user typed is shown as text, never as markup.

A teacher's target was put into a radio group's label on the cycle review
page, and the GOV.UK radios template prints labels as safe HTML, so a target
holding `<meta http-equiv="refresh" ...>` or a fake sign-in link redirected
the SENCo's browser (the Content Security Policy stops scripts, not that).

This test writes markup into every free-text field of every row of every
model of the project's own apps (found with apps.get_models(), so a new model
or field is covered without touching this file), then asks for every page of
tests/security/test_url_access.py's TABLE as every persona the table lets see
it, and renders the HTML source of every PDF kind, checking that the markup
never comes back raw (its escaped form is fine).

Left out, with the reason: choice fields (only the code's own values are
stored), email addresses, slugs, passwords, tokens and hashes, and the few
internal keys listed in INTERNAL, which no user types.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from .test_url_access import PERSONAS, TABLE, build_url, scene  # noqa: F401  (the fixture)

META = '<meta http-equiv="refresh" content="0;url=https://evil.example">'
LINK = '<a href="https://evil.example">sign in</a>'
SHORT = "<a href=//e.x>"  # for fields too short for the others
# Any of these in a response is markup from the data, unescaped.
RAW = ('<meta http-equiv="refresh"', '<a href="https://evil.example"', "<a href=//e.x>")

# Room for " <pk>" after the markup (every row gets its own value, for unique
# fields): pks below 100,000, plenty for a test database. With it a contact's
# title (20 characters) still takes SHORT; only a URN, LA code, UPN, DfE need
# code and academic year name (3 to 13 characters, checked formats) are left out.
ROOM = 6

# Not text a user types: written and read by the code only.
INTERNAL = {
    ("send_register.OutboundEmail", "purpose"),  # a code naming the kind of email
    ("send_register.OutboundEmail", "last_error"),  # the exception's class name
    ("send_register.PdfJob", "kind"),  # the registered PDF kind's key
    ("send_register.PdfJob", "last_error"),
    ("send_register.WorkerHeartbeat", "worker"),  # the Celery worker's host name
    ("pupils.AccessLog", "page"),  # the view's name
    ("pupils.ImportColumnMap", "field"),  # the model field a column maps to
    ("pupils.PupilDocument", "content_type"),  # checked against the allowed types on upload
    ("concerns.ConcernAttachment", "content_type"),
    ("pupils.HistoricalPupilDocument", "file"),  # the storage path
    ("pupils.HistoricalPupilDocument", "content_type"),
    ("reviews.ReviewSettings", "reminder_days"),  # validated lists of numbers
    ("reviews.ReviewSettings", "transfer_years"),
    ("reviews.HistoricalReviewSettings", "reminder_days"),
    ("reviews.HistoricalReviewSettings", "transfer_years"),
    ("reviews.ReminderSent", "item_key"),
}
SECRET = re.compile(r"password|token|hash|sha\d*|secret|source_version", re.I)


# ---------------------------------------------------------------- the fields


def own_models() -> list[type[models.Model]]:
    """Every model (history models included) of the apps in this repository."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base in path.parents and ".venv" not in path.parts and "site-packages" not in path.parts:
            found.extend(config.get_models())
    return found


def free_text_fields(model) -> list[models.Field]:
    label = model._meta.label
    return [
        f for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not f.choices and not f.primary_key
        and not isinstance(f, (models.EmailField, models.SlugField))
        and not SECRET.search(f.name)
        and (label, f.name) not in INTERNAL
    ]


def markup_for(field) -> str | None:
    """The longest markup that fits the field with room for the row's pk."""
    limit = field.max_length
    for value in (META + LINK, LINK, SHORT):
        if limit is None or len(value) + ROOM <= limit:
            return value
    return None  # a few characters only (a UPN, a URN): no tag fits


def overwrite_every_text_field() -> dict[str, list[str]]:
    """Markup into every free-text field of every row, through
    queryset.update (no validation, no signals: stored as if typed by
    someone who found a way round a form). Returns model -> fields written."""
    written = {}
    for model in own_models():
        changes = {}
        for field in free_text_fields(model):
            markup = markup_for(field)
            if markup is not None:
                changes[field.attname] = Concat(Value(f"{markup} "), Cast("pk", output_field=models.CharField()))
        if changes:
            model._base_manager.update(**changes)
            written[model._meta.label] = sorted(changes)
    cache.clear()
    from send_register import datacache

    datacache.forget()
    return written


# ---------------------------------------------------------------- the world


def fill_the_gaps(scene) -> None:
    """One row of each model the access scene leaves empty, on the scene's
    own records so that its pages show them."""
    from accounts.models import SecurityEvent
    from pupils.models import ImportBatch, ImportColumnMap, NeedType, PupilNeed
    from reports.models import ParentSurvey
    from reviews.models import AnnualReview, EvidenceItem, OutcomeProgress, PlanOutcome, PlanProvision
    from send_register.models import AcademicYear, CensusDay
    from support_plans.models import ParentMeeting, ParentPlanView, StrategyBank, TargetReview

    today = timezone.localdate()
    w = scene.world
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGN_IN_FAILED, user=w.senco, attempted_email="x", detail="x")
    for pupil in (w.pupil, w.other_pupil):
        PupilNeed.objects.create(pupil=pupil, need_type=NeedType.objects.order_by("pk").first(), rank=1,
                                 start_date=today - timedelta(days=30), notes="x")
    ImportColumnMap.objects.create(kind=ImportBatch.Kind.choices[0][0], heading="upn", field="upn", saved_by=w.senco)
    for cycle in (scene.cycle, scene.other_cycle):
        TargetReview.objects.create(cycle=cycle, target=cycle.targets.first(), outcome=TargetReview.Outcome.choices[0][0], evidence="x")
    for pupil, cycle in ((w.pupil, scene.cycle), (w.other_pupil, scene.other_cycle)):
        ParentMeeting.objects.create(pupil=pupil, date=today, attendees="x", agreed_actions="x", cycle=cycle, recorded_by=w.senco)
    ParentPlanView.objects.create(plan=scene.plan, parent=w.parent, kind=ParentPlanView.Kind.VIEWS, text="x", cycle=scene.cycle)
    ParentPlanView.objects.create(plan=scene.other_plan, parent=w.other_parent, kind=ParentPlanView.Kind.VIEWS, text="x", cycle=scene.other_cycle)
    StrategyBank.objects.create(area="CL", text="x", created_by=w.senco)
    for request in (scene.ehc_request, scene.other_ehc_request):
        EvidenceItem.objects.create(request=request, key=EvidenceItem.Key.choices[0][0], note="x", updated_by=w.senco)
    for plan in (scene.ehc_plan, scene.other_ehc_plan):
        outcome = PlanOutcome.objects.create(plan=plan, outcome="x", by_when="x")
        PlanProvision.objects.create(plan=plan, what="x", how_often="x", how_long="x", who="x", outcome=outcome)
        for review in AnnualReview.objects.filter(plan=plan):
            OutcomeProgress.objects.create(review=review, outcome=outcome, rating=OutcomeProgress.Rating.choices[0][0], evidence="x")
    year = AcademicYear.objects.order_by("start").first()
    ParentSurvey.objects.create(academic_year=year, taken_on=today, question="x", responses=10, satisfied=8)
    CensusDay.objects.create(academic_year=year, season=CensusDay.Season.choices[0][0], day=year.start + timedelta(days=30))


# Models that may stay empty here: rows the running system writes itself,
# whose text fields are all internal (so nothing to write into anyway).
# Models whose rows no page shows, so they need no row here (each with why).
MAY_BE_EMPTY: set[str] = {
    "accounts.PasswordResetRequest",  # a typed address waiting for the worker, deleted once done
    "accounts.UserSession",  # session keys, for ending a deactivated person's sessions
    "accounts.AuthenticatorDevice",  # the device's name is the product's own ("Authenticator app")
    "reviews.HistoricalReviewSettings",  # the settings' history is not shown on any page
}


@pytest.fixture
def marked(scene):
    fill_the_gaps(scene)
    empty = [m._meta.label for m in own_models()
             if free_text_fields(m) and m._meta.label not in MAY_BE_EMPTY and not m._base_manager.exists()]
    assert not empty, f"models with free text and no row in the scene (add one in fill_the_gaps): {empty}"
    written = overwrite_every_text_field()
    return scene, written


# ---------------------------------------------------------------- checking


def raw_markup(text: str) -> list[str]:
    found = []
    for token in RAW:
        at = text.find(token)
        if at >= 0:
            found.append(text[max(0, at - 120):at + len(token)].replace("\n", " "))
    return found


def pages_for(persona: str):
    for name, variants in sorted(TABLE.items()):
        for variant, (build, expected) in variants.items():
            if expected[persona] == 200:
                yield name, variant, build


def body_of(response) -> str | None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return None  # PDFs, CSV and XML exports: not shown as a web page (the PDFs' HTML is checked below)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def raw_markup_on_pages(scene, client_for) -> list[str]:
    found = []
    for persona in PERSONAS:
        client = client_for(getattr(scene.world, persona))
        for name, variant, build in pages_for(persona):
            url = build_url(scene, name, build)
            response = client.get(url)
            if response.status_code != 200:  # the markup broke the page: then it was not checked
                found.append(f"{name} [{variant or '-'}] as {persona}: answered {response.status_code}, not 200")
                continue
            body = body_of(response)
            if body is None:
                continue
            for excerpt in raw_markup(body):
                found.append(f"{name} [{variant or '-'}] as {persona}: ...{excerpt}")
    return found


# kind -> the ids to render it for, from the scene's rows.
def pdf_objects() -> dict:
    from pupils.models import OnePageProfile, ParentNotice
    from reports.models import InformationReport
    from reviews.models import AnnualReview, AssessmentRequest
    from send_register.models import Term
    from support_plans.models import SupportPlan

    return {
        "support_plan": SupportPlan.objects.values_list("pk", flat=True),
        "one_page_profile": OnePageProfile.objects.values_list("pupil_id", flat=True),
        "ehc_evidence_pack": AssessmentRequest.objects.values_list("pk", flat=True),
        "annual_review_report": AnnualReview.objects.values_list("pk", flat=True),
        "parent_letter": ParentNotice.objects.values_list("pk", flat=True),
        "sen_information_report": InformationReport.objects.values_list("pk", flat=True),
        "termly_register": Term.objects.values_list("pk", flat=True),
    }


def raw_markup_in_pdfs() -> list[str]:
    from send_register.pdf import kinds

    objects = pdf_objects()
    registered = kinds()
    missing = sorted(set(registered) - set(objects))
    assert not missing, f"PDF kinds with no objects to render in tests/security/test_markup.py pdf_objects: {missing}"
    found = []
    for kind, spec in sorted(registered.items()):
        ids = list(objects[kind])
        assert ids, f"no object to render the {kind} PDF for"
        for object_id in ids:
            context = spec.context(object_id)
            context.setdefault("document_title", spec.title)
            html = render_to_string(spec.template, context)
            for excerpt in raw_markup(html):
                found.append(f"PDF {kind} #{object_id}: ...{excerpt}")
    return found


# ---------------------------------------------------------------- the tests


def test_no_page_or_pdf_shows_stored_markup_raw(marked, client_for):
    """One test, so that the scene is built once (it is the slow part)."""
    scene, written = marked
    from support_plans.models import Target

    # The overwrite reached the fields that matter (a guard on the guard).
    assert "text" in written["support_plans.Target"]
    assert "full_name" in written["accounts.User"]
    assert Target.objects.filter(text__startswith=META).count() == Target.objects.count() > 0

    # The target is still shown in its radio group's legend, as text.
    page = client_for(scene.senco).get(build_url(scene, "support_plans:cycle_review", lambda s: {"pk": s.cycle.pk}))
    assert f"Outcome for the target: {escape(META + LINK)} " in page.content.decode()

    found = raw_markup_on_pages(scene, client_for) + raw_markup_in_pdfs()
    assert not found, "stored markup printed raw:\n" + "\n".join(found)


def test_the_check_finds_raw_markup():
    """raw_markup can fail: it finds each token, and not its escaped form."""
    for token in RAW:
        assert raw_markup(f"<p>{token}</p>")
    assert not raw_markup(escape(META + LINK + SHORT))
