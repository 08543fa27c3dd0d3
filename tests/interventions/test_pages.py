"""The pages: who may reach them, what they show, and bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from support_plans.interventions.models import Intervention, Placement, PlacementPupil, Session
from send_register.calendar import today
from tests.locking import with_version

from .conftest import add_member, add_session, make_intervention, make_placement


@pytest.fixture
def setup(world, past):
    intervention = make_intervention(hourly_cost_pence=1525, other_cost_pence=675)
    mine = make_placement(intervention, world.ta, start=past, planned_end=today() + timedelta(days=7))
    add_member(mine, world.pupil)
    add_member(mine, world.other_pupil)
    theirs = make_placement(intervention, world.other_teacher, start=past, label="Ash group")
    add_member(theirs, world.other_pupil)
    add_session(mine, past, 30, present=[world.pupil], absent=[world.other_pupil])
    return intervention, mine, theirs


def urls(intervention, mine, pupil):
    return {
        "list": reverse("interventions:list"),
        "detail": reverse("interventions:detail", args=[intervention.pk]),
        "placements": reverse("interventions:placement_list"),
        "placement": reverse("interventions:placement_detail", args=[mine.pk]),
        "session": reverse("interventions:session_log", args=[mine.pk]),
    }


MANAGER_ONLY = ["create", "edit", "placement_create", "placement_edit", "placement_add_pupil", "provision_map", "effectiveness", "pupil_map"]


def manager_urls(intervention, mine, member, pupil):
    return {
        "create": reverse("interventions:create"),
        "edit": reverse("interventions:edit", args=[intervention.pk]),
        "placement_create": reverse("interventions:placement_create"),
        "placement_edit": reverse("interventions:placement_edit", args=[mine.pk]),
        "placement_add_pupil": reverse("interventions:placement_add_pupil", args=[mine.pk]),
        "member_assessment": reverse("interventions:member_assessment", args=[member.pk]),
        "member_remove": reverse("interventions:member_remove", args=[member.pk]),
        "provision_map": reverse("interventions:provision_map"),
        "effectiveness": reverse("interventions:effectiveness"),
        "pupil_map": reverse("interventions:pupil_map", args=[pupil.pk]),
    }


def test_it_sends_anonymous_visitors_to_sign_in(client, world, setup):
    intervention, mine, _ = setup
    member = mine.members.first()
    for url in [*urls(intervention, mine, world.pupil).values(), *manager_urls(intervention, mine, member, world.pupil).values()]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url


@pytest.mark.parametrize("persona", ["parent", "other_parent", "governor", "admin"])
def test_it_is_not_found_for_people_outside_school_staff(client_for, world, setup, persona):
    intervention, mine, _ = setup
    member = mine.members.first()
    client = client_for(world.personas()[persona])
    for url in [*urls(intervention, mine, world.pupil).values(), *manager_urls(intervention, mine, member, world.pupil).values()]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["teacher", "ta"])
def test_it_forbids_teachers_and_tas_from_managing(client_for, world, setup, persona):
    intervention, mine, _ = setup
    member = mine.members.first()
    client = client_for(world.personas()[persona])
    for name, url in manager_urls(intervention, mine, member, world.pupil).items():
        if persona == "ta" and name == "member_assessment":
            continue  # the TA runs this group: see test_the_ta_records_assessments_for_their_own_group
        assert client.get(url).status_code in (403, 404), name
    assert client.get(reverse("interventions:provision_map")).status_code == 403
    assert client.get(reverse("interventions:create")).status_code == 403
    response = client.post(reverse("interventions:create"), {"name": "Sneaky"})
    assert response.status_code == 403 and not Intervention.objects.filter(name="Sneaky").exists()


def test_it_lets_the_ta_log_a_session_for_their_own_group(client_for, world, setup, past):
    _, mine, _ = setup
    client = client_for(world.ta)
    page = client.get(reverse("interventions:session_log", args=[mine.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="30"' in html and f'value="{today():%Y-%m-%d}"' in html  # defaults: minutes and today
    assert world.pupil.display_name in html and world.other_pupil.display_name in html
    day = past + timedelta(days=3)
    response = client.post(reverse("interventions:session_log", args=[mine.pk]), {
        "date": day.isoformat(), "minutes": "25", "present": [str(world.other_pupil.pk)], "note": "Blending practice",
    })
    assert response.status_code == 302
    session = Session.objects.get(placement=mine, date=day)
    assert (session.minutes, session.note, session.logged_by, session.pupils_present) == (25, "Blending practice", world.ta, 1)
    assert dict(session.attendance.values_list("pupil_id", "attended")) == {world.pupil.pk: False, world.other_pupil.pk: True}


@pytest.mark.parametrize("persona", ["ta", "teacher", "other_parent"])
def test_it_hides_other_peoples_groups(client_for, world, setup, persona):
    _, _, theirs = setup
    client = client_for(world.personas()[persona])
    assert client.get(reverse("interventions:placement_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("interventions:session_log", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("interventions:session_log", args=[theirs.pk]), {"date": today().isoformat(), "minutes": "30"})
    assert response.status_code == 404
    assert not Session.objects.filter(placement=theirs).exists()


def test_it_shows_bad_session_input_next_to_the_field_and_saves_nothing(client_for, world, setup):
    _, mine, _ = setup
    client = client_for(world.ta)
    before = Session.objects.count()
    for data, message in [
        ({"date": today().isoformat(), "minutes": "lots"}, "Enter the minutes as a whole number"),
        ({"date": (today() + timedelta(days=3)).isoformat(), "minutes": "30"}, "cannot be in the future"),
        ({"date": "31/02/2026", "minutes": "30"}, "real date"),
        ({"date": today().isoformat(), "minutes": "30", "note": "x" * 201}, "200 characters"),
    ]:
        response = client.post(reverse("interventions:session_log", args=[mine.pk]), data)
        assert response.status_code == 200
        html = response.content.decode()
        assert "There is a problem" in html and message in html, message
        assert "govuk-error-message" in html
    assert Session.objects.count() == before


def test_it_hides_costs_from_teachers_tas_and_parents(client_for, world, setup):
    intervention, mine, _ = setup
    # The TA's own group and the catalogue: no pound figures at all.
    ta = client_for(world.ta)
    for url in [*urls(intervention, mine, world.pupil).values(), reverse("home")]:
        html = ta.get(url).content.decode()
        assert "£" not in html and "15.25" not in html and "6.75" not in html, url
    teacher = client_for(world.teacher)
    for url in [reverse("interventions:list"), reverse("interventions:detail", args=[intervention.pk]), reverse("pupils:detail", args=[world.pupil.pk])]:
        html = teacher.get(url).content.decode()
        assert "£" not in html, url
    # The teacher sees the pupil's interventions on the pupil page, without cost.
    assert intervention.name in teacher.get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    parent = client_for(world.parent)
    html = parent.get(reverse("pupils:parent_child", args=[world.pupil.pk])).content.decode()
    assert intervention.name in html and intervention.aim in html and "A teaching assistant" in html
    assert "£" not in html and world.ta.full_name not in html


def test_it_shows_costs_to_the_senco_and_head(client_for, world, setup):
    intervention, mine, _ = setup
    for persona in ("senco", "head"):
        client = client_for(world.personas()[persona])
        assert "£15.25" in client.get(reverse("interventions:list")).content.decode()
        html = client.get(reverse("interventions:placement_detail", args=[mine.pk])).content.decode()
        # 30 minutes at £15.25 = 762.5p to Amelia alone, + 675p: 1437.5 -> £14.38
        assert "£14.38" in html
        assert "£" in client.get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()


def test_it_shows_only_visible_pupils_to_the_ta(client_for, world, past):
    placement = make_placement(make_intervention(), world.ta, start=past)
    add_member(placement, world.pupil)
    add_member(placement, world.unlisted_pupil)  # placed before the visibility rule, or since left the register
    html = client_for(world.ta).get(reverse("interventions:placement_detail", args=[placement.pk])).content.decode()
    assert world.pupil.display_name in html
    assert world.unlisted_pupil.display_name not in html
    assert "1 pupil in this group is not shown to you" in html
    html = client_for(world.ta).get(reverse("interventions:session_log", args=[placement.pk])).content.decode()
    assert world.unlisted_pupil.display_name not in html


def test_the_senco_builds_the_catalogue_and_a_group(client_for, world, past):
    client = client_for(world.senco)
    data = {
        "name": "Lego therapy", "broad_area": "SEMH", "wave": "2", "aim": "Play well with others", "description": "Building together",
        "evidence_base": "", "group_size": "3", "sessions_per_week": "1", "minutes_per_session": "40", "planned_weeks": "10",
        "delivered_by": "ta", "location": "Nurture room", "measure": "scale", "measure_name": "Checklist",
        "expected_gain": "3", "is_active": "on", "hourly_cost": "14.50", "other_cost": "12",
    }
    response = client.post(reverse("interventions:create"), data)
    assert response.status_code == 302
    lego = Intervention.objects.get(name="Lego therapy")
    assert (lego.hourly_cost_pence, lego.other_cost_pence, lego.wave) == (1450, 1200, 2)
    assert lego.history.count() == 1

    response = client.post(reverse("interventions:placement_create"), {
        "intervention": lego.pk, "label": "Tuesday group", "staff": world.ta.pk, "start": past.isoformat(),
        "planned_end": "", "days": "Tuesday", "times": "14:00 to 14:40",
    })
    assert response.status_code == 302
    placement = Placement.objects.get(intervention=lego)
    assert placement.planned_end == past + timedelta(weeks=10) - timedelta(days=1)

    response = client.post(reverse("interventions:placement_add_pupil", args=[placement.pk]), {
        "pupil": world.pupil.pk, "joined_on": past.isoformat(), "entry_value": "4", "entry_date": past.isoformat(),
    })
    assert response.status_code == 302
    member = PlacementPupil.objects.get(placement=placement)
    assert (member.pupil, member.entry_value) == (world.pupil, Decimal(4))

    exit_day = past + timedelta(days=30)
    url = reverse("interventions:member_assessment", args=[member.pk])
    response = client.post(url, with_version(client, url, {
        "entry_value": "4", "entry_date": past.isoformat(), "exit_value": "8", "exit_date": exit_day.isoformat(), "outcome": "exceeded",
    }))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.exit_value, member.exit_date, member.outcome) == (Decimal(8), exit_day, "exceeded")
    html = client.get(reverse("interventions:placement_detail", args=[placement.pk])).content.decode()
    assert "+4 steps" in html and "Met the expected gain of 3" in html


def test_it_shows_bad_catalogue_and_assessment_input_and_saves_nothing(client_for, world, setup, past):
    _, mine, _ = setup
    client = client_for(world.senco)
    response = client.post(reverse("interventions:create"), {"name": "Half done", "hourly_cost": "-3", "group_size": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "govuk-error-message" in html
    assert not Intervention.objects.filter(name="Half done").exists()

    member = mine.members.get(pupil=world.pupil)
    url = reverse("interventions:member_assessment", args=[member.pk])
    response = client.post(url, with_version(client, url, {
        "entry_value": "84", "entry_date": past.isoformat(), "exit_value": "90", "exit_date": (past - timedelta(days=1)).isoformat(),
    }))
    assert response.status_code == 200
    assert "must come after the entry assessment" in response.content.decode()
    member.refresh_from_db()
    assert member.entry_value is None and member.exit_value is None

    response = client.post(reverse("interventions:placement_add_pupil", args=[mine.pk]), {"pupil": world.unlisted_pupil.pk, "joined_on": past.isoformat()})
    assert response.status_code == 200 and "cannot see this pupil" in response.content.decode()
    assert not mine.members.filter(pupil=world.unlisted_pupil).exists()


def test_it_shows_the_ta_their_groups_and_the_senco_exits_due_on_home(client_for, world, setup):
    _, mine, _ = setup
    html = client_for(world.ta).get(reverse("home")).content.decode()
    assert "Your intervention groups" in html and reverse("interventions:session_log", args=[mine.pk]) in html
    html = client_for(world.senco).get(reverse("home")).content.decode()
    assert "exit assessments due" in html and mine.get_absolute_url() in html


def test_it_writes_the_access_log_for_the_pupil_map(client_for, world, setup):
    from pupils.models import AccessLog

    client = client_for(world.senco)
    assert client.get(reverse("interventions:pupil_map", args=[world.pupil.pk])).status_code == 200
    assert AccessLog.objects.filter(user=world.senco, pupil=world.pupil, page="costed provision map").exists()
    bad = client.get(reverse("interventions:pupil_map", args=[world.pupil.pk]), {"start": "2026-09-01", "end": "2025-09-01"})
    assert bad.status_code == 400 and "on or after its start" in bad.content.decode()
    assert client.get(reverse("interventions:pupil_map", args=[999999])).status_code == 404
    assert client.get(reverse("interventions:effectiveness"), {"year": "nonsense"}).status_code == 400


def test_the_ta_records_assessments_for_their_own_group_only(client_for, world, setup, past):
    _, mine, theirs = setup
    member = mine.members.get(pupil=world.pupil)
    client = client_for(world.ta)
    url = reverse("interventions:member_assessment", args=[member.pk])
    page = client.get(url)
    assert page.status_code == 200 and "£" not in page.content.decode()
    response = client.post(url, with_version(client, url, {"entry_value": "84", "entry_date": past.isoformat(), "exit_value": "", "exit_date": "", "outcome": ""}))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.entry_value == Decimal(84)
    # Another person's group: not found, nothing saved.
    other = theirs.members.get()
    response = client.post(reverse("interventions:member_assessment", args=[other.pk]), {"entry_value": "70", "entry_date": past.isoformat()})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.entry_value is None
    # The teacher of the pupil does not run this group: not found either.
    assert client_for(world.teacher).get(url).status_code == 404


def test_the_ta_who_runs_a_group_records_for_every_pupil_in_it(client_for, world, setup, past):
    """The runner gives the entry and exit tests, so the due page's link to
    record them must work for pupils outside their own caseload too."""
    _, mine, _ = setup
    outsider = mine.members.get(pupil=world.other_pupil)  # on the register, but not in the TA's caseload
    client = client_for(world.ta)
    page = client.get(reverse("interventions:placement_detail", args=[mine.pk])).content.decode()
    assert reverse("interventions:member_assessment", args=[outsider.pk]) in page
    url = reverse("interventions:member_assessment", args=[outsider.pk])
    response = client.post(url, with_version(client, url, {"entry_value": "77", "entry_date": past.isoformat(), "exit_value": "", "exit_date": "", "outcome": ""}))
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.entry_value == Decimal(77)
