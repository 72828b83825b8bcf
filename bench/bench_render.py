"""Rendering benchmark: documents and packs of the blended-family example, PDF and DOCX.

Prints medians over several runs and, measured in the same run, the ratios to two baselines:
  - a bare WeasyPrint render of the same HTML (our overhead per document; goal <= 1.10);
  - LibreOffice headless converting our DOCX pack to PDF, the route other document-assembly
    tools take (goal: our pack PDF <= 0.5 of it).
Targets on the 2-core machine: a document PDF <= 0.8 s; a pack PDF <= 3 s cold and <= 0.5 s
when one part changed; a DOCX pack <= 0.5 s.

    .venv/bin/python bench/bench_render.py [--runs N]
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from weasyprint import HTML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script


from bench.timing import median_time  # noqa: E402
from ehdocs.case.io import read_case_file  # noqa: E402
from ehdocs.render.audience import for_audience  # noqa: E402
from ehdocs.render.cache import PartCache  # noqa: E402
from ehdocs.render.context import build_context  # noqa: E402
from ehdocs.render.docx import render_docx  # noqa: E402
from ehdocs.render.docx_pack import render_pack_docx  # noqa: E402
from ehdocs.render.html import render_html  # noqa: E402
from ehdocs.render.pack import render_pack_pdf  # noqa: E402
from ehdocs.render.pdf import render_pdf  # noqa: E402
from ehdocs.schema import load_formset  # noqa: E402
from ehdocs.validation import validate_case  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "blended-family.json"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    raw = read_case_file(EXAMPLE)
    formset = load_formset()
    case = validate_case(raw, formset).case
    assert case is not None
    view = for_audience(case, "professional")
    logo = formset.profile.logo
    print(f"Blended-family example: {len(case.documents)} documents, median of {runs} runs\n")

    print(f"{'document':<28}{'PDF s':>8}{'bare s':>8}{'ratio':>7}{'DOCX s':>8}")
    worst_ratio = 0.0
    for doc in case.documents:
        ctx = build_context(case, doc.id, "professional")
        html = render_html(ctx, logo=logo is not None)
        ours = median_time(lambda ctx=ctx: render_pdf(ctx, view), runs)
        bare = median_time(
            lambda html=html: HTML(
                string=html, base_url="asset:/", url_fetcher=_fetcher()
            ).write_pdf(),
            runs,
        )
        docx = median_time(lambda ctx=ctx: render_docx(ctx, logo), runs)
        worst_ratio = max(worst_ratio, ours / bare)
        print(
            f"{doc.form + ' ' + doc.id:<28}{ours:>8.3f}{bare:>8.3f}{ours / bare:>7.2f}{docx:>8.3f}"
        )

    with tempfile.TemporaryDirectory() as tmp:
        cold = []
        for i in range(max(2, runs // 2)):
            cache = PartCache(Path(tmp) / f"cold{i}")
            start = time.perf_counter()
            render_pack_pdf(case, "professional", cache)
            cold.append(time.perf_counter() - start)
        cache = PartCache(Path(tmp) / "warm")
        render_pack_pdf(case, "professional", cache)
        changed = []
        for i in range(runs):
            edited = copy.deepcopy(dict(case.data))
            edited["documents"][-1]["data"]["decision"]["decision_reasons"] = f"Edit {i}"
            again = type(case)(edited, formset)
            start = time.perf_counter()
            render_pack_pdf(again, "professional", cache)
            changed.append(time.perf_counter() - start)
        docx_pack = median_time(lambda: render_pack_docx(case, "professional"), runs)
        libreoffice = _libreoffice_pack(case, Path(tmp), runs)
    pack_cold, pack_changed = statistics.median(cold), statistics.median(changed)
    print(f"\npack PDF, cold:             {pack_cold:7.3f} s   (target <= 3.0)")
    print(f"pack PDF, one part changed: {pack_changed:7.3f} s   (target <= 0.5)")
    print(f"pack DOCX:                  {docx_pack:7.3f} s   (target <= 0.5)")
    if libreoffice:
        print(f"LibreOffice DOCX -> PDF:    {libreoffice:7.3f} s   (baseline)")
        print(f"ratio pack PDF / LibreOffice: {pack_cold / libreoffice:5.2f}   (goal <= 0.5)")
    print(f"worst ratio document PDF / bare WeasyPrint: {worst_ratio:5.2f}   (goal <= 1.10)")
    return 0


def _fetcher() -> Any:
    from ehdocs.render.assets import AssetFetcher

    return AssetFetcher(load_formset().profile.logo)


def _libreoffice_pack(case: Any, tmp: Path, runs: int) -> float | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        print("(LibreOffice not installed: no baseline)")
        return None
    path = tmp / "pack.docx"
    path.write_bytes(render_pack_docx(case, "professional"))
    profile = f"-env:UserInstallation=file://{tmp}/lo"
    command = [
        soffice,
        "--headless",
        "--norestore",
        profile,
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp),
        str(path),
    ]
    subprocess.run(command, capture_output=True, check=True, timeout=300)  # warm its profile
    return median_time(
        lambda: subprocess.run(command, capture_output=True, check=True, timeout=300),
        max(2, runs // 2),
    )


if __name__ == "__main__":
    sys.exit(main())
