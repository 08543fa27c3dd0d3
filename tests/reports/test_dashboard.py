"""The governors' dashboard: its figures are worked out once per change of the
SEND data (send_register.datacache) and every change shows on the next
request, whoever asks."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils.models import SenStatus
from pupils.services import register_place
from tests.factories import PupilFactory

from .conftest import place

URL = reverse("reports:governors")
# Tables the figures are worked out from: none is read when they come from the cache.
REGISTER_TABLES = ("pupils_pupil", "pupils_registerentry", "pupils_pupilneed", "pupils_registerevent")


@pytest.fixture(autouse=True)
def review_settings(db):
    # The review rules are a singleton made on first read; a school that uses
    # the app has it. Made here so that the first request is not also the one
    # that changes the data (and so the version) by making it.
    from reviews.models import ReviewSettings

    ReviewSettings.get()


def _get(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def _reads_register(sqls) -> bool:
    return any(f'"{table}"' in sql for sql in sqls for table in REGISTER_TABLES)


def _figures(response) -> str:
    """The page from the register's figures on (the head carries a fresh nonce each time)."""
    body = response.content.decode()
    return body[body.index("The register</h2>"):body.index("</main>")]


def _table(response, key):
    return next(t for t in response.context["tables"] if t["key"] == key)


def test_a_second_request_reads_the_figures_from_the_cache(world, register, client_for):
    client = client_for(world.governor)
    first, first_sqls = _get(client)
    second, second_sqls = _get(client)
    assert _reads_register(first_sqls) and not _reads_register(second_sqls)
    assert len(second_sqls) < len(first_sqls)
    assert second.context["tables"] == first.context["tables"]
    assert _figures(second) == _figures(first) and "<table" in _figures(first)
    assert _table(second, "status")["total_row"] == ["All pupils with special educational needs", "11", "45.8%"]


def test_the_cached_page_takes_the_same_queries_whatever_the_number_of_pupils(world, register, client_for):
    client = client_for(world.governor)
    _get(client)
    small = len(_get(client)[1])
    for _ in range(15):
        place(PupilFactory(year_group="6"), SenStatus.SEN_SUPPORT, world.senco, date(2026, 10, 1), "MLD")
    _get(client)  # works the figures out again: the register changed
    response, sqls = _get(client)
    assert len(sqls) == small and not _reads_register(sqls)
    assert _table(response, "status")["total_row"][1] == "26"
    # The session, the user and their roles, the data's version, the reports.
    assert small <= 8, small


def test_working_the_figures_out_takes_the_same_queries_whatever_the_number_of_pupils(world, register, client_for):
    client = client_for(world.governor)
    _get(client)
    cache.clear()
    small = len(_get(client)[1])
    for _ in range(15):
        place(PupilFactory(year_group="6"), SenStatus.SEN_SUPPORT, world.senco, date(2026, 10, 1), "MLD")
    _get(client)
    cache.clear()
    large = len(_get(client)[1])
    assert large == small


def test_a_change_to_the_register_shows_on_the_next_request(world, register, client_for):
    pupil = PupilFactory(year_group="6")
    client = client_for(world.governor)
    before, _ = _get(client)
    assert _figures(_get(client)[0]) == _figures(before)  # kept
    assert _table(before, "status")["total_row"] == ["All pupils with special educational needs", "11", "44.0%"]
    assert [r[1] for r in _table(before, "movement")["rows"]][0] == "8"

    register_place(pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=date(2026, 11, 2), reason="Assessed", decided_by=world.senco)

    after, sqls = _get(client)
    assert _reads_register(sqls)
    assert _table(after, "status")["total_row"] == ["All pupils with special educational needs", "12", "48.0%"]
    assert [r[1] for r in _table(after, "movement")["rows"]][0] == "9"
    assert "48.0%" in _figures(after) and "48.0%" not in _figures(before)


def test_the_cached_figures_are_the_same_for_every_reader_but_the_links_are_theirs(world, register, client_for):
    governor_page, _ = _get(client_for(world.governor))
    senco_page, sqls = _get(client_for(world.senco))
    assert not _reads_register(sqls)  # the governor's request worked them out
    assert senco_page.context["tables"] == governor_page.context["tables"]
    assert "Record a parents' survey or see them all" in senco_page.content.decode()
    governor_body = governor_page.content.decode()
    assert "See all parents' surveys" in governor_body and "Record a parents' survey" not in governor_body
