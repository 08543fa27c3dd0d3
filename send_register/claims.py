"""Claiming a row of work (an email, a PDF job) so that only one worker does
it, shared by the outbox and the PDF jobs. A row is claimable while it waits,
or when a worker claimed it so long ago that it must have died."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Model, Q, QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class Claims:
    model: type[Model]
    waiting: str  # the status of a row no one has claimed
    working: str  # the status a claim sets
    stale_after: timedelta

    def _claimable_q(self, now) -> Q:
        return Q(status=self.waiting) | Q(status=self.working, claimed_at__lt=now - self.stale_after)

    def claimable(self) -> QuerySet:
        """Rows a worker may claim now, oldest first."""
        return self.model.objects.filter(self._claimable_q(timezone.now())).order_by("created_at")

    def claim(self, pk: int) -> bool:
        """Claim one row with a conditional UPDATE: True only for the caller that wins."""
        now = timezone.now()
        return self.model.objects.filter(self._claimable_q(now), pk=pk).update(status=self.working, claimed_at=now) == 1
