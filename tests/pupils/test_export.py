"""The register as CSV for the SENCo and the head."""

import csv
import io
import logging
from datetime import date

from django.urls import reverse

from pupils.models import NeedType, SenStatus
from pupils.services import needs_set, register_set_status
from tests.factories import PupilFactory

URL = reverse("pupils:register_export")


def rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_it_exports_the_register_columns(world, client_for, caplog):
    senco = world.senco
    needs_set(pupil=world.pupil, primary=NeedType.objects.get(code="SLCN"), secondary=NeedType.objects.get(code="SEMH"),
              effective_date=date(2025, 9, 20), reason="SALT", decided_by=senco)
    # Bilal: monitoring earlier, then SEN support, then an EHC plan; "date entered" is when he first came on.
    register_set_status(pupil=world.other_pupil, status=SenStatus.EHC_PLAN, effective_date=date(2026, 3, 1),
                        reason="EHC plan issued", decided_by=senco)
    with caplog.at_level(logging.INFO):
        response = client_for(senco).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="send-register-')
    table = rows(response)
    assert table[0] == ["UPN", "Legal first name", "Legal last name", "Date of birth", "Year group", "Class", "Status",
                        "Primary need", "Secondary need", "Date entered", "Reason"]
    assert table[1] == [world.pupil.upn, "Amelia", "Brook", "20/01/2018", "Year 3", "3 Oak", "SEN support", "SLCN", "SEMH",
                        "15/09/2025", "Assessed in class"]
    assert table[2] == [world.other_pupil.upn, "Bilal", "Stone", "02/02/2017", "Year 4", "4 Ash", "EHC plan", "", "",
                        "15/09/2025", "EHC plan issued"]
    assert len(table) == 3  # Cara is not on the register
    # The log names the user's id and a count, never pupil data.
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "exported" in logged and "Amelia" not in logged and world.pupil.upn not in logged


def test_it_leaves_out_leavers_and_quotes_formula_cells(world, client_for):
    leaver = PupilFactory(leaving_date=date(2026, 7, 20))
    register_set_status(pupil=leaver, status="K", effective_date=date(2025, 9, 1), reason="x", decided_by=world.senco)
    sneaky = PupilFactory(legal_first_name="=HYPERLINK(\"http://x\")", legal_last_name="Doe")
    register_set_status(pupil=sneaky, status="K", effective_date=date(2025, 9, 1), reason="+danger", decided_by=world.senco)
    table = rows(client_for(world.head).get(URL))
    upns = [r[0] for r in table[1:]]
    assert leaver.upn not in upns
    row = next(r for r in table if r[0] == sneaky.upn)
    assert row[1].startswith("'=") and row[10] == "'+danger"


def test_only_the_senco_and_head_may_export(world, client_for):
    for persona in ("teacher", "ta", "parent", "governor", "admin"):
        assert client_for(world.personas()[persona]).get(URL).status_code == 403
