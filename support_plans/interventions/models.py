"""Models for this app (see the issue that builds it)."""

from django.db import models  # noqa: F401
