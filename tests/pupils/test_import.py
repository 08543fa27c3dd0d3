"""Import from the MIS: parsing with header variants, problems by row number,
the preview, all-or-nothing commits, re-import counts, leavers, and speed."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pupils import importer
from pupils.models import ClassGroup, ImportBatch, Pupil, PupilNeed, RegisterEvent, SenStatus
from pupils.upn import make_upn

HEADER = "UPN,Legal Forename,Legal Surname,DOB,Gender,NC Year Actual,Reg Group,SEN Provision,Primary Need,Secondary Need\n"


def upn(n):
    return make_upn(n, establishment="5555")


def row(n, first="Ada", last="Lovelace", dob="14/03/2018", sex="F", year="3", form="3 Oak", sen="", primary="", secondary=""):
    return f"{upn(n)},{first},{last},{dob},{sex},{year},{form},{sen},{primary},{secondary}\n"


def parse(text):
    return importer.parse_csv(text, importer.load_need_rules())


# --- Parsing -----------------------------------------------------------------------


def test_it_reads_common_header_variants(db):
    for header in (
        HEADER,
        "upn,legal_first_name,legal_last_name,date_of_birth,sex,year_group,class,sen_status,need 1,need 2\n",
        "Unique Pupil Number,First Name,Last Name,Date of Birth,Sex,Year,Form,SEN,SEN Need 1,SEN Need 2\n",
    ):
        parsed = parse(header + row(1, sen="K", primary="SLCN"))
        assert parsed.ok, (header, parsed.header_errors, [r.errors for r in parsed.rows])
        only = parsed.rows[0]
        assert (only.upn, only.values["legal_first_name"], only.values["date_of_birth"], only.values["year_group"]) == (
            upn(1), "Ada", date(2018, 3, 14), "3")
        assert (only.class_name, only.sen_status, only.needs) == ("3 Oak", "K", ["SLCN"])


def test_it_reports_missing_columns(db):
    parsed = parse("UPN,Forename,DOB\n" + f"{upn(1)},Ada,14/03/2018\n")
    assert not parsed.ok
    assert "legal last name" in parsed.header_errors[0] and "sex" in parsed.header_errors[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"first": ""}, "legal first name is missing"),
        ({"dob": "31/02/2018"}, "date of birth is missing or not a date"),
        ({"dob": "01/01/1950"}, "not that of a pupil"),
        ({"sex": "X"}, "sex must be M or F"),
        ({"year": "Year 15"}, "year group is not one we know"),
        ({"sen": "S"}, "re-code it as E"),
        ({"sen": "Z"}, "must be E, K or N"),
        ({"sen": "K", "primary": "ZZZ"}, "Unknown need code"),
        ({"sen": "K", "primary": "BESD"}, "no longer a DfE need type"),
        ({"sen": "N", "primary": "SLCN"}, "rule 2125"),
        ({"sen": "E", "primary": "NSA"}, "rule 2175"),
        ({"sen": "K", "secondary": "ASD"}, "rule 2160"),
        ({"sen": "K", "primary": "ASD", "secondary": "ASD"}, "same need code"),
        ({"primary": "ASD"}, "without the SEN provision"),
    ],
)
def test_it_reports_each_rows_problems_by_row_number(db, kwargs, message):
    parsed = parse(HEADER + row(1) + row(2, **kwargs))
    assert not parsed.ok
    assert [r.number for r in parsed.rows_with_errors] == [3]  # the header is row 1
    assert any(message in e for e in parsed.rows[1].errors), parsed.rows[1].errors


def test_it_reports_bad_and_duplicate_upns(db):
    bad = "A" + upn(1)[1:] if upn(1)[0] != "A" else "B" + upn(1)[1:]
    parsed = parse(HEADER + row(1) + row(1) + f"{bad},Bo,Peep,01/01/2018,F,3,3 Oak,,,\n")
    assert [r.number for r in parsed.rows_with_errors] == [3, 4]
    assert "same UPN is on row 2" in parsed.rows[1].errors[0]
    assert "check letter" in parsed.rows[2].errors[0]


def test_k_without_a_need_is_a_warning_not_an_error(db):
    parsed = parse(HEADER + row(1, sen="K"))
    assert parsed.ok
    assert "rule 2170" in parsed.rows[0].warnings[0]


# --- Planning and applying -------------------------------------------------------------


def test_it_creates_pupils_classes_and_register_entries_through_the_services(world):
    text = HEADER + row(1, sen="K", primary="SLCN", secondary="ASD") + row(2, first="Bo", form="New Class", year="R") + row(3, sen="E", primary="ASD")
    parsed, plan, counts = importer.import_text(text, user=world.senco, commit=True)
    assert counts["created"] == 3 and counts["status_changes"] == 2
    ada = Pupil.objects.get(upn=upn(1))
    assert (ada.sen_status, ada.form, ada.date_of_birth) == (SenStatus.SEN_SUPPORT, world.form, date(2018, 3, 14))
    assert {(n.need_type_id, n.rank) for n in PupilNeed.objects.filter(pupil=ada, end_date__isnull=True)} == {("SLCN", 1), ("ASD", 2)}
    event = RegisterEvent.objects.get(pupil=ada, kind="placed")
    assert (event.decided_by, event.reason) == (world.senco, importer.IMPORT_REASON)
    assert ClassGroup.objects.get(name="New Class").year_group == "R"
    assert Pupil.objects.get(upn=upn(3)).sen_status == SenStatus.EHC_PLAN
    assert ada.history.filter(history_type="+").count() == 1  # history rows for bulk inserts too
    assert [h.sen_status for h in ada.history.order_by("history_date", "history_id")] == ["N", "K"]
    assert ada.register_entries.get().history.count() == 1
    assert RegisterEvent.objects.get(pupil=ada, kind="needs").detail == "none → SLCN (1), ASD (2)"


def test_re_import_reports_created_updated_unchanged_and_left(world):
    importer.import_text(HEADER + row(1) + row(2, first="Bo") + row(3, first="Cy"), user=world.senco, commit=True)
    existing_on_roll = Pupil.objects.filter(leaving_date__isnull=True).exclude(upn__in=[upn(1), upn(2), upn(3)]).count()
    # Bo changes name and class; Cy is gone; Dee is new; Ada unchanged.
    text = HEADER + row(1) + row(2, first="Bob", form="4 Ash", year="4") + row(4, first="Dee")
    parsed, plan, counts = importer.import_text(text, user=world.senco, commit=True)
    assert (counts["created"], counts["updated"], counts["unchanged"]) == (1, 1, 1)
    assert counts["left"] == 1 + existing_on_roll  # Cy and the world's pupils (not in this file)
    assert counts["marked_left"] == 0
    bob = Pupil.objects.get(upn=upn(2))
    assert (bob.legal_first_name, bob.form.name, bob.year_group) == ("Bob", "4 Ash", "4")
    assert bob.history.first().history_change_reason == importer.IMPORT_REASON
    assert Pupil.objects.get(upn=upn(3)).leaving_date is None  # not ticked: not marked


def test_leavers_are_marked_only_when_asked(world):
    importer.import_text(HEADER + row(1) + row(2, first="Bo"), user=world.senco, commit=True)
    importer.import_text(HEADER + row(1), user=world.senco, commit=True, mark_leavers=True, leaving_date=date(2026, 7, 22))
    bo = Pupil.objects.get(upn=upn(2))
    assert bo.leaving_date == date(2026, 7, 22)
    world.pupil.refresh_from_db()
    assert world.pupil.leaving_date == date(2026, 7, 22)  # not in the file either
    # Back in the next file: back on roll.
    _, _, counts = importer.import_text(HEADER + row(1) + row(2, first="Bo"), user=world.senco, commit=True)
    bo.refresh_from_db()
    assert bo.leaving_date is None and counts["updated"] == 1


def test_status_changes_on_re_import_go_through_the_register_service(world, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests.factories import UserFactory, link_parent

    importer.import_text(HEADER + row(1), user=world.senco, commit=True)
    ada = Pupil.objects.get(upn=upn(1))
    link_parent(UserFactory(email="ada.parent@test.example.org", roles=["parent"]), ada)
    with django_capture_on_commit_callbacks(execute=True):
        importer.import_text(HEADER + row(1, sen="K", primary="SPLD"), user=world.senco, commit=True)
    ada.refresh_from_db()
    assert ada.sen_status == SenStatus.SEN_SUPPORT
    assert [m.to for m in mail.outbox] == [["ada.parent@test.example.org"]]  # s.68: parents told
    # Then off the register: needs end with it.
    importer.import_text(HEADER + row(1, sen="N"), user=world.senco, commit=True)
    ada.refresh_from_db()
    assert ada.sen_status == SenStatus.NONE
    assert not PupilNeed.objects.filter(pupil=ada, end_date__isnull=True).exists()
    assert list(RegisterEvent.objects.filter(pupil=ada).values_list("kind", flat=True).order_by("pk")) == ["placed", "needs", "removed"]


def test_monitoring_is_kept_when_the_file_says_n(world):
    from pupils.services import register_set_status

    importer.import_text(HEADER + row(1), user=world.senco, commit=True)
    ada = Pupil.objects.get(upn=upn(1))
    register_set_status(pupil=ada, status="M", effective_date=timezone.localdate(), reason="Watching", decided_by=world.senco)
    _, plan, counts = importer.import_text(HEADER + row(1, sen="N"), user=world.senco, commit=True)
    ada.refresh_from_db()
    assert ada.sen_status == SenStatus.MONITORING and counts["unchanged"] == 1


def test_a_bad_row_means_nothing_is_saved(world):
    before = Pupil.objects.count()
    parsed, plan, counts = importer.import_text(HEADER + row(1) + row(2, sex="Q") + row(3), user=world.senco, commit=True)
    assert plan is None and counts is None
    assert Pupil.objects.count() == before


def test_a_failure_while_applying_rolls_everything_back(world, monkeypatch):
    """Even a problem only found by a service half-way through undoes the rows already written."""
    importer.import_text(HEADER + row(1) + row(2, first="Bo"), user=world.senco, commit=True)
    before = (Pupil.objects.count(), ClassGroup.objects.count(), RegisterEvent.objects.count(), Pupil.history.count())
    real = importer.register_set_status
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            from django.core.exceptions import ValidationError
            raise ValidationError({"status": "boom"})
        return real(**kwargs)

    monkeypatch.setattr(importer, "register_set_status", failing)
    text = (HEADER + row(1, first="Adah", sen="K", primary="SLCN", form="Brand New") + row(2, first="Bo", sen="K", primary="ASD")
            + row(3, first="Cy", sen="K", primary="ASD"))
    with pytest.raises(importer.ImportFailed) as err:
        importer.import_text(text, user=world.senco, commit=True)
    assert err.value.row_number == 3
    assert (Pupil.objects.count(), ClassGroup.objects.count(), RegisterEvent.objects.count(), Pupil.history.count()) == before
    assert Pupil.objects.get(upn=upn(1)).legal_first_name == "Ada"
    assert not Pupil.objects.filter(upn=upn(3)).exists()


# --- The pages -------------------------------------------------------------------------


def upload(client, text, name="pupils.csv"):
    return client.post(reverse("pupils:import"), {"file": SimpleUploadedFile(name, text.encode("utf-8-sig"))})


def test_the_preview_shows_problems_by_row_and_saves_nothing(world, client_for):
    client = client_for(world.senco)
    response = upload(client, HEADER + row(1) + row(2, dob="yesterday"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "Problems in the import file" in body
    assert [r.number for r in preview.context["problem_rows"]] == [3]
    assert "date of birth is missing or not a date" in body
    assert not Pupil.objects.filter(upn=upn(1)).exists()
    # The upload is kept in a row with its hash, not in the session.
    batch = ImportBatch.objects.get()
    assert batch.sha256 == importer.content_hash(batch.content)
    assert upn(1) not in str(dict(client.session))


def test_preview_then_confirm_imports_once(world, client_for):
    client = client_for(world.senco)
    location = upload(client, HEADER + row(1, sen="K", primary="SLCN") + row(2, first="Bo"))["Location"]
    preview = client.get(location)
    assert preview.context["counts"]["created"] == 2
    assert "Ada Lovelace" in preview.content.decode()
    assert not Pupil.objects.filter(upn=upn(1)).exists()
    batch = ImportBatch.objects.get()
    response = client.post(location, {"sha256": batch.sha256})
    assert response.status_code == 302
    assert Pupil.objects.filter(upn__in=[upn(1), upn(2)]).count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.content == "" and batch.result["created"] == 2
    done = client.get(location).content.decode()
    assert "Import done" in done
    # A second submit does nothing.
    client.post(location, {"sha256": batch.sha256})
    assert Pupil.objects.filter(upn__in=[upn(1), upn(2)]).count() == 2
    assert RegisterEvent.objects.filter(pupil__upn=upn(1)).count() == 2  # placed + needs, once


def test_confirming_with_the_wrong_hash_imports_nothing(world, client_for):
    client = client_for(world.senco)
    location = upload(client, HEADER + row(1))["Location"]
    response = client.post(location, {"sha256": "0" * 64})
    assert response.status_code == 200 and "not the file you previewed" in response.content.decode()
    assert not Pupil.objects.filter(upn=upn(1)).exists()


def test_marking_leavers_needs_a_date(world, client_for):
    client = client_for(world.senco)
    location = upload(client, HEADER + row(1))["Location"]
    batch = ImportBatch.objects.get()
    response = client.post(location, {"sha256": batch.sha256, "mark_leavers": "on", "leaving_date": ""})
    assert response.context["form"].errors.get("leaving_date")
    assert not Pupil.objects.filter(upn=upn(1)).exists()


def test_another_senco_cannot_see_my_preview(world, client_for):
    from tests.factories import UserFactory

    location = upload(client_for(world.senco), HEADER + row(1))["Location"]
    other = UserFactory(roles=["senco"])
    assert client_for(other).get(location).status_code == 404


def test_a_non_csv_upload_is_refused(world, client_for):
    response = upload(client_for(world.senco), "hello", name="pupils.exe")
    assert response.status_code == 200 and response.context["form"].errors.get("file")
    assert not ImportBatch.objects.exists()


def test_discarding_clears_the_stored_file(world, client_for):
    client = client_for(world.senco)
    upload(client, HEADER + row(1))
    batch = ImportBatch.objects.get()
    client.post(reverse("pupils:import_discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and batch.content == ""


# --- The command and speed -----------------------------------------------------------------


def test_the_command_dry_runs_then_commits(world, tmp_path, capsys):
    path = tmp_path / "pupils.csv"
    path.write_text(HEADER + row(1) + row(2, first="Bo"))
    call_command("import_pupils", str(path))
    assert "Dry run" in capsys.readouterr().out
    assert not Pupil.objects.filter(upn=upn(1)).exists()
    call_command("import_pupils", str(path), "--commit")
    out = capsys.readouterr().out
    assert "2 created" in out and "Ada" not in out  # row numbers, never names
    assert Pupil.objects.filter(upn__in=[upn(1), upn(2)]).count() == 2


def test_the_command_reports_rows_and_fails_on_problems(world, tmp_path, capsys):
    path = tmp_path / "pupils.csv"
    path.write_text(HEADER + row(1, sex="?"))
    with pytest.raises(CommandError):
        call_command("import_pupils", str(path), "--commit")
    assert "Row 2: The sex must be M or F" in capsys.readouterr().err
    assert not Pupil.objects.filter(upn=upn(1)).exists()


def big_file(n, sen_every=5):
    codes = ["SLCN", "ASD", "SEMH", "SPLD", "MLD"]
    lines = [HEADER]
    for i in range(1, n + 1):
        on = i % sen_every == 0
        lines.append(row(i, first=f"F{i}", last=f"L{i}", form=f"Class {i % 14}", year=str(1 + i % 6),
                         sen="K" if on else "N", primary=codes[i % 5] if on else ""))
    return "".join(lines)


def test_two_thousand_rows_import_with_bulk_writes(world):
    # Speed is measured by the benchmark (bench/), not here: this pins the
    # number of queries, which is what keeps it fast.
    text = big_file(2000, sen_every=10**9)  # no register changes: every write is a bulk one
    with CaptureQueriesContext(connection) as queries:
        _, _, counts = importer.import_text(text, user=world.senco, commit=True)
    assert counts["created"] == 2000
    assert len(queries) < 200, len(queries)  # bulk inserts (SQLite caps a batch at ~50 rows), not one per row
    # Re-import with a change on every row: bulk updates.
    text2 = text.replace(",3,", ",4,")
    with CaptureQueriesContext(connection) as queries:
        _, _, counts = importer.import_text(text2, user=world.senco, commit=True)
    assert counts["updated"] > 300 and len(queries) < 200, len(queries)


def test_two_thousand_rows_with_four_hundred_on_the_register(world):
    with CaptureQueriesContext(connection) as queries:
        _, _, counts = importer.import_text(big_file(2000), user=world.senco, commit=True)
    assert counts["created"] == 2000 and counts["status_changes"] == 400
    assert Pupil.objects.filter(sen_status="K").count() == 402  # with the world's two
    assert PupilNeed.objects.filter(end_date__isnull=True).count() == 400
    assert RegisterEvent.objects.filter(reason=importer.IMPORT_REASON).count() == 800  # placed + needs
    assert len(queries) < 300, len(queries)


def test_unconfirmed_uploads_are_not_kept(world, client_for):
    from datetime import timedelta

    from tests.factories import UserFactory

    other = UserFactory(roles=["head"])
    upload(client_for(other), HEADER + row(1))
    ImportBatch.objects.update(created_at=timezone.now() - timedelta(days=2))
    client = client_for(world.senco)
    upload(client, HEADER + row(2))
    upload(client, HEADER + row(3))
    waiting = ImportBatch.objects.filter(status=ImportBatch.Status.PREVIEWED)
    assert waiting.count() == 1 and upn(3) in waiting.get().content
    assert not ImportBatch.objects.filter(status=ImportBatch.Status.DISCARDED).exclude(content="").exists()


def test_a_binary_file_is_refused_with_a_clear_message(world, client_for):
    # A NUL byte cannot be stored as text (PostgreSQL refuses it): say so, save nothing.
    client = client_for(world.senco)
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = Pupil.objects.count()
    response = client.post(reverse("pupils:import"), {"file": SimpleUploadedFile("pupils.csv", b"UPN,Surname\x00\x01\x02", content_type="text/csv")})
    assert response.status_code == 200
    assert "is not a CSV file" in response.content.decode()
    assert Pupil.objects.count() == before


def test_each_kind_of_import_keeps_its_own_previews_and_history(world, client_for):
    """Uploading a pupil file discards the person's earlier pupil preview, not
    their contacts preview; the upload page lists only pupil imports done."""
    contacts = importer.batch_start(kind=ImportBatch.Kind.CONTACTS, text="UPN,Surname\n", user=world.senco)
    earlier = importer.batch_start(kind=ImportBatch.Kind.PUPILS, text="UPN\n", user=world.senco)
    staff_done = importer.batch_start(kind=ImportBatch.Kind.STAFF, text="Email\n", user=world.admin)
    ImportBatch.objects.filter(pk=staff_done.pk).update(status=ImportBatch.Status.APPLIED)
    importer.batch_start(kind=ImportBatch.Kind.PUPILS, text="UPN\nX\n", user=world.senco)
    statuses = dict(ImportBatch.objects.values_list("pk", "status"))
    assert statuses[earlier.pk] == ImportBatch.Status.DISCARDED
    assert statuses[contacts.pk] == ImportBatch.Status.PREVIEWED
    assert list(importer.recent_batches(ImportBatch.Kind.PUPILS)) == []
    assert list(importer.recent_batches(ImportBatch.Kind.STAFF)) == [ImportBatch.objects.get(pk=staff_done.pk)]
    page = client_for(world.senco).get(reverse("pupils:import"))
    assert list(page.context["recent"]) == []
