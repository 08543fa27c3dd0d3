"""The concern page and the SENCo's step, skip and outcome pages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from pupils.models import AccessLog, RegisterEvent, SenStatus

from tests.locking import with_version

from .conftest import advance, parent_concern, staff_concern

Step = Concern.Step

# persona -> status of the detail page of a concern the teacher raised about `pupil`
DETAIL = {
    "senco": 200,
    "head": 200,
    "teacher": 200,  # the raiser
    "other_teacher": 404,
    "ta": 404,  # the pupil's TA sees that it exists (pupil page), not its details
    "parent": 404,  # the child's parent: at most the decision, on the parent pages
    "other_parent": 404,
    "governor": 404,
    "admin": 404,
}


@pytest.mark.parametrize("persona, status", DETAIL.items())
def test_it_shows_the_concern_only_to_senco_head_and_raiser(world, client_for, persona, status):
    concern = staff_concern(world.teacher, world.pupil)
    response = client_for(world.personas()[persona]).get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == status


def test_it_sends_anonymous_users_to_sign_in(world, client):
    concern = staff_concern(world.teacher, world.pupil)
    response = client.get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_it_shows_the_pupil_the_concern_and_the_timeline_and_logs_the_view(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.OBSERVATION)
    response = client_for(world.senco).get(reverse("concerns:detail", args=[concern.pk]))
    html = response.content.decode()
    assert "Amelia Brook" in html and "SEN support" in html and "3 Oak" in html and "20 January 2018" in html
    assert "Struggles to hold a sentence" in html and "Word bank and sentence starters" in html
    assert "Observed in a writing lesson" in html and "Tom Teacher" in html
    assert [s.step for s in response.context["steps"]] == [Step.SUBMITTED, Step.RECEIVED, Step.OBSERVATION]
    assert AccessLog.objects.filter(user=world.senco, pupil=world.pupil, page="concern").exists()


def test_it_records_a_step_through_its_form(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.OBSERVATION)
    client = client_for(world.senco)
    url = reverse("concerns:step", args=[concern.pk, Step.STRATEGIES])
    assert client.get(url).status_code == 200
    review = timezone.localdate() + timedelta(days=30)
    response = client.post(
        url, with_version(client, url, {"occurred_on": timezone.localdate().isoformat(), "notes": "Now/next board", "review_date": review.isoformat()})
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.step == Step.STRATEGIES and concern.review_date == review
    row = concern.steps.get(step=Step.STRATEGIES)
    assert row.recorded_by == world.senco and row.notes == "Now/next board"


def test_it_shows_errors_on_a_step_form_and_saves_nothing(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.OBSERVATION)
    url = reverse("concerns:step", args=[concern.pk, Step.STRATEGIES])
    client = client_for(world.senco)
    response = client.post(
        url,
        with_version(client, url, {"occurred_on": timezone.localdate().isoformat(), "notes": "", "review_date": timezone.localdate().isoformat()}),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["notes"] == ["Write the strategies agreed with the class teacher"]
    assert "There is a problem" in response.content.decode()
    concern.refresh_from_db()
    assert concern.step == Step.OBSERVATION and not concern.steps.filter(step=Step.STRATEGIES).exists()


def test_it_refuses_a_step_out_of_order(world, client_for):
    concern = staff_concern(world.teacher, world.pupil)
    url = reverse("concerns:step", args=[concern.pk, Step.AGENCIES])
    response = client_for(world.senco).post(url, {"occurred_on": timezone.localdate().isoformat(), "notes": "CAMHS"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.step == Step.SUBMITTED and concern.steps.count() == 1
    assert client_for(world.senco).get(reverse("concerns:step", args=[concern.pk, "made-up"])).status_code == 404


@pytest.mark.parametrize("persona, status", [("teacher", 403), ("ta", 404), ("other_teacher", 404), ("parent", 404), ("governor", 404)])
def test_it_lets_only_the_senco_or_head_record_steps(world, client_for, persona, status):
    concern = staff_concern(world.teacher, world.pupil)
    client = client_for(world.personas()[persona])
    for url in (
        reverse("concerns:step", args=[concern.pk, Step.RECEIVED]),
        reverse("concerns:skip", args=[concern.pk]),
        reverse("concerns:outcome", args=[concern.pk]),
    ):
        assert client.post(url, {"occurred_on": timezone.localdate().isoformat()}).status_code == status, url
    assert Concern.objects.get().steps.count() == 1


def test_it_skips_steps_through_its_form(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.RECEIVED)
    client = client_for(world.senco)
    url = reverse("concerns:skip", args=[concern.pk])
    response = client.post(url, with_version(client, url, {"to_step": Step.SENCO_MEETING, "reason": ""}))
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = client.post(url, with_version(client, url, {"to_step": Step.SENCO_MEETING, "reason": "Significant needs: EP report from previous school"}))
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.step == Step.SENCO_MEETING
    assert concern.steps.filter(skipped=True).count() == 5


def test_it_places_on_sen_support_from_the_outcome_page(world, client_for, new_pupil, django_capture_on_commit_callbacks):
    from ..factories import link_parent

    link_parent(world.other_parent, new_pupil)
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.OBSERVATION)
    mail.outbox.clear()
    client = client_for(world.senco)
    url = reverse("concerns:outcome", args=[concern.pk])
    data = {"outcome": "sen_support", "reason": "Needs beyond the class", "note_for_family": "", "effective_date": timezone.localdate().isoformat()}
    data = with_version(client, url, data)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    new_pupil.refresh_from_db()
    assert new_pupil.sen_status == SenStatus.SEN_SUPPORT
    assert RegisterEvent.objects.filter(pupil=new_pupil, kind=RegisterEvent.Kind.PLACED).exists()
    assert world.other_parent.email in [m.to[0] for m in mail.outbox]
    page = client_for(world.senco).get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "Outcome: Place on SEN support" in page and "Placed on the register" in page


def test_it_puts_register_errors_next_to_the_outcome(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.RECEIVED)
    client = client_for(world.senco)
    url = reverse("concerns:outcome", args=[concern.pk])
    response = client.post(url, with_version(client, url, {"outcome": "sen_support", "reason": "Again", "effective_date": timezone.localdate().isoformat()}))
    assert response.status_code == 200
    assert "already has SEN support" in response.context["form"].errors["outcome"][0]
    concern.refresh_from_db()
    assert concern.closed_at is None


def test_it_refuses_safeguarding_detail_on_the_outcome_page(world, client_for):
    concern = advance(parent_concern(world.parent, world.pupil), world.senco, Step.RECEIVED)
    client = client_for(world.senco)
    url = reverse("concerns:outcome", args=[concern.pk])
    response = client.post(url, with_version(client, url, {"outcome": "dsl", "reason": "What the child said", "effective_date": timezone.localdate().isoformat()}))
    assert response.status_code == 200 and "Do not record safeguarding details" in response.context["form"].errors["reason"][0]
    concern.refresh_from_db()
    assert concern.outcome == "" and "What the child said" not in str(list(concern.history.values()))


def test_it_offers_no_actions_once_closed(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.RECEIVED)
    from concerns.services import concern_record_outcome

    concern_record_outcome(concern=concern, outcome="nfa", by=world.senco, reason="Settled")
    client = client_for(world.senco)
    response = client.get(reverse("concerns:detail", args=[concern.pk]))
    assert response.context["next_steps"] == [] and not response.context["can_record_outcome"]
    assert client.get(reverse("concerns:outcome", args=[concern.pk])).status_code == 302


def test_it_explains_an_empty_outcome_form(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.RECEIVED)
    client = client_for(world.senco)
    url = reverse("concerns:outcome", args=[concern.pk])
    response = client.post(url, with_version(client, url, {}))
    assert response.status_code == 200
    assert response.context["form"].errors["outcome"] == ["Choose an outcome"]
    html = response.content.decode()
    assert 'href="#id_outcome_1"' in html and 'id="id_outcome_1"' in html
    concern.refresh_from_db()
    assert concern.closed_at is None
