"""Claiming a row of work (an email, a PDF job) so that only one worker does
it, shared by the outbox and the PDF jobs. A row is claimable while it waits,
or when a worker claimed it so long ago that it must have died.

With a heartbeat field (PDF jobs) a claim is alive only while the worker
keeps refreshing that field: a worker that dies is noticed in about a minute
instead of after the longest a render could take."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone


@dataclass(frozen=True)
class Claims:
    model: type[Model]
    waiting: str  # the status of a row no one has claimed
    working: str  # the status a claim sets
    stale_after: timedelta
    # A field the working worker refreshes (PdfJob.heartbeat_at); the claim
    # is stale once neither it nor the claim itself is newer than stale_after.
    heartbeat: str | None = None

    def _queryset(self) -> QuerySet:
        if self.heartbeat is None:
            return self.model.objects.annotate(_alive_at=F("claimed_at"))
        return self.model.objects.annotate(_alive_at=Coalesce(self.heartbeat, "claimed_at"))

    def _stale_q(self, now) -> Q:
        return Q(status=self.working, _alive_at__lt=now - self.stale_after)

    def _claimable_q(self, now) -> Q:
        return Q(status=self.waiting) | self._stale_q(now)

    def claimable(self) -> QuerySet:
        """Rows a worker may claim now, oldest first."""
        return self._queryset().filter(self._claimable_q(timezone.now())).order_by("created_at")

    def stale(self) -> QuerySet:
        """Claimed rows whose worker has stopped showing signs of life."""
        return self._queryset().filter(self._stale_q(timezone.now()))

    def claim(self, pk: int) -> bool:
        """Claim one row with a conditional UPDATE: True only for the caller that wins."""
        now = timezone.now()
        fields = {"status": self.working, "claimed_at": now}
        if self.heartbeat is not None:
            fields[self.heartbeat] = now
        return self._queryset().filter(self._claimable_q(now), pk=pk).update(**fields) == 1

    def beat(self, pk: int) -> bool:
        """The working worker's sign of life; False if the row is no longer being worked on."""
        return self.model.objects.filter(pk=pk, status=self.working).update(**{self.heartbeat: timezone.now()}) == 1
