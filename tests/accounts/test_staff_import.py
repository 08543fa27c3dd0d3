"""Staff import from CSV: parsing, the preview, refusals, all-or-nothing
commit, class links and the invitations sent afterwards."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import staff_import
from accounts.models import Role, RoleGrant, SecurityEvent, User
from pupils.models import ClassGroup, ClassStaff, ImportBatch
from send_register.models import OutboundEmail

GOOD = (
    "First name,Last name,Email,Role,Classes taught\n"
    "Nina,New,Nina.New@example.org,Class teacher,3 Oak; Year 3 Maths\n"
    "Tess,Assist,tess@example.org,Teaching assistant,3 oak;4 Ash\n"
    "Gail,Gov,gail@example.org,SEN governor,\n"
    "Tom,Teacher,teacher@test.example.org,Class teacher; SENCo,4 Ash\n"
)
BAD = (
    "Name,Email,Roles,Classes\n"
    "Nina New,nina@example.org,Teacher,3 Oak\n"
    "Bad Email,not-an-email,Teacher,\n"
    "Dee Dupe,NINA@example.org,TA,\n"
    "Una Known,una@example.org,Dinner lady,\n"
    "Long Class,long@example.org,Teacher," + "X" * 61 + "\n"
)


def _upload(client, text, name="staff.csv"):
    return client.post(reverse("accounts:staff_import"), {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def _batch():
    return ImportBatch.objects.filter(kind=ImportBatch.Kind.STAFF).latest("pk")


def _confirm(client, batch):
    return client.post(reverse("accounts:staff_import_preview", args=[batch.pk]), {"sha256": batch.sha256})


# Parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "words, roles",
    [
        ("Teaching assistant", {Role.TA}),
        ("Class teacher", {Role.TEACHER}),
        ("SENCo; Class teacher", {Role.SENCO, Role.TEACHER}),
        ("HLTA, Governor", {Role.TA, Role.GOVERNOR}),
        ("Head Teacher", {Role.HEAD}),
        ("administrator", {Role.ADMIN}),
        ("SEN Co-ordinator", {Role.SENCO}),
    ],
)
def test_it_understands_the_words_schools_use_for_roles(words, roles):
    parsed = staff_import.parse_csv(f'Name,Email,Roles\nA Person,a@example.org,"{words}"\n')
    [row] = parsed.rows
    assert row.errors == [] and row.roles == roles


def test_it_refuses_rows_with_the_reason_by_the_row():
    parsed = staff_import.parse_csv(BAD)
    errors = {row.number: row.errors for row in parsed.rows}
    assert errors[2] == []
    assert any("not a valid one" in e for e in errors[3])
    assert any("same email address is on row 2" in e for e in errors[4])
    assert any('"Dinner lady" is not a role' in e for e in errors[5])
    assert any("class name is longer than 60" in e for e in errors[6])


def test_it_needs_the_name_email_and_roles_columns():
    parsed = staff_import.parse_csv("Surname,Email\nNew,n@example.org\n")
    assert parsed.header_errors == ["The file has no column for: name (or first name and last name), roles"]


def test_it_refuses_a_parent_and_classes_for_someone_who_does_not_teach(world):
    plan = staff_import.plan_import(staff_import.parse_csv(
        "Name,Email,Roles,Classes\nPa Rent,pa@example.org,Parent,\nGo Vern,go@example.org,Governor,3 Oak\n"
    ))
    assert [c.action for c in plan.changes] == ["refused", "refused"]
    assert "not staff" in plan.changes[0].row.errors[0]
    assert "no teacher or teaching assistant" in plan.changes[1].row.errors[0]


# The preview ------------------------------------------------------------------


def test_it_previews_new_and_changed_people_and_new_classes_saving_nothing(client_for, world):
    client = client_for(world.admin)
    users_before = User.objects.count()
    response = _upload(client, GOOD)
    batch = _batch()
    assert response.status_code == 302 and response.url == reverse("accounts:staff_import_preview", args=[batch.pk])
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Check the staff import" in html
    assert "nina.new@example.org" in html and "Nina New" in html  # a new person
    assert "SENCo" in html.split('id="staff-changed"')[1]  # the teacher's role added
    assert "Year 3 Maths" in html.split('id="staff-new-classes"')[1]  # a class to be made
    assert "teaching group" in html
    assert page.context["counts"] == {"created": 3, "updated": 1, "unchanged": 0, "refused": 0, "classes_created": 1, "class_links": 5}
    # Nothing saved, nobody emailed.
    assert User.objects.count() == users_before
    assert not ClassGroup.objects.filter(name="Year 3 Maths").exists()
    assert not OutboundEmail.objects.filter(purpose="accounts.invitation").exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED


def test_it_lists_refused_rows_and_saves_nothing_on_confirm(client_for, world):
    client = client_for(world.admin)
    _upload(client, BAD)
    batch = _batch()
    page = client.get(reverse("accounts:staff_import_preview", args=[batch.pk]))
    html = page.content.decode()
    assert "Problems in the staff file" in html
    assert "4 rows refused" in html
    assert "Import 5" not in html  # no button to import
    response = _confirm(client, batch)
    assert "Nothing was imported" in response.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED


def test_it_refuses_a_deactivated_account_in_the_file(client_for, world):
    world.ta.is_active = False
    world.ta.save()
    plan = staff_import.plan_import(staff_import.parse_csv("Name,Email,Roles\nTariq,ta@test.example.org,TA\n"))
    assert plan.refused and "deactivated" in plan.refused[0].row.errors[0]


# Commit -----------------------------------------------------------------------


def test_it_imports_everyone_with_roles_and_class_links(client_for, world):
    client = client_for(world.admin)
    _upload(client, GOOD)
    batch = _batch()
    response = _confirm(client, batch)
    assert response.status_code == 302

    nina = User.objects.get(email="nina.new@example.org")
    assert nina.full_name == "Nina New" and not nina.has_usable_password() and nina.is_active
    assert set(RoleGrant.objects.filter(user=nina).values_list("role", flat=True)) == {Role.TEACHER}
    maths = ClassGroup.objects.get(name="Year 3 Maths")
    assert maths.kind == ClassGroup.Kind.TEACHING
    assert set(ClassStaff.objects.filter(user=nina).values_list("class_group__name", "role")) == {
        ("3 Oak", ClassStaff.Role.TEACHER), ("Year 3 Maths", ClassStaff.Role.TEACHER),
    }
    tess = User.objects.get(email="tess@example.org")
    # "3 oak" matched the existing class: no second one made.
    assert ClassGroup.objects.filter(name__iexact="3 oak").count() == 1
    assert set(ClassStaff.objects.filter(user=tess).values_list("class_group__name", "role")) == {
        ("3 Oak", ClassStaff.Role.TA), ("4 Ash", ClassStaff.Role.TA),
    }
    gail = User.objects.get(email="gail@example.org")
    assert set(RoleGrant.objects.filter(user=gail).values_list("role", flat=True)) == {Role.GOVERNOR}
    # The teacher who had an account: SENCo added, teacher kept, password kept.
    world.teacher.refresh_from_db()
    assert set(RoleGrant.objects.filter(user=world.teacher).values_list("role", flat=True)) == {Role.TEACHER, Role.SENCO}
    assert world.teacher.has_usable_password()
    assert ClassStaff.objects.filter(user=world.teacher, class_group=world.other_form).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ROLE_GRANTED, user=world.teacher, actor=world.admin, detail="SENCo").exists()

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.content == ""
    assert batch.result["created"] == 3 and batch.result["updated"] == 1
    assert not OutboundEmail.objects.filter(purpose="accounts.invitation").exists()  # nobody emailed until invited
    done = client.get(reverse("accounts:staff_import_preview", args=[batch.pk])).content.decode()
    assert "Invite everyone imported who has not signed in yet" in done
    # A second confirmation imports nothing more.
    _confirm(client, batch)
    assert User.objects.filter(email="nina.new@example.org").count() == 1


def test_a_failure_part_way_saves_nothing(client_for, world, monkeypatch):
    client = client_for(world.admin)
    _upload(client, GOOD)
    batch = _batch()
    users_before, links_before = User.objects.count(), ClassStaff.objects.count()
    real = ClassStaff.objects.get_or_create
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise staff_import.ImportFailed(3, "the database went away")
        return real(**kwargs)

    monkeypatch.setattr(ClassStaff.objects, "get_or_create", failing)
    response = _confirm(client, batch)
    assert "Nothing was imported" in response.content.decode()
    assert len(calls) == 3  # some rows had been written before the failure
    assert User.objects.count() == users_before
    assert ClassStaff.objects.count() == links_before
    assert not ClassGroup.objects.filter(name="Year 3 Maths").exists()
    assert not RoleGrant.objects.filter(user=world.teacher, role=Role.SENCO).exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED


def test_it_discards_a_file(client_for, world):
    client = client_for(world.admin)
    _upload(client, GOOD)
    batch = _batch()
    client.post(reverse("accounts:staff_import_discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and batch.content == ""
    assert _confirm(client, batch).status_code == 200
    assert not User.objects.filter(email="nina.new@example.org").exists()


# Invitations ------------------------------------------------------------------


def test_it_invites_everyone_imported_who_has_not_signed_in_once(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world.admin)
    _upload(client, GOOD)
    batch = _batch()
    _confirm(client, batch)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:staff_import_invite", args=[batch.pk]))
    assert response.status_code == 302
    invited = OutboundEmail.objects.filter(purpose="accounts.invitation")
    assert sorted(invited.values_list("to", flat=True)) == ["gail@example.org", "nina.new@example.org", "tess@example.org"]
    assert "/accounts/welcome/" in invited.get(to="tess@example.org").body
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.INVITED, actor=world.admin).count() == 3
    # Again: no second round of emails.
    client.post(reverse("accounts:staff_import_invite", args=[batch.pk]))
    assert OutboundEmail.objects.filter(purpose="accounts.invitation").count() == 3
    batch.refresh_from_db()
    assert batch.result["invited"] == 3


def test_it_invites_only_after_the_import(client_for, world):
    client = client_for(world.admin)
    _upload(client, GOOD)
    batch = _batch()
    client.post(reverse("accounts:staff_import_invite", args=[batch.pk]))
    assert not OutboundEmail.objects.filter(purpose="accounts.invitation").exists()


def test_another_administrators_batch_is_not_found(client_for, world):
    from tests.factories import UserFactory

    client = client_for(world.admin)
    _upload(client, GOOD)
    batch = _batch()
    other = UserFactory(roles=[Role.ADMIN])
    client = client_for(other)
    assert client.get(reverse("accounts:staff_import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("accounts:staff_import_invite", args=[batch.pk])).status_code == 404


def test_the_people_list_links_to_the_import(client_for, world):
    html = client_for(world.admin).get(reverse("accounts:user_list")).content.decode()
    assert reverse("accounts:staff_import") in html


def test_the_example_file_imports_cleanly(world):
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs/imports/examples/staff.csv").read_text()
    plan = staff_import.plan_import(staff_import.parse_csv(text))
    assert plan.ok and plan.counts["created"] == 6
    assert list(plan.new_classes) == ["Year 4 Maths"]
