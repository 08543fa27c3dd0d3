"""Every page for every persona (a table): 200 for those who may use it, 403
for those who may see the pupil but not do this, 404 for a pupil they may not
see, 302 to sign in for the anonymous."""

import pytest
from django.urls import reverse

from pupils.models import AgencyInvolvement

PERSONAS = ["senco", "head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor", "admin"]

# page -> expected status per persona, in the order of PERSONAS
TABLE = {
    "register": (200, 200, 200, 200, 200, 403, 403, 403, 403),
    "list": (200, 200, 200, 200, 200, 403, 403, 403, 403),
    "register_export": (200, 200, 403, 403, 403, 403, 403, 403, 403),
    "import": (200, 200, 403, 403, 403, 403, 403, 403, 403),
    "detail": (200, 200, 200, 200, 200, 404, 404, 404, 404),
    "detail_unlisted": (200, 200, 404, 200, 404, 404, 404, 404, 404),
    "status": (200, 200, 403, 403, 403, 404, 404, 404, 404),
    "needs": (200, 200, 403, 403, 403, 404, 404, 404, 404),
    "profile": (200, 200, 200, 404, 200, 404, 404, 404, 404),
    "profile_edit": (200, 200, 200, 403, 200, 404, 404, 404, 404),
    "agency_add": (200, 200, 403, 403, 403, 404, 404, 404, 404),
    "agency_edit": (200, 200, 403, 403, 403, 404, 404, 404, 404),
    "agency_end": (200, 200, 403, 403, 403, 404, 404, 404, 404),
    "document_add": (200, 200, 200, 403, 200, 404, 404, 404, 404),
    "access_log": (200, 200, 403, 403, 403, 404, 404, 404, 404),
    "access_log_user": (200, 200, 403, 403, 403, 403, 403, 403, 403),
    "parent_children": (403, 403, 403, 403, 403, 200, 200, 403, 403),
    "parent_child": (404, 404, 404, 404, 404, 200, 404, 404, 404),
}


def url_for(page, world):
    pupil = world.pupil
    agency = AgencyInvolvement.objects.get_or_create(pupil=pupil, agency="salt", defaults={"start_date": "2025-10-01"})[0]
    return {
        "register": reverse("pupils:register"),
        "list": reverse("pupils:list"),
        "register_export": reverse("pupils:register_export"),
        "import": reverse("pupils:import"),
        "detail": reverse("pupils:detail", args=[pupil.pk]),
        "detail_unlisted": reverse("pupils:detail", args=[world.unlisted_pupil.pk]),
        "status": reverse("pupils:status", args=[pupil.pk]),
        "needs": reverse("pupils:needs", args=[pupil.pk]),
        "profile": reverse("pupils:profile", args=[pupil.pk]),
        "profile_edit": reverse("pupils:profile_edit", args=[pupil.pk]),
        "agency_add": reverse("pupils:agency_add", args=[pupil.pk]),
        "agency_edit": reverse("pupils:agency_edit", args=[pupil.pk, agency.pk]),
        "agency_end": reverse("pupils:agency_end", args=[pupil.pk, agency.pk]),
        "document_add": reverse("pupils:document_add", args=[pupil.pk]),
        "access_log": reverse("pupils:access_log", args=[pupil.pk]),
        "access_log_user": reverse("pupils:access_log_user", args=[world.teacher.pk]),
        "parent_children": reverse("pupils:parent_children"),
        "parent_child": reverse("pupils:parent_child", args=[pupil.pk]),
    }[page]


@pytest.mark.parametrize("page", TABLE)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_persona_as_the_table_says(world, client_for, page, persona):
    expected = TABLE[page][PERSONAS.index(persona)]
    response = client_for(world.personas()[persona]).get(url_for(page, world))
    assert response.status_code == expected, (page, persona)


@pytest.mark.parametrize("page", TABLE)
def test_it_sends_the_anonymous_to_sign_in(world, client, page):
    response = client.get(url_for(page, world))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_missing_pupil_is_404_even_for_the_senco(world, client_for):
    response = client_for(world.senco).get(reverse("pupils:detail", args=[999999]))
    assert response.status_code == 404
