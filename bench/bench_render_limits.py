"""The cost of the render limits (ehdocs.render.limits): every document and pack is produced in
a forked child with a time limit and a memory cap. Measured on the blended-family example, in the
same run: the limited render (fork, RLIMIT_AS, result through a pipe) against the same render in
this process. Goal: a ratio <= 1.10 for a document PDF and <= 1.05 for a pack.

    .venv/bin/python bench/bench_render_limits.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.timing import median_time  # noqa: E402
from ehdocs.case.io import read_case_file  # noqa: E402
from ehdocs.render.cache import PartCache  # noqa: E402
from ehdocs.render.limits import RenderLimits  # noqa: E402
from ehdocs.render.options import RenderOptions  # noqa: E402
from ehdocs.render.outputs import render_document, render_pack  # noqa: E402
from ehdocs.schema import load_formset  # noqa: E402
from ehdocs.validation import validate_case  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "blended-family.json"
TODAY = dt.date(2026, 11, 23)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    case = validate_case(read_case_file(EXAMPLE), load_formset()).case
    assert case is not None
    limited = RenderLimits.from_environment()
    direct = RenderLimits(in_process=True)
    doc = case.documents[0]
    print(
        f"Blended-family example, median of {runs} runs; limits {limited.timeout:g} s, "
        f"{limited.memory_mb} MB\n"
    )
    print(f"{'render':<34}{'in-process s':>13}{'limited s':>11}{'ratio':>7}")
    ratios = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "document PDF": lambda lim: render_document(
                case, doc, RenderOptions("professional", "pdf", TODAY), lim
            ),
            "document DOCX": lambda lim: render_document(
                case, doc, RenderOptions("professional", "docx", TODAY), lim
            ),
            "pack PDF (cold cache, 2 workers)": lambda lim: render_pack(
                case,
                RenderOptions("professional", "pdf", TODAY, PartCache(None), workers=2),
                lim,
            ),
            "pack PDF (warm cache)": lambda lim: render_pack(
                case,
                RenderOptions("professional", "pdf", TODAY, PartCache(Path(tmp) / "warm")),
                lim,
            ),
            "pack DOCX": lambda lim: render_pack(
                case, RenderOptions("professional", "docx", TODAY), lim
            ),
        }
        for name, work in cases.items():
            work(direct)  # warm up: imports, fonts, the warm cache
            base = median_time(lambda work=work: work(direct), runs)
            ours = median_time(lambda work=work: work(limited), runs)
            ratios[name] = ours / base
            print(f"{name:<34}{base:>13.3f}{ours:>11.3f}{ours / base:>7.2f}")
    print(f"\nworst ratio {max(ratios.values()):.2f} (goal <= 1.10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
