"""The whole-school provision map, the pupil's costed map against the £6,000
threshold, and query counts that do not grow with the school."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pupils.models import SenStatus
from send_register.calendar import current_term
from support_plans.interventions import selectors
from tests.factories import PupilFactory, UserFactory
from accounts.models import Role

from .conftest import add_member, add_session, make_intervention, make_placement


@pytest.fixture
def term(world):
    term = current_term()
    return term, term.academic_year


def test_it_totals_the_provision_map_by_area_wave_term_and_year(client_for, world, term):
    term, year = term
    reading = make_intervention(name="Reading boost", broad_area="CL", wave=3, hourly_cost_pence=1200, other_cost_pence=500, group_size=1)
    talk = make_intervention(name="Talk group", broad_area="CI", wave=2, hourly_cost_pence=1800, other_cost_pence=0)
    make_intervention(name="Retired", is_active=False)  # nothing this year: left off the map

    early = make_placement(reading, world.ta, start=year.start)  # before this term
    add_member(early, world.pupil, joined_on=year.start)
    add_session(early, year.start, 60, present=[world.pupil])  # 1200 in the year, not the term

    group = make_placement(talk, world.teacher, start=term.start)
    add_member(group, world.pupil, joined_on=term.start)
    add_member(group, world.other_pupil, joined_on=term.start)
    add_session(group, term.start, 30, present=[world.pupil, world.other_pupil])  # 900
    add_session(group, term.start + timedelta(days=1), 20, present=[], absent=[world.pupil, world.other_pupil])  # 600, nobody came

    data = selectors.provision_map(term_start=term.start, term_end=term.end, year_start=year.start, year_end=year.end)
    [ci, cl] = data["areas"]  # in BroadArea order: CI before CL
    assert (ci.code, cl.code) == ("CI", "CL")
    [(wave_label, [talk_row])] = ci.waves
    assert wave_label == "Wave 2: small group"
    assert (talk_row.pupils, talk_row.cost_term, talk_row.cost_year, talk_row.groups) == (2, 1500, 1500, 1)
    assert talk_row.staff == [world.teacher.full_name]
    assert str(talk_row.hours_term) == "0.8"  # 50 minutes
    [(_, [reading_row])] = cl.waves
    # 1200 staff + 500 other: all in the year, none in this term.
    assert (reading_row.cost_term, reading_row.cost_year) == (0, 1700)
    assert data["total_term"] == 1500 and data["total_year"] == 3200
    assert data["total_pupils"] == 2
    assert all(r.intervention.name != "Retired" for a in data["areas"] for _, rows in a.waves for r in rows)

    html = client_for(world.head).get(reverse("interventions:provision_map")).content.decode()
    assert '<dd class="govuk-summary-list__value" id="total-year">£32.00</dd>' in html
    assert "Reading boost" in html and "Talk group" in html and "Retired" not in html


def test_it_compares_a_pupils_costs_with_the_notional_sen_budget(client_for, world, term):
    term, year = term
    one_to_one = make_intervention(name="Daily 1:1", group_size=1, hourly_cost_pence=2000, other_cost_pence=40000)
    placement = make_placement(one_to_one, world.ta, start=year.start)
    add_member(placement, world.pupil, joined_on=year.start)
    for i in range(30):  # 30 hours at £20 = £600, + £400 other = £1,000
        add_session(placement, year.start + timedelta(days=i), 60, present=[world.pupil])
    data = selectors.pupil_provision(pupil=world.pupil, start=year.start, end=year.end)
    assert data["total"] == 100000 and data["remaining"] == 500000 and data["over_threshold"] == 0
    [row] = data["rows"]
    assert (row.attended, row.held, row.staff_pence, row.other_pence) == (30, 30, 60000, 40000)

    pricey = make_intervention(name="Specialist teaching", group_size=1, hourly_cost_pence=60000, other_cost_pence=0)
    p2 = make_placement(pricey, world.ta, start=year.start)
    add_member(p2, world.pupil, joined_on=year.start)
    for i in range(10):  # 10 hours at £600 = £6,000
        add_session(p2, year.start + timedelta(days=i), 60, present=[world.pupil])
    html = client_for(world.senco).get(reverse("interventions:pupil_map", args=[world.pupil.pk]), {
        "start": year.start.isoformat(), "end": year.end.isoformat(),
    }).content.decode()
    assert 'id="pupil-total">£7,000.00<' in html
    assert "£1,000.00 above the threshold" in html
    # A later period: still in both groups (not left), but nothing delivered, nothing costed.
    data = selectors.pupil_provision(pupil=world.pupil, start=year.end + timedelta(days=1), end=year.end + timedelta(days=30))
    assert len(data["rows"]) == 2 and data["total"] == 0
    # Before the pupil joined: nothing at all.
    data = selectors.pupil_provision(pupil=world.pupil, start=year.start - timedelta(days=30), end=year.start - timedelta(days=1))
    assert data["rows"] == [] and data["total"] == 0


def _grow(world, year, n, offset=0):
    """n groups of 3 pupils, each with 5 sessions, run by n different TAs."""
    for k in range(offset, offset + n):
        intervention = make_intervention(name=f"Intervention {k}", broad_area=["CL", "CI", "SEMH", "SP"][k % 4], wave=1 + k % 3)
        ta = UserFactory(roles=[Role.TA])
        placement = make_placement(intervention, ta, start=year.start)
        pupils = [PupilFactory(sen_status=SenStatus.SEN_SUPPORT) for _ in range(3)]
        for p in pupils:
            add_member(placement, p, joined_on=year.start)
        for d in range(5):
            add_session(placement, year.start + timedelta(days=d), 30, present=pupils[: 1 + d % 3], absent=pupils[1 + d % 3:])


def test_the_provision_map_and_group_list_take_the_same_queries_at_two_sizes(client_for, world, term, django_assert_max_num_queries):
    _, year = term
    client = client_for(world.senco)
    _grow(world, year, 2)
    counts = []
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for size in (2, 12):
        if size == 12:
            _grow(world, year, 10, offset=2)
        row = []
        for url in (reverse("interventions:provision_map"), reverse("interventions:placement_list"), reverse("interventions:list")):
            client.get(url)  # the first request after a change reads the data cache again (send_register.datacache)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            row.append(len(ctx.captured_queries))
        counts.append(row)
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[1][0]):
        client.get(reverse("interventions:provision_map"))


def test_the_pupil_map_and_group_page_do_not_grow_with_sessions(client_for, world, term):
    _, year = term
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    placement = make_placement(make_intervention(), world.ta, start=year.start)
    add_member(placement, world.pupil, joined_on=year.start)
    add_member(placement, world.other_pupil, joined_on=year.start)
    client = client_for(world.senco)
    counts = []
    for days in (range(0, 2), range(2, 40)):
        for d in days:
            add_session(placement, year.start + timedelta(days=d), 30, present=[world.pupil], absent=[world.other_pupil])
        row = []
        for url in (reverse("interventions:pupil_map", args=[world.pupil.pk]), reverse("interventions:placement_detail", args=[placement.pk])):
            client.get(url)  # the first request after a change reads the data cache again (send_register.datacache)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            row.append(len(ctx.captured_queries))
        counts.append(row)
    assert counts[0] == counts[1], counts
