"""Fillable forms benchmark: making blank forms, and reading filled ones back.

Prints, measured in one run:
  - blank_pdf per document (median), against a bare WeasyPrint render of the same HTML with
    pdf_forms=True (the cost of our finishing pass); blank_docx per document;
  - read_pdf_fields over 500 filled copies (100 of each document, filled by PDFium as a person
    would), against bare pypdf `PdfReader(...).get_fields()` on the same files (ratio; goal
    <= 1.5: identity, JavaScript/XFA/encryption checks and tight limits cost little), and
    to_raw_document on top.

    .venv/bin/python bench/bench_fillable.py [--runs N] [--copies N]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from pypdf import PdfReader
from weasyprint import HTML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import median_time  # noqa: E402
from ehdocs.fillable import (  # noqa: E402
    blank_docx,
    blank_pdf,
    field_map,
    read_pdf_fields,
    to_raw_document,
)
from ehdocs.fillable.view import blank_view  # noqa: E402
from ehdocs.render.assets import AssetFetcher  # noqa: E402
from ehdocs.render.html import environment  # noqa: E402
from ehdocs.schema import load_formset  # noqa: E402
from tests.fillable.conftest import FORMS, make_answers  # noqa: E402
from tests.fillable.pdfium_fill import pdfium_fill  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=100, help="filled copies per document")
    args = parser.parse_args()
    formset = load_formset()
    profile = formset.profile

    print(
        f"{'document':<14}{'fields':>7}{'pages':>7}{'blank_pdf':>11}{'bare WP':>9}"
        f"{'ratio':>7}{'blank_docx':>12}"
    )
    blanks: dict[str, bytes] = {}
    for form in FORMS:
        blanks[form] = blank_pdf(formset, form)  # warm caches (fonts, templates)
        html = (
            environment()
            .get_template("fillable.html")
            .render(form=blank_view(formset, form), logo=profile.logo is not None)
        )

        def bare(html: str = html) -> bytes:
            document = HTML(string=html, url_fetcher=AssetFetcher(profile.logo), base_url="asset:/")
            pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", pdf_forms=True)
            return pdf

        ours = median_time(lambda form=form: blank_pdf(formset, form), args.runs)
        base = median_time(bare, args.runs)
        docx = median_time(lambda form=form: blank_docx(formset, form), args.runs)
        pages = len(PdfReader(io.BytesIO(blanks[form])).pages)
        print(
            f"{form:<14}{len(field_map(formset, form)):>7}{pages:>7}{ours:>10.2f}s"
            f"{base:>8.2f}s{ours / base:>7.2f}{docx:>11.3f}s"
        )

    filled = {
        form: pdfium_fill(
            blanks[form], make_answers(field_map(formset, form), formset, bmp_only=True).pdfium
        )
        for form in FORMS
    }
    files = [filled[form] for form in FORMS for _ in range(args.copies)]
    size = sum(len(f) for f in filled.values()) / len(filled) / 1024

    def ours_read() -> None:
        for data in files:
            read_pdf_fields(data)

    def bare_read() -> None:
        for data in files:
            PdfReader(io.BytesIO(data)).get_fields()

    def ours_raw() -> None:
        for data in files:
            to_raw_document(read_pdf_fields(data), formset)

    ours = median_time(ours_read, 1)
    base = median_time(bare_read, 1)
    full = median_time(ours_raw, 1)
    n = len(files)
    print(f"\nreading {n} filled PDFs (5 documents, ~{size:.0f} KB each):")
    print(f"  read_pdf_fields        {ours:6.2f} s  {ours / n * 1000:6.1f} ms/file")
    print(f"  pypdf get_fields()     {base:6.2f} s  {base / n * 1000:6.1f} ms/file")
    print(f"  ratio                  {ours / base:6.2f}   (goal <= 1.5)")
    print(f"  + to_raw_document      {full:6.2f} s  {full / n * 1000:6.1f} ms/file")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
