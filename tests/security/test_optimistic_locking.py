"""Optimistic locking (issue 9): two people editing the same plan or review.
Both open the edit page, both submit: the first save stands, the second is
refused with a clear message and saves nothing.

The forms are submitted as a browser would: every field read back from the
page as it was served (hidden lock_version included), one field changed."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews import services as review_services
from reviews.models import AnnualReview, EHCPlan
from support_plans import services as plan_services
from support_plans.models import SupportPlan


class FormReader(HTMLParser):
    """The values a browser would send for the page's POST form."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self._textarea = None
        self._select = None
        self._select_value = None
        self._option = None
        self._button = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.data.append((name, a.get("value") or ""))
        elif tag == "button" and name and (a.get("type") or "submit") == "submit" and not self._button:
            # The first submit button, as if clicked (e.g. "submit" rather than "save as draft").
            self._button = True
            self.data.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            self.data.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form":
            self.in_form = False


def form_data(response) -> dict:
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    data: dict = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}


def signed_in(user, client_for) -> Client:
    """A separate browser for each editor."""
    client = Client()
    client_for_client = client_for(user)
    client.cookies = client_for_client.cookies
    # client_for returns the shared test client: copy its session cookie into
    # a fresh client so the two editors keep separate sessions.
    client_for_client.cookies = type(client.cookies)()
    return client


def two_editors(world, client_for):
    return signed_in(world.senco, client_for), signed_in(world.head, client_for)


def assert_refused(response, words: str):
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert words in body


@pytest.fixture
def support_plan(world):
    return plan_services.plan_create(
        pupil=world.pupil, by=world.senco, next_review_date=timezone.localdate() + timedelta(days=30),
        teaching_strategies="Short instructions", targets=[{"text": "Read 20 words", "success_looks_like": "All 20", "area": "CL"}],
    )


@pytest.fixture
def ehc_plan(world):
    return review_services.plan_record(pupil=world.pupil, issued_on=timezone.localdate() - timedelta(days=200),
                                       local_authority="Derbyshire", by=world.senco)


@pytest.fixture
def review(world, ehc_plan):
    return review_services.review_create(plan=ehc_plan, meeting_date=timezone.localdate() + timedelta(days=30), by=world.senco)


def test_it_refuses_the_second_save_of_a_support_plan(world, client_for, support_plan):
    first, second = two_editors(world, client_for)
    url = reverse("support_plans:plan_edit", args=[support_plan.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    assert first_form["lock_version"] == str(support_plan.lock_version)

    first_form["teaching_strategies"] = "Visual timetable (the SENCo)"
    second_form["teaching_strategies"] = "Movement breaks (the head)"
    assert first.post(url, first_form).status_code == 302
    response = second.post(url, second_form)

    assert_refused(response, "Someone else saved a newer version since you opened it")
    plan = SupportPlan.objects.get(pk=support_plan.pk)
    assert plan.teaching_strategies == "Visual timetable (the SENCo)"
    assert plan.lock_version == support_plan.lock_version + 1


def test_it_saves_a_support_plan_edited_again_from_a_fresh_page(world, client_for, support_plan):
    first, second = two_editors(world, client_for)
    url = reverse("support_plans:plan_edit", args=[support_plan.pk])
    form = form_data(first.get(url))
    form["teaching_strategies"] = "Visual timetable"
    assert first.post(url, form).status_code == 302
    form = form_data(second.get(url))  # opened after the first save
    form["teaching_strategies"] = "Movement breaks"
    assert second.post(url, form).status_code == 302
    assert SupportPlan.objects.get(pk=support_plan.pk).teaching_strategies == "Movement breaks"


def test_it_refuses_the_second_save_of_an_ehc_plan(world, client_for, ehc_plan):
    first, second = two_editors(world, client_for)
    url = reverse("reviews:plan_edit", args=[ehc_plan.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    assert first_form["lock_version"] == "1"

    first_form["named_setting"] = "Brookfield Primary (the SENCo)"
    second_form["named_setting"] = "Another school (the head)"
    assert first.post(url, first_form).status_code == 302
    response = second.post(url, second_form)

    assert_refused(response, "Someone else saved a newer version since you opened it")
    plan = EHCPlan.objects.get(pk=ehc_plan.pk)
    assert plan.named_setting == "Brookfield Primary (the SENCo)"
    assert plan.lock_version == 2


def test_it_refuses_the_second_save_of_an_annual_review(world, client_for, review):
    first, second = two_editors(world, client_for)
    url = reverse("reviews:review_edit", args=[review.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    assert first_form["lock_version"] == "1"

    first_form["pupil_views"] = "I like reading now (noted by the SENCo)"
    second_form["pupil_views"] = "Maths is hard (noted by the head)"
    assert first.post(url, first_form).status_code == 302
    response = second.post(url, second_form)

    assert_refused(response, "Someone else saved a newer version since you opened it")
    saved = AnnualReview.objects.get(pk=review.pk)
    assert saved.pupil_views == "I like reading now (noted by the SENCo)"
    assert saved.lock_version == 2


def test_a_parents_views_given_meanwhile_are_not_overwritten(world, client_for, review):
    """The parent gives views while the SENCo has the review open: the
    SENCo's save (which carries the old, empty views) is refused."""
    senco = signed_in(world.senco, client_for)
    url = reverse("reviews:review_edit", args=[review.pk])
    form = form_data(senco.get(url))
    review_services.review_parent_views(review=review, parent=world.parent, views="She is happier at school")
    form["pupil_views"] = "I like reading"
    assert_refused(senco.post(url, form), "Someone else saved a newer version since you opened it")
    assert AnnualReview.objects.get(pk=review.pk).parents_views == "She is happier at school"


def test_the_services_refuse_a_stale_version(world, ehc_plan, review):
    from django.core.exceptions import ValidationError

    review_services.plan_update(plan=ehc_plan, by=world.senco, lock_version=1, named_setting="Brookfield")
    with pytest.raises(ValidationError, match="Someone else saved a newer version since you opened it, so your changes to this plan"):
        review_services.plan_update(plan=ehc_plan, by=world.senco, lock_version=1, named_setting="Elsewhere")
    assert EHCPlan.objects.get(pk=ehc_plan.pk).named_setting == "Brookfield"

    review_services.review_update(review=review, by=world.senco, lock_version=1, pupil_views="First")
    with pytest.raises(ValidationError, match="your changes to this review have not been saved"):
        review_services.review_update(review=review, by=world.senco, lock_version=1, pupil_views="Second")
    assert AnnualReview.objects.get(pk=review.pk).pupil_views == "First"


# ---------------------------------------------------------------- the APDR cycle, agencies, the one-page profile

STALE = "Someone else saved a newer version since you opened it"


def test_it_refuses_the_second_save_of_a_cycle(world, client_for, support_plan):
    from support_plans.models import Cycle

    cycle = support_plan.cycles.get()
    first, second = two_editors(world, client_for)
    url = reverse("support_plans:cycle_edit", args=[cycle.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    assert first_form["lock_version"] == str(cycle.lock_version)

    first_form["assess_evidence"] = "Reading age 6y2m (the SENCo)"
    second_form["plan_notes"] = "Daily phonics (the head)"
    assert first.post(url, first_form).status_code == 302
    response = second.post(url, second_form)

    assert_refused(response, STALE)
    assert "Daily phonics (the head)" in response.content.decode()  # the head's words are still on the page
    saved = Cycle.objects.get(pk=cycle.pk)
    assert saved.assess_evidence == "Reading age 6y2m (the SENCo)"
    assert saved.plan_notes == ""
    assert saved.lock_version == cycle.lock_version + 1


def test_it_refuses_the_second_save_of_an_agency_involvement(world, client_for):
    from pupils.models import AgencyInvolvement
    from pupils.services import agency_add

    involvement = agency_add(pupil=world.pupil, added_by=world.senco, agency=AgencyInvolvement.Agency.SALT,
                             start_date=timezone.localdate() - timedelta(days=10))
    first, second = two_editors(world, client_for)
    url = reverse("pupils:agency_edit", args=[world.pupil.pk, involvement.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    assert first_form["lock_version"] == "1"

    first_form["professional"] = "Ms Rivers, speech therapist"
    second_form["contact"] = "0115 000 0000"
    assert first.post(url, first_form).status_code == 302
    response = second.post(url, second_form)

    assert_refused(response, STALE)
    saved = AgencyInvolvement.objects.get(pk=involvement.pk)
    assert saved.professional == "Ms Rivers, speech therapist"
    assert saved.contact == ""
    assert saved.lock_version == 2
    assert saved.history.count() == 2  # added, then the first change: nothing from the second


def test_a_profile_written_from_an_older_version_is_refused(world, client_for):
    from pupils.models import OnePageProfile
    from pupils.services import profile_save

    profile_save(pupil=world.pupil, gathered_on=timezone.localdate(), written_by=world.senco, like_and_admire="Kind")
    first, second = two_editors(world, client_for)
    url = reverse("pupils:profile_edit", args=[world.pupil.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    assert first_form["lock_version"] == "1"

    first_form["how_to_support"] = "Visual timetable (the SENCo)"
    second_form["how_to_support"] = "Movement breaks (the head)"
    assert first.post(url, first_form).status_code == 302
    response = second.post(url, second_form)

    assert_refused(response, STALE)
    versions = list(OnePageProfile.objects.filter(pupil=world.pupil).order_by("lock_version"))
    assert [v.how_to_support for v in versions] == ["", "Visual timetable (the SENCo)"]
    assert [v.lock_version for v in versions] == [1, 2]


def test_the_first_profile_is_locked_too(world, client_for):
    """Two people writing the very first profile: the second is told."""
    from pupils.models import OnePageProfile

    first, second = two_editors(world, client_for)
    url = reverse("pupils:profile_edit", args=[world.pupil.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    assert first_form["lock_version"] == "0"
    first_form["like_and_admire"], second_form["like_and_admire"] = "Funny", "Helpful"
    assert first.post(url, first_form).status_code == 302
    assert_refused(second.post(url, second_form), STALE)
    assert list(OnePageProfile.objects.filter(pupil=world.pupil).values_list("like_and_admire", flat=True)) == ["Funny"]


def test_a_post_without_the_version_is_refused(world, client_for, support_plan):
    from support_plans.models import Cycle

    cycle = support_plan.cycles.get()
    senco = signed_in(world.senco, client_for)
    url = reverse("support_plans:cycle_edit", args=[cycle.pk])
    form = form_data(senco.get(url))
    del form["lock_version"]
    form["plan_notes"] = "Saved without a version"
    assert_refused(senco.post(url, form), STALE)
    assert Cycle.objects.get(pk=cycle.pk).plan_notes == ""


def test_the_services_refuse_a_missing_version(world, support_plan):
    from django.core.exceptions import ValidationError

    cycle = support_plan.cycles.get()
    with pytest.raises(ValidationError, match=STALE):
        plan_services.cycle_update(cycle=cycle, by=world.senco, lock_version=None, plan_notes="No version")
    with pytest.raises(ValidationError, match=STALE):
        plan_services.plan_update(plan=support_plan, by=world.senco, lock_version=None, provision="No version")
