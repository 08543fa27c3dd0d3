"""Uploads against a real ClamAV daemon: our own clamd (Debian's
clamav-daemon, installed by scripts/system-deps.sh) on a free loopback port
with a temporary configuration whose only signature is the EICAR test file's
MD5 and size (an .hdb line), since the official database cannot be fetched
everywhere. EICAR is refused through the real upload pages; a clean PDF is
stored and released; a file quarantined while clamd was down is released, or
deleted, by the periodic task once clamd answers."""

import hashlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerns.models import ConcernAttachment
from pupils.models import PupilDocument, Tier
from send_register import scanning
from send_register.models import OutboundEmail
from send_register.scanning import ScanStatus

from .test_scanning import EICAR, PDF, add_evidence, free_port

CLAMD = shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd",) if Path(p).exists()), None)
pytestmark = pytest.mark.skipif(
    CLAMD is None, reason="clamd is not installed (Debian's clamav-daemon: `make system-deps` as root installs it)"
)


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A clamd of our own on a free loopback TCP port; (host, port)."""
    root = tmp_path_factory.mktemp("clamd")
    database = root / "db"
    database.mkdir()
    (database / "test.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Test.EICAR.Local\n")
    port = free_port()
    config = root / "clamd.conf"
    config.write_text(
        "Foreground yes\n"
        f"DatabaseDirectory {database}\n"
        f"TCPSocket {port}\n"
        "TCPAddr 127.0.0.1\n"
        f"LogFile {root / 'clamd.log'}\n"
        f"PidFile {root / 'clamd.pid'}\n"
        f"TemporaryDirectory {root}\n"
    )
    process = subprocess.Popen([CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log = (root / "clamd.log").read_text() if (root / "clamd.log").exists() else ""
                pytest.fail(f"clamd exited with {process.returncode}: {log[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"nPING\n")
                    if conn.recv(16).strip() == b"PONG":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("clamd did not answer PING within 60 s")
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def real_scanner(settings, clamd):
    settings.CLAMD_HOST, settings.CLAMD_PORT = clamd
    settings.CLAMD_TIMEOUT, settings.UPLOAD_SCAN_SKIP = 10, False
    assert scanning.ping()
    return clamd


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add_document(client, pupil, name, content):
    data = {"title": "SALT report", "kind": "report", "tier": str(Tier.PLAN), "document_date": "2026-10-01",
            "file": SimpleUploadedFile(name, content)}
    return client.post(reverse("pupils:document_add", args=[pupil.pk]), data)


def stored_files(media) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_clamd_refuses_eicar_through_the_document_page(world, client_for, real_scanner, media_in_tmp):
    response = add_document(client_for(world.senco), world.pupil, "report.pdf", EICAR)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file contains a virus or other malware, so it has not been saved. Upload a clean copy instead"
    ]
    assert b"contains a virus" in response.content
    assert not PupilDocument.objects.exists() and not stored_files(media_in_tmp)


def test_clamd_passes_a_clean_pdf_which_is_stored_and_served(world, client_for, real_scanner, media_in_tmp):
    client = client_for(world.senco)
    assert add_document(client, world.pupil, "report.pdf", PDF).status_code == 302
    document = PupilDocument.objects.get()
    assert document.scan_status == ScanStatus.CLEAN and document.scanned_at
    assert Path(document.file.path).read_bytes() == PDF
    download = client.get(reverse("pupils:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_clamd_refuses_eicar_as_concern_evidence(world, client_for, real_scanner, media_in_tmp):
    response = add_evidence(client_for(world.senco), world.pupil, "work.pdf", EICAR)
    assert response.status_code == 200
    assert "work.pdf contains a virus" in " ".join(response.context["form"].errors["evidence"])
    assert not ConcernAttachment.objects.exists() and not stored_files(media_in_tmp)


def test_files_quarantined_while_clamd_was_down_are_scanned_when_it_is_back(
    world, client_for, settings, clamd, django_capture_on_commit_callbacks
):
    settings.CLAMD_HOST, settings.CLAMD_PORT, settings.CLAMD_TIMEOUT = "127.0.0.1", free_port(), 2  # down
    settings.UPLOAD_SCAN_SKIP = False
    assert add_document(client_for(world.senco), world.pupil, "clean.pdf", PDF).status_code == 302
    assert add_evidence(client_for(world.teacher), world.pupil, "work.pdf", PDF).status_code == 302
    attachment = ConcernAttachment.objects.get()
    Path(attachment.file.path).write_bytes(EICAR)  # stands for malware the upload carried
    assert set(PupilDocument.objects.values_list("scan_status", flat=True)) == {ScanStatus.PENDING}
    assert scanning.scan_quarantined()["waiting"] == 2

    settings.CLAMD_HOST, settings.CLAMD_PORT = clamd  # back
    with django_capture_on_commit_callbacks(execute=True):
        counts = scanning.scan_quarantined_uploads.delay().get()
    assert counts == {"clean": 1, "infected": 1, "waiting": 0}
    assert PupilDocument.objects.get().scan_status == ScanStatus.CLEAN
    assert not ConcernAttachment.objects.exists()
    told = set(OutboundEmail.objects.filter(purpose="upload_infected").values_list("to", flat=True))
    assert told == {world.teacher.email, world.senco.email}
