"""The report's figures against a hand-counted register (conftest.Register)."""

from datetime import date

from reports import figures, selectors
from send_register.calendar import ensure_academic_year


def rows(table):
    return {r[0]: r[1:] for r in table.rows}


def test_it_counts_the_register_today(register, year):
    facts = selectors.snapshot(date(2026, 11, 23))
    counts = selectors.status_counts(facts)
    # E: D1, D2, U1. K: A, B, C1-6. M: M1. Roll: 3 world pupils + 6 + 2 + 1 + 1 + 1 + 10.
    assert (counts["E"], counts["K"], counts["M"], len(facts)) == (3, 8, 1, 24)
    needs = {f.pk: f.primary_need for f in facts}
    assert needs[register.u.pk] == "SEMH" and needs[register.c[0].pk] == "SPLD" and needs[register.world.pupil.pk] == ""


def test_it_counts_the_register_on_a_past_day_from_its_history(register):
    facts = selectors.snapshot(date(2026, 10, 20))
    counts = selectors.status_counts(facts)
    # R1 was removed on 5 October and U1 was still on SEN support.
    assert (counts["E"], counts["K"], counts["M"]) == (2, 9, 1)
    assert {f.pk: f.status for f in facts}[register.r.pk] == "N"


def test_the_status_table_uses_dfe_labels_and_suppresses_small_numbers(register, year):
    table = figures.status_table(selectors.register_counts(date(2026, 11, 23)))
    assert table.header == ["Type of SEN provision", "Pupils", "Percentage of pupils on roll"]
    # 3 EHC plans is small; 8 on SEN support would give it away from the total of 11.
    assert rows(table)["Education, health and care plan"] == ["c", "c"]
    assert rows(table)["SEN support"] == ["c", "c"]
    assert table.total_row == ["All pupils with special educational needs", "11", "45.8%"]
    assert table.after_total == [["All pupils on roll", "24", "100%"]]
    assert "fewer than 5" in table.note


def test_the_year_group_table_hides_what_the_totals_would_give_away(register, year):
    table = figures.year_group_table(selectors.register_counts(date(2026, 11, 23)))
    # Y3: K7 of 8 on roll; Y4: K1 of 3; Y5: E3 of 13. Hand-worked suppression:
    # the small cells (1, 3), then Y3's 7 (else 8 - 7 gives Y4's 1), then
    # totals that would pin them down; only the grand total of 11 survives.
    assert rows(table) == {
        "Year 3": ["0", "c", "c", "8", "c"],
        "Year 4": ["0", "c", "c", "3", "c"],
        "Year 5": ["c", "0", "c", "13", "c"],
    }
    assert table.total_row == ["Total", "c", "c", "11", "24", "46%"]


def test_the_need_tables_count_primary_needs_by_status(register, year):
    facts = selectors.register_counts(date(2026, 11, 23))
    need_types = figures.current_need_types(date(2026, 11, 23))
    by_need = figures._by_status(facts, lambda f: f.primary_need or "")
    assert by_need["SPLD"] == {"K": 6}
    assert by_need["ASD"] == {"E": 2}
    assert by_need["SEMH"] == {"E": 1}
    assert by_need[""] == {"K": 2}
    table = figures.need_table(facts, need_types)
    assert table.total_row[-1] == "11"
    assert rows(table)["Moderate learning difficulty"] == ["0", "0", "0"]
    area = figures.area_table(facts, need_types)
    assert [r[0] for r in area.rows] == [
        "Communication and interaction", "Cognition and learning", "Social, emotional and mental health",
        "Sensory and/or physical needs", "Other or not yet assessed", "No primary need",
    ]
    assert area.total_row[-1] == "11"
    # Nothing small is ever shown.
    for t in (table, area):
        for row in t.rows:
            assert not any(cell in {"1", "2", "3", "4"} for cell in row[1:])


def test_it_withholds_breakdowns_when_few_pupils_have_sen(world, year):
    facts = selectors.register_counts(date(2026, 11, 23))  # only the world's two pupils on SEN support
    table = figures.need_table(facts, figures.current_need_types(date(2026, 11, 23)))
    assert table.withheld and not table.rows
    assert figures.year_group_table(facts).withheld


def test_it_counts_movement_on_and_off_the_register_during_the_year(register, year):
    moved = selectors.sen_movement(year.start, date(2026, 11, 23))
    # Joined: C1-6 and D1-2 (M1 went onto monitoring, not SEN). Left: R1. Up to a plan: U1.
    assert moved == {"entered": 8, "left": 1, "to_ehc": 1, "from_ehc": 0}
    table = figures.movement_table(year.start, date(2026, 11, 23))
    assert [r[1] for r in table.rows] == ["8", "c", "c", "0"]
    register_moves = selectors.register_movement(year.start, date(2026, 11, 23))
    assert register_moves == {"placed": 9, "removed": 1, "changed": 1}


def test_it_counts_the_register_at_the_end_of_each_term(register):
    ensure_academic_year(2025)
    points = [date(2025, 12, 19), date(2026, 7, 17), date(2026, 11, 23)]
    history = selectors.register_over_time(points)
    # Until this year only A, B, R1 and U1 were on SEN support.
    assert [(h["E"], h["K"], h["roll"]) for h in history] == [(0, 4, 24), (0, 4, 24), (3, 8, 24)]


def test_the_report_figures_are_json_ready_and_hold_no_small_counts(register, year):
    import json

    data = figures.report_figures(year)
    text = json.dumps(data)
    assert data["as_at"] == "2026-11-23"
    keys = [t["key"] for t in data["tables"]]
    assert keys[:5] == ["status", "need", "area", "year_group", "movement"]
    assert "\"1\"" not in text.replace("\"100%\"", "")


def _history(register, world):
    """Leavers, a late joiner and a backdated return to the register, so that
    entries overlap on some days (R1 went back on monitoring from a date before
    their removal: two entries are active between 1 September and 5 October)."""
    from pupils.services import register_place

    from tests.factories import PupilFactory

    from .conftest import place

    place(PupilFactory(year_group="4", leaving_date=date(2026, 10, 10)), "K", world.senco, date(2025, 9, 15), "MLD")
    PupilFactory(year_group="6", admission_date=date(2026, 11, 2))
    PupilFactory(year_group="6", leaving_date=date(2026, 7, 17))
    register.r.refresh_from_db()
    register_place(pupil=register.r, status="M", effective_date=date(2026, 9, 1), reason="Watch", decided_by=world.senco)


DAYS = [date(2025, 9, 1), date(2025, 12, 19), date(2026, 7, 17), date(2026, 9, 20), date(2026, 10, 10),
        date(2026, 10, 20), date(2026, 11, 2), date(2026, 11, 23), date(2026, 12, 1)]


def test_the_counts_made_in_the_database_are_the_snapshots_counts(register, world):
    _history(register, world)
    for day in DAYS:
        facts = selectors.snapshot(day)
        assert selectors.register_counts(day) == selectors.count_facts(facts), day
    # The backdated entry does not count R1 twice: the one begun first holds.
    on_20_september = selectors.snapshot(date(2026, 9, 20))
    assert {f.pk: f.status for f in on_20_september}[register.r.pk] == "K"


def test_the_register_over_time_is_the_snapshots_on_each_day(register, world):
    _history(register, world)
    history = selectors.register_over_time(DAYS)
    for day, h in zip(DAYS, history):
        facts = selectors.snapshot(day)
        counts = selectors.status_counts(facts)
        assert (h["day"], h["roll"], h["E"], h["K"], h["M"]) == (day, len(facts), counts["E"], counts["K"], counts["M"])
    # 24, with the pupils who left on 17 July and 10 October until then, and
    # the one who joined on 2 November from then.
    assert [h["roll"] for h in history] == [26, 26, 25, 25, 24, 24, 25, 25, 25]


def test_the_counts_take_a_fixed_number_of_queries(register, world, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.register_counts(date(2026, 11, 23))
    with django_assert_num_queries(2):  # a past day: the register from its history, then the roll
        selectors.register_counts(date(2026, 10, 20))
    # The roll on every day at once, then one query a past day.
    with django_assert_num_queries(3):
        selectors.register_over_time([date(2026, 7, 17), date(2026, 10, 20), date(2026, 11, 23)])
