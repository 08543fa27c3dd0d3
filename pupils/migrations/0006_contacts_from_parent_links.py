"""Every existing parent link becomes a contact of its pupil (one contact per
account), so that parents are told and reached through one path; links made
before confirmation existed count as confirmed; notices already sent keep
their date as the date told."""

from django.db import migrations


def forwards(apps, schema_editor):
    Contact = apps.get_model("pupils", "Contact")
    PupilContact = apps.get_model("pupils", "PupilContact")
    ParentLink = apps.get_model("pupils", "ParentLink")
    ParentNotice = apps.get_model("pupils", "ParentNotice")
    labels = {"mother": "Mother", "father": "Father", "carer": "Carer", "guardian": "Guardian", "other": "Other"}
    contacts = {}
    next_priority = {}
    for link in ParentLink.objects.select_related("parent").order_by("pupil_id", "pk"):
        user = link.parent
        contact = contacts.get(user.pk)
        if contact is None:
            first, _, last = (user.full_name or "").strip().rpartition(" ")
            contact = Contact.objects.create(first_name=first, last_name=last or user.email, email=user.email, user=user)
            contacts[user.pk] = contact
        priority = next_priority.get(link.pupil_id, 1)
        next_priority[link.pupil_id] = priority + 1
        pupil_contact = PupilContact.objects.create(
            pupil_id=link.pupil_id, contact=contact, priority=priority,
            relationship=labels.get(link.relationship, ""), parental_responsibility=link.parental_responsibility,
        )
        link.contact = pupil_contact
        link.confirmed_at = link.created_at
        link.save(update_fields=["contact", "confirmed_at"])
    for notice in ParentNotice.objects.select_related("event", "parent"):
        link = ParentLink.objects.filter(pupil_id=notice.event.pupil_id, parent_id=notice.parent_id).first()
        notice.contact_id = link.contact_id if link else None
        notice.recipient_name = notice.parent.full_name if notice.parent_id else ""
        notice.told_on = notice.sent_at.date() if notice.sent_at else None
        notice.save(update_fields=["contact", "recipient_name", "told_on"])


class Migration(migrations.Migration):
    dependencies = [("pupils", "0005_contacts_and_notices")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
