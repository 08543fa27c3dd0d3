from datetime import timedelta

import pytest
from django.urls import reverse

from pupils.models import AccessLog
from support_plans.models import Cycle, ParentMeeting, StrategyBank, SupportPlan, TargetBank, TargetReview

from tests.locking import with_version

from .conftest import today

pytestmark = pytest.mark.django_db

READERS = ["senco", "head", "teacher", "ta"]
WRITERS = ["senco", "head", "teacher"]
HIDDEN = ["other_teacher", "parent", "other_parent", "governor", "admin"]


def staff_urls(plan):
    cycle = plan.cycles.get(closed_at__isnull=True)
    pupil_id = plan.pupil_id
    return {
        "read": [
            reverse("support_plans:plan_detail", args=[plan.pk]),
            reverse("support_plans:plan_versions", args=[pupil_id]),
            reverse("support_plans:cycle_review", args=[cycle.pk]),
        ],
        "write": [
            reverse("support_plans:plan_edit", args=[plan.pk]),
            reverse("support_plans:plan_new_version", args=[plan.pk]),
            reverse("support_plans:cycle_edit", args=[cycle.pk]),
            reverse("support_plans:cycle_close", args=[cycle.pk]),
            reverse("support_plans:meeting_add", args=[pupil_id]),
        ],
    }


def test_anonymous_is_sent_to_sign_in(client, world, make_plan):
    plan = make_plan()
    urls = staff_urls(plan)
    for url in urls["read"] + urls["write"] + [reverse("support_plans:plan_list"), reverse("support_plans:parent_plan", args=[world.pupil.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url


@pytest.mark.parametrize("persona", READERS)
def test_staff_with_the_plan_tier_can_read(persona, world, make_plan, client_for):
    plan = make_plan()
    client = client_for(world.personas()[persona])
    for url in staff_urls(plan)["read"]:
        response = client.get(url)
        assert response.status_code == 200, (persona, url)
    assert AccessLog.objects.filter(user=world.personas()[persona], pupil=world.pupil, page="Support plan").exists()


@pytest.mark.parametrize("persona", HIDDEN)
def test_everyone_else_gets_404(persona, world, make_plan, client_for):
    plan = make_plan()
    client = client_for(world.personas()[persona])
    urls = staff_urls(plan)
    for url in urls["read"] + urls["write"]:
        assert client.get(url).status_code == 404, (persona, url)
    assert client.post(urls["write"][0], {}).status_code == 404


def test_a_teaching_assistant_reads_but_may_not_change(world, make_plan, client_for):
    plan = make_plan()
    client = client_for(world.ta)
    for url in staff_urls(plan)["write"]:
        assert client.get(url).status_code == 403, url
    cycle = plan.cycles.get()
    assert client.post(reverse("support_plans:cycle_review", args=[cycle.pk]), {"meeting_date": today()}).status_code == 403
    assert not cycle.target_reviews.exists()
    page = client.get(reverse("support_plans:plan_detail", args=[plan.pk])).content.decode()
    assert "Change the plan" not in page


@pytest.mark.parametrize("persona", WRITERS)
def test_writers_can_open_the_edit_pages(persona, world, make_plan, client_for):
    plan = make_plan()
    client = client_for(world.personas()[persona])
    for url in staff_urls(plan)["write"]:
        assert client.get(url).status_code == 200, (persona, url)


def _plan_post(**extra):
    data = {
        "next_review_date": (today() + timedelta(days=40)).isoformat(),
        "coordinator": "",
        "teaching_strategies": "Visual timetable",
        "provision": "Reading group three times a week",
        "help_at_home": "Read together",
        "success_criteria": "",
        "exit_criteria": "",
        "pupil_views": "I like the group",
        "pupil_views_date": today().isoformat(),
        "parent_views": "",
        "parent_views_date": "",
        "targets-TOTAL_FORMS": "4",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for n in range(4):
        data.update({f"targets-{n}-text": "", f"targets-{n}-success_looks_like": "", f"targets-{n}-baseline": "", f"targets-{n}-target_date": "", f"targets-{n}-area": ""})
    data.update(extra)
    return data


def test_a_teacher_writes_a_plan_with_targets_and_a_bank_target(world, client_for):
    bank = TargetBank.objects.create(area="CI", text="Take turns in a group")
    strategy = StrategyBank.objects.create(area="CI", text="Use a talking object", use="teaching")
    client = client_for(world.teacher)
    assert client.get(reverse("support_plans:plan_create", args=[world.pupil.pk])).status_code == 200
    data = _plan_post(**{"targets-0-text": "Read 20 words", "targets-0-area": "CL", "targets-1-text": "Count to 50", "bank-bank_targets": [bank.pk], "bank-bank_strategies": [strategy.pk]})
    response = client.post(reverse("support_plans:plan_create", args=[world.pupil.pk]), data)
    plan = SupportPlan.objects.get(pupil=world.pupil)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert list(plan.targets.values_list("text", flat=True)) == ["Read 20 words", "Count to 50", "Take turns in a group"]
    assert plan.provision == "Reading group three times a week"
    assert "Use a talking object" in plan.teaching_strategies
    assert plan.created_by == world.teacher and plan.coordinator == world.senco


def test_bad_input_shows_an_error_and_saves_nothing(world, client_for):
    client = client_for(world.senco)
    data = _plan_post(next_review_date="", **{"targets-0-success_looks_like": "Something without a target"})
    response = client.post(reverse("support_plans:plan_create", args=[world.pupil.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Write the target, or clear the other boxes in this row" in page
    assert not SupportPlan.objects.exists()
    response = client.post(reverse("support_plans:plan_create", args=[world.pupil.pk]), _plan_post(next_review_date=(today() - timedelta(days=3)).isoformat()))
    assert "The next review must be on or after" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_more_than_four_targets_is_a_warning_not_a_refusal(world, client_for):
    client = client_for(world.senco)
    data = _plan_post(**{"targets-TOTAL_FORMS": "5"})
    for n in range(5):
        data.update({f"targets-{n}-text": f"Target {n}", f"targets-{n}-success_looks_like": "", f"targets-{n}-baseline": "", f"targets-{n}-target_date": "", f"targets-{n}-area": ""})
    response = client.post(reverse("support_plans:plan_create", args=[world.pupil.pk]), data, follow=True)
    assert SupportPlan.objects.get().targets.count() == 5
    assert "Plans work best with three or four" in response.content.decode()


def _edit_post(plan, lock_version, **extra):
    targets = list(plan.targets.open())
    data = _plan_post(lock_version=str(lock_version), **{"targets-TOTAL_FORMS": str(len(targets) + 2), "targets-INITIAL_FORMS": "0"})
    for n, target in enumerate(targets):
        data.update({f"targets-{n}-id": target.pk, f"targets-{n}-text": target.text, f"targets-{n}-success_looks_like": target.success_looks_like,
                     f"targets-{n}-baseline": target.baseline, f"targets-{n}-target_date": "", f"targets-{n}-area": target.area})
    for n in range(len(targets), len(targets) + 2):
        data.update({f"targets-{n}-text": "", f"targets-{n}-success_looks_like": "", f"targets-{n}-baseline": "", f"targets-{n}-target_date": "", f"targets-{n}-area": ""})
    data.update(extra)
    return data


def test_editing_the_plan_saves_and_a_stale_form_is_refused(world, make_plan, client_for):
    plan = make_plan()
    url = reverse("support_plans:plan_edit", args=[plan.pk])
    teacher = client_for(world.teacher)
    page = teacher.get(url).content.decode()
    assert 'name="lock_version" value="1"' in page
    response = teacher.post(url, _edit_post(plan, 1, provision="Teacher's change"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.provision == "Teacher's change" and plan.lock_version == 2
    # A second person who opened the form at version 1 is refused, nothing saved.
    response = teacher.post(url, _edit_post(plan, 1, provision="Stale change"))
    assert response.status_code == 200
    assert "Someone else saved a newer version since you opened it" in response.content.decode()
    plan.refresh_from_db()
    assert plan.provision == "Teacher's change"


def test_a_target_can_be_removed_from_the_edit_page(world, make_plan, client_for):
    plan = make_plan()
    first = plan.targets.first()
    data = _edit_post(plan, plan.lock_version, **{"targets-0-delete": "on"})
    senco, url = client_for(world.senco), reverse("support_plans:plan_edit", args=[plan.pk])
    response = senco.post(url, with_version(senco, url, data))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.removed_at is not None
    assert plan.targets.open().count() == 2


def test_the_review_and_close_journey(world, make_plan, client_for):
    plan = make_plan()
    cycle = plan.cycles.get()
    targets = list(cycle.targets.all())
    client = client_for(world.senco)
    data = {"meeting_date": today().isoformat(), "attendees": "Parent, teacher", "parent_attended": "on", "do_delivered": "Group", "parent_views": "Happy", "pupil_views": "Good"}
    for target, outcome in zip(targets, ["achieved", "partly", "not"]):
        data[f"outcome_{target.pk}"] = outcome
        data[f"evidence_{target.pk}"] = "Seen in class"
    url = reverse("support_plans:cycle_review", args=[cycle.pk])
    response = client.post(url, with_version(client, url, data))
    assert response.status_code == 302 and response["Location"] == reverse("support_plans:cycle_close", args=[cycle.pk])
    assert TargetReview.objects.filter(cycle=cycle).count() == 3
    assert ParentMeeting.objects.filter(pupil=world.pupil).count() == 1
    response = client.post(reverse("support_plans:cycle_close", args=[cycle.pk]), {"decision": "continue", "next_review_date": (today() + timedelta(days=60)).isoformat(), "decision_notes": "", "leave_to": "N"})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.closed_at is not None
    assert plan.cycles.filter(closed_at__isnull=True).get().targets.count() == 2


def test_closing_without_a_review_shows_the_reason(world, make_plan, client_for):
    plan = make_plan()
    cycle = plan.cycles.get()
    response = client_for(world.senco).post(reverse("support_plans:cycle_close", args=[cycle.pk]), {"decision": "continue", "next_review_date": (today() + timedelta(days=60)).isoformat()})
    assert response.status_code == 200
    assert "Record the review" in response.content.decode() or "Record an outcome" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.closed_at is None


def test_a_review_without_attendees_is_refused(world, make_plan, client_for):
    plan = make_plan()
    cycle = plan.cycles.get()
    teacher, url = client_for(world.teacher), reverse("support_plans:cycle_review", args=[cycle.pk])
    response = teacher.post(url, with_version(teacher, url, {"meeting_date": today().isoformat(), "attendees": ""}))
    assert response.status_code == 200 and "Say who attended the review" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.meeting_date is None


def test_the_versions_page_lists_earlier_versions(world, make_plan, client_for):
    plan = make_plan()
    response = client_for(world.senco).post(reverse("support_plans:plan_new_version", args=[plan.pk]), {"next_review_date": (today() + timedelta(days=30)).isoformat(), "reason": "New assessment"})
    new = SupportPlan.objects.get(pupil=world.pupil, status="current")
    assert response.status_code == 302 and new.version == 2
    page = client_for(world.ta).get(reverse("support_plans:plan_versions", args=[world.pupil.pk])).content.decode()
    assert "Version 1" in page and "Version 2" in page and "Superseded" in page
    old_page = client_for(world.ta).get(reverse("support_plans:plan_detail", args=[plan.pk])).content.decode()
    assert "earlier version" in old_page


def test_recording_a_meeting(world, client_for):
    client = client_for(world.teacher)
    url = reverse("support_plans:meeting_add", args=[world.pupil.pk])
    response = client.post(url, {"date": today().isoformat(), "kind": "termly", "attendees": "Mum and teacher", "agreed_actions": "Reading", "copy_given_to_parent": "on"})
    assert response.status_code == 302
    meeting = ParentMeeting.objects.get()
    assert meeting.copy_given_to_parent and meeting.recorded_by == world.teacher
    response = client.post(url, {"date": "", "kind": "termly", "attendees": ""})
    assert response.status_code == 200 and "Enter the date of the meeting" in response.content.decode()
    assert ParentMeeting.objects.count() == 1


def test_the_pupil_plan_link_goes_to_the_plan_or_the_form(world, make_plan, client_for):
    client = client_for(world.senco)
    url = reverse("support_plans:pupil_plan", args=[world.pupil.pk])
    assert client.get(url)["Location"] == reverse("support_plans:plan_create", args=[world.pupil.pk])
    plan = make_plan()
    assert client.get(url)["Location"] == plan.get_absolute_url()


def test_the_banks_are_kept_by_the_senco(world, client_for):
    url = reverse("support_plans:bank_add", args=["targets"])
    response = client_for(world.senco).post(url, {"area": "SEMH", "text": "Use a feelings chart", "success_looks_like": "Daily", "active": "on"})
    assert response.status_code == 302
    item = TargetBank.objects.get()
    assert item.created_by == world.senco
    assert client_for(world.teacher).get(reverse("support_plans:bank_list")).status_code == 200
    assert client_for(world.teacher).post(url, {"area": "SEMH", "text": "x"}).status_code == 403
    assert client_for(world.parent).get(reverse("support_plans:bank_list")).status_code == 404
    assert client_for(world.governor).get(reverse("support_plans:bank_list")).status_code == 404
    response = client_for(world.senco).post(url, {"area": "", "text": ""})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert TargetBank.objects.count() == 1
    edit = reverse("support_plans:bank_edit", args=["strategies", 999])
    assert client_for(world.senco).get(edit).status_code == 404


@pytest.mark.parametrize("persona", ["parent", "other_parent", "governor", "admin"])
def test_the_plan_list_is_not_for_non_staff(persona, world, client_for):
    assert client_for(world.personas()[persona]).get(reverse("support_plans:plan_list")).status_code == 404


def test_the_plan_list_shows_only_the_caseload(world, make_plan, client_for):
    make_plan()
    make_plan(pupil=world.other_pupil)
    page = client_for(world.teacher).get(reverse("support_plans:plan_list")).content.decode()
    assert world.pupil.display_name in page and world.other_pupil.display_name not in page
    page = client_for(world.senco).get(reverse("support_plans:plan_list")).content.decode()
    assert world.pupil.display_name in page and world.other_pupil.display_name in page


def test_closing_a_cycle_for_another_class_is_404(world, make_plan, client_for):
    plan = make_plan(pupil=world.other_pupil)
    cycle = plan.cycles.get()
    response = client_for(world.teacher).post(reverse("support_plans:cycle_close", args=[cycle.pk]), {"decision": "leave", "decision_notes": "x"})
    assert response.status_code == 404
    assert Cycle.objects.get(pk=cycle.pk).closed_at is None


def test_every_error_links_to_a_field_on_the_page(world, make_plan, review_all, client_for):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    response = client_for(world.senco).post(reverse("support_plans:cycle_close", args=[cycle.pk]), {"decision": "", "next_review_date": ""})
    page = response.content.decode()
    assert "Choose what happens next" in page
    assert 'href="#id_decision_1"' in page and 'id="id_decision_1"' in page
    assert 'href="#id_next_review_date"' in page and 'id="id_next_review_date"' in page
    assert Cycle.objects.get(pk=cycle.pk).closed_at is None


def test_changes_made_on_the_pages_keep_history_with_who(world, make_plan, client_for):
    plan = make_plan()
    client_for(world.teacher).post(reverse("support_plans:plan_edit", args=[plan.pk]), _edit_post(plan, plan.lock_version, provision="Changed by the teacher"))
    latest = SupportPlan.history.filter(id=plan.pk).order_by("-history_date").first()
    assert latest.provision == "Changed by the teacher"
    assert latest.history_user == world.teacher


def test_the_bank_choices_are_hidden_when_the_banks_are_empty(world, client_for):
    page = client_for(world.senco).get(reverse("support_plans:plan_create", args=[world.pupil.pk])).content.decode()
    assert "Start from the banks" not in page
    TargetBank.objects.create(area="CL", text="Count to 20")
    page = client_for(world.senco).get(reverse("support_plans:plan_create", args=[world.pupil.pk])).content.decode()
    assert "Start from the banks" in page and "Cognition and learning: Count to 20" in page
