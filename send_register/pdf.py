"""PDF jobs: every PDF the product makes is a PdfJob row rendered by Celery
(in-process when no broker is configured) with WeasyPrint.

Each app registers its kinds at start-up (in its AppConfig.ready or a module
imported there):

    register_pdf_kind(PdfKind(
        kind="support_plan",
        template="support_plans/pdf/support_plan.html",
        context=lambda obj_id: {...},                  # build the template context
        can_request=lambda user, obj_id: bool,         # through the app's access helpers
        filename=lambda obj_id: "support-plan.pdf",    # no names in filenames
    ))

The registry lives on the lowest floor so that any app may register without
importing upward; reports registers the governors' kinds the same way.
"""

import hashlib
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from .claims import Claims
from .models import PdfJob

log = logging.getLogger(__name__)

# A rendering worker refreshes heartbeat_at every HEARTBEAT_EVERY seconds; a
# job whose heartbeat is older than STALE_CLAIM has lost its worker (killed,
# out of memory, the machine gone) and requeue_stalled (beat, every 30 s)
# queues it again: back in the queue within about a minute and a half.
HEARTBEAT_EVERY = 5.0
STALE_CLAIM = timedelta(seconds=60)
MAX_ATTEMPTS = 3
CLAIMS = Claims(
    PdfJob, waiting=PdfJob.Status.QUEUED, working=PdfJob.Status.RENDERING, stale_after=STALE_CLAIM, heartbeat="heartbeat_at"
)


@dataclass(frozen=True)
class PdfKind:
    kind: str
    template: str
    context: Callable[[int], dict]
    can_request: Callable[[object, int], bool]
    filename: Callable[[int], str]
    title: str = "Document"
    # A short string that changes whenever the source changes, so that a
    # ready PDF is reused until then.
    version: Callable[[int], str] | None = None


_REGISTRY: dict[str, PdfKind] = {}


def register_pdf_kind(spec: PdfKind) -> None:
    _REGISTRY[spec.kind] = spec


def get_kind(kind: str) -> PdfKind:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise Http404("No such document") from None


def kinds() -> dict[str, PdfKind]:
    return dict(_REGISTRY)


def source_version(kind: str, object_id: int) -> str:
    """The kind's version string for the object as it is now, hashed to fit
    PdfJob.source_version whatever its length ("" for kinds without one)."""
    spec = get_kind(kind)
    if spec.version is None:
        return ""
    return hashlib.sha256(str(spec.version(object_id)).encode()).hexdigest()


def current_job(kind: str, object_id: int) -> PdfJob | None:
    """The newest job (not failed) for the object as it is now, if any."""
    version = source_version(kind, object_id)
    if not version:
        return None
    return (
        PdfJob.objects.filter(kind=kind, object_id=object_id, source_version=version)
        .exclude(status=PdfJob.Status.FAILED)
        .order_by("-created_at")
        .first()
    )


def request_pdf(*, user, kind: str, object_id: int) -> PdfJob:
    """Queue a PDF (or return the current one if nothing has changed since).
    The caller has already checked access with `can_request`."""
    existing = current_job(kind, object_id)
    if existing is not None:
        return existing
    version = source_version(kind, object_id)
    job = PdfJob.objects.create(kind=kind, object_id=object_id, requested_by=user, source_version=version)
    transaction.on_commit(lambda: kick_pdf(job.pk))
    return job


def kick_pdf(job_id: int) -> None:
    from .tasks import render_pdf_job

    try:
        render_pdf_job.delay(job_id)
    except Exception as exc:  # broker down: drain_pdf_jobs will render it later
        log.warning("pdf job %s left queued: %s", job_id, type(exc).__name__)


def render_html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    from django.conf import settings

    # pdf_variant "pdf/ua-1" makes WeasyPrint write a tagged PDF (structure
    # tree, real text, document language) for screen readers.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def render_pdf_bytes(kind: str, object_id: int) -> bytes:
    spec = get_kind(kind)
    context = spec.context(object_id)
    context.setdefault("document_title", spec.title)
    html = render_to_string(spec.template, context)
    return render_html_to_pdf(html)


@contextmanager
def heartbeat(job_id: int, every: float | None = None):
    """Refresh the job's heartbeat from a thread while the body runs (one
    WeasyPrint call can take seconds with no point to beat from). The first
    beat is after `every` seconds, so a quick render never uses the thread's
    own database connection."""
    every = HEARTBEAT_EVERY if every is None else every
    stop = threading.Event()

    def run():
        try:
            while not stop.wait(every):
                try:
                    if not CLAIMS.beat(job_id):
                        return  # no longer ours to render
                except Exception as exc:  # a missed beat is not a failed render
                    log.warning("pdf job %s heartbeat missed: %s", job_id, type(exc).__name__)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=f"pdf-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def requeue_stalled() -> int:
    """Queue again every job whose worker stopped beating, counting the lost
    attempt, so that a PDF that kills its worker each time ends as failed
    instead of going round for ever. Each row moves with a conditional
    UPDATE, so a heartbeat that arrives meanwhile keeps its job."""
    requeued = []
    for pk, attempts in CLAIMS.stale().values_list("pk", "attempts"):
        gives_up = attempts + 1 >= MAX_ATTEMPTS
        moved = CLAIMS.stale().filter(pk=pk).update(
            status=PdfJob.Status.FAILED if gives_up else PdfJob.Status.QUEUED,
            attempts=F("attempts") + 1,
            last_error="WorkerLost",
            claimed_at=None,
            heartbeat_at=None,
        )
        if moved and not gives_up:
            requeued.append(pk)
        elif moved:
            log.warning("pdf job %s failed: its worker was lost %s times", pk, MAX_ATTEMPTS)
    for pk in requeued:
        log.info("pdf job %s re-queued: its worker stopped", pk)
        transaction.on_commit(lambda pk=pk: kick_pdf(pk))
    return len(requeued)


def render_job(job_id: int) -> bool:
    """Render one job if no one else is; True when this call rendered it."""
    if not CLAIMS.claim(job_id):
        return False
    job = PdfJob.objects.get(pk=job_id)
    try:
        with heartbeat(job_id):
            data = render_pdf_bytes(job.kind, job.object_id)
    except Exception as exc:
        attempts = job.attempts + 1
        PdfJob.objects.filter(pk=job_id).update(
            status=PdfJob.Status.FAILED if attempts >= MAX_ATTEMPTS else PdfJob.Status.QUEUED,
            attempts=attempts,
            last_error=type(exc).__name__,
        )
        log.exception("pdf job %s failed (attempt %s)", job_id, attempts) if attempts >= MAX_ATTEMPTS else None
        return False
    job.file.save(f"{job.kind}-{job.pk}.pdf", ContentFile(data), save=False)
    PdfJob.objects.filter(pk=job_id).update(
        file=job.file.name, status=PdfJob.Status.READY, finished_at=timezone.now(), attempts=job.attempts + 1, last_error=""
    )
    return True


def drain(limit: int = 50) -> int:
    ids = list(CLAIMS.claimable().values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if render_job(pk))
