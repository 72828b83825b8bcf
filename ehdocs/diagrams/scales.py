"""Outcome scales ("distance travelled"): every score of a case, as a chart and as a table.

Scores come from each document's score group (any group with an `area` and a `score` row
field: the assessment's baseline, each review's scores, the closure's final scores), dated by
the document's process date, and from the case's `outcome_scores` records. A record joins a
document's occasion when it has that document's stage and date (or when the form happens once
per case, like the assessment); where both give a score for the same area and person, the
document's wins. Occasions run by date (undated ones last), then assessment, review, closure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.case.model import Case, Document
from ehdocs.diagrams.svgutil import (
    INK,
    KEY_COLUMN,
    MUTED,
    PAD,
    Glyph,
    KeyItem,
    document,
    draw_key,
    key_height,
    n,
    points,
    text,
    wrap,
)
from ehdocs.fields import field_type, format_date
from ehdocs.schema.model import FieldDef, FormDefinition

STAGE_RANK = {"assessment": 0, "review": 1, "other": 1, "closure": 2}
LINE = "#1f5fa8"
UP, DOWN = "#0b6b3a", "#a33a00"  # dark green, dark vermilion: both readable as text on white
GRID = "#e3e3e3"

TITLE_SIZE, NAME_SIZE, TICK_SIZE, VALUE_SIZE = 12.5, 11.5, 10.5, 11.0
POINT_H = 13.0  # vertical space per score step
PLOT_PAD = 16.0  # room above the top score and below the bottom one for value labels
AXIS_W = 30.0  # y-axis numbers and name, left of each plot
PANEL_GAP = 22.0
MAX_WIDTH = 1000.0


@dataclass(frozen=True)
class Occasion:
    stage: str  # assessment | review | closure | other, or another form's name
    date: dt.date | None
    code: str  # A, R1, R2, C: the short name under each chart
    label: str  # Review 2

    @property
    def heading(self) -> str:
        when = format_date(self.date) if self.date else "date not recorded"
        return f"{self.label}, {when}"


@dataclass(frozen=True)
class Series:
    area: str
    area_label: str
    person: str | None
    person_label: str
    scores: tuple[int | None, ...]  # one per occasion of the case

    @property
    def points(self) -> list[tuple[int, int]]:
        return [(i, s) for i, s in enumerate(self.scores) if s is not None]

    @property
    def change(self) -> int | None:
        """The latest score less the first (the baseline); None until scored twice."""
        pts = self.points
        return pts[-1][1] - pts[0][1] if len(pts) > 1 else None


@dataclass(frozen=True)
class Scales:
    occasions: tuple[Occasion, ...]
    series: tuple[Series, ...]
    low: int = 1
    high: int = 10
    low_label: str = ""
    high_label: str = ""


@dataclass(frozen=True)
class _Score:
    occasion: tuple[Any, ...]  # ("doc", id) or ("record", stage, date)
    area: str
    person: str | None
    score: int


def outcome_scales(case: Case, family: bool = False) -> Scales:
    """Every outcome score of the case, by area and person, on the case's scoring occasions."""
    docs = [d for d in case.documents if _score_groups(d.definition)]
    scores = list(_document_scores(docs)) + list(_record_scores(case, docs))
    kept: dict[tuple[Any, ...], _Score] = {}
    for s in scores:  # documents first, so a document's score wins over a record's
        kept.setdefault((s.occasion, s.area, s.person), s)
    occasions = _occasions(case, docs, {s.occasion for s in kept.values()}, family)
    index = {key: i for i, (key, _) in enumerate(occasions)}
    areas = _options(case, "outcome_areas", family)
    people = [p["id"] for p in case.people]
    series_keys = sorted(
        {(s.area, s.person) for s in kept.values()},
        key=lambda k: (
            list(areas).index(k[0]) if k[0] in areas else len(areas),
            k[0],
            -1 if k[1] is None else (people.index(k[1]) if k[1] in people else len(people)),
        ),
    )
    series = []
    for area, person in series_keys:
        row: list[int | None] = [None] * len(occasions)
        for s in kept.values():
            if (s.area, s.person) == (area, person):
                row[index[s.occasion]] = s.score
        series.append(Series(area, areas.get(area, area), person, _whose(case, person), tuple(row)))
    low, high, low_label, high_label = _range(case)
    return Scales(tuple(o for _, o in occasions), tuple(series), low, high, low_label, high_label)


def _score_groups(definition: FormDefinition) -> list[FieldDef]:
    """The form's groups whose rows hold an area and a score."""
    return [
        f
        for f in definition.iter_fields()
        if field_type(f.type).is_group and f.child("area") and f.child("score")
    ]


def _document_scores(docs: list[Document]) -> Iterator[_Score]:
    for doc in docs:
        for group in _score_groups(doc.definition):
            for row in doc.answer(group.path) or []:
                if isinstance(row, Mapping) and row.get("area") and row.get("score") is not None:
                    occasion = ("doc", doc.id)
                    yield _Score(occasion, row["area"], row.get("person"), int(row["score"]))


def _record_scores(case: Case, docs: list[Document]) -> Iterator[_Score]:
    for rec in case.records("outcome_scores"):
        stage, date = rec["stage"], rec.get("date")
        same = [d for d in docs if d.form == stage]
        match = next((d for d in same if d.process_date == date), None)
        if match is None and len(same) == 1 and not same[0].definition.repeatable:
            match = same[0]
        occasion = ("doc", match.id) if match else ("record", stage, date)
        yield _Score(occasion, rec["area"], rec.get("person"), int(rec["score"]))


def _occasions(
    case: Case, docs: list[Document], used: set[tuple[Any, ...]], family: bool
) -> list[tuple[tuple[Any, ...], Occasion]]:
    by_id = {d.id: d for d in docs}
    found = []
    for key in used:
        if key[0] == "doc":
            doc = by_id[key[1]]
            found.append((key, doc.form, doc.process_date))
        else:
            found.append((key, key[1], key[2]))
    found.sort(key=lambda f: (f[2] or dt.date.max, STAGE_RANK.get(f[1], 1), str(f[0])))
    stages = _options(case, "outcome_stages", family)
    counts = {stage: sum(1 for f in found if f[1] == stage) for _, stage, _ in found}
    seen: dict[str, int] = {}
    out = []
    for key, stage, date in found:
        seen[stage] = seen.get(stage, 0) + 1
        number = seen[stage] if counts[stage] > 1 else None
        name = stages.get(stage) or _form_title(case, stage)
        label = f"{_plain_stage(name)} {number}" if number else name
        code = stage[:1].upper() + (str(number) if number else "")
        out.append((key, Occasion(stage, date, code, label)))
    return out


def _plain_stage(label: str) -> str:
    """'Assessment (baseline)' -> 'Assessment', to number several of them."""
    return label.split(" (")[0]


def _form_title(case: Case, form: str) -> str:
    definition = case.formset.forms.get(form)
    return definition.title if definition else form.replace("_", " ").capitalize()


def _options(case: Case, list_name: str, family: bool) -> dict[str, str]:
    return {
        o.value: (o.family_label or o.label) if family else o.label
        for o in case.formset.lists.get(list_name, ())
    }


def _whose(case: Case, person: str | None) -> str:
    if person is None:
        return "Whole family"
    return case.person_name(person)


def _range(case: Case) -> tuple[int, int, str, str]:
    """The scale's ends and their words, from the score fields of the schema."""
    fields = [
        group.child("score")
        for form in case.formset.forms_in_order()
        for group in _score_groups(form)
    ]
    record = case.formset.records.get("outcome_score")
    if record is not None:
        fields.append(record.child("score"))
    params = [f.params for f in fields if f is not None]
    low = min((int(p["min"]) for p in params if "min" in p), default=1)
    high = max((int(p["max"]) for p in params if "max" in p), default=10)
    low_label = next((str(p["low_label"]) for p in params if p.get("low_label")), "")
    high_label = next((str(p["high_label"]) for p in params if p.get("high_label")), "")
    return low, high, low_label, high_label


# --- the table ---------------------------------------------------------------------------------


def scales_table(case: Case, family: bool = False) -> tuple[list[str], list[list[str]]]:
    """Column headings and rows: area, whose score, the score at each occasion, the change."""
    scales = outcome_scales(case, family)
    if not scales.series:
        return [], []
    columns = [
        "What we scored" if family else "Area",
        "Whose score",
        *(o.heading for o in scales.occasions),
        "Change since the start" if family else "Change since baseline",
    ]
    rows = [
        [
            s.area_label,
            s.person_label,
            *("" if v is None else str(v) for v in s.scores),
            format_change(s.change),
        ]
        for s in scales.series
    ]
    return columns, rows


def format_change(change: int | None) -> str:
    if change is None:
        return ""
    return f"+{change}" if change > 0 else str(change)


# --- the chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    step: float  # between occasions
    plot_w: float
    plot_h: float
    panel_w: float
    panel_h: float
    title_h: float
    columns: int


def scales_svg(case: Case, family: bool = False) -> str | None:
    """The outcome scores as small charts, one per area and person; None without scores."""
    scales = outcome_scales(case, family)
    if not scales.series:
        return None
    grid = _grid(scales)
    intro = _intro(scales, family)
    top = PAD + 18.0 * len(intro) + 8
    rows = -(-len(scales.series) // grid.columns)
    panels = grid.columns * grid.panel_w + (grid.columns - 1) * PANEL_GAP
    width = PAD * 2 + max(panels, 3 * KEY_COLUMN)  # a key of many occasions needs columns
    body = [text(line, PAD, PAD + 13 + 18 * i, 12.5, fill=MUTED) for i, line in enumerate(intro)]
    for i, series in enumerate(scales.series):
        col, row = i % grid.columns, i // grid.columns
        x = PAD + col * (grid.panel_w + PANEL_GAP)
        y = top + row * (grid.panel_h + PANEL_GAP)
        body.extend(_panel(series, scales, grid, x, y, family))
    key_top = top + rows * (grid.panel_h + PANEL_GAP)
    items = _key_items(scales, family)
    height = key_top + key_height(items, width)
    body += draw_key(items, key_top, width, "Key")
    title = (
        "How things have changed: your scores" if family else ("Outcome scores: distance travelled")
    )
    return document(width, height, title, scales_description(scales, family), body)


def _intro(scales: Scales, family: bool) -> list[str]:
    ends = f"Scores from {scales.low}"
    if scales.low_label:
        ends += f" ({scales.low_label.lower()})"
    ends += f" to {scales.high}"
    if scales.high_label:
        ends += f" ({scales.high_label.lower()})"
    first = ends + (
        ". Each chart shows one thing we scored."
        if family
        else ". One chart per area and person; higher is better."
    )
    return wrap(first, 12.5, 900, 2)


def _grid(scales: Scales) -> _Grid:
    count = len(scales.occasions)
    plot_w = max(150.0, (44.0 if count <= 6 else 26.0) * (count - 1))
    step = plot_w / (count - 1) if count > 1 else 0.0
    panel_w = AXIS_W + plot_w + 2 * 14 + 74  # the change figure sits right of the plot
    plot_h = POINT_H * (scales.high - scales.low) + 2 * PLOT_PAD
    title_h = 2 * 16.0 + 8
    panel_h = title_h + plot_h + 26
    columns = max(
        1,
        min(3, len(scales.series), int((MAX_WIDTH - 2 * PAD + PANEL_GAP) // (panel_w + PANEL_GAP))),
    )
    return _Grid(step, plot_w, plot_h, panel_w, panel_h, title_h, columns)


@dataclass(frozen=True)
class _Plot:
    """Where one panel's chart sits: score and occasion to page coordinates."""

    left: float
    top: float
    grid: _Grid
    scales: Scales

    def x(self, i: int) -> float:
        if len(self.scales.occasions) == 1:
            return self.left + self.grid.plot_w / 2
        return self.left + i * self.grid.step

    def y(self, score: float) -> float:
        return self.top + PLOT_PAD + (self.scales.high - score) * POINT_H


def _panel(
    series: Series, scales: Scales, grid: _Grid, x: float, y: float, family: bool
) -> list[str]:
    plot = _Plot(x + 10 + AXIS_W + 14, y + grid.title_h, grid, scales)
    name_w = grid.panel_w - 20
    return [
        '<g class="panel">',
        f'<rect x="{n(x)}" y="{n(y)}" width="{n(grid.panel_w)}" height="{n(grid.panel_h)}" '
        'rx="4" fill="none" stroke="#c8c8c8" stroke-width="1"/>',
        text(
            wrap(series.area_label, TITLE_SIZE, name_w * 0.9, 1)[0],
            x + 10,
            y + 18,
            TITLE_SIZE,
            True,
        ),
        text(
            wrap(series.person_label, NAME_SIZE, name_w, 1)[0],
            x + 10,
            y + 34,
            NAME_SIZE,
            fill=MUTED,
        ),
        *_axes(plot, x),
        *_line(series, plot),
        *_change(series, x + grid.panel_w - 10, plot.y(scales.high), family),
        "</g>",
    ]


def _axes(plot: _Plot, x: float) -> list[str]:
    scales, grid = plot.scales, plot.grid
    out = []
    for s in range(scales.low, scales.high + 1):
        marked = s in (scales.low, scales.high) or (s - scales.low) % 5 == 4
        out.append(
            f'<line x1="{n(plot.left - 8)}" y1="{n(plot.y(s))}" '
            f'x2="{n(plot.left + grid.plot_w + 4)}" y2="{n(plot.y(s))}" '
            f'stroke="{"#cfcfcf" if marked else GRID}" stroke-width="1"/>'
        )
        if marked:
            out.append(
                text(str(s), plot.left - 12, plot.y(s) + 3.8, TICK_SIZE, anchor="end", fill=MUTED)
            )
    out.append(_axis_name(x + 14, plot.top + grid.plot_h / 2))
    base = plot.top + grid.plot_h + 14
    for i, occasion in enumerate(scales.occasions):
        out.append(text(occasion.code, plot.x(i), base, TICK_SIZE, anchor="middle", fill=MUTED))
    return out


def _line(series: Series, plot: _Plot) -> list[str]:
    """The scores joined in time order, each dot with its figure (first and latest in bold)."""
    pts = series.points
    coords = [(plot.x(i), plot.y(s)) for i, s in pts]
    out = []
    if len(coords) > 1:
        out.append(
            f'<polyline points="{points(coords)}" fill="none" stroke="{LINE}" '
            'stroke-width="2.2" stroke-linejoin="round"/>'
        )
    for k, ((_, score), (cx, cy)) in enumerate(zip(pts, coords, strict=True)):
        role = "first" if k == 0 else ("latest" if k == len(pts) - 1 else "between")
        out.append(_dot(role, cx, cy))
        ly = cy + (15.5 if _label_below(coords, k, cy) else -8.5)
        out.append(text(str(score), cx, ly, VALUE_SIZE, role != "between", "middle", INK))
    return out


def _axis_name(x: float, y: float) -> str:
    return (
        f'<text x="{n(x)}" y="{n(y)}" font-size="{n(TICK_SIZE)}" fill="{MUTED}" '
        f'text-anchor="middle" transform="rotate(-90 {n(x)} {n(y)})">Score</text>'
    )


def _label_below(coords: list[tuple[float, float]], k: int, y: float) -> bool:
    """Put a score's figure below its dot where the line leaves upwards on both sides."""
    near = [coords[j][1] for j in (k - 1, k + 1) if 0 <= j < len(coords)]
    return bool(near) and all(other < y - 0.1 for other in near)


def _dot(role: str, x: float, y: float, in_key: bool = False) -> str:
    cls = "" if in_key else f'class="score {role}" '
    if role == "first":
        return (
            f'<circle {cls}cx="{n(x)}" cy="{n(y)}" r="5" fill="#ffffff" '
            f'stroke="{LINE}" stroke-width="2.2"/>'
        )
    r = "5.5" if role == "latest" else "3.2"
    return f'<circle {cls}cx="{n(x)}" cy="{n(y)}" r="{r}" fill="{LINE}"/>'


def _change(series: Series, right: float, y: float, family: bool) -> list[str]:
    change = series.change
    if change is None:
        return [text("scored once", right, y + 4, TICK_SIZE, False, "end", MUTED)]
    colour = UP if change > 0 else DOWN if change < 0 else MUTED
    return [
        text("change", right, y + 4, TICK_SIZE, False, "end", MUTED),
        text(format_change(change), right, y + 24, 17.0, True, "end", colour),
    ]


def _key_items(scales: Scales, family: bool) -> list[KeyItem]:
    """Only the marks the charts use, then what each occasion's short name stands for."""

    def dot(role: str) -> Glyph:
        return lambda x, y: [_dot(role, x, y, in_key=True)]

    def change(x: float, y: float) -> list[str]:
        return [text("+2", x + 10, y + 6, 17.0, True, "end", UP)]

    most = max(len(s.points) for s in scales.series)
    items = [KeyItem(dot("first"), "First score" if family else "First score (baseline)")]
    if most > 1:
        items.append(KeyItem(dot("latest"), "Latest score"))
    if most > 2:
        items.append(KeyItem(dot("between"), "A score in between"))
    if most > 1:
        items.append(KeyItem(change, "Change from the first score to the latest"))
    items += [KeyItem(_code_glyph(o.code), o.heading) for o in scales.occasions]
    return items


def _code_glyph(code: str) -> Glyph:
    return lambda x, y: [text(code, x, y + 4, 12.0, True, "middle", MUTED)]


def scales_description(scales: Scales, family: bool = False) -> str:
    dated = [o.date for o in scales.occasions if o.date]
    span = ""
    if dated:
        span = f" between {format_date(min(dated))} and {format_date(max(dated))}"
    count = len(scales.occasions)
    changes = [s.change for s in scales.series if s.change is not None]
    up = sum(1 for c in changes if c > 0)
    down = sum(1 for c in changes if c < 0)
    same = len(changes) - up - down
    text_ = (
        f"{len(scales.series)} score{'s' if len(scales.series) != 1 else ''} "
        f"(area and person) measured on {count} occasion{'s' if count != 1 else ''}{span}."
    )
    if changes:
        text_ += (
            f" Since the first score, {up} went up, {down} went down and {same} stayed the same."
        )
    return text_ + " The table of scores gives the same numbers."


__all__ = [
    "Occasion", "Scales", "Series", "format_change", "outcome_scales", "scales_description",
    "scales_svg", "scales_table",
]  # fmt: skip
