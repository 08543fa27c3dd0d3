"""Import from the MIS with a teaching-groups column: groups created when new,
membership set from the file for every group it names, shown in the preview;
names too long to store refused by the row, never cut."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils import access, importer
from pupils.models import ClassGroup, ImportBatch, Pupil, Tier
from pupils.upn import make_upn

from ..factories import ClassGroupFactory, add_staff

HEADER = "UPN,Legal Forename,Legal Surname,DOB,Gender,NC Year Actual,Reg Group,Teaching Groups\n"


def upn(n):
    return make_upn(n, establishment="5556")


def row(n, groups="", first="Ada", last="Lovelace", year="9", form="9R"):
    return f'{upn(n)},{first},{last},14/03/2011,F,{year},{form},"{groups}"\n'


def parse(text):
    return importer.parse_csv(text, importer.load_need_rules())


def members(name):
    return set(ClassGroup.objects.get(name=name).group_pupils.values_list("upn", flat=True))


@pytest.mark.parametrize("heading", ["Teaching groups", "Groups", "Classes", "Sets", "teaching_groups"])
def test_it_reads_the_usual_headings_and_separators(db, heading):
    text = HEADER.replace("Teaching Groups", heading) + row(1, "9X1 Maths; 9Y2 English,9Z Art ;; 9X1 Maths")
    parsed = parse(text)
    assert parsed.ok, parsed.header_errors
    assert parsed.rows[0].groups == ["9X1 Maths", "9Y2 English", "9Z Art"]


def test_without_the_column_groups_are_left_alone(world):
    g = ClassGroupFactory(name="9X1 Maths", kind=ClassGroup.Kind.TEACHING)
    g.group_pupils.add(world.pupil)
    text = "UPN,Legal Forename,Legal Surname,DOB,Gender,NC Year Actual,Reg Group\n" + f"{world.pupil.upn},Amelia,Brook,20/01/2018,F,3,3 Oak\n"
    parsed, plan, counts = importer.import_text(text, user=world.senco, commit=True)
    assert parsed.rows[0].groups is None and not plan.groups_column
    assert set(g.group_pupils.all()) == {world.pupil}


def test_a_name_too_long_is_refused_by_its_row_not_cut(db):
    long_group, long_class = "G" * 61, "C" * 61
    parsed = parse(HEADER + row(1, f"9X1; {long_group}") + row(2, form=long_class) + row(3, "9X1"))
    assert not parsed.ok
    problems = {r.number: r.errors for r in parsed.rows_with_errors}
    assert set(problems) == {2, 3}
    assert "A teaching group name (starting \"GGGGGGGGGGGGGGGGGGGG\") is 61 characters long" in problems[2][0]
    assert "at most 60: shorten it in the MIS" in problems[2][0]
    assert "The class name is 61 characters long" in problems[3][0]
    assert not Pupil.objects.exists()


def test_the_preview_shows_long_names_as_row_problems(world, client_for):
    client = client_for(world.senco)
    response = client.post(reverse("pupils:import"), {"file": SimpleUploadedFile("p.csv", (HEADER + row(1, "X" * 70)).encode())})
    body = client.get(response["Location"]).content.decode()
    assert "Problems in the import file" in body and "70 characters long" in body
    assert not ClassGroup.objects.filter(name__startswith="XXX").exists()


def test_commit_creates_teaching_groups_and_sets_membership_with_history(world):
    text = HEADER + row(1, "9X1 Maths; 9Y2 English") + row(2, "9X1 Maths", first="Bo") + row(3, "", first="Cy")
    parsed, plan, counts = importer.import_text(text, user=world.senco, commit=True)
    assert (counts["groups_created"], counts["group_joins"], counts["group_leaves"]) == (2, 3, 0)
    maths = ClassGroup.objects.get(name="9X1 Maths")
    assert (maths.kind, maths.year_group) == (ClassGroup.Kind.TEACHING, "9")
    assert maths.history.get().history_user == world.senco
    assert members("9X1 Maths") == {upn(1), upn(2)} and members("9Y2 English") == {upn(1)}
    assert ClassGroup.objects.get(name="9R").kind == ClassGroup.Kind.FORM  # the form column: a form
    ada = Pupil.objects.get(upn=upn(1))
    assert ada.history.filter(history_change_reason="Teaching groups from the MIS: joined 9X1 Maths, 9Y2 English",
                              history_user=world.senco).exists()


def test_re_import_makes_each_named_group_exactly_as_the_file_says(world):
    nurture = ClassGroupFactory(name="Nurture", kind=ClassGroup.Kind.TEACHING)
    importer.import_text(HEADER + row(1, "9X1; 9Y2; Nurture") + row(2, "9X1", first="Bo") + row(3, "9Y2", first="Cy"),
                         user=world.senco, commit=True)
    world.other_pupil.groups.add(ClassGroup.objects.get(name="9Y2"))  # added in the browser, not in the file
    assert members("Nurture") == {upn(1)}
    # Next export: Ada leaves 9X1 and Nurture is no longer in the file at all
    # (left alone); Bo moves to 9Y2; Cy is not in the file (leaves 9Y2, as does Bilal).
    text = HEADER + row(1, "9Y2") + row(2, "9Y2", first="Bo") + row(4, "9X1", first="Di")
    parsed, plan, counts = importer.import_text(text, user=world.senco, commit=False)
    describe = {c.row.number: c.describe() for c in plan.changes}
    assert describe[2] == "leaves 9X1"
    assert describe[3] == "joins 9Y2; leaves 9X1"
    assert {pk for pk, _ in plan.group_leavers} == {Pupil.objects.get(upn=upn(3)).pk, world.other_pupil.pk}
    _, _, counts = importer.import_text(text, user=world.senco, commit=True)
    assert members("9X1") == {upn(4)}
    assert members("9Y2") == {upn(1), upn(2)}
    assert members("Nurture") == {upn(1)}  # not named in this file: untouched
    assert nurture.pk == ClassGroup.objects.get(name="Nurture").pk
    assert counts["group_leaves"] == 4  # Ada 9X1, Bo 9X1, Cy 9Y2, Bilal 9Y2
    assert Pupil.objects.get(upn=upn(3)).history.filter(history_change_reason="Teaching groups from the MIS: left 9Y2").exists()


def test_access_follows_the_imported_groups(world):
    importer.import_text(HEADER + row(1, "9X1") + row(2, "9X1", first="Bo"), user=world.senco, commit=True)
    add_staff(ClassGroup.objects.get(name="9X1"), world.other_teacher)
    ada, bo = Pupil.objects.get(upn=upn(1)), Pupil.objects.get(upn=upn(2))
    assert access.tier_for(world.other_teacher, ada) == Tier.PLAN
    importer.import_text(HEADER + row(1, "") + row(2, "9X1", first="Bo"), user=world.senco, commit=True)
    assert access.tier_for(world.other_teacher, ada) == Tier.NONE
    assert access.tier_for(world.other_teacher, bo) == Tier.PLAN


def test_a_form_in_the_groups_column_is_not_made_a_group(world):
    # 9R is the row's own form (silently its form); 3 Oak is a form here: a warning.
    parsed, plan, counts = importer.import_text(HEADER + row(1, "9R; 3 Oak; 9X1"), user=world.senco, commit=True)
    assert parsed.rows[0].groups == ["9X1"]
    assert parsed.rows[0].warnings == ["3 Oak: a form, not a teaching group; left out of the pupil's teaching groups"]
    assert ClassGroup.objects.get(name="3 Oak").kind == ClassGroup.Kind.FORM
    assert not world.form.group_pupils.exists()
    assert members("9X1") == {upn(1)}


def test_the_preview_shows_group_changes_and_confirm_applies_them(world, client_for):
    client = client_for(world.senco)
    response = client.post(reverse("pupils:import"), {"file": SimpleUploadedFile("p.csv", (HEADER + row(1, "9X1 Maths; 9Y2")).encode())})
    location = response["Location"]
    body = client.get(location).content.decode()
    assert "Teaching groups to add" in body and "9X1 Maths, 9Y2" in body
    assert "New pupil; joins 9X1 Maths, 9Y2" in body
    assert not ClassGroup.objects.filter(name="9X1 Maths").exists()
    batch = ImportBatch.objects.get()
    client.post(location, {"sha256": batch.sha256})
    assert members("9X1 Maths") == {upn(1)}
    done = client.get(location).content.decode()
    assert "Pupils joining a teaching group" in done


def test_two_thousand_rows_with_groups_stay_bulk(world):
    lines = [HEADER] + [row(i, f"9X{i % 8}; 9Y{i % 5}", first=f"F{i}", last=f"L{i}", form=f"9R{i % 10}") for i in range(1, 2001)]
    with CaptureQueriesContext(connection) as queries:
        _, _, counts = importer.import_text("".join(lines), user=world.senco, commit=True)
    assert counts["created"] == 2000 and counts["group_joins"] == 4000 and counts["groups_created"] == 13
    assert len(queries) < 300, len(queries)
    # Everyone moves group: still bulk.
    lines = [HEADER] + [row(i, f"9X{(i + 1) % 8}; 9Y{(i + 1) % 5}", first=f"F{i}", last=f"L{i}", form=f"9R{i % 10}") for i in range(1, 2001)]
    with CaptureQueriesContext(connection) as queries:
        _, _, counts = importer.import_text("".join(lines), user=world.senco, commit=True)
    assert counts["group_joins"] == 4000 and counts["group_leaves"] == 4000
    assert len(queries) < 300, len(queries)


# --- The documentation -----------------------------------------------------------------

DOCS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "imports"


def test_the_example_file_imports_as_documented(world):
    text = (DOCS / "examples" / "pupils.csv").read_text()
    parsed, plan, counts = importer.import_text(text, user=world.senco, commit=True)
    assert parsed.ok, [(r.number, r.errors) for r in parsed.rows_with_errors]
    assert counts["created"] == 6 and counts["groups_created"] == 7
    assert ClassGroup.objects.get(name="9R").kind == ClassGroup.Kind.FORM
    assert ClassGroup.objects.get(name="9X1 Maths").kind == ClassGroup.Kind.TEACHING


def test_the_guide_lists_every_accepted_heading():
    guide = (DOCS / "pupils.md").read_text()
    listed = {importer._key(cell) for line in guide.splitlines() if line.startswith("|")
              for part in line.split("|")[2:3] for cell in part.split(",")}
    missing = {alias for aliases in importer.HEADER_ALIASES.values() for alias in aliases} - listed
    assert not missing, missing


def test_the_pupil_import_keeps_the_mis_id_the_contacts_import_can_match_on(world):
    from pupils import contact_import, importer

    upn = world.unlisted_pupil.upn
    head = "UPN,Admission Number,Legal Forename,Legal Surname,DOB,Gender,NC Year Actual,Reg Group\n"
    text = head + f"{upn},A00042,Cara,Field,06/06/2018,F,{world.unlisted_pupil.year_group},{world.other_form.name}\n"
    parsed, plan, counts = importer.import_text(text, user=world.senco, commit=True)
    assert not [r for r in parsed.rows if r.errors]
    world.unlisted_pupil.refresh_from_db()
    assert world.unlisted_pupil.mis_id == "A00042"
    assert contact_import.HEADER_ALIASES["pupil_mis_id"] == importer.HEADER_ALIASES["mis_id"]
