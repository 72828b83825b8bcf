"""The JavaScript check on a large PDF whose cross-reference table is broken (issue 16: a
429-page manual from a public corpus used the whole 4 s parse limit).

Set-up: a 429-page manual made with pikepdf (each page with a line of text and three link
annotations, as a manual's table of contents and cross-references have), saved without object
streams; then every offset of its cross-reference table is shifted by 7 bytes, so pypdf has
to recover each object by searching for it. No JavaScript anywhere.

Prints, measured in one run, the median wall time of:
  - the whole reading (ehdocs.ingest.parse.parse: opening, the active-content check, "not a
    form made by this service");
  - the JavaScript check as it was before (the byte scan, then the walk of every page's /AA
    and annotations whatever the scan found) and as it is (the walk only when the scan found a
    JavaScript name), with their ratio.

    .venv/bin/python -m bench.bench_broken_manual [--pages 429] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import logging
import re

import pikepdf
from pikepdf import Array, Dictionary, Name
from pypdf import PdfReader, apply_configuration

from bench.timing import median_time
from ehdocs.fillable import read_pdf
from ehdocs.ingest.parse import parse


def broken_manual(pages: int) -> bytes:
    doc = pikepdf.Pdf.new()
    font = doc.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    for number in range(pages):
        doc.add_blank_page(page_size=(595, 842))
        page = doc.pages[-1]
        text = f"BT /F1 11 Tf 72 770 Td (Chapter {number + 1}: operating the pump) Tj ET"
        page.obj.Contents = doc.make_stream(text.encode())
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
        links = Array()
        for at in range(3):
            target = Array([doc.pages[(number + at * 7) % (number + 1)].obj, Name.Fit])
            rect = Array([72, 700 - 30 * at, 300, 720 - 30 * at])
            links.append(
                doc.make_indirect(
                    Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=rect, Dest=target)
                )
            )
        page.obj.Annots = links
    out = io.BytesIO()
    doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, static_id=True)
    data = out.getvalue()
    start = data.rindex(b"\nxref\n")
    table = re.sub(
        rb"(\d{10}) 00000 n",
        lambda m: b"%010d 00000 n" % (int(m[1]) + 7),
        data[start:],
    )
    return data[:start] + table


def javascript_check_before(reader: PdfReader) -> None:
    """The check as it was: the page walk ran even after the scan found no JavaScript name."""
    root = reader.trailer["/Root"].get_object()
    if read_pdf._could_hold_javascript(reader):
        read_pdf._has_javascript(reader)
    for page in reader.pages:
        read_pdf._actions_have_js(page.get("/AA"))
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        for annot in annots or []:
            annot = annot.get_object()
            read_pdf._is_javascript(annot.get("/A"))
            read_pdf._actions_have_js(annot.get("/AA"))
    assert root is not None


def javascript_check_now(reader: PdfReader) -> None:
    read_pdf.refuse_active_content(reader)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=429)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # one line per object recovered
    data = broken_manual(args.pages)
    print(f"broken manual: {args.pages} pages, {len(data) / 1e6:.1f} MB")
    print(f"whole reading (parse): {median_time(lambda: parse(data), args.runs):.3f} s")
    print("  ->", parse(data).get("reason", "")[:90])

    def check(how):  # type: ignore[no-untyped-def]
        def work() -> None:
            with apply_configuration(**read_pdf.LIMITS):
                how(PdfReader(io.BytesIO(data), strict=False))

        return median_time(work, args.runs)

    before, now = check(javascript_check_before), check(javascript_check_now)
    print(f"open + JavaScript check, before: {before:.3f} s")
    print(f"open + JavaScript check, now:    {now:.3f} s ({before / now:.1f}x faster)")


if __name__ == "__main__":
    main()
