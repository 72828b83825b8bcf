"""The performance report as downloads: CSV (one row per figure), XLSX (a sheet per KPI, typed
cells) and a tagged PDF for a board meeting. Counts under the threshold are "fewer than N" in
every one of them, and the figures computed from them are withheld."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import pikepdf
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ehdocs.render.pdf import html_to_pdf
from ehdocs.report.charts import bar_chart
from ehdocs.report.results import KpiResult, suppressed

MARKING = "OFFICIAL"  # figures only, small numbers withheld: no personal data
TITLE = "Early help performance report"


def to_csv(results: Sequence[KpiResult], period: str, under: int) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["kpi", "question", "measure", "period", "group", "figure", "value"])
    for result in results:
        for cells in suppressed(result, under):
            for col, value in zip(result.columns[1:], cells[1:], strict=True):
                out.writerow(
                    [
                        result.kpi.id,
                        result.kpi.question,
                        result.kpi.measure,
                        period,
                        cells[0],
                        col.title,
                        value,
                    ]
                )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # Excel reads UTF-8 with a BOM


def to_xlsx(results: Sequence[KpiResult], period: str, under: int) -> bytes:
    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    for result in results:
        sheet = book.create_sheet(_sheet_name(result.kpi.id, names))
        sheet.append([result.kpi.question])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([result.kpi.measure])
        sheet.append([f"{period}. {result.note}".strip()])
        sheet.append([])
        sheet.append([c.title or "Group" for c in result.columns])
        for cell in sheet[5]:
            cell.font = Font(bold=True)
        shown = suppressed(result, under)
        for raw, text in zip(result.rows, shown, strict=True):
            # a figure stays a number; a withheld one becomes its words
            sheet.append(
                [
                    value if str(value) == _plain(words) or isinstance(value, str) else words
                    for value, words in zip(raw, text, strict=True)
                ]
            )
        for i, col in enumerate(result.columns, start=1):
            if col.kind == "percent":
                for row in sheet.iter_rows(min_row=6, min_col=i, max_col=i):
                    for cell in row:
                        if isinstance(cell.value, int | float):
                            cell.value = cell.value / 100
                            cell.number_format = "0.0%"
            sheet.column_dimensions[get_column_letter(i)].width = 18 if i > 1 else 40
    book.properties.title = TITLE
    book.properties.creator = "ehdocs"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(words: str) -> str:
    return words.removesuffix("%")


def _sheet_name(kpi_id: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", kpi_id)[:31]
    name, n = base, 2
    while name in taken:
        name = f"{base[:28]}_{n}"
        n += 1
    taken.add(name)
    return name


_env = Environment(
    loader=PackageLoader("ehdocs.report", "templates"),
    autoescape=select_autoescape(default=True),
)


def report_html(results: Sequence[KpiResult], period: str, under: int, council: str) -> str:
    items = [
        {
            "result": r,
            "rows": suppressed(r, under),
            "chart": bar_chart(r, under),
        }
        for r in results
    ]
    return _env.get_template("report.html").render(
        items=items, period=period, council=council, marking=MARKING, title=TITLE, under=under
    )


def to_pdf(results: Sequence[KpiResult], period: str, under: int, council: str) -> bytes:
    pdf = html_to_pdf(report_html(results, period, under, council), None)
    with pikepdf.open(io.BytesIO(pdf)) as out:
        out.Root.Lang = pikepdf.String("en-GB")
        out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        out.docinfo[pikepdf.Name.Title] = TITLE
        out.docinfo[pikepdf.Name.Producer] = "ehdocs"
        with out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = TITLE
            meta["pdfuaid:part"] = "1"
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
    return buffer.getvalue()
