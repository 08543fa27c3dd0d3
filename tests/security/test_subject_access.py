import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from pupils.models import AccessLog, OnePageProfile


def test_it_exports_everything_about_the_pupil_for_the_senco(world, client_for):
    OnePageProfile.objects.create(pupil=world.pupil, like_and_admire="Loves dinosaurs", gathered_on=date(2026, 1, 1))
    AccessLog.objects.create(user=world.teacher, pupil=world.pupil, page="pupil")
    response = client_for(world.senco).post(reverse("pupil_subject_access", args=[world.pupil.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "README.txt" in names
    profiles = json.loads(archive.read("records/pupils.onepageprofile.json"))
    assert profiles[0]["fields"]["like_and_admire"] == "Loves dinosaurs"
    entries = json.loads(archive.read("records/pupils.registerentry.json"))
    assert {e["fields"]["status"] for e in entries} == {"K"}
    log = json.loads(archive.read("records/pupils.accesslog.json"))
    assert any(row["fields"]["page"] == "pupil" for row in log)
    # Nothing about another pupil.
    assert world.other_pupil.legal_last_name not in archive.read("records/pupils.pupil.json").decode()
    # The export itself is logged.
    assert AccessLog.objects.filter(pupil=world.pupil, user=world.senco, page="subject access export").exists()


@pytest.mark.parametrize("persona", ["teacher", "ta", "other_teacher", "parent", "governor", "admin"])
def test_nobody_else_can_export(world, client_for, persona):
    response = client_for(world.personas()[persona]).post(reverse("pupil_subject_access", args=[world.pupil.pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(world, client):
    response = client.post(reverse("pupil_subject_access", args=[world.pupil.pk]))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
