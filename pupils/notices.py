"""Telling parents that SEN provision is being made or has ended.

Children and Families Act 2014 s.68: when a school makes special educational
provision for a pupil without an EHC plan it must tell the parent; the Code of
Practice (6.2, 6.48) asks schools to notify parents formally when SEN support
starts, and good practice tells them when it ends. Every contact with parental
responsibility is told (who is a parent: Education Act 1996 s.576):

- by email where the school holds an address, whether or not they have an
  account here (sent from the outbox after the decision commits);
- otherwise the SENCo gives or sends them the letter (a PDF of the same words)
  or tells them at a meeting or by phone, and records how and when.

A pupil whose parents are not all told shows on the due page until they are.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from send_register.datacache import note_change
from send_register.models import School
from send_register.outbox import queue_email

from .models import ParentNotice, Pupil, PupilContact, RegisterEvent, SenStatus

OTHER_WAYS = (ParentNotice.Method.LETTER, ParentNotice.Method.MEETING, ParentNotice.Method.PHONE)


def contacts_to_tell(pupil: Pupil):
    """The contacts told of SEN decisions about `pupil`: every contact with
    parental responsibility, except anyone under a court order or no-contact
    flag, in the MIS's priority order."""
    return (PupilContact.objects.filter(pupil=pupil, parental_responsibility=True, no_contact=False)
            .select_related("contact", "access_link__parent").order_by("priority", "pk"))


def _greeting(contact) -> str:
    if contact.title and contact.last_name:
        return f"{contact.title} {contact.last_name}"
    return contact.display_name or "Parent or carer"


def notice_context(notice: ParentNotice) -> dict:
    """What the email and the letter say, from one template."""
    event = notice.event
    pupil = event.pupil
    pupil_contact = notice.contact
    link = getattr(pupil_contact, "access_link", None) if pupil_contact else None
    greeting = _greeting(pupil_contact.contact) if pupil_contact else (notice.recipient_name or "Parent or carer")
    return {
        "school": School.get(),
        "greeting": greeting,
        "has_account": link is not None and link.confirmed_at is not None and link.parent.is_active,
        "pupil": pupil,
        "event": event,
        "starting": SenStatus.census_code(event.to_status) != SenStatus.NONE,
        "status_label": SenStatus(event.to_status).label,
    }


def notice_subject(notice: ParentNotice, context: dict) -> str:
    first = context["pupil"].first_name
    name = context["school"].name
    return f"{name}: extra support for {first}" if context["starting"] else f"{name}: {first} no longer needs SEN support"


def notice_body(context: dict) -> str:
    return render_to_string("pupils/email/register_notice.txt", context)


@transaction.atomic
def notices_queue(*, event: RegisterEvent) -> list[ParentNotice]:
    """One notice for each parent to tell about `event` who has none yet (so
    it can be run again after contacts are added): emailed where an address is
    held, otherwise waiting for the SENCo to tell them another way."""
    already = set(event.notices.exclude(contact=None).values_list("contact_id", flat=True))
    made = []
    for pupil_contact in contacts_to_tell(event.pupil):
        if pupil_contact.pk in already:
            continue
        contact = pupil_contact.contact
        link = getattr(pupil_contact, "access_link", None)
        account = link.parent if link is not None and link.parent.is_active else None
        address = contact.email or (account.email if account else "")
        notice = ParentNotice.objects.create(
            event=event, contact=pupil_contact, parent=account, recipient_name=contact.display_name[:200],
            method=ParentNotice.Method.EMAIL if address else ParentNotice.Method.LETTER,
        )
        notice.event = event
        if address:
            context = notice_context(notice)
            notice.email = queue_email(
                to=address, subject=notice_subject(notice, context), body=notice_body(context),
                purpose="register_notice", related_id=notice.pk,
            )
            notice.save(update_fields=["email"])
        made.append(notice)
    return made


def record_notice_sent(notice_id: int, sent_at) -> None:
    """Called when the outbox has sent a register notice: the date the parent
    was told goes onto the notice and the register history."""
    notice = ParentNotice.objects.filter(pk=notice_id, sent_at__isnull=True).first()
    if notice is None:
        return
    told_on = timezone.localtime(sent_at).date()
    ParentNotice.objects.filter(pk=notice.pk).update(sent_at=sent_at, told_on=told_on)
    RegisterEvent.objects.filter(pk=notice.event_id, parents_told_on__isnull=True).update(parents_told_on=told_on)
    note_change()  # updates send no signals (send_register.datacache)


@transaction.atomic
def notice_record_told(*, notice: ParentNotice, method: str, told_on: date, note: str = "", recorded_by) -> ParentNotice:
    """The SENCo records that a parent was told another way (a letter given
    or posted, a meeting, a phone call), and when."""
    notice = ParentNotice.objects.select_for_update().select_related("event").get(pk=notice.pk)
    errors = {}
    if method not in OTHER_WAYS:
        errors["method"] = "Choose how the parent was told"
    if told_on is None:
        errors["told_on"] = "Enter the date the parent was told"
    elif told_on > timezone.localdate():
        errors["told_on"] = "The date cannot be in the future"
    if notice.told_on is not None:
        errors["method"] = f"This parent was already recorded as told on {notice.told_on:%-d %B %Y}"
    if errors:
        raise ValidationError(errors)
    notice.method = method
    notice.told_on = told_on
    notice.note = (note or "").strip()[:200]
    notice.recorded_by = recorded_by
    notice.save(update_fields=["method", "told_on", "note", "recorded_by"])
    event = notice.event
    if event.parents_told_on is None or told_on < event.parents_told_on:
        event.parents_told_on = told_on
        event.save(update_fields=["parents_told_on"])
    return notice


def waiting_notices():
    """Notices not yet done: no email address, an email that could not be
    sent, or a letter not yet recorded as given."""
    return ParentNotice.objects.filter(told_on__isnull=True)
