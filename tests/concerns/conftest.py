"""Helpers for the concern tests: concerns built through the services, a
pupil not yet on the register in the teacher's class, and evidence files."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerns import services
from concerns.models import ClassStrategy, Concern
from concerns.services import StaffConcernInput
from pupils.models import BroadArea

from ..factories import PupilFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n" + b"0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def new_pupil(world):
    """Not on the register, in the teacher's class (3 Oak)."""
    return PupilFactory(legal_first_name="Dara", legal_last_name="Hill", form=world.form, year_group="3", date_of_birth=date(2018, 5, 5))


def staff_input(pupil, **overrides) -> StaffConcernInput:
    data = dict(
        pupil=pupil,
        areas={BroadArea.COGNITION: "Struggles to hold a sentence in mind when writing"},
        parents_said="Mum says homework ends in tears",
        parents_want="Ideas to help with writing at home",
        strategies=[("Word bank and sentence starters", ClassStrategy.Effect.SOME)],
        support_wanted=[Concern.Support.OBSERVATION],
        support_detail="",
    )
    data.update(overrides)
    return StaffConcernInput(**data)


def staff_concern(user, pupil, submit=True, **overrides) -> Concern:
    return services.concern_save_staff(concern=None, by=user, data=staff_input(pupil, **overrides), submit=submit)


def parent_concern(parent, pupil, submit=True) -> Concern:
    concern = services.concern_create_draft(pupil=pupil, raised_by=parent, raised_by_role=Concern.RaisedByRole.PARENT)
    services.concern_save_parent_answer(
        concern=concern,
        by=parent,
        parent_concern="She cannot sleep before school days",
        home_strategies="A bedtime routine: it helped a little",
        parents_want="To know if she is worried at school",
        areas=[BroadArea.SEMH],
    )
    if submit:
        concern = services.concern_submit(concern=concern, by=parent)
    return concern


def advance(concern, senco, to_step, today=None):
    """Record each step in order up to `to_step` (the happy path of appendix B)."""
    today = today or timezone.localdate()
    path = [
        (Concern.Step.RECEIVED, {}),
        (Concern.Step.OBSERVATION, {"notes": "Observed in a writing lesson"}),
        (Concern.Step.STRATEGIES, {"notes": "Visual prompts", "review_date": date(today.year + 1, 1, 1)}),
        (Concern.Step.SOLUTION_CIRCLE, {"attendees": "Class teacher, TA", "notes": "Try a writing frame"}),
        (Concern.Step.TEACHER_MEETING, {"attendees": "Class teacher, mum", "notes": "Agreed reading at home"}),
        (Concern.Step.SENCO_MEETING, {"attendees": "Class teacher, SENCo, mum", "notes": "Agreed to talk about agencies"}),
        (Concern.Step.AGENCIES, {"notes": "Speech and language therapy discussed"}),
    ]
    for step, extra in path:
        services.concern_add_step(concern=concern, step=step, by=senco, occurred_on=today, **extra)
        concern.refresh_from_db()
        if step == to_step:
            return concern
    return concern
