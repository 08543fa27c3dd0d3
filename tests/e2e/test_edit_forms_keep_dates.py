"""Every edit form of a saved record, opened in a real browser and saved
unchanged, leaves what is stored exactly as it was.

A browser's <input type="date"> shows nothing when its value is not ISO
(18/12/2026 rather than 2026-12-18): saving such a form unchanged either
failed ("Enter the date of the next review") or set the stored dates to
nothing. Each case below opens the form for a record with every date filled
in, presses its save button, and reads the database back.

`test_every_edit_view_with_a_date_is_listed` walks the URL patterns: a view
whose form has a date field must be listed here, as an edit case or as a form
that records something new (an action, not an edit), so a new edit view with
a date cannot be added without this test covering it.
"""

import inspect
import types
from datetime import date, timedelta

import pytest
from crispy_forms_gds.fields import DateInputField
from django import forms
from django.db import models
from django.urls import get_resolver, reverse
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _today():
    return timezone.localdate()


# -- the records -----------------------------------------------------------------


def _records(world):
    """One saved record behind each edit form, every optional date filled."""
    from pupils import services as pupil_services
    from reports import services as report_services
    from reviews import services as review_services
    from reviews.models import ReviewInvitee
    from send_register import calendar as cal
    from send_register.calendar import academic_year_containing
    from send_register.models import CensusDay, Term
    from support_plans import services as plan_services
    from support_plans.interventions.models import PlacementPupil
    from tests.interventions.conftest import add_member, make_intervention, make_placement

    today = _today()
    plan = plan_services.plan_create(
        pupil=world.pupil, by=world.senco, next_review_date=today + timedelta(days=40),
        teaching_strategies="Short instructions", pupil_views="I like maths", pupil_views_date=today - timedelta(days=3),
        parent_views="Reading at home is hard", parent_views_date=today - timedelta(days=4),
        targets=[{"text": "Read 20 words", "success_looks_like": "All 20", "baseline": "8", "area": "CL",
                  "target_date": today + timedelta(days=35)}],
    )
    cycle = plan.cycles.get()
    plan_services.cycle_record_review(
        cycle=cycle, by=world.senco, meeting_date=today - timedelta(days=1), attendees="Class teacher, SENCo",
        outcomes={t.pk: ("partly", "Reads 15") for t in cycle.targets.all()}, parent_attended=True,
    )
    agency = pupil_services.agency_add(
        pupil=world.pupil, added_by=world.senco, agency="ep", professional="Dr Patel", start_date=today - timedelta(days=90),
        end_date=today + timedelta(days=90), consent_given_on=today - timedelta(days=95), consent_given_by="Mum",
    )
    pupil_services.profile_save(pupil=world.pupil, gathered_on=today - timedelta(days=10), written_by=world.senco,
                                like_and_admire="Kind", important_to_me="My dog", how_to_support="Quiet space")

    intervention = make_intervention()
    placement = make_placement(intervention, world.ta, start=today - timedelta(days=20))
    member = add_member(placement, world.pupil, entry_date=today - timedelta(days=19), entry_value=3)
    PlacementPupil.objects.filter(pk=member.pk).update(exit_date=today - timedelta(days=2), exit_value=6)

    ehc = review_services.plan_record(pupil=world.other_pupil, issued_on=today - timedelta(days=300), by=world.senco,
                                      local_authority="Derbyshire")
    review = review_services.review_create(plan=ehc, meeting_date=today + timedelta(days=30), by=world.senco)
    ReviewInvitee.objects.filter(review=review).update(invited_on=today - timedelta(days=5), advice_received_on=today - timedelta(days=1))
    request = review_services.request_create(pupil=world.unlisted_pupil, requested_by="school", by=world.senco,
                                             requested_on=today - timedelta(days=10), reason="Little progress")

    term = Term.objects.get(academic_year=cal.ensure_academic_year(2026), name="autumn")
    Term.objects.filter(pk=term.pk).update(half_term_start=date(2026, 10, 26), half_term_end=date(2026, 10, 30))
    CensusDay.objects.update_or_create(academic_year=term.academic_year, season="autumn", defaults={"day": date(2026, 10, 1)})
    report = report_services.report_start(academic_year=academic_year_containing(today), by=world.senco)
    report_services.report_update_dates(report=report, governor_approval_date=today - timedelta(days=7),
                                        next_review_date=today + timedelta(days=300), by=world.senco)
    return types.SimpleNamespace(plan=plan, cycle=cycle, agency=agency, placement=placement, member=member, ehc=ehc,
                                 review=review, request=request, term=term, report=report)


# -- what is stored ----------------------------------------------------------------


def _stored(*querysets, drop=()):
    """Each row's stored values, except the bookkeeping a save may touch
    (auto_now timestamps, the optimistic-locking counter)."""
    out = []
    for queryset in querysets:
        model = queryset.model
        skip = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)} | {"lock_version", *drop}
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        out.append((model.__name__, list(queryset.order_by("pk").values(*names))))
    return out


def _plan(r):
    from support_plans.models import Cycle, SupportPlan, Target

    return _stored(SupportPlan.objects.all(), Target.objects.all(), Cycle.objects.all())


def _cycle(r):
    from support_plans.models import Cycle, ParentMeeting, TargetReview

    return _plan(r) + _stored(TargetReview.objects.all(), ParentMeeting.objects.all(), Cycle.objects.all())


def _pupil(r):
    from pupils.models import Pupil, PupilNeed, RegisterEntry, RegisterEvent

    return _stored(Pupil.objects.all(), RegisterEntry.objects.all(), RegisterEvent.objects.all(), PupilNeed.objects.all())


def _agency(r):
    from pupils.models import AgencyInvolvement

    return _stored(AgencyInvolvement.objects.all())


def _profile(r):
    # Each save of the one-page profile is a new version: what must not change
    # is the current one's content.
    from pupils.models import OnePageProfile

    latest = OnePageProfile.objects.order_by("-pk")[:1]
    return _stored(OnePageProfile.objects.filter(pk__in=list(latest.values_list("pk", flat=True))),
                   drop=("id", "created_at", "written_by_id"))


def _interventions(r):
    from support_plans.interventions.models import Intervention, Placement, PlacementPupil

    return _stored(Intervention.objects.all(), Placement.objects.all(), PlacementPupil.objects.all())


def _reviews(r):
    from reviews.models import AnnualReview, AssessmentRequest, EHCPlan, ReviewInvitee

    return _stored(EHCPlan.objects.all(), AnnualReview.objects.all(), ReviewInvitee.objects.all(), AssessmentRequest.objects.all())


def _calendar(r):
    from send_register.models import CensusDay, Term

    return _stored(Term.objects.all(), CensusDay.objects.all())


def _report(r):
    from reports.models import InformationReport

    return _stored(InformationReport.objects.all())


# url name -> (its address for the records, what it must leave unchanged,
# whether saving unchanged is accepted: the register forms need a reason
# for a new decision, so there the unchanged form is refused and saves nothing).
EDIT_CASES = {
    "support_plans:plan_edit": (lambda w, r: reverse("support_plans:plan_edit", args=[r.plan.pk]), _plan, True),
    "support_plans:cycle_edit": (lambda w, r: reverse("support_plans:cycle_edit", args=[r.cycle.pk]), _cycle, True),
    "support_plans:cycle_review": (lambda w, r: reverse("support_plans:cycle_review", args=[r.cycle.pk]), _cycle, True),
    "pupils:status": (lambda w, r: reverse("pupils:status", args=[w.pupil.pk]), _pupil, False),
    "pupils:needs": (lambda w, r: reverse("pupils:needs", args=[w.pupil.pk]), _pupil, False),
    "pupils:profile_edit": (lambda w, r: reverse("pupils:profile_edit", args=[w.pupil.pk]), _profile, True),
    "pupils:agency_edit": (lambda w, r: reverse("pupils:agency_edit", args=[w.pupil.pk, r.agency.pk]), _agency, True),
    "interventions:edit": (lambda w, r: reverse("interventions:edit", args=[r.placement.intervention_id]), _interventions, True),
    "interventions:placement_edit": (lambda w, r: reverse("interventions:placement_edit", args=[r.placement.pk]), _interventions, True),
    "interventions:member_assessment": (lambda w, r: reverse("interventions:member_assessment", args=[r.member.pk]), _interventions, True),
    "reviews:plan_edit": (lambda w, r: reverse("reviews:plan_edit", args=[r.ehc.pk]), _reviews, True),
    "reviews:review_edit": (lambda w, r: reverse("reviews:review_edit", args=[r.review.pk]), _reviews, True),
    "reviews:review_invitees": (lambda w, r: reverse("reviews:review_invitees", args=[r.review.pk]), _reviews, True),
    "reviews:request_edit": (lambda w, r: reverse("reviews:request_edit", args=[r.request.pk]), _reviews, True),
    "school:term_edit": (lambda w, r: reverse("school:term_edit", args=[r.term.pk]), _calendar, True),
    "school:census_edit": (lambda w, r: reverse("school:census_edit", args=[r.term.academic_year_id]), _calendar, True),
    "reports:report_dates": (lambda w, r: reverse("reports:report_dates", args=[r.report.slug]), _report, True),
}

# Views with a date field that do not edit a saved record: each records
# something new (so saving it is meant to change what is stored) or filters.
NOT_EDITS = {
    "pupils:parent_confirm": "a parent's answer (their child's date of birth), checked and never stored",
    "support_plans:plan_create": "writes a new plan",
    "support_plans:plan_new_version": "starts a new version of the plan",
    "support_plans:cycle_close": "closes the cycle",
    "support_plans:meeting_add": "records a new meeting",
    "pupils:agency_add": "records a new agency",
    "pupils:agency_end": "ends the involvement",
    "pupils:document_add": "uploads a new document",
    "pupils:import_preview": "imports pupils",
    "pupils:notice_record": "records how the parents were told",
    "concerns:step": "records the next step of a concern",
    "concerns:outcome": "records the concern's outcome",
    "interventions:placement_create": "starts a new group",
    "interventions:placement_end": "ends the group",
    "interventions:placement_add_pupil": "adds a pupil to the group",
    "interventions:member_remove": "takes a pupil out of the group",
    "interventions:session_log": "logs a new session",
    "interventions:pupil_map": "a date filter: stores nothing",
    "reviews:plan_create": "records a new EHC plan",
    "reviews:plan_cease": "ceases the plan",
    "reviews:review_create": "plans a new review",
    "reviews:request_create": "records a new request",
    "reviews:request_step": "records the request's next step",
    "reports:report_publish": "publishes the report",
    "reports:surveys": "records a new survey",
    "interventions:placement_detail": "shows the group, whose forms save through other views",
    "reviews:request_detail": "shows the request, whose next-step form saves through request_step",
}


# -- which views have a date field ----------------------------------------------------


def _has_date_field(form_class) -> bool:
    fields = getattr(form_class, "base_fields", {}) or getattr(getattr(form_class, "form", None), "base_fields", {})
    if any(isinstance(f, (forms.DateField, DateInputField)) for f in fields.values()):
        return True
    try:  # fields added in __init__ (the census days form, say)
        source = inspect.getsource(form_class.__init__)
    except (TypeError, OSError):
        return False
    return "date_field(" in source or "DateField(" in source


def _code_uses_date_form(func, module, seen) -> bool:
    """Does this view (or a helper of its module it calls) name a form class
    with a date field?"""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None or func in seen:
        return False
    seen.add(func)
    names = set(code.co_names) | {n for c in code.co_consts if isinstance(c, types.CodeType) for n in c.co_names}
    spaces = [vars(module)] + [vars(v) for v in vars(module).values() if isinstance(v, types.ModuleType)]
    for name in names:
        for space in spaces:
            thing = space.get(name)
            if isinstance(thing, type) and (issubclass(thing, forms.BaseForm) or issubclass(thing, forms.BaseFormSet)):
                if _has_date_field(thing):
                    return True
            elif isinstance(thing, types.FunctionType) and thing.__module__ == module.__name__:
                if _code_uses_date_form(thing, module, seen):
                    return True
    return False


def _views_with_dates() -> set[str]:
    found = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
                continue
            callback = inspect.unwrap(pattern.callback)
            view = getattr(callback, "view_class", None)
            module = inspect.getmodule(view or callback)
            if not module or not module.__name__.split(".")[0] in {"pupils", "support_plans", "reviews", "concerns",
                                                                      "reports", "send_register", "accounts"}:
                continue
            funcs = [getattr(view, m) for m in ("get", "post", "get_form_class") if hasattr(view, m)] if view else [callback]
            if view is not None and isinstance(getattr(view, "form_class", None), type) and _has_date_field(view.form_class):
                found.add(f"{namespace}{pattern.name}")
            elif any(_code_uses_date_form(f, module, set()) for f in funcs):
                found.add(f"{namespace}{pattern.name}")

    walk(get_resolver())
    return found


def test_every_edit_view_with_a_date_is_listed():
    with_dates = _views_with_dates()
    missing = sorted(with_dates - set(EDIT_CASES) - set(NOT_EDITS))
    assert not missing, f"Views with a date field that this test does not cover: {missing}: add each to EDIT_CASES (an edit of a saved record) or NOT_EDITS"
    stale = sorted(set(NOT_EDITS) - with_dates)
    assert not stale, f"NOT_EDITS lists views without a date field: {stale}"
    assert {"support_plans:plan_edit", "reviews:review_edit", "pupils:agency_edit"} <= with_dates


# -- the browser ------------------------------------------------------------------------


def test_saving_each_edit_form_unchanged_changes_nothing_stored(sign_in, live_server, world):
    records = _records(world)
    page = sign_in("senco")
    failures = []
    for name, (address, stored, accepted) in EDIT_CASES.items():
        url = address(world, records)
        before = stored(records)
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        form = page.locator("main form[method='post']").filter(
            has=page.locator("input[type='date'], input[name$='_2'], input[name$='date'], input[name$='_on']")
        ).first
        if not form.count():
            form = page.locator("main form[method='post']").first
        # Every stored date is shown in its box (an empty type=date box is the bug).
        for box in form.locator("input[type='date']").all():
            value = box.input_value()
            assert value == "" or len(value) == 10 and value[4] == "-", f"{name}: {box.get_attribute('name')} shows {value!r}"
        with page.expect_navigation() as navigation:
            form.locator("button[type='submit'], button:not([type]), input[type='submit']").first.click()
        answer = navigation.value
        assert answer is None or answer.status < 500, f"{name}: saving answered {answer.status}"
        errors = page.locator(".govuk-error-summary")
        if accepted and errors.count():
            failures.append(f"{name}: saving unchanged was refused: {errors.first.inner_text()!r}")
        after = stored(records)
        if after != before:
            changed = [(b[0], b[1], a[1]) for b, a in zip(before, after) if b != a]
            failures.append(f"{name}: saving unchanged changed what is stored: {changed}")
    assert not failures, "\n".join(failures)
    expect(page.locator("main")).to_be_visible()
