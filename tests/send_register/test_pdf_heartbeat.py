"""A PDF whose worker dies is not left "rendering": the worker refreshes the
job's heartbeat while it renders, and the 30-second check queues again any job
whose heartbeat is more than a minute old (send_register.pdf.requeue_stalled)."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from send_register import pdf
from send_register.models import PdfJob
from send_register.tasks import requeue_stalled_pdf_jobs

from .test_pdf import KIND, note_kind  # noqa: F401 (the fixture)


def rendering(*, claimed_ago, beat_ago=None, attempts=0):
    """A job a worker claimed (and last showed signs of life) that long ago."""
    now = timezone.now()
    return PdfJob.objects.create(
        kind=KIND, object_id=5, status=PdfJob.Status.RENDERING, attempts=attempts,
        claimed_at=now - claimed_ago, heartbeat_at=None if beat_ago is None else now - beat_ago,
    )


def later(monkeypatch, seconds):
    """Move the clock on without waiting."""
    moved = timezone.now() + timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_a_job_whose_worker_died_is_requeued_and_rendered(world, note_kind, monkeypatch, django_capture_on_commit_callbacks):
    job = rendering(claimed_ago=timedelta(seconds=10), beat_ago=timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_pdf_jobs.delay().get() == 0  # alive: left alone
    job.refresh_from_db()
    assert job.status == PdfJob.Status.RENDERING

    later(monkeypatch, 70)  # the worker was killed: no heartbeat for over a minute
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_pdf_jobs.delay().get() == 1
    job.refresh_from_db()
    # Queued again and, with the (eager) worker back, rendered.
    assert job.status == PdfJob.Status.READY and job.file
    assert job.attempts == 2  # the lost attempt counts
    assert job.heartbeat_at is not None


def test_a_long_render_with_a_fresh_heartbeat_is_not_taken_away(world, note_kind):
    # Claimed ten minutes ago but still beating: the worker is alive.
    job = rendering(claimed_ago=timedelta(minutes=10), beat_ago=timedelta(seconds=20))
    assert pdf.requeue_stalled() == 0
    assert pdf.render_job(job.pk) is False  # no second worker claims it either
    assert job.pk not in set(pdf.CLAIMS.claimable().values_list("pk", flat=True))
    job.refresh_from_db()
    assert job.status == PdfJob.Status.RENDERING and job.attempts == 0


def test_a_claim_from_before_heartbeats_counts_from_its_claim(world, note_kind):
    fresh = rendering(claimed_ago=timedelta(seconds=30))
    old = rendering(claimed_ago=timedelta(minutes=2))
    assert set(pdf.CLAIMS.stale().values_list("pk", flat=True)) == {old.pk}
    assert pdf.requeue_stalled() == 1
    fresh.refresh_from_db()
    old.refresh_from_db()
    assert fresh.status == PdfJob.Status.RENDERING
    assert old.status == PdfJob.Status.QUEUED and old.last_error == "WorkerLost"


def test_a_pdf_that_keeps_killing_its_worker_ends_as_failed(world, note_kind, django_capture_on_commit_callbacks):
    job = rendering(claimed_ago=timedelta(minutes=3), beat_ago=timedelta(minutes=2), attempts=pdf.MAX_ATTEMPTS - 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert pdf.requeue_stalled() == 0
    assert not callbacks  # nothing queued again
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and job.attempts == pdf.MAX_ATTEMPTS


def test_a_claim_starts_the_heartbeat_and_the_worker_refreshes_it(world, note_kind, monkeypatch):
    job = PdfJob.objects.create(kind=KIND, object_id=6)
    assert pdf.CLAIMS.claim(job.pk)
    job.refresh_from_db()
    assert job.heartbeat_at == job.claimed_at
    later(monkeypatch, 50)
    assert pdf.CLAIMS.beat(job.pk)
    later(monkeypatch, 50)  # 100 s after the claim, 50 s after that beat: still alive
    assert pdf.requeue_stalled() == 0
    job.refresh_from_db()
    assert job.status == PdfJob.Status.RENDERING


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="a second connection needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_while_the_render_runs(note_kind, monkeypatch):
    """The render blocks until the thread has beaten twice (no sleeping: it
    waits on the beats), then the job is ready."""
    job = PdfJob.objects.create(kind=KIND, object_id=8)
    beats = []
    real_beat = pdf.CLAIMS.beat
    two_beats = threading.Event()

    class Recording:
        def __getattr__(self, name):
            return getattr(real_beat.__self__, name)

        def beat(self, pk):
            alive = real_beat(pk)
            beats.append(PdfJob.objects.get(pk=pk).heartbeat_at)
            if len(beats) >= 2:
                two_beats.set()
            return alive

    monkeypatch.setattr(pdf, "CLAIMS", Recording())
    monkeypatch.setattr(pdf, "HEARTBEAT_EVERY", 0.01)
    real_render = pdf.render_html_to_pdf

    def slow_render(html):
        assert two_beats.wait(10), "no heartbeat while rendering"
        return real_render(html)

    monkeypatch.setattr(pdf, "render_html_to_pdf", slow_render)
    assert pdf.render_job(job.pk) is True
    job.refresh_from_db()
    assert job.status == PdfJob.Status.READY
    assert len(beats) >= 2 and beats[0] < beats[1] and job.heartbeat_at >= beats[1]


def test_beat_checks_for_stalled_pdfs_every_30_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stalled-pdf-jobs"]
    assert entry == {"task": "send_register.tasks.requeue_stalled_pdf_jobs", "schedule": 30.0}
