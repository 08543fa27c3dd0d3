"""The parent's form (appendix D, one question per screen) and pages."""

import pytest
from django.core import mail
from django.urls import reverse

from concerns import services
from concerns.models import Concern

from .conftest import advance, parent_concern, staff_concern


def test_it_walks_a_parent_through_one_question_per_screen(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.parent)
    start = client.get(reverse("concerns:parent_new"))
    assert start.status_code == 200 and "Amelia Brook" in start.content.decode()
    response = client.post(reverse("concerns:parent_new"), {"child": world.pupil.pk})
    concern = Concern.objects.get()
    assert concern.is_draft and concern.raised_by_parent and concern.pupil == world.pupil
    assert response["Location"] == reverse("concerns:parent_question", args=[concern.pk, 1])

    page = client.get(response["Location"]).content.decode()
    assert "<h1" in page and "What is worrying you?" in page
    answers = {
        1: {"parent_concern": "She says her tummy hurts before school"},
        2: {"areas": ["SEMH", "OTH"]},
        3: {"home_strategies": "Talking at bedtime: she opens up a bit"},
        4: {"parents_want": "A chat with the SENCo"},
    }
    for number, data in answers.items():
        response = client.post(reverse("concerns:parent_question", args=[concern.pk, number]), data)
        assert response.status_code == 302
    assert response["Location"] == reverse("concerns:parent_check", args=[concern.pk])
    check = client.get(response["Location"]).content.decode()
    assert "She says her tummy hurts" in check and "Feelings, worries or behaviour" in check
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("concerns:parent_check", args=[concern.pk]))
    assert response["Location"] == reverse("concerns:parent_detail", args=[concern.pk])
    concern.refresh_from_db()
    assert concern.step == Concern.Step.SUBMITTED
    assert concern.parent_concern == "She says her tummy hurts before school"
    assert sorted(a.broad_area for a in concern.areas.all()) == ["OTH", "SEMH"]
    assert [m.to for m in mail.outbox] == [[world.senco.email]]


def test_it_asks_again_when_a_question_is_left_empty(world, client_for):
    concern = services.concern_create_draft(pupil=world.pupil, raised_by=world.parent, raised_by_role=Concern.RaisedByRole.PARENT)
    client = client_for(world.parent)
    response = client.post(reverse("concerns:parent_question", args=[concern.pk, 1]), {"parent_concern": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["parent_concern"] == ["Tell us what is worrying you"]
    assert 'href="#id_parent_concern"' in response.content.decode()
    response = client.post(reverse("concerns:parent_question", args=[concern.pk, 2]), {})
    assert response.context["form"].errors["areas"]
    concern.refresh_from_db()
    assert concern.parent_concern == ""


def test_it_will_not_send_an_unanswered_concern(world, client_for, django_capture_on_commit_callbacks):
    concern = services.concern_create_draft(pupil=world.pupil, raised_by=world.parent, raised_by_role=Concern.RaisedByRole.PARENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.parent).post(reverse("concerns:parent_check", args=[concern.pk]))
    assert response.status_code == 200
    assert "Tell us what is worrying you" in response.content.decode()
    concern.refresh_from_db()
    assert concern.is_draft and mail.outbox == []


def test_it_gives_404_for_another_parents_child(world, client_for):
    client = client_for(world.parent)
    assert client.get(reverse("concerns:parent_new") + f"?child={world.other_pupil.pk}").status_code == 404
    response = client.post(reverse("concerns:parent_new"), {"child": world.other_pupil.pk})
    assert response.status_code == 200 and response.context["form"].errors["child"]
    assert not Concern.objects.exists()


def test_it_gives_404_for_another_parents_concern(world, client_for):
    concern = parent_concern(world.other_parent, world.other_pupil)
    draft = parent_concern(world.other_parent, world.other_pupil, submit=False)
    client = client_for(world.parent)
    assert client.get(reverse("concerns:parent_detail", args=[concern.pk])).status_code == 404
    assert client.get(reverse("concerns:parent_check", args=[draft.pk])).status_code == 404
    assert client.post(reverse("concerns:parent_question", args=[draft.pk, 1]), {"parent_concern": "x"}).status_code == 404
    draft.refresh_from_db()
    assert draft.parent_concern != "x"


@pytest.mark.parametrize("persona", ["teacher", "senco", "governor", "admin"])
def test_it_keeps_non_parents_out_of_the_parent_pages(world, client_for, persona):
    concern = parent_concern(world.parent, world.pupil)
    client = client_for(world.personas()[persona])
    assert client.get(reverse("concerns:parent_new")).status_code == 404
    assert client.get(reverse("concerns:parent_detail", args=[concern.pk])).status_code == 404


def test_it_sends_anonymous_parents_to_sign_in(client):
    response = client.get(reverse("concerns:parent_list"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_it_shows_the_parent_the_outcome_but_not_the_staffs_notes(world, client_for):
    concern = advance(parent_concern(world.parent, world.pupil), world.senco, "solution_circle")
    services.concern_record_outcome(
        concern=concern, outcome="nfa", by=world.senco, reason="INTERNAL REASON",
        note_for_family="We will keep an eye on her at lunchtimes",
    )
    response = client_for(world.parent).get(reverse("concerns:parent_detail", args=[concern.pk]))
    html = response.content.decode()
    assert "does not think your child needs extra support" in html and "We will keep an eye on her at lunchtimes" in html
    assert "Staff who work with your child met to share ideas" in html
    for internal in ("INTERNAL REASON", "Observed in a writing lesson", "Class teacher, TA", "Try a writing frame", "Visual prompts"):
        assert internal not in html, internal


def test_it_lists_only_the_parents_own_concerns(world, client_for):
    mine = parent_concern(world.parent, world.pupil)
    parent_concern(world.other_parent, world.other_pupil)
    staff_concern(world.teacher, world.pupil)
    response = client_for(world.parent).get(reverse("concerns:parent_list"))
    assert list(response.context["concerns"]) == [mine]
    assert client_for(world.parent).get(reverse("concerns:list"))["Location"] == reverse("concerns:parent_list")


def test_it_hides_a_concern_once_the_child_is_no_longer_linked(world, client_for):
    concern = parent_concern(world.parent, world.pupil)
    world.pupil.parent_links.filter(parent=world.parent).delete()
    assert client_for(world.parent).get(reverse("concerns:parent_detail", args=[concern.pk])).status_code == 404


def test_it_returns_to_the_check_page_after_a_change(world, client_for):
    concern = parent_concern(world.parent, world.pupil, submit=False)
    url = reverse("concerns:parent_question", args=[concern.pk, 1]) + "?check=1"
    response = client_for(world.parent).post(url, {"parent_concern": "Changed my mind about the words"})
    assert response["Location"] == reverse("concerns:parent_check", args=[concern.pk])
    concern.refresh_from_db()
    assert concern.parent_concern == "Changed my mind about the words"


def test_it_will_not_reopen_a_sent_concern_for_editing(world, client_for):
    concern = parent_concern(world.parent, world.pupil)
    client = client_for(world.parent)
    assert client.post(reverse("concerns:parent_question", args=[concern.pk, 1]), {"parent_concern": "x"}).status_code == 404
    assert client.get(reverse("concerns:parent_check", args=[concern.pk])).status_code == 404
    concern.refresh_from_db()
    assert concern.parent_concern == "She cannot sleep before school days"


def _closed_staff_concern(world, pupil, outcome, **kwargs):
    concern = advance(staff_concern(world.teacher, pupil), world.senco, "observation")
    services.concern_record_outcome(concern=concern, outcome=outcome, by=world.senco, **kwargs)
    return concern


def test_it_shows_parents_the_decision_on_a_staff_concern_but_nothing_else(world, client_for, new_pupil):
    from ..factories import link_parent

    link_parent(world.parent, new_pupil)
    concern = _closed_staff_concern(
        world, new_pupil, "sen_support", reason="STAFF REASON", note_for_family="We will meet you next week to agree a plan"
    )
    client = client_for(world.parent)
    assert concern in list(client.get(reverse("concerns:parent_list")).context["concerns"])
    html = client.get(reverse("concerns:parent_detail", args=[concern.pk])).content.decode()
    assert "special educational needs (SEN) support" in html and "We will meet you next week" in html
    for internal in ("STAFF REASON", "Struggles to hold a sentence", "Word bank", "Observed in a writing lesson", "Tom Teacher", "Mum says"):
        assert internal not in html, internal
    assert client.post(reverse("concerns:parent_check", args=[concern.pk])).status_code == 404
    assert client_for(world.other_parent).get(reverse("concerns:parent_detail", args=[concern.pk])).status_code == 404


def test_it_never_shows_parents_a_staff_concern_that_is_open_or_closed_without_support(world, client_for, new_pupil):
    from ..factories import link_parent

    link_parent(world.parent, new_pupil)
    open_one = staff_concern(world.teacher, world.pupil)
    nfa = _closed_staff_concern(world, new_pupil, "nfa", reason="Fine")
    dsl = _closed_staff_concern(world, world.pupil, "dsl")
    client = client_for(world.parent)
    assert list(client.get(reverse("concerns:parent_list")).context["concerns"]) == []
    for concern in (open_one, nfa, dsl):
        assert client.get(reverse("concerns:parent_detail", args=[concern.pk])).status_code == 404
