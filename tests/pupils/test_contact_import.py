"""Contacts import from the MIS: header variants, one person for siblings,
problems by row, all or nothing, re-import ending links, the column map, the
preview pages and the number of queries."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils import contact_import
from pupils.contact_import import ImportFailed, import_text
from pupils.models import Contact, ImportBatch, ImportColumnMap, ParentLink, PupilContact
from tests.factories import PupilFactory, UserFactory

SIMS = "UPN,Contact Priority,Title,Forename,Surname,Relationship,Parental Responsibility,Email Address,Mobile Phone,Lives With Pupil,Court Order,Contact ID\n"


def sims_row(pupil, priority, first, last, relationship="Mother", pr="Yes", email="", mobile="", lives="Yes", court="No", contact_id=""):
    return f"{pupil.upn},{priority},Mrs,{first},{last},{relationship},{pr},{email},{mobile},{lives},{court},{contact_id}\n"


def contacts_of(pupil):
    return list(PupilContact.objects.filter(pupil=pupil).select_related("contact").order_by("priority"))


def test_it_reads_a_sims_style_file_and_makes_one_person_for_siblings(world):
    text = SIMS + (
        sims_row(world.pupil, 1, "Mia", "Brook", email="mia.brook@test.example.org", mobile="07700 900001", contact_id="C1")
        + sims_row(world.pupil, 2, "Dan", "Brook", relationship="Father", email="", mobile="07700 900002", lives="No")
        + sims_row(world.unlisted_pupil, 1, "Mia", "Brook", email="MIA.BROOK@test.example.org", contact_id="C1")
        + sims_row(world.unlisted_pupil, 2, "Gran", "Field", relationship="Grandmother", pr="No", court="No")
    )
    counts = import_text(text, user=world.senco)
    assert counts["contacts_created"] == 3 and counts["pupil_contacts_created"] == 4
    mia = Contact.objects.get(mis_id="C1")
    assert mia.email == "mia.brook@test.example.org" and mia.phone == "07700 900001"
    assert set(mia.pupil_contacts.values_list("pupil_id", flat=True)) == {world.pupil.pk, world.unlisted_pupil.pk}
    dan = PupilContact.objects.get(pupil=world.pupil, contact__first_name="Dan")
    assert (dan.priority, dan.relationship, dan.parental_responsibility, dan.lives_with_pupil) == (2, "Father", True, False)
    assert dan.source == PupilContact.Source.IMPORT
    gran = PupilContact.objects.get(pupil=world.unlisted_pupil, contact__first_name="Gran")
    assert not gran.parental_responsibility
    assert mia.history.count() == 1  # history rows from the bulk insert


@pytest.mark.parametrize("header", [
    "Pupil UPN,Priority,Contact Forename,Contact Surname,Relationship To Pupil,Has Parental Responsibility,Primary Email,Mobile,Resides With,No Contact,Contact Person ID\n",
    "upn,contact_priority,contact_first_name,contact_last_name,relationship,parental_responsibility,email,mobile_phone,lives_with,court_order_flag,contact_id\n",
    "Unique Pupil Number,Contact Order,First Name,Last Name,Contact Relationship,PR,Contact Email Address,Telephone Mobile,Same Address,Contact Restricted,Parent ID\n",
])
def test_it_accepts_the_column_names_of_other_mis_exports(world, header):
    text = header + f"{world.pupil.upn},1,Mia,Brook,Mother,Y,mia@test.example.org,07700900001,Y,N,X9\n"
    parsed = contact_import.parse_csv(text)
    assert not parsed.header_errors and not parsed.unknown, (parsed.header_errors, parsed.unknown)
    import_text(text, user=world.senco)
    pc = PupilContact.objects.get(pupil=world.pupil, contact__mis_id="X9")
    assert pc.parental_responsibility and pc.lives_with_pupil and not pc.no_contact
    assert pc.contact.email == "mia@test.example.org"


def test_it_matches_a_person_on_email_then_name_and_phone(world):
    import_text(SIMS + sims_row(world.pupil, 1, "Mia", "Brook", email="mia@test.example.org")
                + sims_row(world.pupil, 2, "Dan", "Brook", mobile="07700 900002"), user=world.senco)
    # The sibling's rows in a later file: the same people, no ids.
    import_text(SIMS + sims_row(world.unlisted_pupil, 1, "Mia", "Brook", email="mia@test.example.org")
                + sims_row(world.unlisted_pupil, 2, "Dan", "Brook", mobile="+44 7700 900002"), user=world.senco)
    assert Contact.objects.filter(last_name="Brook").count() == 2
    assert PupilContact.objects.filter(contact__first_name="Dan").count() == 2


def test_it_refuses_rows_with_a_reason_and_saves_nothing(world):
    text = SIMS + (
        sims_row(world.pupil, 1, "Mia", "Brook", email="mia@test.example.org")
        + "X000000000000,1,Mr,Tom,Nobody,Father,Yes,,,Yes,No,\n"  # unknown pupil
        + sims_row(world.pupil, 2, "Dan", "")  # no surname
        + sims_row(world.pupil, 3, "Eve", "Brook", email="not-an-email")
        + sims_row(world.pupil, 4, "Fay", "Brook", pr="Sometimes")
    )
    parsed, plan = contact_import.preview(text)
    assert plan is None
    errors = {row.number: row.errors for row in parsed.rows_with_errors}
    assert "No pupil with this UPN" in errors[3][0]
    assert errors[4] == ["The contact's surname is missing"]
    assert errors[5] == ["The email address is not a valid email address"]
    assert errors[6] == ["The parental responsibility column must say Yes or No"]
    with pytest.raises(ImportFailed):
        import_text(text, user=world.senco)
    assert not Contact.objects.filter(last_name="Brook").exists()


def test_a_file_without_the_needed_columns_is_refused(world):
    parsed = contact_import.parse_csv("Forename,Email\nMia,mia@test.example.org\n")
    assert "The file has no column for the pupil's UPN (or the pupil's MIS id)" in parsed.header_errors
    assert "The file has no column for the contact's surname" in parsed.header_errors


def _invited_mum(world):
    """world.unlisted_pupil's mother, imported and linked with a confirmed account."""
    import_text(SIMS + sims_row(world.unlisted_pupil, 1, "Mia", "Field", email="mia@test.example.org", contact_id="C1")
                + sims_row(world.unlisted_pupil, 2, "Dan", "Field", relationship="Father", email="dan@test.example.org", contact_id="C2"),
                user=world.senco)
    from pupils.contacts import parent_link_create

    links = {}
    for contact_id in ("C1", "C2"):
        pc = PupilContact.objects.get(pupil=world.unlisted_pupil, contact__mis_id=contact_id)
        links[contact_id] = parent_link_create(pupil_contact=pc, user=UserFactory(email=pc.contact.email), linked_by=world.senco, confirmed=True)
    return links


def test_reimport_updates_details_keeps_links_and_shows_which_links_it_ends(world):
    links = _invited_mum(world)
    text = SIMS + (
        sims_row(world.unlisted_pupil, 1, "Mia", "Field", email="mia.new@test.example.org", mobile="07700 900009", contact_id="C1")
        + sims_row(world.unlisted_pupil, 2, "Dan", "Field", relationship="Father", pr="No", email="dan@test.example.org", contact_id="C2")
    )
    parsed, plan = contact_import.preview(text)
    assert [(e.contact_name, e.why) for e in plan.links_ended] == [("Mrs Dan Field", "No longer has parental responsibility")]
    import_text(text, user=world.senco)
    mia = Contact.objects.get(mis_id="C1")
    assert mia.email == "mia.new@test.example.org" and mia.phone == "07700 900009"
    assert ParentLink.objects.filter(pk=links["C1"].pk, confirmed_at__isnull=False).exists()  # kept
    assert not ParentLink.objects.filter(pk=links["C2"].pk).exists()  # ended
    assert PupilContact.objects.filter(pupil=world.unlisted_pupil, contact__mis_id="C2", parental_responsibility=False).exists()


def test_reimport_removes_a_contact_no_longer_listed_and_a_court_order_ends_access(world):
    links = _invited_mum(world)
    text = SIMS + sims_row(world.unlisted_pupil, 1, "Mia", "Field", email="mia@test.example.org", court="Yes", contact_id="C1")
    parsed, plan = contact_import.preview(text)
    assert sorted(e.why for e in plan.links_ended) == [
        "A court order or no-contact flag is now recorded", "No longer a contact of this pupil in the MIS",
    ]
    counts = import_text(text, user=world.senco)
    assert counts["links_ended"] == 2 and counts["pupil_contacts_removed"] == 1
    assert not ParentLink.objects.filter(pk__in=[link.pk for link in links.values()]).exists()
    assert [pc.contact.mis_id for pc in contacts_of(world.unlisted_pupil)] == ["C1"]
    assert contacts_of(world.unlisted_pupil)[0].no_contact
    # A pupil who is not in the file keeps their contacts.
    assert PupilContact.objects.filter(pupil=world.pupil).exists()


def test_it_uses_a_saved_column_map(world):
    text = "UPN,Surname,Parent Mail Address,Care Giver Type\n" + f"{world.pupil.upn},Brook,mia@test.example.org,Mother\n"
    parsed = contact_import.parse_csv(text)
    assert [key for _, key in parsed.unknown] == ["parentmailaddress", "caregivertype"]
    contact_import.save_maps({"Parent Mail Address": "email", "Care Giver Type": ""}, user=world.senco)
    assert ImportColumnMap.objects.get(kind="contacts", heading="parentmailaddress").field == "email"
    parsed = contact_import.parse_csv(text, contact_import.load_saved_maps())
    assert not parsed.unknown
    import_text(text, user=world.senco)
    assert Contact.objects.get(last_name="Brook", pupil_contacts__pupil=world.pupil, email="mia@test.example.org")


def test_a_file_of_hundreds_of_rows_takes_a_bounded_number_of_queries(world):
    pupils = PupilFactory.create_batch(150)
    lines = [SIMS]
    for n, pupil in enumerate(pupils):
        lines.append(sims_row(pupil, 1, f"Mum{n}", "Family", email=f"mum{n}@test.example.org", contact_id=f"M{n}"))
        lines.append(sims_row(pupil, 2, f"Dad{n}", "Family", relationship="Father", mobile=f"07700 9{n:05d}"))
    text = "".join(lines)
    with CaptureQueriesContext(connection) as first:
        counts = import_text(text, user=world.senco)
    assert counts["pupil_contacts_created"] == 300
    assert len(first.captured_queries) < 40, len(first.captured_queries)
    changed = text.replace("07700 9", "07800 9")
    with CaptureQueriesContext(connection) as second:
        counts = import_text(changed, user=world.senco)
    assert counts["contacts_created"] == 150 and counts["pupil_contacts_removed"] == 150  # new numbers: new dads
    assert len(second.captured_queries) < 40 + 4 * 150, len(second.captured_queries)
    with CaptureQueriesContext(connection) as third:
        counts = import_text(changed.replace("Mother", "Mum"), user=world.senco)
    assert counts["pupil_contacts_updated"] == 150
    assert len(third.captured_queries) < 40, len(third.captured_queries)


def test_the_example_file_in_the_docs_parses(world):
    text = (Path(__file__).resolve().parents[2] / "docs/imports/examples/contacts.csv").read_text()
    parsed = contact_import.parse_csv(text)
    assert not parsed.header_errors and not parsed.unknown and not parsed.rows_with_errors


# --- The pages ---------------------------------------------------------------------


def _upload(client, text):
    return client.post(reverse("pupils:contact_import"), {"file": SimpleUploadedFile("contacts.csv", text.encode())})


@pytest.mark.parametrize("persona", ["senco", "admin"])
def test_the_senco_and_the_administrator_preview_then_import(world, client_for, persona):
    client = client_for(getattr(world, persona))
    text = SIMS + sims_row(world.pupil, 1, "Mia", "Brook", email="mia@test.example.org", contact_id="C1")
    response = _upload(client, text)
    batch = ImportBatch.objects.get(kind="contacts")
    assert response.url == reverse("pupils:contact_import_preview", args=[batch.pk])
    page = client.get(response.url)
    assert b"Check the contacts import" in page.content and b"Mrs Mia Brook" in page.content
    assert not Contact.objects.filter(mis_id="C1").exists()  # nothing saved by the preview
    client.post(response.url, {"action": "import", "sha256": batch.sha256})
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.content == "" and batch.result["pupil_contacts_created"] == 1
    assert Contact.objects.filter(mis_id="C1").exists()


def test_the_preview_lists_problems_and_the_import_saves_nothing(world, client_for):
    client = client_for(world.senco)
    _upload(client, SIMS + sims_row(world.pupil, 1, "Mia", "Brook", email="nope"))
    batch = ImportBatch.objects.get(kind="contacts")
    page = client.get(reverse("pupils:contact_import_preview", args=[batch.pk]))
    assert b"The email address is not a valid email address" in page.content
    client.post(reverse("pupils:contact_import_preview", args=[batch.pk]), {"action": "import", "sha256": batch.sha256})
    assert not Contact.objects.filter(last_name="Brook", email="nope").exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == "previewed"


def test_the_preview_saves_a_column_map(world, client_for):
    client = client_for(world.senco)
    _upload(client, "UPN,Surname,Parent Mail Address\n" + f"{world.pupil.upn},Brook,mia@test.example.org\n")
    batch = ImportBatch.objects.get(kind="contacts")
    url = reverse("pupils:contact_import_preview", args=[batch.pk])
    assert b"Parent Mail Address" in client.get(url).content
    client.post(url, {"action": "map", "map-column_0": "email"})
    assert ImportColumnMap.objects.get(heading="parentmailaddress").saved_by == world.senco
    assert b"Parent Mail Address" not in client.get(url).content


def test_teachers_and_parents_cannot_import_contacts(world, client_for):
    for user in (world.teacher, world.parent, world.governor):
        assert client_for(user).get(reverse("pupils:contact_import")).status_code == 403
