"""Classes and teaching groups, their staff and pupils, and key staff, set up
in the browser; access follows them (pupils.access)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from pupils import access, classes
from pupils.models import ClassGroup, ClassStaff, Pupil, Tier

from tests.locking import with_version

from ..factories import ClassGroupFactory, PupilFactory, UserFactory, add_staff


@pytest.fixture
def group(world):
    """A teaching group with world.pupil and world.unlisted_pupil in it, taught by nobody yet."""
    g = ClassGroupFactory(name="9X1 Maths", kind=ClassGroup.Kind.TEACHING, year_group="")
    g.group_pupils.add(world.pupil, world.unlisted_pupil)
    return g


@pytest.fixture
def new_teacher(db):
    return UserFactory(full_name="Nina Newteacher", roles=[Role.TEACHER])


def detail(g):
    return reverse("pupils:class_detail", args=[g.pk])


# --- The list and the class page ------------------------------------------------------


def test_the_list_shows_forms_and_groups_with_year_counts_and_staff(world, group, client_for):
    body = client_for(world.senco).get(reverse("pupils:class_list")).content.decode()
    forms_part, groups_part = body.split('id="teaching-groups"')
    assert "3 Oak" in forms_part and "4 Ash" in forms_part and "9X1 Maths" not in forms_part
    assert "9X1 Maths" in groups_part
    assert "Tom Teacher" in forms_part and "Tariq Assistant" in forms_part and "Olive Other" in forms_part
    assert "Year 3" in forms_part
    rows = {g.name: g.pupil_count for g in classes.class_rows()}
    assert rows == {"3 Oak": 1, "4 Ash": 2, "9X1 Maths": 2}


def test_the_list_filters_by_kind_and_year(world, group, client_for):
    body = client_for(world.senco).get(reverse("pupils:class_list"), {"kind": "teaching"}).content.decode()
    assert "9X1 Maths" in body and "4 Ash" not in body
    body = client_for(world.senco).get(reverse("pupils:class_list"), {"year": "4"}).content.decode()
    assert "4 Ash" in body and "3 Oak" not in body


def test_the_senco_sees_the_pupils_and_their_key_staff(world, group, client_for):
    world.unlisted_pupil.key_staff.add(world.ta)
    body = client_for(world.senco).get(detail(group)).content.decode()
    assert "Amelia Brook" in body and "Cara Field" in body and "Bilal Stone" not in body
    assert "Tariq Assistant" in body  # Cara's key staff
    assert reverse("pupils:class_members_add", args=[group.pk]) in body


def test_a_form_page_lists_the_pupils_whose_form_it_is(world, client_for):
    body = client_for(world.head).get(detail(world.other_form)).content.decode()
    assert "Bilal Stone" in body and "Cara Field" in body and "Amelia Brook" not in body


def test_the_administrator_sees_counts_and_staff_but_no_pupil(world, group, client_for):
    client = client_for(world.admin)
    body = client.get(detail(group)).content.decode()
    assert "Amelia" not in body and "Cara" not in body and "Brook</" not in body
    assert '<dd class="govuk-summary-list__value" id="pupil-count">2</dd>' in body
    assert reverse("pupils:class_members_add", args=[group.pk]) not in body
    body = client.get(detail(world.form)).content.decode()
    assert "Tom Teacher" in body and "Amelia" not in body
    body = client.get(reverse("pupils:class_list")).content.decode()
    assert "Amelia" not in body and "Bilal" not in body
    assert client.get(reverse("pupils:class_members_add", args=[group.pk])).status_code == 403
    response = client.post(reverse("pupils:class_member_remove", args=[group.pk, world.pupil.pk]))
    assert response.status_code == 403
    assert group.group_pupils.count() == 2


@pytest.mark.parametrize("persona", ["teacher", "other_teacher", "ta", "parent", "governor"])
def test_other_roles_may_not_use_the_class_pages(world, group, client_for, persona):
    client = client_for(getattr(world, persona))
    for url in (reverse("pupils:class_list"), detail(group), reverse("pupils:class_add"), reverse("pupils:class_staff_add", args=[group.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("pupils:class_add"), {"name": "Sneaky", "kind": "teaching"}).status_code == 403
    assert not ClassGroup.objects.filter(name="Sneaky").exists()


def test_anonymous_is_sent_to_sign_in(world, client):
    response = client.get(reverse("pupils:class_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# --- Create, rename, delete -------------------------------------------------------------


def test_it_creates_and_renames_a_group_with_history(world, client_for):
    client = client_for(world.admin)
    response = client.post(reverse("pupils:class_add"), {"name": " 10Y2 Science ", "kind": "teaching", "year_group": "10"})
    g = ClassGroup.objects.get(name="10Y2 Science")
    assert response.status_code == 302 and response["Location"] == detail(g)
    assert (g.kind, g.year_group) == ("teaching", "10")
    url = reverse("pupils:class_edit", args=[g.pk])
    client.post(url, with_version(client, url, {"name": "10Y2 Biology", "kind": "teaching", "year_group": "10"}))
    g.refresh_from_db()
    assert g.name == "10Y2 Biology"
    assert [(h.history_type, h.name, h.history_user) for h in g.history.order_by("history_id")] == [
        ("+", "10Y2 Science", world.admin), ("~", "10Y2 Biology", world.admin),
    ]


def test_a_duplicate_or_empty_name_is_refused_by_the_field(world, client_for):
    client = client_for(world.senco)
    response = client.post(reverse("pupils:class_add"), {"name": "3 oak", "kind": "form"})
    assert response.status_code == 200
    assert "There is already a class or group with this name" in response.content.decode()
    response = client.post(reverse("pupils:class_add"), {"name": "", "kind": "form"})
    assert "Enter the name of the class or group" in response.content.decode()
    response = client.post(reverse("pupils:class_add"), {"name": "x" * 61, "kind": "form"})
    assert "60 characters or fewer" in response.content.decode()
    assert ClassGroup.objects.count() == 2


def test_the_kind_cannot_change_while_the_class_has_pupils(world, client_for):
    client = client_for(world.senco)
    url = reverse("pupils:class_edit", args=[world.form.pk])
    response = client.post(url, with_version(client, url, {"name": "3 Oak", "kind": "teaching"}))
    assert "Move or remove its pupils first" in response.content.decode()
    world.form.refresh_from_db()
    assert world.form.kind == "form"


def test_a_class_with_pupils_is_not_deleted(world, client_for):
    client = client_for(world.senco)
    body = client.get(reverse("pupils:class_delete", args=[world.form.pk])).content.decode()
    assert "1 pupil on roll" in body and "Delete 3 Oak</button>" not in body
    response = client.post(reverse("pupils:class_delete", args=[world.form.pk]))
    assert "This class still has pupils" in response.content.decode()
    assert ClassGroup.objects.filter(pk=world.form.pk).exists()


def test_deleting_an_empty_class_ends_its_staff_access_and_keeps_history(world, client_for):
    g = ClassGroupFactory(name="Nurture group", kind=ClassGroup.Kind.TEACHING)
    link = add_staff(g, world.teacher)
    client = client_for(world.admin)
    body = client.get(reverse("pupils:class_delete", args=[g.pk])).content.decode()
    assert "will stop seeing pupils' records through it" in body and "Tom Teacher" in body
    response = client.post(reverse("pupils:class_delete", args=[g.pk]))
    assert response.status_code == 302
    assert not ClassGroup.objects.filter(pk=g.pk).exists() and not ClassStaff.objects.filter(pk=link.pk).exists()
    assert ClassStaff.history.filter(id=link.pk, history_type="-", history_user=world.admin).exists()
    assert ClassGroup.history.filter(id=g.pk, history_type="-", history_user=world.admin).exists()


# --- Staff of a class: access follows --------------------------------------------------------


def test_a_teacher_assigned_in_the_browser_sees_exactly_those_pupils_until_removed(world, group, new_teacher, client_for):
    cara = world.unlisted_pupil  # not on the register: only her teachers see her
    teacher_client = client_for(new_teacher)
    assert teacher_client.get(reverse("pupils:detail", args=[cara.pk])).status_code == 404
    assert set(access.pupils_visible_to(new_teacher, Tier.PLAN)) == set()

    # The administrator names the teacher (they see no pupil themselves).
    client = client_for(world.admin)
    response = client.post(reverse("pupils:class_staff_add", args=[group.pk]), {"user": new_teacher.pk, "role": "teacher"})
    assert response.status_code == 302
    link = ClassStaff.objects.get(class_group=group, user=new_teacher)
    assert link.role == "teacher" and link.history.get().history_user == world.admin

    teacher_client = client_for(new_teacher)
    assert set(access.pupils_visible_to(new_teacher, Tier.PLAN)) == {world.pupil, cara}
    assert teacher_client.get(reverse("pupils:detail", args=[cara.pk])).status_code == 200
    listed = teacher_client.get(reverse("pupils:list")).content.decode()
    assert "Field, Cara" in listed and "Stone, Bilal" in listed  # Bilal: on the register, summary for all staff
    assert world.unlisted_pupil.upn in teacher_client.get(reverse("pupils:detail", args=[cara.pk])).content.decode()  # plan tier

    client = client_for(world.senco)
    response = client.post(reverse("pupils:class_staff_remove", args=[group.pk, link.pk]))
    assert response.status_code == 302 and not ClassStaff.objects.filter(pk=link.pk).exists()
    assert ClassStaff.history.filter(id=link.pk, history_type="-", history_user=world.senco).exists()
    teacher_client = client_for(new_teacher)
    assert teacher_client.get(reverse("pupils:detail", args=[cara.pk])).status_code == 404
    assert set(access.pupils_visible_to(new_teacher, Tier.PLAN)) == set()
    listed = teacher_client.get(reverse("pupils:list")).content.decode()
    assert "Field, Cara" not in listed and "Stone, Bilal" in listed


def test_several_teachers_and_a_ta_per_group(world, group, new_teacher, client_for):
    client = client_for(world.senco)
    client.post(reverse("pupils:class_staff_add", args=[group.pk]), {"user": new_teacher.pk, "role": "teacher"})
    client.post(reverse("pupils:class_staff_add", args=[group.pk]), {"user": world.teacher.pk, "role": "teacher"})
    client.post(reverse("pupils:class_staff_add", args=[group.pk]), {"user": world.ta.pk, "role": "ta"})
    assert set(group.staff_links.values_list("user__full_name", "role")) == {
        ("Nina Newteacher", "teacher"), ("Tom Teacher", "teacher"), ("Tariq Assistant", "ta"),
    }


def test_only_active_teachers_and_tas_can_be_named(world, group, client_for):
    gone = UserFactory(full_name="Gone Teacher", roles=[Role.TEACHER], is_active=False)
    client = client_for(world.senco)
    for person in (world.parent, world.governor, gone):
        response = client.post(reverse("pupils:class_staff_add", args=[group.pk]), {"user": person.pk, "role": "teacher"})
        assert "Choose a member of staff from the list" in response.content.decode()
    response = client.post(reverse("pupils:class_staff_add", args=[group.pk]), {"role": "teacher"})
    assert "Choose the member of staff" in response.content.decode()
    assert not group.staff_links.exists()
    body = client.get(reverse("pupils:class_staff_add", args=[group.pk])).content.decode()
    assert "Nina" not in body and "Tom Teacher" in body and "Pat Parent" not in body and "Gone Teacher" not in body


# --- Pupils of a class --------------------------------------------------------------------


def test_the_senco_adds_and_removes_members_with_history(world, client_for):
    g = ClassGroupFactory(name="Year 4 Phonics", kind=ClassGroup.Kind.TEACHING, year_group="4")
    client = client_for(world.senco)
    body = client.get(reverse("pupils:class_members_add", args=[g.pk])).content.decode()
    assert "Bilal Stone" in body and "Cara Field" in body and "Amelia Brook" not in body  # year 4 by default
    response = client.post(reverse("pupils:class_members_add", args=[g.pk]), {"pupils": [world.other_pupil.pk, world.unlisted_pupil.pk]})
    assert response.status_code == 302
    assert set(g.group_pupils.all()) == {world.other_pupil, world.unlisted_pupil}
    world.other_pupil.refresh_from_db()
    assert world.other_pupil.form == world.other_form  # a group keeps the pupil's form
    row = Pupil.history.filter(id=world.other_pupil.pk).order_by("-history_id").first()
    assert row.history_change_reason == "Joined teaching group Year 4 Phonics" and row.history_user == world.senco

    response = client.post(reverse("pupils:class_member_remove", args=[g.pk, world.other_pupil.pk]))
    assert response.status_code == 302 and set(g.group_pupils.all()) == {world.unlisted_pupil}
    assert Pupil.history.filter(id=world.other_pupil.pk, history_change_reason="Left teaching group Year 4 Phonics").exists()


def test_choosing_nobody_shows_an_error_and_changes_nothing(world, group, client_for):
    response = client_for(world.senco).post(reverse("pupils:class_members_add", args=[group.pk]), {})
    assert "Choose at least one pupil to add" in response.content.decode()
    assert group.group_pupils.count() == 2


def test_the_search_finds_by_name_or_upn_and_stays_short(world, group, client_for):
    for n in range(105):
        PupilFactory(legal_first_name=f"Many{n}", legal_last_name="Pupil", year_group="9")
    client = client_for(world.senco)
    body = client.get(reverse("pupils:class_members_add", args=[group.pk]), {"q": "", "year": "9"}).content.decode()
    assert body.count('name="pupils"') == 100 and "More pupils match" in body
    body = client.get(reverse("pupils:class_members_add", args=[group.pk]), {"q": "stone", "year": ""}).content.decode()
    assert "Bilal Stone" in body and body.count('name="pupils"') == 1
    body = client.get(reverse("pupils:class_members_add", args=[group.pk]), {"q": world.other_pupil.upn, "year": ""}).content.decode()
    assert "Bilal Stone" in body and body.count('name="pupils"') == 1
    # Members are not offered again.
    body = client.get(reverse("pupils:class_members_add", args=[group.pk]), {"q": "brook", "year": ""}).content.decode()
    assert "Amelia Brook" not in body


def test_adding_a_pupil_to_a_form_moves_them_from_their_form(world, client_for):
    client = client_for(world.head)
    response = client.post(reverse("pupils:class_members_add", args=[world.form.pk]), {"pupils": [world.unlisted_pupil.pk]})
    assert response.status_code == 302
    world.unlisted_pupil.refresh_from_db()
    assert world.unlisted_pupil.form == world.form
    latest = Pupil.history.filter(id=world.unlisted_pupil.pk).order_by("-history_id").first()
    assert latest.form_id == world.form.pk and latest.history_user == world.head
    client.post(reverse("pupils:class_member_remove", args=[world.form.pk, world.unlisted_pupil.pk]))
    world.unlisted_pupil.refresh_from_db()
    assert world.unlisted_pupil.form is None


# --- Key staff ---------------------------------------------------------------------------


def test_key_staff_grant_access_to_one_pupil(world, client_for):
    helper = UserFactory(full_name="Kim Keyworker", roles=[Role.TA])
    bilal, cara = world.other_pupil, world.unlisted_pupil
    assert access.tier_for(helper, cara) == Tier.NONE
    client = client_for(world.senco)
    response = client.post(reverse("pupils:key_staff", args=[cara.pk]), {"user": helper.pk})
    assert response.status_code == 302
    assert list(cara.key_staff.all()) == [helper]
    assert access.tier_for(helper, cara) == Tier.PLAN
    assert access.tier_for(helper, bilal) == Tier.SUMMARY  # the register only
    assert set(access.pupils_visible_to(helper, Tier.PLAN)) == {cara}
    assert Pupil.history.filter(id=cara.pk, history_change_reason="Key staff added: Kim Keyworker", history_user=world.senco).exists()
    assert client_for(helper).get(reverse("pupils:detail", args=[cara.pk])).status_code == 200

    client = client_for(world.senco)
    body = client.get(detail(world.other_form)).content.decode()
    assert "Kim Keyworker" in body  # the class page shows the key staff

    response = client.post(reverse("pupils:key_staff_remove", args=[cara.pk, helper.pk]))
    assert response.status_code == 302 and not cara.key_staff.exists()
    assert access.tier_for(helper, cara) == Tier.NONE
    assert client_for(helper).get(reverse("pupils:detail", args=[cara.pk])).status_code == 404


def test_key_staff_page_permissions_and_bad_input(world, client_for):
    url = reverse("pupils:key_staff", args=[world.pupil.pk])
    assert client_for(world.teacher).get(url).status_code == 403  # sees Amelia, may not change her staff
    assert client_for(world.teacher).post(url, {"user": world.other_teacher.pk}).status_code == 403
    # Cara is not on the register and not in Tom's class: he may not know she exists.
    assert client_for(world.teacher).get(reverse("pupils:key_staff", args=[world.unlisted_pupil.pk])).status_code == 404
    for persona in ("admin", "governor", "parent"):
        assert client_for(getattr(world, persona)).get(url).status_code == 404
    client = client_for(world.senco)
    assert "Choose the member of staff" in client.post(url, {}).content.decode()
    assert "Choose a member of staff from the list" in client.post(url, {"user": world.parent.pk}).content.decode()
    assert not world.pupil.key_staff.exists()


# --- The pupil page ------------------------------------------------------------------------


def test_the_pupil_page_shows_classes_and_who_sees_the_record_through_each(world, group, client_for):
    add_staff(group, world.other_teacher)
    world.pupil.key_staff.add(world.head)
    body = client_for(world.teacher).get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    section = body.split('id="pupil-classes"')[1]
    assert "3 Oak" in section and "9X1 Maths" in section
    assert "Tom Teacher (teacher)" in section and "Tariq Assistant (teaching assistant)" in section
    assert "Olive Other (teacher)" in section
    assert "Harriet Head" in body.split('id="pupil-key-staff"')[1]
    assert "Change key staff" not in body  # the teacher may not change them

    senco_body = client_for(world.senco).get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    assert reverse("pupils:key_staff", args=[world.pupil.pk]) in senco_body
    assert reverse("pupils:class_detail", args=[group.pk]) in senco_body


def test_summary_tier_shows_the_classes_but_not_the_staff(world, group, client_for):
    # other_teacher does not teach Amelia: summary tier.
    body = client_for(world.other_teacher).get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    section = body.split('id="pupil-classes"')[1]
    assert "9X1 Maths" in section and "Tom Teacher" not in section


def test_the_pupil_page_follows_a_change_of_staff(world, group, new_teacher, client_for):
    url = reverse("pupils:detail", args=[world.pupil.pk])
    assert "Nina Newteacher" not in client_for(world.senco).get(url).content.decode()
    client_for(world.senco).post(reverse("pupils:class_staff_add", args=[group.pk]), {"user": new_teacher.pk, "role": "ta"})
    assert "Nina Newteacher (teaching assistant)" in client_for(world.senco).get(url).content.decode()


# --- Queries that do not grow with pupils ---------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_class_list_does_not_grow_with_pupils_or_classes(world, client_for, django_assert_max_num_queries):
    client = client_for(world.senco)
    url = reverse("pupils:class_list")
    _queries(client, url)  # warm the caches (roles, school)
    baseline = _queries(client, url)
    for n in range(12):
        g = ClassGroupFactory(name=f"Set {n}", kind=ClassGroup.Kind.TEACHING)
        add_staff(g, UserFactory(roles=[Role.TEACHER]))
        g.group_pupils.add(*[PupilFactory(form=world.form) for _ in range(5)])
    client.get(url)  # the data changed: the roles and the school are read again once
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_the_class_page_does_not_grow_with_pupils(world, group, client_for, django_assert_max_num_queries):
    client = client_for(world.senco)
    add_staff(group, world.teacher)
    url = detail(group)
    _queries(client, url)
    baseline = _queries(client, url)
    for _ in range(40):
        pupil = PupilFactory()
        pupil.groups.add(group)
        pupil.key_staff.add(world.ta)
    client.get(url)  # the data changed: the roles and the school are read again once
    with django_assert_max_num_queries(baseline):
        body = client.get(url).content.decode()
    assert body.count('action="/pupils/classes/') >= 42  # every pupil listed with a remove button
