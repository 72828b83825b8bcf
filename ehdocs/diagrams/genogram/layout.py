"""Genogram layout: from the family to plain geometry, deterministically.

Stages (each its own module): structure (who hangs from whom, generations) → order (who sits
where in a row) → plan (which gap each vertical line uses) → place (x) → route (lines, row
heights) → outline (households). Nothing here knows about SVG.
"""

from __future__ import annotations

from ehdocs.diagrams.genogram.model import Genogram
from ehdocs.diagrams.genogram.order import order_rows
from ehdocs.diagrams.genogram.outline import household_outlines
from ehdocs.diagrams.genogram.place import Placer, RowSpec
from ehdocs.diagrams.genogram.plan import Plan, add_hops, make_plan
from ehdocs.diagrams.genogram.route import KIND_STYLE, MARGIN, Router, RowY
from ehdocs.diagrams.genogram.slots import (
    DATE_LEAD,
    FOOT_SHIFT,
    LABEL_GAP,
    NAME_LEAD,
    NAME_SIZE,
    Slot,
    make_slot,
)
from ehdocs.diagrams.genogram.structure import Family, analyse
from ehdocs.diagrams.geometry import Box, Label, Layout, Symbol, TextLine

PARTNER_GAP = 44.0  # room for the partnership line, its slashes and the children's stem
CLUSTER_GAP = 28.0
LANE = 14.0

SHAPE_KEYS = ("male", "female", "other", "pregnancy", "miscarriage")
KEY_ORDER = (
    *SHAPE_KEYS,
    "index",
    "deceased",
    "age",
    "age~",
    "married",
    "cohabiting",
    "dating",
    "separated",
    "divorced",
    "unrecorded",
    "birth",
    "adoptive",
    "foster",
    "kinship",
    "special_guardian",
    "step",
    "step-note",
    "twins",
    "identical",
)


def layout(genogram: Genogram) -> Layout:
    family = analyse(genogram)
    if not genogram.people:
        return Layout(2 * MARGIN, 2 * MARGIN, (), (), (), (), (), ())
    rows = order_rows(family)
    plan = make_plan(family, rows)
    slots = {p.id: make_slot(p, p.id in plan.foot_stems) for p in genogram.people}
    specs = _specs(family, plan, slots)
    placer = Placer(family, plan, specs)
    x = placer.run()
    if _skips_rows(family, plan):
        anchors = {n: placer.anchor(n) for n in plan.stems}
        gaps = {
            (r, k): placer.gap_x((r, k)) for r, row in enumerate(rows) for k in range(len(row) + 1)
        }
        add_hops(plan, family, anchors, gaps, x)
        specs = _specs(family, plan, slots)
        x = Placer(family, plan, specs).run()
    left = min(x[s.people[0]] - s.left[0] - s.gaps[0] for s in specs if s.people)
    x = {p: v - left + MARGIN for p, v in x.items()}
    lines, row_ys, height = Router(family, plan, specs, x, slots).run()
    width = max(x[s.people[-1]] + s.right[-1] + s.gaps[-1] for s in specs if s.people) + MARGIN
    symbols, labels, slot_boxes = _people(genogram, plan, slots, x, row_ys)
    outlines = household_outlines(genogram.households, rows, slot_boxes)
    return Layout(
        round(width, 1),
        round(height, 1),
        tuple(symbols),
        tuple(labels),
        tuple(lines),
        tuple(outlines),
        tuple(tuple(row) for row in rows),
        _used(family, plan, symbols),
    )


def _specs(family: Family, plan: Plan, slots: dict[str, Slot]) -> list[RowSpec]:
    partners = {frozenset((p.a, p.b)) for p in plan.adjacent}
    specs = []
    for r, row in enumerate(plan.rows):
        gaps = []
        for k in range(len(row) + 1):
            lanes = plan.lane_count((r, k))
            if k in (0, len(row)):
                base = 0.0
            elif frozenset((row[k - 1], row[k])) in partners:
                base = PARTNER_GAP
            else:
                base = CLUSTER_GAP
            gaps.append(max(base, (lanes + 1) * LANE if lanes else 0.0))
        specs.append(
            RowSpec(list(row), [slots[p].left for p in row], [slots[p].right for p in row], gaps)
        )
    return specs


def _skips_rows(family: Family, plan: Plan) -> bool:
    return any(
        plan.where[e.child][0] > plan.where[u.parents[0]][0] + 1
        for u in family.units
        for e in u.children
    )


def _people(
    genogram: Genogram,
    plan: Plan,
    slots: dict[str, Slot],
    x: dict[str, float],
    row_ys: list[RowY],
) -> tuple[list[Symbol], list[Label], dict[str, Box]]:
    symbols, labels, boxes = [], [], {}
    for person in genogram.people:
        slot, cx = slots[person.id], x[person.id]
        row = row_ys[plan.where[person.id][0]]
        box = Box(cx - slot.w / 2, row.mid - slot.h / 2, slot.w, slot.h)
        symbols.append(
            Symbol(person.id, slot.shape, box, person.is_index, person.deceased, slot.age)
        )
        top = row.sym_top + 2 * (row.mid - row.sym_top) + LABEL_GAP
        lx, anchor = (cx + FOOT_SHIFT, "start") if slot.shifted else (cx, "middle")
        lines, y = [], top
        for text, size, bold in slot.lines:
            lead = NAME_LEAD if size == NAME_SIZE else DATE_LEAD
            lines.append(TextLine(text, lx, y + size * 0.95, size, bold, anchor))
            y += lead
        bx = lx if slot.shifted else cx - slot.label_w / 2
        labels.append(Label(person.id, Box(bx, top, slot.label_w, slot.label_h), tuple(lines)))
        boxes[person.id] = Box(
            cx - slot.left, row.sym_top, slot.left + slot.right, row.label_bottom - row.sym_top
        )
    return symbols, labels, boxes


def _used(family: Family, plan: Plan, symbols: list[Symbol]) -> tuple[str, ...]:
    used = {s.shape for s in symbols}
    ages = [s.age for s in symbols if s.age]
    used.update(
        k
        for k, flag in (
            ("index", any(s.index for s in symbols)),
            ("deceased", any(s.deceased for s in symbols)),
            ("age~", any(a.startswith("~") for a in ages)),
            ("age", bool(ages)),
        )
        if flag
    )
    used.update(p.status for p in family.partnerships)
    used.update(e.kind for u in family.units for e in u.children if e.kind in KIND_STYLE)
    drawn = {(p, e.child) for u in family.units for p in u.parents for e in u.children}
    if any(
        link.kind == "step" and (link.parent, link.child) not in drawn
        for link in family.genogram.child_links
    ):
        used.add("step-note")
    if "age~" in used:
        used.discard("age")
    for t in family.genogram.twins:
        unit = family.primary.get(t.a)
        if unit is not None and unit is family.primary.get(t.b):
            used.add("identical" if t.identical else "twins")
    return tuple(k for k in KEY_ORDER if k in used)
