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
