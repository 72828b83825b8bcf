"""A computed KPI: its table of figures, the same for the page, the charts and every download."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ehdocs.report.definitions import KpiDef

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: str  # label | count | number | percent
    # for number/percent columns: the count column whose value they are computed from, so a
    # figure over fewer cases than the threshold is withheld with it
    base: int | None = None


@dataclass(frozen=True)
class KpiResult:
    kpi: KpiDef
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""  # e.g. what the target is

    def chart_values(self, under: int = 0) -> list[tuple[str, float | None, str]]:
        """Each row's label, main figure and that figure as shown: the figure is None where
        it is withheld (a count under `under`, or computed from one), so no bar gives it away."""
        main = _main_column(self.columns)
        shown = suppressed(self, under)
        out: list[tuple[str, float | None, str]] = []
        for row, words in zip(self.rows, shown, strict=True):
            value = row[main]
            if not isinstance(value, int | float):
                continue
            withheld = words[main] != format_cell(value, self.columns[main])
            out.append((str(row[0]), None if withheld else float(value), words[main]))
        return out


def _main_column(columns: tuple[Column, ...]) -> int:
    """The figure a chart draws: the mean where there is one, else a per cent, else a count."""
    for kind in ("number", "percent", "count"):
        for i, col in enumerate(columns):
            if col.kind == kind:
                return i
    return 1


@dataclass(frozen=True)
class ReportFilter:
    start: dt.date
    end: dt.date  # inclusive
    team_id: int | None = None
    worker_id: int | None = None

    def describe(self, team: str | None = None, worker: str | None = None) -> str:
        text = f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
        if team:
            text += f", team: {team}"
        if worker:
            text += f", worker: {worker}"
        return text


def suppressed(result: KpiResult, under: int) -> list[list[str]]:
    """The rows as text for a download, counts under `under` shown as "fewer than N" and the
    figures computed from them withheld, as official statistics do."""
    out = []
    for row in result.rows:
        cells: list[str] = []
        for col, value in zip(result.columns, row, strict=True):
            base = row[col.base] if col.base is not None else None
            if col.kind == "count" and isinstance(value, int) and 0 < value < under:
                cells.append(f"fewer than {under}")
            elif isinstance(base, int) and 0 < base < under:
                cells.append("withheld (small number)")
            else:
                cells.append(format_cell(value, col))
        out.append(cells)
    return out


def format_cell(value: Cell, col: Column) -> str:
    if value is None:
        return ""
    if col.kind == "percent" and isinstance(value, int | float):
        return f"{value:.1f}%"
    if col.kind == "number" and isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
