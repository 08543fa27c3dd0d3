"""Removing a pupil from a group, ending a group and changing a catalogue
entry through the pages."""

from datetime import timedelta

from django.urls import reverse

from support_plans.interventions.models import Intervention
from tests.locking import with_version

from .conftest import add_member, add_session, make_intervention, make_placement


def test_the_senco_removes_a_pupil_and_keeps_their_history(client_for, world, past):
    placement = make_placement(make_intervention(), world.ta, start=past)
    member = add_member(placement, world.pupil)
    add_session(placement, past + timedelta(days=7), 30, present=[world.pupil])
    client = client_for(world.senco)
    # Not before a session they attended.
    response = client.post(reverse("interventions:member_remove", args=[member.pk]), {"left_on": (past + timedelta(days=3)).isoformat()})
    assert response.status_code == 200 and "sessions logged after that date" in response.content.decode()
    member.refresh_from_db()
    assert member.left_on is None
    response = client.post(reverse("interventions:member_remove", args=[member.pk]), {"left_on": (past + timedelta(days=8)).isoformat()})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == past + timedelta(days=8)
    assert placement.members.count() == 1  # kept, only closed


def test_the_senco_ends_a_group(client_for, world, past):
    placement = make_placement(make_intervention(), world.ta, start=past)
    add_member(placement, world.pupil)
    client = client_for(world.senco)
    response = client.post(reverse("interventions:placement_end", args=[placement.pk]), {"ended_on": (past - timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "cannot end before it starts" in response.content.decode()
    placement.refresh_from_db()
    assert placement.ended_on is None
    response = client.post(reverse("interventions:placement_end", args=[placement.pk]), {"ended_on": (past + timedelta(days=14)).isoformat()})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_on == past + timedelta(days=14)
    assert placement.members.get().left_on == past + timedelta(days=14)
    # The TA cannot end a group, even their own.
    other = make_placement(make_intervention(name="Other"), world.ta, start=past)
    assert client_for(world.ta).post(reverse("interventions:placement_end", args=[other.pk]), {"ended_on": past.isoformat()}).status_code == 403
    other.refresh_from_db()
    assert other.ended_on is None


def test_the_senco_changes_a_cost_in_pounds(client_for, world):
    intervention = make_intervention(hourly_cost_pence=1500)
    client = client_for(world.senco)
    page = client.get(reverse("interventions:edit", args=[intervention.pk])).content.decode()
    assert 'value="15.00"' in page
    data = {
        "name": intervention.name, "broad_area": "CL", "wave": "2", "aim": "Read", "description": "Phonics",
        "group_size": "4", "sessions_per_week": "3", "minutes_per_session": "20", "planned_weeks": "8",
        "delivered_by": "ta", "location": "Library", "measure": "months", "measure_name": "Reading age",
        "expected_gain": "2", "is_active": "on", "hourly_cost": "16.25", "other_cost": "",
    }
    url = reverse("interventions:edit", args=[intervention.pk])
    assert client.post(url, with_version(client, url, data)).status_code == 302
    intervention.refresh_from_db()
    assert (intervention.hourly_cost_pence, intervention.other_cost_pence) == (1625, 0)
    assert intervention.history.count() == 2


def test_it_adds_no_home_panels_for_governors_or_parents(client_for, world):
    from send_register.home import panels_for

    make_placement(make_intervention(), world.ta, start=world.pupil.created_at.date())
    for persona in ("governor", "parent", "admin"):
        titles = [p["title"] for p in panels_for(world.personas()[persona])]
        assert not any("ntervention" in t for t in titles), persona
    assert any("ntervention" in p["title"] for p in panels_for(world.ta))
    assert Intervention.objects.count() == 1


def test_the_ta_takes_back_a_session_logged_in_error_in_their_own_group_only(client_for, world, past):
    from support_plans.interventions.models import Session, SessionAttendance

    mine = make_placement(make_intervention(), world.ta, start=past)
    add_member(mine, world.pupil)
    session = add_session(mine, past, 30, present=[world.pupil])
    theirs = make_placement(make_intervention(name="Theirs"), world.other_teacher, start=past)
    other = add_session(theirs, past, 30)
    client = client_for(world.ta)
    url = reverse("interventions:session_delete", args=[mine.pk, session.pk])
    assert client.get(url).status_code == 200
    # Another group's session, or a session through the wrong group: 404.
    assert client.post(reverse("interventions:session_delete", args=[theirs.pk, other.pk])).status_code == 404
    assert client.post(reverse("interventions:session_delete", args=[mine.pk, other.pk])).status_code == 404
    assert client_for(world.parent).post(url).status_code == 404
    assert Session.objects.count() == 2
    assert client_for(world.ta).post(url).status_code == 302
    assert list(Session.objects.all()) == [other]
    assert not SessionAttendance.objects.filter(session_id=session.pk).exists()
    deleted = Session.history.filter(id=session.pk, history_type="-").get()
    assert deleted.history_user == world.ta


def test_the_parent_section_shows_current_and_recent_help_without_costs(world, past):
    from django.template.loader import render_to_string

    from support_plans.interventions.home import parent_section

    assert parent_section(world.parent, world.pupil) == []  # nothing yet: no empty section
    now = make_placement(make_intervention(name="Talk boost", aim="Use longer sentences"), world.ta, start=past)
    add_member(now, world.pupil)
    old = make_placement(make_intervention(name="Old group"), world.ta, start=past - timedelta(days=800),
                         planned_end=past - timedelta(days=700), ended_on=past - timedelta(days=700))
    add_member(old, world.pupil, left_on=past - timedelta(days=700))
    [section] = parent_section(world.parent, world.pupil)
    assert [m.placement for m in section["context"]["current"]] == [now]
    assert section["context"]["past"] == []  # finished more than a year ago
    html = render_to_string(section["template"], {"section": section["context"]})
    assert "Talk boost" in html and "Use longer sentences" in html and "A teaching assistant" in html
    assert "Monday and Thursday" in html
    assert "£" not in html and "15.00" not in html and world.ta.full_name not in html
