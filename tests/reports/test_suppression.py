"""Small-number suppression (DOMAIN.md 8.5): primary, secondary, percentages.
Pure functions: no database."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.suppression import (
    Cell,
    _grid,
    line_exposures,
    percentage,
    recoverable,
    show,
    suppress_list,
    suppress_table,
)

def shown(table):
    return [[c.shown for c in row] for row in table.cells]

def test_it_shows_small_counts_as_c_and_zero_as_zero():
    assert show(0, 5) == "0"
    assert show(1, 5) == "c"
    assert show(4, 5) == "c"
    assert show(5, 5) == "5"
    assert show(120, 5) == "120"

def test_it_uses_the_threshold_setting(settings):
    settings.SEND_SUPPRESSION_THRESHOLD = 10
    assert show(7) == "c"
    settings.SEND_SUPPRESSION_THRESHOLD = 3
    assert show(3) == "3"

def test_it_suppresses_the_next_smallest_cell_in_a_column_with_a_total():
    # 3 alone would be 343 - 40 - 300: the next smallest (40) goes too.
    table = suppress_list([3, 40, 300])
    assert shown(table) == [["c"], ["c"], ["300"]]
    assert table.column_totals[0].shown == "343"
    assert table.cells[1][0].secondary and not table.cells[0][0].secondary

def test_it_leaves_a_line_alone_when_nothing_is_small():
    table = suppress_table([[10, 20], [30, 40]], row_totals=True, column_totals=True)
    assert not table.any_suppressed
    assert [c.shown for c in table.row_totals] == ["30", "70"]
    assert table.grand_total.shown == "100"

def test_it_never_suppresses_zeros_as_secondary():
    table = suppress_list([0, 3, 0, 12, 40])
    assert shown(table) == [["0"], ["c"], ["0"], ["c"], ["40"]]

def test_it_suppresses_a_small_total_too():
    table = suppress_table([[1, 2], [10, 20]], row_totals=True, column_totals=True)
    assert table.row_totals[0].shown == "c"  # 3 is itself small
    assert line_exposures(table) == []

def test_it_hides_a_rectangle_rather_than_the_totals_in_a_two_by_two():
    table = suppress_table([[3, 10], [7, 5]], row_totals=True, column_totals=True)
    assert shown(table) == [["c", "c"], ["c", "c"]]
    assert [c.shown for c in table.row_totals] == ["13", "12"]
    assert [c.shown for c in table.column_totals] == ["10", "15"]

def test_it_catches_a_cell_that_only_a_combination_of_lines_reveals():
    # Two suppressed blocks joined by one cell: every line has two suppressed
    # entries, yet the joining cell can be worked out from several lines.
    grid, lines = _grid(
        [[6, 7, 50, 50], [8, 9, 3, 50], [50, 50, 6, 7], [50, 50, 8, 9]], row_totals=True, column_totals=True
    )
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert (1, 2) in recoverable(grid, lines, hidden)
    table = suppress_table([[6, 7, 50, 50], [8, 9, 3, 50], [50, 50, 6, 7], [50, 50, 8, 9]], row_totals=True, column_totals=True)
    positions = {(i, j) for i, row in enumerate(table.cells) for j, c in enumerate(row) if c.suppressed}
    assert not recoverable(*_grid([[6, 7, 50, 50], [8, 9, 3, 50], [50, 50, 6, 7], [50, 50, 8, 9]], True, True), positions | _hidden_margins(table))

def _hidden_margins(table):
    out = set()
    for i, c in enumerate(table.row_totals or []):
        if c.suppressed:
            out.add((i, "T"))
    for j, c in enumerate(table.column_totals or []):
        if c.suppressed:
            out.add(("T", j))
    if table.grand_total is not None and table.grand_total.suppressed:
        out.add(("T", "T"))
    return out

def test_it_gives_no_percentage_from_a_suppressed_count():
    assert percentage(Cell(3, suppressed=True), 100) is None
    assert percentage(Cell(30), Cell(100, suppressed=True)) is None
    assert percentage(Cell(30), 120) == "25%"
    assert percentage(Cell(1, suppressed=False), 3, 1) == "33.3%"
    assert percentage(0, 0) is None

def test_it_without_totals_only_applies_primary_suppression():
    table = suppress_table([[3], [40], [300]])
    assert shown(table) == [["c"], ["40"], ["300"]]

# -- properties -----------------------------------------------------------------

counts = st.one_of(st.integers(0, 6), st.integers(0, 60))

@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 4))
    values = draw(st.lists(st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    row_totals = draw(st.booleans())
    column_totals = draw(st.booleans())
    return values, row_totals, column_totals

def _entries(table, values, row_totals, column_totals):
    """Each published line as a list of (value, suppressed) with its total last."""
    lines = []
    if row_totals:
        for i, row in enumerate(table.cells):
            lines.append([(c.value, c.suppressed) for c in row] + [(table.row_totals[i].value, table.row_totals[i].suppressed)])
    if column_totals:
        for j in range(len(values[0])):
            lines.append([(r[j].value, r[j].suppressed) for r in table.cells] + [(table.column_totals[j].value, table.column_totals[j].suppressed)])
    return lines

@settings(max_examples=200, deadline=None)
@given(tables())
def test_no_suppressed_value_is_recoverable_by_subtraction_from_its_line_total(case):
    values, row_totals, column_totals = case
    table = suppress_table(values, row_totals=row_totals, column_totals=column_totals, threshold=5)
    for line in _entries(table, values, row_totals, column_totals):
        *parts, (total, total_hidden) = line
        hidden_parts = [v for v, h in parts if h]
        if not total_hidden:
            # Subtracting the shown parts from the shown total leaves the sum
            # of the hidden parts: it must not single one of them out.
            assert len(hidden_parts) != 1, line
        else:
            # A hidden total must not be the sum of parts that are all shown.
            assert hidden_parts, line
    assert line_exposures(table) == []

@settings(max_examples=200, deadline=None)
@given(tables())
def test_no_suppressed_value_is_pinned_down_by_any_combination_of_lines(case):
    values, row_totals, column_totals = case
    table = suppress_table(values, row_totals=row_totals, column_totals=column_totals, threshold=5)
    grid, lines = _grid(values, row_totals, column_totals)
    hidden = {(i, j) for i, row in enumerate(table.cells) for j, c in enumerate(row) if c.suppressed} | _hidden_margins(table)
    assert recoverable(grid, lines, hidden) == set()

@settings(max_examples=200, deadline=None)
@given(tables())
def test_every_small_count_is_hidden_and_every_zero_shown(case):
    values, row_totals, column_totals = case
    table = suppress_table(values, row_totals=row_totals, column_totals=column_totals, threshold=5)
    for cell in table.all_cells():
        if 0 < cell.value < 5:
            assert cell.shown == "c"
        if cell.value == 0:
            assert cell.shown == "0"
        if not cell.suppressed:
            assert cell.shown == str(cell.value)

def test_the_recoverability_check_itself_finds_a_lone_suppressed_cell():
    grid, lines = _grid([[3, 40]], row_totals=True, column_totals=False)
    assert recoverable(grid, lines, {(0, 0)}) == {(0, 0)}
    assert recoverable(grid, lines, {(0, 0), (0, 1)}) == set()
