"""Parents see their own children only, in plain English."""

from datetime import date

from django.urls import reverse

from pupils.models import AccessLog, NeedType
from pupils.services import needs_set, profile_save


def test_a_parent_sees_their_child_in_plain_words(world, client_for):
    needs_set(pupil=world.pupil, primary=NeedType.objects.get(code="SLCN"), secondary=NeedType.objects.get(code="SPLD"),
              effective_date=date(2025, 10, 1), reason="x", decided_by=world.senco)
    profile_save(pupil=world.pupil, gathered_on=date(2025, 11, 1), written_by=world.teacher,
                 how_to_support="Show me a picture of what to do", pupil_words="I like cubes")
    response = client_for(world.parent).get(reverse("pupils:parent_child", args=[world.pupil.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Amelia gets SEN support" in body
    assert "help with talking, understanding others and being understood" in body
    assert "dyslexia" in body
    assert "Show me a picture of what to do" in body and "I like cubes" in body
    for code in ("SLCN", "SPLD", "(K)", world.pupil.upn):
        assert code not in body, code
    # Parents' views are not staff views of the record.
    assert not AccessLog.objects.exists()


def test_a_parent_gets_404_for_another_child(world, client_for):
    client = client_for(world.parent)
    assert client.get(reverse("pupils:parent_child", args=[world.other_pupil.pk])).status_code == 404
    assert client.get(reverse("pupils:parent_child", args=[world.unlisted_pupil.pk])).status_code == 404
    assert client.get(reverse("pupils:detail", args=[world.pupil.pk])).status_code == 404  # not the staff page either


def test_the_list_shows_only_the_parents_children(world, client_for):
    response = client_for(world.other_parent).get(reverse("pupils:parent_children"))
    assert list(response.context["children"]) == [world.other_pupil]
    assert "Bilal Stone" in response.content.decode() and "Amelia" not in response.content.decode()


def test_status_words_cover_each_status(world, client_for):
    client = client_for(world.parent)
    url = reverse("pupils:parent_child", args=[world.pupil.pk])
    for status, words in (("E", "education, health and care (EHC) plan"), ("M", "keeping a closer eye"), ("N", "does not get")):
        world.pupil.sen_status = status
        world.pupil.save()
        assert words in client.get(url).content.decode()
