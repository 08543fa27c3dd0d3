"""Change history per person, beside their access log (issue 9)."""

from django.urls import reverse

from pupils.audit import changes_by_user
from pupils.models import AgencyInvolvement


def test_it_lists_the_changes_a_person_made_in_any_app(world, client_for):
    pupil = world.unlisted_pupil
    pupil.eal = True
    pupil._history_user = world.senco  # as HistoryRequestMiddleware sets it in a request
    pupil._change_reason = "Home language checked"
    pupil.save()
    agency = AgencyInvolvement(pupil=pupil, agency="salt", start_date="2026-09-01")
    agency._history_user = world.head
    agency.save()

    changes = changes_by_user(world.senco)
    assert [(c.what, c.object_id, c.action, c.reason) for c in changes] == [("Pupil", pupil.pk, "Changed", "Home language checked")]
    assert [(c.what, c.action) for c in changes_by_user(world.head)] == [("Agency involvement", "Created")]
    assert changes_by_user(world.other_teacher) == []

    page = client_for(world.senco).get(reverse("pupils:access_log_user", args=[world.senco.pk])).content.decode()
    assert "Changes made by Ada Senco" in page and "Home language checked" in page


def test_only_the_senco_and_head_read_it(world, client_for):
    url = reverse("pupils:access_log_user", args=[world.senco.pk])
    assert client_for(world.head).get(url).status_code == 200
    assert client_for(world.teacher).get(url).status_code == 403
