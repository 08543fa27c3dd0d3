"""Malware scanning of every upload, with ClamAV's daemon (clamd) over TCP
through the `clamav-client` package (CLAMD_HOST / CLAMD_PORT, docs/deploy.md).

One helper for every upload form and service: `scan_upload(upload)`.

- clean: the file is stored and released at once (scan_status "clean");
- infected: a ValidationError with a clear message for the field, and nothing
  is stored;
- the scanner cannot be asked (not configured, down, too slow): the file is
  stored in quarantine (scan_status "pending") and the download views do not
  serve it; the periodic task `scan_quarantined_uploads` scans it once the
  scanner answers again, releasing a clean file, deleting an infected one and
  telling the uploader and the SENCo.

Only with DEBUG (make run) or under the tests, and only while no scanner is
configured, does settings.UPLOAD_SCAN_SKIP let an unscanned file count as
clean, with a warning in the log: outside DEBUG that setting is always off, so
production quarantines rather than skips.

Models that store uploads inherit `ScannedFile`; the task finds them all.
Logs carry ids and signature names only, never a file's name or contents.
"""

import logging

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

CHECKING_MESSAGE = "This file is being checked for viruses. Try again in a few minutes."
# Per task run: enough for a backlog after an outage, small enough for one worker.
BATCH = 200


class ScanStatus(models.TextChoices):
    PENDING = "pending", "Being checked for viruses"
    CLEAN = "clean", "Checked: no virus found"
    INFECTED = "infected", "A virus was found"


class ScannerUnavailable(Exception):
    """clamd is not configured, cannot be reached, or gave no verdict."""


def infected_message(name: str = "") -> str:
    what = f"The file {name}" if name else "The file"
    return f"{what} contains a virus or other malware, so it has not been saved. Upload a clean copy instead"


def scanner_configured() -> bool:
    return bool(getattr(settings, "CLAMD_HOST", ""))


def _client():
    from clamav_client.clamd import ClamdNetworkSocket

    return ClamdNetworkSocket(host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=settings.CLAMD_TIMEOUT)


def ping() -> bool:
    """True when clamd answers PING."""
    if not scanner_configured():
        return False
    try:
        return _client().ping() == "PONG"
    except Exception:
        return False


def scan_stream(fileobj) -> str:
    """Scan an open binary file with clamd's INSTREAM; ScanStatus.CLEAN or
    ScanStatus.INFECTED. Raises ScannerUnavailable when there is no verdict."""
    if not scanner_configured():
        if getattr(settings, "UPLOAD_SCAN_SKIP", False):
            log.warning("upload not scanned: no scanner configured and UPLOAD_SCAN_SKIP is on (DEBUG or tests only)")
            return ScanStatus.CLEAN
        raise ScannerUnavailable("not configured")
    from clamav_client.clamd import ClamdError

    try:
        result = _client().instream(fileobj)
    except (ClamdError, OSError) as exc:
        raise ScannerUnavailable(type(exc).__name__) from None
    status, signature = result.get("stream", (None, None))
    if status == "OK":
        return ScanStatus.CLEAN
    if status == "FOUND":
        log.warning("upload refused: malware signature %s", signature)
        return ScanStatus.INFECTED
    raise ScannerUnavailable(f"no verdict ({status})")


def scan_upload(upload, *, name: str | None = None) -> str:
    """The one scanning helper for uploads. Returns the scan status to store
    with the file: ScanStatus.CLEAN, or ScanStatus.PENDING (quarantine) when the
    scanner could not be asked. Raises ValidationError when the file is
    infected. The verdict is kept on the upload object, so a form and then a
    service asking about the same file scan it once."""
    status = getattr(upload, "_send_scan_status", None)
    if status is None:
        try:
            upload.seek(0)
            status = scan_stream(upload)
        except ScannerUnavailable as exc:
            log.warning("upload quarantined until it can be scanned: %s", exc)
            status = ScanStatus.PENDING
        finally:
            upload.seek(0)
        upload._send_scan_status = status
    if status == ScanStatus.INFECTED:
        raise ValidationError(infected_message(getattr(upload, "name", "") if name is None else name), code="infected")
    return status


class ScannedFile(models.Model):
    """For a model that stores an upload in `file`: its scan status, and what
    the quarantine task needs to tell people if it turns out to be infected."""

    scan_status = models.CharField(
        max_length=8, choices=ScanStatus.choices, default=ScanStatus.PENDING, db_index=True,
        help_text="Pending files are in quarantine: not served until the virus scanner has passed them",
    )
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_released(self) -> bool:
        return self.scan_status == ScanStatus.CLEAN

    # Overridden by each model: where the file was, in words and as a link, for the email.
    def scan_place(self) -> tuple[str, str]:
        return "the SEND register", ""

    def scan_uploader(self):
        return getattr(self, "uploaded_by", None)


def quarantined_models() -> list[type[ScannedFile]]:
    return [m for m in apps.get_models() if issubclass(m, ScannedFile) and not m._meta.abstract]


def _senco_addresses() -> set[str]:
    from accounts.models import Role, User

    return set(User.objects.with_role(Role.SENCO).exclude(email="").values_list("email", flat=True))


def _tell_infected(obj: ScannedFile) -> None:
    from .outbox import queue_email

    place, link = obj.scan_place()
    uploaded = timezone.localtime(obj.created_at).strftime("%d/%m/%Y") if getattr(obj, "created_at", None) else "recently"
    body = (
        f"A file uploaded to {place} on {uploaded} ({getattr(obj, 'original_name', 'a file')}) was checked "
        "for viruses and found to contain a virus or other malware. It has been deleted. Nobody could open "
        "it before it was checked.\n\n"
        "If the file is still needed, scan the original on your computer and upload a clean copy."
        + (f"\n\n{link}" if link else "")
        + "\n"
    )
    uploader = obj.scan_uploader()
    to = _senco_addresses()
    if uploader is not None and uploader.email:
        to.add(uploader.email)
    for address in sorted(to):
        queue_email(to=address, subject="A file was deleted because it contained a virus", body=body,
                    purpose="upload_infected", related_id=obj.pk)


def rescan(model: type[ScannedFile], pk: int) -> str:
    """Scan one quarantined file. Clean: released. Infected: the row and the
    file deleted and the uploader and SENCo told. Each outcome is claimed with
    a conditional update, so two workers never release or report one file
    twice. Raises ScannerUnavailable while the scanner still cannot answer."""
    obj = model.objects.filter(pk=pk, scan_status=ScanStatus.PENDING).first()
    if obj is None:
        return "gone"
    try:
        with obj.file.open("rb") as handle:
            status = scan_stream(handle)
    except (FileNotFoundError, ValueError):
        log.warning("quarantined %s %s has no stored file", model._meta.label, pk)
        return "missing"
    now = timezone.now()
    if status == ScanStatus.CLEAN:
        model.objects.filter(pk=pk, scan_status=ScanStatus.PENDING).update(scan_status=ScanStatus.CLEAN, scanned_at=now)
        return ScanStatus.CLEAN
    with transaction.atomic():
        if not model.objects.filter(pk=pk, scan_status=ScanStatus.PENDING).update(
            scan_status=ScanStatus.INFECTED, scanned_at=now
        ):
            return "gone"
        obj.scan_status = ScanStatus.INFECTED
        _tell_infected(obj)
        stored = obj.file
        obj.delete()
        transaction.on_commit(lambda: stored.delete(save=False))
    log.warning("quarantined %s %s was infected: deleted", model._meta.label, pk)
    return ScanStatus.INFECTED


def scan_quarantined() -> dict[str, int]:
    """Scan every file waiting in quarantine (oldest first, BATCH a model per
    run); stops at the first sign that the scanner is still unavailable."""
    counts = {"clean": 0, "infected": 0}
    try:
        for model in quarantined_models():
            pending = model.objects.filter(scan_status=ScanStatus.PENDING).order_by("pk")
            for pk in pending.values_list("pk", flat=True)[:BATCH]:
                outcome = rescan(model, pk)
                if outcome in counts:
                    counts[outcome] += 1
    except ScannerUnavailable as exc:
        log.warning("quarantine scan postponed: %s", exc)
    counts["waiting"] = sum(m.objects.filter(scan_status=ScanStatus.PENDING).count() for m in quarantined_models())
    return counts


@shared_task
def scan_quarantined_uploads() -> dict[str, int]:
    """Beat runs this every few minutes (settings.CELERY_BEAT_SCHEDULE)."""
    return scan_quarantined()
