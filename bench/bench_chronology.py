"""Chronology benchmark: a 2,000-entry chronology to tagged PDF (target <= 4 s on 2 cores).

Baselines measured in the same run:
  - the same entries as one HTML table rendered by WeasyPrint in one go (what a plain template
    would do; STACK-NOTES measured ~17 s);
  - the same light paragraphs rendered in one go, in one process (what parallel parts buy).

    .venv/bin/python bench/bench_chronology.py [--entries N] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from typing import Any

from weasyprint import HTML

from ehdocs.diagrams.chronology import chronology
from ehdocs.render.assets import AssetFetcher
from ehdocs.render.html import render_html
from ehdocs.render.items import SectionView, Table
from ehdocs.render.parts import pack_base_context
from ehdocs.render.sections import render_section_pdf
from ehdocs.schema import load_formset
from ehdocs.validation import validate_case
from tests.factories import make_case

WHAT = (
    "School reported Sam absent on Monday morning; Mum phoned to say he had a stomach ache. "
    "Third Monday absence this half term."
)


def big_case(entries: int) -> Any:
    rows = [
        {
            "id": f"e{i}",
            "date": f"{2010 + i * 15 // entries}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "event": f"{WHAT} ({i})",
            "source": "Riverside Primary School",
            "impact": "Sam missed maths and English.",
            "action": "Attendance officer called Mum.",
            "family_visible": "yes" if i % 3 else "no",
        }
        for i in range(entries)
    ]
    result = validate_case(make_case(chronology=rows), load_formset())
    assert result.case is not None, result.problems[:3]
    return result.case


def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = work()
    return time.perf_counter() - start, out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    case = big_case(args.entries)
    ours = []
    for _ in range(args.runs):
        seconds, pdf = timed(lambda: render_section_pdf(case, "chronology", "professional"))
        ours.append(seconds)
    entries = chronology(case)
    base = pack_base_context(case, "professional", __import__("datetime").date.today())
    one_go = render_html(base, "chronology.html", years=[("All", entries)], intro=None, logo=False)
    rows = tuple((e.when, e.source, e.event, e.impact, e.action) for e in entries)
    plain = Table("Chronology", ("Date", "Source", "What", "Impact", "Action"), rows)
    ctx = replace(base, sections=(SectionView("all", "Chronology", (plain,)),))
    table = render_html(ctx, "part.html", logo=False)
    fetcher = AssetFetcher(None)
    single, _ = timed(
        lambda: HTML(string=one_go, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")
    )
    plain_table, _ = timed(
        lambda: HTML(string=table, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")
    )
    median = statistics.median(ours)
    print(f"{len(entries)} entries ({args.runs} runs)")
    print(
        f"ehdocs chronology PDF, median:       {median:6.2f} s   (target <= 4.0) "
        f"{len(pdf) // 1024} KiB"
    )
    print(f"one WeasyPrint render, paragraphs:   {single:6.2f} s   ratio {median / single:4.2f}")
    print(
        f"one WeasyPrint render, plain table:  {plain_table:6.2f} s   ratio "
        f"{median / plain_table:4.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
