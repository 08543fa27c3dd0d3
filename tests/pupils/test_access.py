"""The access policy for every persona and tier (a table)."""

import pytest
from django.http import Http404

from pupils.access import children_of, get_child_for_parent, get_pupil_for_user, pupils_visible_to, tier_for
from pupils.models import Tier

S, P, C, N = Tier.SUMMARY, Tier.PLAN, Tier.CONFIDENTIAL, Tier.NONE

# persona -> (tier for pupil, tier for other_pupil, tier for unlisted_pupil)
EXPECTED = {
    "senco": (C, C, C),
    "head": (C, C, C),
    "teacher": (P, S, N),
    "other_teacher": (S, P, P),
    "ta": (P, S, N),
    "parent": (N, N, N),
    "other_parent": (N, N, N),
    "governor": (N, N, N),
    "admin": (N, N, N),
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_it_gives_each_persona_its_tier(world, persona):
    user = world.personas()[persona]
    pupils = (world.pupil, world.other_pupil, world.unlisted_pupil)
    assert tuple(tier_for(user, p) for p in pupils) == EXPECTED[persona]
    for pupil, expected in zip(pupils, EXPECTED[persona]):
        for tier in (S, P, C):
            visible = pupils_visible_to(user, tier).filter(pk=pupil.pk).exists()
            assert visible == (expected >= tier), (persona, pupil, tier)
            if expected >= tier:
                assert get_pupil_for_user(user, pupil.pk, tier).pk == pupil.pk
            else:
                with pytest.raises(Http404):
                    get_pupil_for_user(user, pupil.pk, tier)


def test_it_shows_parents_only_their_own_children(world):
    assert list(children_of(world.parent)) == [world.pupil]
    assert list(children_of(world.other_parent)) == [world.other_pupil]
    assert get_child_for_parent(world.parent, world.pupil.pk) == world.pupil
    with pytest.raises(Http404):
        get_child_for_parent(world.parent, world.other_pupil.pk)
    assert not children_of(world.teacher).exists()


def test_it_sees_key_staff_assignments_as_caseload(world):
    world.unlisted_pupil.key_staff.add(world.ta)
    assert tier_for(world.ta, world.unlisted_pupil) == P


def test_it_hides_everything_from_deactivated_users(world):
    world.senco.is_active = False
    world.senco.save()
    assert not pupils_visible_to(world.senco).exists()


def test_it_answers_404_for_garbage_ids(world):
    with pytest.raises(Http404):
        get_pupil_for_user(world.senco, "not-a-number")
