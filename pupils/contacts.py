"""Parents and carers: the pupil's contacts as the MIS holds them, and the
links that give a contact's account the parent pages.

Who is a parent for the SEND duties is anyone with parental responsibility or
who has care of the child (Education Act 1996 s.576). A contact without
parental responsibility is given access only with a recorded reason; a contact
under a court order or no-contact flag never is.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleGrant

from .models import Contact, ParentLink, Pupil, PupilContact

# The MIS's relationship words, mapped to the parent link's short list.
RELATIONSHIP_WORDS = {
    "mother": ParentLink.Relationship.MOTHER, "mum": ParentLink.Relationship.MOTHER,
    "father": ParentLink.Relationship.FATHER, "dad": ParentLink.Relationship.FATHER,
    "carer": ParentLink.Relationship.CARER, "foster carer": ParentLink.Relationship.CARER,
    "foster mother": ParentLink.Relationship.CARER, "foster father": ParentLink.Relationship.CARER,
    "guardian": ParentLink.Relationship.GUARDIAN, "special guardian": ParentLink.Relationship.GUARDIAN,
}


def relationship_choice(word: str) -> str:
    return RELATIONSHIP_WORDS.get((word or "").strip().lower(), ParentLink.Relationship.OTHER)


@transaction.atomic
def contact_add(*, pupil: Pupil, contact: Contact, priority: int = 1, relationship: str = "",
                parental_responsibility: bool = False, lives_with_pupil: bool = False,
                no_contact: bool = False, no_contact_note: str = "",
                source: str = PupilContact.Source.MANUAL) -> PupilContact:
    """Make `contact` a contact of `pupil` (the person row is shared between siblings)."""
    if contact.pk is None:
        contact.full_clean()
        contact.save()
    pupil_contact = PupilContact(
        pupil=pupil, contact=contact, priority=priority, relationship=relationship,
        parental_responsibility=parental_responsibility, lives_with_pupil=lives_with_pupil,
        no_contact=no_contact, no_contact_note=no_contact_note, source=source,
    )
    pupil_contact.full_clean(exclude=["pupil", "contact"])
    if PupilContact.objects.filter(pupil=pupil, contact=contact).exists():
        raise ValidationError("This person is already a contact of this pupil")
    pupil_contact.save()
    return pupil_contact


@transaction.atomic
def parent_link_create(*, pupil_contact: PupilContact, user, linked_by=None, reason: str = "",
                       confirmed: bool = False) -> ParentLink:
    """Give `user`'s account the parent pages of the contact's pupil.

    The parent still confirms a fact about the child on first sign-in before
    anything is shown (`confirmed` is for links made by a trusted path, such as
    the demo school). Refused for a no-contact flag; a contact without parental
    responsibility needs a reason."""
    pupil_contact = PupilContact.objects.select_for_update().select_related("contact").get(pk=pupil_contact.pk)
    if pupil_contact.no_contact:
        raise ValidationError(
            "This contact has a court order or no-contact flag in the school's records, so they can never be given access"
        )
    if not pupil_contact.parental_responsibility and not (reason or "").strip():
        raise ValidationError({"reason": "This contact does not have parental responsibility: give the reason they should see the child's records"})
    contact = pupil_contact.contact
    if contact.user_id and contact.user_id != user.pk:
        raise ValidationError("This contact is already linked to another account")
    if hasattr(pupil_contact, "access_link"):
        raise ValidationError("This contact already has access")
    if ParentLink.objects.filter(parent=user, pupil_id=pupil_contact.pupil_id).exists():
        raise ValidationError("This account is already linked to this pupil")
    if contact.user_id is None:
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
    RoleGrant.objects.get_or_create(user=user, role=Role.PARENT, defaults={"granted_by": linked_by})
    user.forget_roles()
    return ParentLink.objects.create(
        parent=user,
        pupil_id=pupil_contact.pupil_id,
        contact=pupil_contact,
        relationship=relationship_choice(pupil_contact.relationship),
        parental_responsibility=pupil_contact.parental_responsibility,
        linked_by=linked_by,
        reason=(reason or "").strip()[:200],
        confirmed_at=timezone.now() if confirmed else None,
    )


# --- Inviting parents, ending access, the parent's first confirmation ----------------

# A parent confirms the child's date of birth before any of the child's data
# is shown; after this many wrong answers the link is locked and the SENCo
# told (UK GDPR Art. 32: appropriate security for children's special category
# data; an email held in the MIS may be out of date or mistyped).
MAX_CONFIRM_ATTEMPTS = 5


def _parent_account(*, contact: Contact, invited_by, request=None):
    """The account of `contact`: theirs if they have one, an account with the
    same email if there is one (a teacher who is also a parent here), or a new
    account with no usable password (they choose one from the invitation)."""
    from accounts.models import SecurityEvent, User
    from accounts.services import security_event_record

    if contact.user_id:
        return contact.user
    if not contact.email:
        raise ValidationError("The school holds no email address for this contact: add one in the MIS and import the contacts again")
    existing = User.objects.filter(email__iexact=contact.email).first()
    if existing is not None:
        if Contact.objects.filter(user=existing).exclude(pk=contact.pk).exists():
            raise ValidationError("This email address is the account of another contact: check the email address in the MIS")
        if not existing.is_active:
            raise ValidationError("The account with this email address is deactivated: reactivate it first")
        return existing
    full_name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    user = User(email=User.objects.normalize_email(contact.email).lower(), full_name=full_name[:150])
    user.set_unusable_password()
    user.full_clean()
    user.save()
    security_event_record(kind=SecurityEvent.Kind.INVITED, user=user, actor=invited_by, request=request,
                          detail="Invited as a parent or carer")
    return user


def _invite_person(*, contact: Contact, pupil_contacts, invited_by, base_url: str, request=None) -> tuple[list, bool]:
    """Link `contact`'s account to each of `pupil_contacts` (unconfirmed) and
    send one invitation if they have not chosen a password yet."""
    from accounts.services import _send_invitation

    user = _parent_account(contact=contact, invited_by=invited_by, request=request)
    links = [
        parent_link_create(pupil_contact=pc, user=user, linked_by=invited_by, confirmed=False) for pc in pupil_contacts
    ]
    emailed = False
    if not user.has_usable_password():
        _send_invitation(user=user, invited_by=invited_by, base_url=base_url)
        emailed = True
    return links, emailed


@transaction.atomic
def contact_invite(*, pupil_contact: PupilContact, invited_by, base_url: str, reason: str = "",
                   request=None) -> tuple[ParentLink, bool]:
    """Invite a contact to the parent pages by the email the MIS holds
    (a contact without parental responsibility only with a reason, recorded
    on the link). Returns the (unconfirmed) link and whether an invitation
    email was queued (not for someone who already has a password: they
    confirm the child at their next sign-in)."""
    if pupil_contact.no_contact:
        raise ValidationError(
            "This contact has a court order or no-contact flag in the school's records, so they can never be given access"
        )
    if not pupil_contact.parental_responsibility and not (reason or "").strip():
        raise ValidationError({"reason": "This contact does not have parental responsibility: give the reason they should see the child's records"})
    user = _parent_account(contact=pupil_contact.contact, invited_by=invited_by, request=request)
    link = parent_link_create(pupil_contact=pupil_contact, user=user, linked_by=invited_by, reason=reason, confirmed=False)
    emailed = False
    if not user.has_usable_password():
        from accounts.services import _send_invitation

        _send_invitation(user=user, invited_by=invited_by, base_url=base_url)
        emailed = True
    return link, emailed


@transaction.atomic
def contact_link_account(*, pupil_contact: PupilContact, email: str, linked_by, reason: str = "") -> ParentLink:
    """Link an existing account (found by its email address) to a contact:
    a parent who already signs in here for another child, say. Unconfirmed:
    the parent confirms the child's date of birth at their next sign-in."""
    from accounts.models import User

    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"email": "No active account has this email address: invite the contact instead"})
    if user.is_school_staff and not user.is_parent and pupil_contact.contact.email.lower() != user.email.lower():
        raise ValidationError({"email": "This is a member of staff's account, and not this contact's email address"})
    other = Contact.objects.filter(user=user).exclude(pk=pupil_contact.contact_id).first()
    if other is not None:
        raise ValidationError({"email": "This account belongs to another contact"})
    return parent_link_create(pupil_contact=pupil_contact, user=user, linked_by=linked_by, reason=reason, confirmed=False)


def contacts_to_invite():
    """Every contact with parental responsibility of a pupil on the register
    (and on roll) who has an email, no account and no access yet."""
    from .models import ON_REGISTER

    today = timezone.localdate()
    return (
        PupilContact.objects.filter(
            pupil__sen_status__in=ON_REGISTER, parental_responsibility=True, no_contact=False,
            contact__user__isnull=True, access_link__isnull=True,
        )
        .exclude(contact__email="")
        .exclude(pupil__leaving_date__lte=today)
        .select_related("contact")
        .order_by("contact_id", "priority")
    )


@transaction.atomic
def contacts_invite_all(*, invited_by, base_url: str, request=None) -> dict:
    """Invite every contact of contacts_to_invite(): one account and one email
    per person, linked to each of their children on the register. A person
    whose email is already another contact's account is skipped (counted)."""
    by_person: dict[int, list] = {}
    for pupil_contact in contacts_to_invite():
        by_person.setdefault(pupil_contact.contact_id, []).append(pupil_contact)
    counts = {"people": 0, "links": 0, "emails": 0, "skipped": 0}
    for pupil_contacts in by_person.values():
        try:
            with transaction.atomic():
                links, emailed = _invite_person(contact=pupil_contacts[0].contact, pupil_contacts=pupil_contacts,
                                                invited_by=invited_by, base_url=base_url, request=request)
        except ValidationError:
            counts["skipped"] += 1
            continue
        counts["people"] += 1
        counts["links"] += len(links)
        counts["emails"] += emailed
    return counts


@transaction.atomic
def parent_link_end(*, link: ParentLink, ended_by) -> None:
    """End a parent's access to a child at once (the link's history keeps who
    ended it and when). The contact stays a contact of the pupil."""
    link = ParentLink.objects.select_for_update().get(pk=link.pk)
    link._history_user = ended_by
    link.delete()


def parent_link_confirm(*, user, date_of_birth, base_url: str = "", request=None) -> dict:
    """The parent's answer on first sign-in: the date of birth of one of the
    children linked to their account and not yet confirmed. A right answer
    confirms each link to a child born that day; a wrong one counts against
    every waiting link, and the MAX_CONFIRM_ATTEMPTS-th locks them and tells
    the SENCo. The answer never says which date would be right.

    Returns {"confirmed": n, "locked": n, "attempts_left": n}."""
    from .access import links_awaiting_confirmation

    with transaction.atomic():
        waiting = list(links_awaiting_confirmation(user).select_for_update().select_related("pupil"))
        right = [link for link in waiting if link.pupil.date_of_birth == date_of_birth]
        now = timezone.now()
        if right:
            for link in right:
                link.confirmed_at = now
                link._history_user = user
                link.save(update_fields=["confirmed_at", "updated_at"])
            return {"confirmed": len(right), "locked": 0, "attempts_left": None}
        locked = []
        for link in waiting:
            link.confirm_attempts += 1
            if link.confirm_attempts >= MAX_CONFIRM_ATTEMPTS:
                link.locked_at = now
                locked.append(link)
            link._history_user = user
            link.save(update_fields=["confirm_attempts", "locked_at", "updated_at"])
        if locked:
            _tell_senco_of_lock(user=user, links=locked, base_url=base_url, request=request)
        left = min((MAX_CONFIRM_ATTEMPTS - link.confirm_attempts for link in waiting if link.locked_at is None), default=0)
        return {"confirmed": 0, "locked": len(locked), "attempts_left": left}


def _tell_senco_of_lock(*, user, links, base_url: str, request=None) -> None:
    """A security event, and an email to each SENCo with a link to the
    pupil's contacts page (no name of the child or parent in the email)."""
    from urllib.parse import urljoin

    from django.urls import reverse

    from accounts.models import SecurityEvent, User
    from accounts.services import security_event_record
    from send_register.models import School
    from send_register.outbox import queue_emails

    security_event_record(
        kind=SecurityEvent.Kind.LOCKED_OUT, user=user, request=request,
        detail=f"Parent access locked: a child's date of birth was wrong {MAX_CONFIRM_ATTEMPTS} times",
    )
    school = School.get()
    pages = "\n".join(urljoin(base_url, reverse("pupils:contacts", args=[link.pupil_id])) for link in links)
    body = (
        f"A parent or carer's account could not confirm a child's date of birth after {MAX_CONFIRM_ATTEMPTS} tries, "
        "so their access to the child's pages is locked.\n\n"
        "Check the contact's details with the family. To give access again, remove the link and invite or link "
        f"them again from the child's contacts page:\n\n{pages}\n\n{school.name} SEND register\n"
    )
    emails = [
        {"to": senco.email, "subject": "A parent's access has been locked", "body": body,
         "purpose": "pupils.parent_link_locked", "related_id": links[0].pk}
        for senco in User.objects.with_role(Role.SENCO).filter(is_active=True)
    ]
    if not emails and school.senco_email:
        emails.append({"to": school.senco_email, "subject": "A parent's access has been locked", "body": body,
                       "purpose": "pupils.parent_link_locked", "related_id": links[0].pk})
    if emails:
        queue_emails(emails)
