"""The register page: who is on it, filters, search, sorting, pagination,
counts, and a query count that does not grow with the number of pupils."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils.models import NeedType, SenStatus
from pupils.services import needs_set, register_place, register_set_status
from tests.factories import ClassGroupFactory, PupilFactory

URL = reverse("pupils:register")


def names(response):
    return [row["first_name"] for row in response.context["pupils"]]


def place(pupil, senco, status=SenStatus.SEN_SUPPORT, need=None):
    register_place(pupil=pupil, status=status, effective_date=date(2025, 10, 1), reason="Assessed", decided_by=senco)
    if need:
        needs_set(pupil=pupil, primary=NeedType.objects.get(code=need), effective_date=date(2025, 10, 2), reason="x", decided_by=senco)


def test_it_lists_pupils_on_the_register_and_on_roll_only(world, client_for):
    leaver = PupilFactory(legal_first_name="Leaver", leaving_date=date(2026, 7, 20))
    place(leaver, world.senco)
    response = client_for(world.senco).get(URL)
    assert sorted(names(response)) == ["Amelia", "Bilal"]  # not Cara (N), not the leaver
    assert response.context["counts"] == {"total": 2, "ehc": 0, "support": 2, "monitoring": 0}


def test_a_teacher_sees_the_whole_register_at_summary_tier(world, client_for):
    response = client_for(world.teacher).get(URL)
    assert sorted(names(response)) == ["Amelia", "Bilal"]
    assert b"Download the register" not in response.content


@pytest.fixture
def varied(world):
    senco = world.senco
    form = ClassGroupFactory(name="5 Yew", year_group="5")
    dara = PupilFactory(legal_first_name="Dara", legal_last_name="Quill", year_group="5", form=form, sex="M", eal=True)
    esme = PupilFactory(legal_first_name="Esme", legal_last_name="Aster", year_group="R", form=form, pupil_premium=True)
    finn = PupilFactory(legal_first_name="Finn", legal_last_name="Moss", year_group="6", form=form, sex="M", looked_after=True)
    place(dara, senco, need="ASD")
    place(esme, senco, SenStatus.EHC_PLAN, need="SPLD")
    place(finn, senco, SenStatus.MONITORING)
    needs_set(pupil=world.pupil, primary=NeedType.objects.get(code="SLCN"), effective_date=date(2025, 10, 2), reason="x", decided_by=senco)
    return world


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "E"}, ["Esme"]),
        ({"status": "M"}, ["Finn"]),
        ({"need": "ASD"}, ["Dara"]),
        ({"area": "CI"}, ["Amelia", "Dara"]),  # SLCN and ASD: communication and interaction
        ({"area": "CL"}, ["Esme"]),
        ({"year": "R"}, ["Esme"]),
        ({"pupil_premium": "yes"}, ["Esme"]),
        ({"eal": "yes"}, ["Dara"]),
        ({"looked_after": "yes"}, ["Finn"]),
        ({"sex": "M"}, ["Bilal", "Dara", "Finn"]),
        ({"q": "quill"}, ["Dara"]),
        ({"q": "esme aster"}, ["Esme"]),
    ],
)
def test_it_filters(varied, client_for, params, expected):
    response = client_for(varied.senco).get(URL, params)
    assert response.status_code == 200
    assert sorted(names(response)) == expected


def test_it_filters_by_class_and_finds_by_upn(varied, client_for):
    client = client_for(varied.senco)
    response = client.get(URL, {"class_group": varied.form.pk})
    assert names(response) == ["Amelia"]
    response = client.get(URL, {"q": varied.other_pupil.upn.lower()})
    assert names(response) == ["Bilal"]
    # Counts at the top are of the whole register, whatever the filter.
    assert response.context["counts"]["total"] == 5


def test_it_sorts(varied, client_for):
    client = client_for(varied.senco)
    assert names(client.get(URL, {"sort": "name"})) == ["Esme", "Amelia", "Finn", "Dara", "Bilal"]
    assert names(client.get(URL, {"sort": "-name"}))[0] == "Bilal"
    # Year groups sort in school order (Reception before Year 3 before Year 6).
    assert names(client.get(URL, {"sort": "year"})) == ["Esme", "Amelia", "Bilal", "Dara", "Finn"]
    assert names(client.get(URL, {"sort": "status"}))[0] == "Esme"  # EHC plan first


def test_a_bad_filter_value_is_ignored_not_an_error(varied, client_for):
    response = client_for(varied.senco).get(URL, {"year": "99", "need": "NOPE"})
    assert response.status_code == 200


def test_it_pages_by_fifty(world, client_for):
    for i in range(51):
        place(PupilFactory(legal_first_name=f"P{i:02d}", legal_last_name=f"Zed{i:02d}"), world.senco)
    client = client_for(world.senco)
    first = client.get(URL)
    assert len(first.context["pupils"]) == 50
    second = client.get(URL, {"page": 2})
    assert len(second.context["pupils"]) == 3  # 53 in all
    assert b"Next" in first.content
    everything = client.get(URL, {"per_page": "all"})
    assert len(everything.context["pupils"]) == 53 and b"Next" not in everything.content


def _make_register(senco, form, n):
    needs = [NeedType.objects.get(code=c) for c in ("SLCN", "ASD", "SEMH")]
    for i in range(n):
        pupil = PupilFactory(form=form)
        register_set_status(pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=date(2025, 10, 1), reason="x", decided_by=senco)
        needs_set(pupil=pupil, primary=needs[i % 3], secondary=needs[(i + 1) % 3], effective_date=date(2025, 10, 2), reason="x", decided_by=senco)


@pytest.mark.parametrize("persona", ["senco", "teacher"])
def test_the_query_count_does_not_grow_with_the_register(world, client_for, persona):
    client = client_for(world.personas()[persona])
    _make_register(world.senco, world.form, 3)  # 5 on the register with the world's two
    client.get(URL)  # warm caches (session, school)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    _make_register(world.senco, world.other_form, 35)  # 40
    client.get(URL)  # the filters' choices are worked out again after a change (send_register.datacache)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
    assert len(response.context["pupils"]) == 40
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(large) <= 16


def test_all_pupils_finds_those_not_on_the_register(world, client_for):
    url = reverse("pupils:list")
    senco = client_for(world.senco)
    assert sorted(names(senco.get(url))) == ["Amelia", "Bilal", "Cara"]
    assert names(senco.get(url, {"status": "N"})) == ["Cara"]
    # A teacher: her caseload and the register, not other classes' pupils off the register.
    assert sorted(names(client_for(world.teacher).get(url))) == ["Amelia", "Bilal"]
    assert sorted(names(client_for(world.other_teacher).get(url))) == ["Amelia", "Bilal", "Cara"]
    assert client_for(world.parent).get(url).status_code == 403


def test_names_in_the_rows_are_escaped(world, client_for):
    hostile = PupilFactory(legal_first_name="<b>Bold</b>", legal_last_name="O'Brien & <i>Co</i>")
    place(hostile, world.senco)
    content = client_for(world.senco).get(URL).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in content and "<b>Bold</b>" not in content
    assert "O&#39;Brien &amp; &lt;i&gt;Co&lt;/i&gt;" in content


def test_a_new_class_shows_in_the_filter_at_once(world, client_for):
    client = client_for(world.senco)
    assert b"5 Elm" not in client.get(URL).content  # the unfiltered form is now cached
    ClassGroupFactory(name="5 Elm", year_group="5")
    assert b"5 Elm" in client.get(URL).content


def test_the_counts_follow_a_change_at_once(world, client_for):
    client = client_for(world.senco)
    assert client.get(URL).context["counts"]["total"] == 2
    place(world.unlisted_pupil, world.senco)
    assert client.get(URL).context["counts"]["total"] == 3


def test_at_trust_size_the_class_filter_is_a_text_box(world, client_for, monkeypatch):
    from pupils import filters

    monkeypatch.setattr(filters, "CLASS_SELECT_LIMIT", 1)  # the world has two classes
    client = client_for(world.senco)
    page = client.get(URL).content.decode()
    assert '<select name="class_group"' not in page
    assert re.search(r'<input type="text" name="class_group"[^>]*class="govuk-input', page)
    assert names(client.get(URL, {"class_group": "3 oak"})) == ["Amelia"]


def test_printing_on_one_page_stops_at_the_print_limit(world, client_for, monkeypatch):
    from pupils import views

    for i in range(3):
        place(PupilFactory(legal_first_name=f"P{i}"), world.senco)  # 5 on the register
    client = client_for(world.senco)
    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 2)
    monkeypatch.setattr(views, "PRINT_LIMIT", 5)
    assert b"per_page=all" in client.get(URL).content
    assert len(client.get(URL, {"per_page": "all"}).context["pupils"]) == 5

    monkeypatch.setattr(views, "PRINT_LIMIT", 4)
    listing = client.get(URL)
    assert b"per_page=all" not in listing.content  # no link to a page that would be refused
    refused = client.get(URL, {"per_page": "all"})
    assert len(refused.context["pupils"]) == 2  # the first page, as usual
    assert b'id="too-many-to-print"' in refused.content
    assert b"per_page=all" not in refused.content  # the page links do not carry it on


def test_the_rows_follow_a_change_at_once(world, client_for):
    """The unfiltered register's pages come from the data cache: a change
    (a new name, a pupil leaving the register) shows on the next request."""
    from pupils.services import register_remove

    client = client_for(world.senco)
    assert sorted(names(client.get(URL))) == ["Amelia", "Bilal"]
    with CaptureQueriesContext(connection) as cached_page:
        client.get(URL)
    world.pupil.preferred_first_name = "Millie"
    world.pupil.save()
    assert sorted(names(client.get(URL))) == ["Bilal", "Millie"]
    register_remove(pupil=world.other_pupil, effective_date=date(2025, 11, 1), reason="Made progress", decided_by=world.senco)
    response = client.get(URL)
    assert names(response) == ["Millie"] and b"Stone" not in response.content
    with CaptureQueriesContext(connection) as again:
        client.get(URL)
    assert len(again) == len(cached_page)  # served from the cache once more


def test_viewing_the_register_is_in_the_persons_access_log_not_each_pupils(world, client_for):
    from pupils.models import AccessLog

    client = client_for(world.teacher)
    client.get(URL)
    client.get(URL, {"year": "3", "page": 1})
    rows = list(AccessLog.objects.filter(user=world.teacher).order_by("pk").values_list("pupil_id", "page"))
    assert rows == [(None, "SEN register, page 1"), (None, "SEN register (filtered), page 1")]
    senco = client_for(world.senco)
    person_log = senco.get(reverse("pupils:access_log_user", args=[world.teacher.pk])).content.decode()
    assert "A list of pupils" in person_log and "SEN register (filtered), page 1" in person_log
    pupil_log = senco.get(reverse("pupils:access_log", args=[world.pupil.pk])).content.decode()
    assert "SEN register" not in pupil_log
