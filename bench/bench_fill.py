"""Filling a blank form with answers: ehdocs's own filler (ehdocs.fillable.fill: shaped text,
visual order) against pypdf's `update_page_form_field_values`, which the demo used before.

The answers are the demo's e-mailed notification (examples/hub/referral.json, 26 fields), and
the same with every one-line text answer in another script (Arabic, Devanagari, Chinese ...).
Prints, measured in one run, the median seconds of each filler and the ratio pypdf / ehdocs.

    .venv/bin/python bench/bench_fill.py [--runs N]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
from itertools import cycle
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import median_time  # noqa: E402
from ehdocs.fillable import blank_pdf, field_map  # noqa: E402
from ehdocs.fillable.fill import fill  # noqa: E402
from ehdocs.schema.loader import load_formset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("مريم الحسن", "अनन्या शर्मा", "王小明", "שרה כהן", "Nguyễn Thị Ngọc", "নুসরাত জাহান")


def pypdf_fill(pdf: bytes, values: dict[str, Any]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    formset = load_formset()
    example = json.loads((ROOT / "examples" / "hub" / "referral.json").read_text("utf-8"))
    blank = blank_pdf(formset, example["form"])
    scripts = dict(example["values"])
    names = cycle(NAMES)
    for entry in field_map(formset, example["form"]):
        if entry.widget == "text" and entry.name in scripts:
            scripts[entry.name] = next(names)
    print(f"{'answers':<28}{'fields':>7}{'pypdf s':>10}{'ehdocs s':>10}{'ratio':>8}")
    for label, values in (("demo referral", example["values"]), ("names in 6 scripts", scripts)):
        ours = median_time(lambda v=values: fill(blank, v), args.runs)
        theirs = median_time(lambda v=values: pypdf_fill(blank, v), args.runs)
        print(f"{label:<28}{len(values):>7}{theirs:>10.2f}{ours:>10.3f}{theirs / ours:>8.0f}")


if __name__ == "__main__":
    main()
