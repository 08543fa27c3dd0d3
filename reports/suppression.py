"""Small-number suppression for published figures (DOMAIN.md 8.5). Pure
functions: no database, no Django models.

The rules:
- a count of 1 to threshold-1 is shown as "c" (the GSS symbol DfE uses, 8.5);
- zero is shown as 0 (a zero tells nothing about any child);
- SECONDARY suppression: a suppressed cell must not be recoverable from the
  totals and the other cells. Each row (with its total) and each column (with
  its total) is a line whose parts add up; while some suppressed cell can be
  worked out exactly from the published numbers, the next-smallest published
  non-zero cell in that cell's line is suppressed too;
- no percentage is built from a suppressed count.

"Worked out exactly" is tested by linear algebra over the rationals: the
published cells are constants, the suppressed cells unknowns, and a cell is
recoverable when its unit vector lies in the row space of the line equations.
That covers subtraction from a total in the same line and also combinations of
several lines (two suppressed blocks joined by one cell, say), which a
"two per line" rule alone would miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

SYMBOL = "c"


def default_threshold() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "SEND_SUPPRESSION_THRESHOLD", 5))
    except Exception:  # used outside Django (hypothesis, scripts)
        return 5


def suppression_note(threshold: int | None = None) -> str:
    threshold = threshold or default_threshold()
    return (
        f"c: not shown to protect pupils' privacy: fewer than {threshold} pupils, "
        "or a figure from which a smaller one could be worked out."
    )


def is_small(value: int, threshold: int) -> bool:
    """Primary suppression: a non-zero count below the threshold."""
    return 0 < value < threshold


@dataclass(frozen=True)
class Cell:
    value: int
    suppressed: bool = False
    secondary: bool = False

    @property
    def shown(self) -> str:
        return SYMBOL if self.suppressed else str(self.value)

    def __str__(self) -> str:
        return self.shown


def show(value: int, threshold: int | None = None) -> str:
    """One count on its own (no line to recover it from): 'c' or the number."""
    threshold = threshold or default_threshold()
    return SYMBOL if is_small(value, threshold) else str(value)


def percentage(part: Cell | int | None, whole: Cell | int | None, places: int = 0) -> str | None:
    """A percentage for display, or None when either count is suppressed
    (8.5: never a percentage from a suppressed count) or the whole is zero."""
    if part is None or whole is None:
        return None
    if isinstance(part, Cell):
        if part.suppressed:
            return None
        part = part.value
    if isinstance(whole, Cell):
        if whole.suppressed:
            return None
        whole = whole.value
    if not whole:
        return None
    return f"{round(100 * part / whole, places):.{places}f}%"


@dataclass
class SuppressedTable:
    """A grid of Cells with the margins that were asked for. `cells[i][j]` are
    the body; `row_totals[i]`, `column_totals[j]` and `grand_total` are the
    margins (None when not published)."""

    cells: list[list[Cell]]
    row_totals: list[Cell] | None
    column_totals: list[Cell] | None
    grand_total: Cell | None

    def all_cells(self) -> list[Cell]:
        out = [c for row in self.cells for c in row]
        out += self.row_totals or []
        out += self.column_totals or []
        if self.grand_total is not None:
            out.append(self.grand_total)
        return out

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for c in self.all_cells())


# -- the linear system -----------------------------------------------------

def _grid(values: list[list[int]], row_totals: bool, column_totals: bool):
    """The extended grid as {position: value} and the lines (lists of
    (position, sign)) whose signed sums are zero."""
    n_rows = len(values)
    n_cols = len(values[0]) if n_rows else 0
    grid: dict[tuple, int] = {}
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            grid[(i, j)] = int(v)
    lines: list[list[tuple]] = []
    any_margin = row_totals or column_totals
    if row_totals:
        for i in range(n_rows):
            grid[(i, "T")] = sum(values[i])
            lines.append([((i, j), 1) for j in range(n_cols)] + [((i, "T"), -1)])
    if column_totals:
        for j in range(n_cols):
            grid[("T", j)] = sum(values[i][j] for i in range(n_rows))
            lines.append([((i, j), 1) for i in range(n_rows)] + [(("T", j), -1)])
    if any_margin and n_rows and n_cols:
        grid[("T", "T")] = sum(sum(r) for r in values)
        if row_totals:
            lines.append([((i, "T"), 1) for i in range(n_rows)] + [(("T", "T"), -1)])
        if column_totals:
            lines.append([(("T", j), 1) for j in range(n_cols)] + [(("T", "T"), -1)])
    return grid, lines


def _rref(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """Reduced row echelon form of a small matrix over the rationals."""
    matrix = [list(r) for r in rows if any(r)]
    rank = 0
    n_cols = len(matrix[0]) if matrix else 0
    for col in range(n_cols):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][col]
        matrix[rank] = [a / lead for a in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank])]
        rank += 1
        if rank == len(matrix):
            break
    return matrix[:rank]


def recoverable(grid: dict, lines: list, hidden: set) -> set:
    """The hidden positions whose value the published ones pin down exactly.
    A hidden cell is pinned down when its unit vector lies in the row space of
    the line equations restricted to the hidden cells; in reduced row echelon
    form that is a row with a single non-zero entry."""
    unknowns = sorted(hidden, key=repr)
    if not unknowns:
        return set()
    index = {pos: k for k, pos in enumerate(unknowns)}
    rows = []
    for line in lines:
        row = [Fraction(0)] * len(unknowns)
        touched = False
        for pos, sign in line:
            if pos in index:
                row[index[pos]] += sign
                touched = True
        if touched:
            rows.append(row)
    found = set()
    for row in _rref(rows):
        nonzero = [k for k, a in enumerate(row) if a != 0]
        if len(nonzero) == 1:
            found.add(unknowns[nonzero[0]])
    return found


def suppress_table(
    values: list[list[int]],
    *,
    row_totals: bool = False,
    column_totals: bool = False,
    threshold: int | None = None,
) -> SuppressedTable:
    """Suppress a table of counts, with primary and secondary suppression.

    `values` is the body (rows of equal length). Row totals, column totals and
    the grand total are computed here when asked for, and take part in the
    suppression like any other cell (a total of 3 is itself a small number).
    """
    threshold = threshold or default_threshold()
    if not values or not values[0]:
        return SuppressedTable([[] for _ in values], [] if row_totals else None, [] if column_totals else None, None)
    width = len(values[0])
    if any(len(r) != width for r in values):
        raise ValueError("Every row needs the same number of cells")
    if any(int(v) < 0 for r in values for v in r):
        raise ValueError("Counts cannot be negative")

    grid, lines = _grid(values, row_totals, column_totals)
    primary = {pos for pos, v in grid.items() if is_small(v, threshold)}
    hidden = set(primary)
    lines_of: dict = {}
    for line in lines:
        for pos, _ in line:
            lines_of.setdefault(pos, []).append([p for p, _ in line])

    def _order(pos):
        # Body cells before totals (a hidden total costs the reader most),
        # then the smallest value: "the next-smallest cell in the line".
        return ("T" in pos, grid[pos], repr(pos))

    while True:
        exposed = recoverable(grid, lines, hidden)
        if not exposed:
            break
        in_lines = {pos for target in exposed for line in lines_of.get(target, []) for pos in line}
        candidates = [pos for pos in in_lines if pos not in hidden and grid[pos] > 0]
        if not candidates:
            # Nothing non-zero left in their lines: widen to the whole table.
            candidates = [pos for pos in grid if pos not in hidden and grid[pos] > 0]
        if not candidates:
            candidates = [pos for pos in grid if pos not in hidden]
        if not candidates:  # everything hidden; cannot happen, but never loop forever
            break
        hidden.add(min(candidates, key=_order))

    def cell(pos) -> Cell:
        return Cell(value=grid[pos], suppressed=pos in hidden, secondary=pos in hidden and pos not in primary)

    n_rows = len(values)
    body = [[cell((i, j)) for j in range(width)] for i in range(n_rows)]
    rts = [cell((i, "T")) for i in range(n_rows)] if row_totals else None
    cts = [cell(("T", j)) for j in range(width)] if column_totals else None
    grand = cell(("T", "T")) if ("T", "T") in grid else None
    return SuppressedTable(body, rts, cts, grand)


def suppress_list(values: list[int], *, with_total: bool = True, threshold: int | None = None) -> SuppressedTable:
    """A single column of counts with (optionally) its total."""
    return suppress_table([[v] for v in values], column_totals=with_total, threshold=threshold)


def line_exposures(table: SuppressedTable) -> list[str]:
    """For tests and checks: lines in which exactly one entry is suppressed
    (so it could be recovered by subtraction from the line's total, or a
    suppressed total by addition). Empty when the table is safe line by line."""
    problems = []
    rows = table.cells
    if table.row_totals is not None:
        for i, row in enumerate(rows):
            entries = row + [table.row_totals[i]]
            if sum(c.suppressed for c in entries) == 1:
                problems.append(f"row {i}")
    if table.column_totals is not None and rows:
        for j in range(len(rows[0])):
            entries = [r[j] for r in rows] + [table.column_totals[j]]
            if sum(c.suppressed for c in entries) == 1:
                problems.append(f"column {j}")
    if table.grand_total is not None:
        if table.row_totals is not None:
            entries = table.row_totals + [table.grand_total]
            if sum(c.suppressed for c in entries) == 1:
                problems.append("total column")
        if table.column_totals is not None:
            entries = table.column_totals + [table.grand_total]
            if sum(c.suppressed for c in entries) == 1:
                problems.append("total row")
    return problems
