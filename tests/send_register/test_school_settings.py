"""The school profile page: the administrator and the SENCo edit it; every
other persona gets 403; anonymous is sent to sign in."""

import pytest
from django.urls import reverse

from send_register.models import School
from tests.locking import with_version

URL = reverse("school:settings")

VALID = {
    "name": "Meadow Lane Primary School",
    "urn": "654321",
    "local_authority": "Nottinghamshire",
    "la_code": "891",
    "phase": School.Phase.PRIMARY,
    "address": "Meadow Lane, Nottingham",
    "headteacher": "Mr Head",
    "senco_name": "Ms Senco",
    "senco_email": "senco@meadow.example.org",
    "senco_phone": "0115 000 0000",
    "sen_governor": "Mrs Gov",
    "local_offer_url": "https://www.example.org/local-offer",
    "accessibility_plan_url": "https://www.example.org/accessibility",
    "has_sen_unit": "on",
}


@pytest.mark.parametrize("persona", ["senco", "admin"])
def test_it_saves_the_school_profile(world, client_for, persona):
    client = client_for(getattr(world, persona))
    response = client.post(URL, with_version(client, URL, VALID))
    assert response.status_code == 302
    assert response.url == URL
    school = School.objects.get(pk=1)
    assert school.name == "Meadow Lane Primary School"
    assert school.urn == "654321"
    assert school.la_code == "891"
    assert school.senco_email == "senco@meadow.example.org"
    assert school.local_offer_url == "https://www.example.org/local-offer"
    assert school.has_sen_unit is True
    assert school.has_resourced_provision is False
    # The header shows the new name on the next page.
    page = client.get(URL)
    assert "Meadow Lane Primary School" in page.content.decode()
    assert "have been saved" in page.content.decode()


def test_it_shows_the_form_with_current_values(world, client_for):
    response = client_for(world.senco).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Brookfield Primary School"' in html
    assert "<h1" in html and "School details" in html
    assert 'for="id_urn"' in html  # every field labelled


@pytest.mark.parametrize("persona", ["head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor"])
def test_it_refuses_everyone_else(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(URL).status_code == 403
    response = client.post(URL, VALID)
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()
    assert School.objects.get(pk=1).name == "Brookfield Primary School"


def test_it_sends_anonymous_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    client.post(URL, VALID)
    assert School.objects.get(pk=1).name == "Brookfield Primary School"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("urn", "12345", "Enter the URN as 6 digits"),
        ("urn", "12345a", "Enter the URN as 6 digits"),
        ("la_code", "83", "Enter the LA number as 3 digits"),
        ("name", "", "Enter the school&#x27;s name"),
        ("senco_email", "not-an-email", "Enter the SENCo&#x27;s email address in the correct format"),
        ("local_offer_url", "www example", "Enter the local offer web address in full"),
    ],
)
def test_it_shows_errors_next_to_the_field_and_saves_nothing(world, client_for, field, value, message):
    client = client_for(world.admin)
    response = client.post(URL, with_version(client, URL, {**VALID, field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert f'href="#id_{field}"' in html  # the error summary links to the field
    assert f'id="id_{field}_1_error"' in html  # and the message sits by the field
    assert html.count("<title>Error: ") == 1
    assert School.objects.get(pk=1).name == "Brookfield Primary School"
