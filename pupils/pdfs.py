"""The letter telling a parent with no email address about a register
decision (send_register.pdf): the same words as the email. Filenames carry
ids only, never names."""

from django.utils import timezone

from send_register.pdf import PdfKind, register_pdf_kind

from . import access, notices
from .models import ParentNotice


def _notice(notice_id: int) -> ParentNotice:
    return ParentNotice.objects.select_related("event__pupil", "contact__contact", "contact__access_link__parent").get(pk=notice_id)


def letter_context(notice_id: int) -> dict:
    context = notices.notice_context(_notice(notice_id))
    context["body"] = notices.notice_body(context)
    context["made_on"] = timezone.localdate()
    context["document_title"] = "Letter to parents"
    return context


def can_request_letter(user, notice_id: int) -> bool:
    """The SENCo and the head, for a pupil they may see."""
    if not access.can_manage_register(user):
        return False
    pupil_id = ParentNotice.objects.filter(pk=notice_id).values_list("event__pupil_id", flat=True).first()
    return pupil_id is not None and access.pupils_visible_to(user).filter(pk=pupil_id).exists()


def register() -> None:
    register_pdf_kind(PdfKind(
        kind="parent_letter",
        template="pupils/pdf/register_letter.html",
        context=letter_context,
        can_request=can_request_letter,
        filename=lambda notice_id: f"letter-to-parents-{notice_id}.pdf",
        title="Letter to parents",
    ))
