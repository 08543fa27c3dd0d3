"""Malware scanning of uploads (send_register.scanning) with the scanner
unavailable or faked: an infected upload is refused by its field and nothing
is stored; with the scanner down an upload waits in quarantine, cannot be
downloaded, and the periodic task releases it once the scanner is back (or
deletes it and tells the uploader and the SENCo when it is infected). The real
clamd is driven in test_clamd.py."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from clamav_client.clamd import CommunicationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerns.models import ConcernAttachment
from pupils.models import PupilDocument, Tier
from send_register import scanning
from send_register.models import OutboundEmail
from send_register.scanning import ScanStatus

ROOT = Path(__file__).resolve().parents[2]
# The EICAR test file: every anti-virus product reports it, and it is harmless.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class FakeClamd:
    """clamav-client's ClamdNetworkSocket as the scanner answers INSTREAM."""

    def __init__(self, *, up=True):
        self.up = up
        self.scanned = 0

    def instream(self, buff):
        if not self.up:
            raise CommunicationError("Error connecting to 127.0.0.1:3310. Connection refused.")
        self.scanned += 1
        return {"stream": ("FOUND", "Eicar-Signature") if EICAR in buff.read() else ("OK", None)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def scanner_down(settings):
    """A scanner configured on a loopback port where nothing listens."""
    settings.CLAMD_HOST, settings.CLAMD_PORT, settings.CLAMD_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.UPLOAD_SCAN_SKIP = False


@pytest.fixture
def fake_clamd(settings, monkeypatch):
    settings.CLAMD_HOST, settings.UPLOAD_SCAN_SKIP = "clamd.test", False
    fake = FakeClamd()
    monkeypatch.setattr(scanning, "_client", lambda: fake)
    return fake


def add_document(client, pupil, name, content):
    data = {"title": "SALT report", "kind": "report", "tier": str(Tier.PLAN), "document_date": "2026-10-01",
            "file": SimpleUploadedFile(name, content)}
    return client.post(reverse("pupils:document_add", args=[pupil.pk]), data)


def add_evidence(client, pupil, name, content):
    data = {"pupil": pupil.pk, "area_CL": "Finds it hard to start writing", "strategy_1": "Sentence starters",
            "effect_1": "some", "support_wanted": ["observation"], "evidence_kind": "work", "save": "1",
            "evidence": SimpleUploadedFile(name, content)}
    return client.post(reverse("concerns:new"), data)


# The helper -----------------------------------------------------------------


def test_it_refuses_an_infected_upload_and_keeps_the_verdict(fake_clamd):
    upload = SimpleUploadedFile("x.pdf", EICAR)
    with pytest.raises(scanning.ValidationError) as caught:
        scanning.scan_upload(upload)
    assert "contains a virus" in caught.value.messages[0]
    with pytest.raises(scanning.ValidationError):
        scanning.scan_upload(upload)
    assert fake_clamd.scanned == 1  # a form and then a service ask once
    assert scanning.scan_upload(SimpleUploadedFile("ok.pdf", PDF)) == ScanStatus.CLEAN


def test_it_quarantines_when_the_scanner_is_down_or_not_configured(settings, scanner_down):
    assert scanning.scan_upload(SimpleUploadedFile("x.pdf", PDF)) == ScanStatus.PENDING
    settings.CLAMD_HOST = ""
    assert scanning.scan_upload(SimpleUploadedFile("x.pdf", PDF)) == ScanStatus.PENDING
    settings.UPLOAD_SCAN_SKIP = True  # make run and the tests only
    assert scanning.scan_upload(SimpleUploadedFile("x.pdf", PDF)) == ScanStatus.CLEAN


def _settings_probe(**env):
    code = ("import json; from django.conf import settings; "
            "print(json.dumps([settings.UPLOAD_SCAN_SKIP, settings.CLAMD_HOST, settings.CLAMD_PORT]))")
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8",
                 "DJANGO_SETTINGS_MODULE": "send_register.settings", **env}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_never_skips_the_scan():
    # DEBUG off: whatever the environment says, nothing counts as clean unscanned.
    assert _settings_probe(SECRET_KEY="x" * 60, UPLOAD_SCAN_SKIP="true") == [False, "", 3310]
    assert _settings_probe(SECRET_KEY="x" * 60, CLAMD_HOST="clamav", CLAMD_PORT="3311") == [False, "clamav", 3311]
    # make run (DEBUG, no scanner) may skip; a configured scanner is always used.
    assert _settings_probe(DEBUG="true") == [True, "", 3310]
    assert _settings_probe(DEBUG="true", CLAMD_HOST="clamav")[0] is False


# The upload pages with a scanner that finds EICAR -------------------------


def test_an_infected_document_is_refused_by_its_field(world, client_for, fake_clamd, media_in_tmp):
    response = add_document(client_for(world.senco), world.pupil, "report.pdf", EICAR)
    assert response.status_code == 200
    assert "contains a virus" in response.context["form"].errors["file"][0]
    assert not PupilDocument.objects.exists()
    assert not media_in_tmp.exists() or not any(p.is_file() for p in media_in_tmp.rglob("*"))


def test_infected_evidence_is_refused_by_its_field(world, client_for, fake_clamd, media_in_tmp):
    response = add_evidence(client_for(world.senco), world.pupil, "work.pdf", EICAR)
    assert response.status_code == 200
    assert "contains a virus" in " ".join(response.context["form"].errors["evidence"])
    assert not ConcernAttachment.objects.exists()
    assert not media_in_tmp.exists() or not any(p.is_file() for p in media_in_tmp.rglob("*"))


def test_an_infected_mis_file_is_refused(world, client_for, fake_clamd):
    from pupils.models import ImportBatch

    upload = SimpleUploadedFile("pupils.csv", b"UPN,Legal first name\n" + EICAR + b"\n")
    response = client_for(world.senco).post(reverse("pupils:import"), {"file": upload})
    assert response.status_code == 200
    assert "contains a virus" in response.context["form"].errors["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_clean_document_is_released_at_once(world, client_for, fake_clamd):
    client = client_for(world.senco)
    assert add_document(client, world.pupil, "report.pdf", PDF).status_code == 302
    document = PupilDocument.objects.get()
    assert document.scan_status == ScanStatus.CLEAN and document.scanned_at
    download = client.get(reverse("pupils:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


# Quarantine -----------------------------------------------------------------


def test_a_document_waits_in_quarantine_until_the_scanner_is_back(world, client_for, scanner_down, monkeypatch):
    client = client_for(world.senco)
    response = add_document(client, world.pupil, "report.pdf", PDF)
    assert response.status_code == 302
    document = PupilDocument.objects.get()
    assert document.scan_status == ScanStatus.PENDING and document.scanned_at is None
    url = reverse("pupils:document_download", args=[document.pk])
    waiting = client.get(url)
    assert waiting.status_code == 202 and not waiting.streaming
    assert b"This file is being checked" in waiting.content and PDF not in waiting.content

    # Still down: the task leaves it waiting.
    assert scanning.scan_quarantined_uploads.delay().get() == {"clean": 0, "infected": 0, "waiting": 1}
    assert PupilDocument.objects.get().scan_status == ScanStatus.PENDING

    fake = FakeClamd()
    monkeypatch.setattr(scanning, "_client", lambda: fake)
    assert scanning.scan_quarantined_uploads.delay().get() == {"clean": 1, "infected": 0, "waiting": 0}
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN and document.scanned_at
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # Run twice: nothing scanned again.
    scanning.scan_quarantined()
    assert fake.scanned == 1


def test_quarantined_evidence_is_not_served(world, client_for, scanner_down):
    client = client_for(world.senco)
    assert add_evidence(client, world.pupil, "work.pdf", PDF).status_code == 302
    attachment = ConcernAttachment.objects.get()
    assert attachment.scan_status == ScanStatus.PENDING
    response = client.get(reverse("concerns:attachment", args=[attachment.pk]))
    assert response.status_code == 202 and b"This file is being checked" in response.content
    assert not response.has_header("Content-Disposition")


def test_an_infected_file_found_later_is_deleted_and_people_are_told(
    world, client_for, scanner_down, monkeypatch, django_capture_on_commit_callbacks
):
    # Uploaded by a teacher while the scanner was down.
    assert add_evidence(client_for(world.teacher), world.pupil, "work.pdf", PDF).status_code == 302
    attachment = ConcernAttachment.objects.get()
    stored = Path(attachment.file.path)
    stored.write_bytes(EICAR)  # what the scanner will find
    monkeypatch.setattr(scanning, "_client", lambda: FakeClamd())
    with django_capture_on_commit_callbacks(execute=True):
        counts = scanning.scan_quarantined()
    assert counts == {"clean": 0, "infected": 1, "waiting": 0}
    assert not ConcernAttachment.objects.exists() and not stored.exists()
    told = OutboundEmail.objects.filter(purpose="upload_infected")
    assert sorted(told.values_list("to", flat=True)) == sorted({world.teacher.email, world.senco.email})
    email = told.first()
    assert "deleted" in email.body and "work.pdf" in email.body and attachment.concern.reference in email.body


def test_the_subject_access_archive_leaves_out_quarantined_files(world, scanner_down):
    import io
    import zipfile

    from pupils.services import document_add
    from pupils.subject_access import build_archive

    document = document_add(pupil=world.pupil, uploaded_file=SimpleUploadedFile("r.pdf", PDF), title="Report",
                            uploaded_by=world.senco)
    assert document.scan_status == ScanStatus.PENDING
    names = zipfile.ZipFile(io.BytesIO(build_archive(world.pupil, exported_by=world.senco))).namelist()
    assert f"files/{document.file.name}" not in names
    PupilDocument.objects.filter(pk=document.pk).update(scan_status=ScanStatus.CLEAN)
    names = zipfile.ZipFile(io.BytesIO(build_archive(world.pupil, exported_by=world.senco))).namelist()
    assert f"files/{document.file.name}" in names


def test_the_ehc_evidence_pack_embeds_no_quarantined_file(world, scanner_down):
    from pupils.services import document_add
    from reviews.selectors import _attachments

    document = document_add(pupil=world.pupil, uploaded_file=SimpleUploadedFile("r.pdf", PDF), title="Report",
                            uploaded_by=world.senco)
    assert _attachments([document]) == [(document, "")]
    document.scan_status = ScanStatus.CLEAN
    assert _attachments([document])[0][1].startswith("file://")


def test_the_task_is_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "send_register.scanning.scan_quarantined_uploads" in tasks
