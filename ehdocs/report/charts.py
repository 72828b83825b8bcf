"""A KPI as a horizontal bar chart, in the house style of the outcome charts (svgutil).

The chart is a picture of the table beside it: its title and description say what it shows,
and the numbers are in the table, so the chart needs no colour to be read.
"""

from __future__ import annotations

from ehdocs.diagrams.svgutil import INK, MUTED, PAD, RULE, document, n, text, text_block_width
from ehdocs.report.results import KpiResult

BAR = "#1d70b8"  # GOV.UK blue: 4.5:1 against white
ROW = 26.0
SIZE = 12.5
MAX_LABEL = 260.0
PLOT = 300.0


def bar_chart(result: KpiResult, under: int = 0) -> str | None:
    """None when there is nothing to draw. A withheld figure (`under`) gets its words and no
    bar, so the picture gives away no more than the table."""
    values = result.chart_values(under)
    drawn = [v for _, v, _ in values if v is not None]
    if not drawn or all(v == 0 for v in drawn):
        return None
    label_w = min(MAX_LABEL, text_block_width([label for label, _, _ in values], SIZE) + 8)
    top = PAD + 8
    width = PAD * 2 + label_w + PLOT + 110
    height = top + ROW * len(values) + PAD
    high = max(abs(v) for v in drawn) or 1.0
    negative = any(v < 0 for v in drawn)
    zero = PAD + label_w + (PLOT / 2 if negative else 0)
    span = PLOT / 2 if negative else PLOT
    body = [
        f'<line x1="{n(zero)}" y1="{n(top - 4)}" x2="{n(zero)}" '
        f'y2="{n(top + ROW * len(values))}" stroke="{RULE}" stroke-width="1"/>'
    ]
    for i, (label, value, shown) in enumerate(values):
        y = top + i * ROW
        base = y + ROW * 0.62
        body.append(text(_fit(label, label_w), PAD, base, SIZE, fill=INK))
        if value is None:
            body.append(text(shown, zero + 6, base, SIZE, fill=MUTED))
            continue
        w = span * abs(value) / high
        x = zero if value >= 0 else zero - w
        body.append(
            f'<rect x="{n(x)}" y="{n(y + 5)}" width="{n(max(w, 1.0))}" height="{n(ROW - 10)}" '
            f'fill="{BAR}"/>'
        )
        if value >= 0:
            body.append(text(shown, x + w + 6, base, SIZE, fill=MUTED))
        else:
            body.append(text(shown, x - 6, base, SIZE, anchor="end", fill=MUTED))
    desc = "; ".join(f"{label}: {shown}" for label, _, shown in values)
    return document(width, height, result.kpi.measure, desc, body)


def _fit(label: str, width: float) -> str:
    """Shorten a long label at a word with an ellipsis (the table has it in full)."""
    if text_block_width([label], SIZE) <= width:
        return label
    words = label.split()
    while len(words) > 1 and text_block_width([" ".join(words) + "…"], SIZE) > width:
        words.pop()
    return " ".join(words) + "…"
