"""The performance report: every KPI against figures worked out by hand for a small fixture
(tests/web/kpi_fixture.py), on SQLite and PostgreSQL; the downloads read back; who may see it."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import openpyxl
from flask import Flask
from pypdf import PdfReader

from ehdocs.access import roles
from ehdocs.report.labels import Labels
from ehdocs.report.results import ReportFilter, suppressed
from ehdocs.storage import get_storage
from ehdocs.storage.kpis import compute
from tests.web import kpi_fixture
from tests.web.accounts import signed_in_client, user

# Each KPI's table as the page shows it (no suppression), worked out by hand from the fixture.
EXPECTED: dict[str, list[list[str]]] = {
    "requests_received": [
        ["May 2026", "1"],
        ["June 2026", "1"],
        ["October 2026", "1"],
        ["November 2026", "1"],
    ],
    "requests_by_source": [["Health visiting", "1"], ["Police", "1"], ["School or college", "2"]],
    "requests_by_outcome": [
        ["Allocate to locality team - level 2", "1"],
        ["Allocate to locality team - level 3", "1"],
        ["Signpost to another service", "1"],
    ],
    "requests_by_reason": [
        ["Domestic abuse", "2"],
        ["Money, debt or worklessness", "1"],
        ["Parenting and boundaries", "1"],
        ["School attendance", "1"],
    ],
    "repeat_requests": [["All", "1"]],
    # Fri 22 May -> Wed 27 May over the bank holiday: 2; Mon 1 -> Fri 5 June: 4.
    "receipt_to_allocation": [["All", "2", "3.0", "4", "1", "50.0%"]],
    "caseload": [["Jo Adeyemi", "1"], ["Not allocated", "2"]],
    # Wed 27 May -> Wed 3 June: 5; Fri 5 -> Mon 15 June: 6.
    "request_to_first_visit": [["All", "2", "5.5", "6", "1", "50.0%"]],
    "days_to_assessment": [],
    "assessment_to_initial_taf": [],
    "request_to_initial_taf": [],
    # Sam's last visit was 10 November, 20 days before the 30th; a phone call is not a visit.
    "not_visited": [["All", "1"]],
    "length_open": [["All", "1", "121.0", "121", "1", "100.0%"]],
    "plans_not_reviewed": [["All", "0"]],
    "review_attendance": [],
    "open_and_closed": [
        ["May 2026", "1", "0"],
        ["June 2026", "2", "0"],
        ["July 2026", "2", "0"],
        ["August 2026", "2", "0"],
        ["September 2026", "2", "1"],
        ["October 2026", "2", "0"],
        ["November 2026", "3", "0"],
    ],
    # Amira is in two cases and counted once; ages on 30 November 2026.
    "demography": [["Under 5", "1", "33.3%"], ["5 to 10", "2", "66.7%"]],
    "demography_ethnicity": [["Not recorded", "3", "100.0%"]],
    "demography_gender": [["Female", "1", "33.3%"], ["Male", "2", "66.7%"]],
    "no_recent_oversight": [["All", "0"]],
    # Education: 3 -> 7 and 5 -> 6.
    "score_change": [["Education and learning", "2", "4.0", "6.5", "2.5"]],
    "family_feedback": [["4 - Helpful", "1"]],
    "partner_led": [["School or college", "1"], ["Not recorded", "2"]],
}


def _results(app: Flask) -> dict[str, list[list[str]]]:
    storage = get_storage(app)
    labels = Labels(storage.cases.formset, storage.report)
    flt = ReportFilter(kpi_fixture.START, kpi_fixture.END)
    with storage.sessions() as db:
        return {r.kpi.id: suppressed(r, 0) for r in compute(db, storage.report, labels, flt)}


def test_every_kpi_equals_its_hand_computed_value(app: Flask) -> None:
    worker = user(app, roles.PRACTITIONER, "jo.adeyemi@council.example")
    with get_storage(app).sessions.begin() as db:
        from ehdocs.storage.models import User

        db.get(User, worker).name = "Jo Adeyemi"  # type: ignore[union-attr]
    kpi_fixture.load(app, worker)
    got = _results(app)
    assert set(got) == set(EXPECTED), "a KPI was added or removed: give it a hand-computed value"
    for kpi_id, rows in EXPECTED.items():
        if not rows:
            assert got[kpi_id] in ([], [["All", "0"]]), kpi_id
            continue
        assert got[kpi_id] == rows, kpi_id


def test_a_save_keeps_the_index_current(make_app) -> None:
    app = make_app("sqlite")
    ids = kpi_fixture.load(app)
    assert _results(app)["not_visited"] == [["All", "1"]]
    store = get_storage(app).cases
    stored = store.get(ids["EH-2026-0101"])
    raw = dict(stored.raw)
    raw["case_notes"] = [*raw["case_notes"], kpi_fixture.visit("2026-11-24")]
    store.save(stored.id, raw, stored.version)
    assert _results(app)["not_visited"] == [["All", "0"]]
    # and a case deleted takes its rows with it
    from sqlalchemy import delete, func, select

    from ehdocs.storage.models import CaseRow, ReportFact

    with get_storage(app).sessions.begin() as db:
        db.execute(delete(CaseRow).where(CaseRow.id == ids["EH-2026-0101"]))
    with get_storage(app).sessions() as db:
        left = db.scalar(
            select(func.count())
            .select_from(ReportFact)
            .where(ReportFact.case_id == ids["EH-2026-0101"])
        )
    assert left == 0


def _manager(app: Flask):
    return signed_in_client(app, roles.TEAM_MANAGER, "manager@council.example")


QUERY = "?from-day=1&from-month=5&from-year=2026&to-day=30&to-month=11&to-year=2026"


def test_the_page_shows_each_kpi_as_a_table_and_a_chart(make_app) -> None:
    app = make_app("sqlite")
    kpi_fixture.load(app)
    page = _manager(app).get("/reports/" + QUERY)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Who asks for early help?" in html
    assert "<caption" in html and "Requests by who made them" in html
    assert html.count("<svg") >= 5  # charts drawn on the server, no script
    assert "Health visiting" in html


def test_bad_dates_get_a_message_not_a_report(make_app) -> None:
    app = make_app("sqlite")
    page = _manager(app).get(
        "/reports/?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=1&to-year=2026"
    )
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "There is a problem" in html and "must be a real date" in html


def test_only_managers_see_the_report(make_app) -> None:
    app = make_app("sqlite")
    for role, email in (
        (roles.PRACTITIONER, "p@council.example"),
        (roles.DPO, "d@council.example"),
    ):
        assert signed_in_client(app, role, email).get("/reports/").status_code == 403


def test_downloads_withhold_small_numbers_and_read_back(make_app, tmp_path: Path) -> None:
    app = make_app("sqlite")
    kpi_fixture.load(app)
    client = _manager(app)
    got = client.get("/reports/report.csv" + QUERY)
    assert got.status_code == 200
    assert "attachment" in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["kpi", "question", "measure", "period", "group", "figure", "value"]
    source = [r for r in rows if r[0] == "requests_by_source"]
    assert [r[4] for r in source] == ["Health visiting", "Police", "School or college"]
    assert {r[6] for r in source} == {"fewer than 5"}
    means = [r for r in rows if r[0] == "receipt_to_allocation" and r[5].startswith("Mean")]
    assert means[0][6] == "withheld (small number)"

    xlsx = client.get("/reports/report.xlsx" + QUERY)
    path = tmp_path / "report.xlsx"
    path.write_bytes(xlsx.data)
    book = openpyxl.load_workbook(path)
    assert "requests_by_source" in book.sheetnames
    sheet = book["open_and_closed"]
    assert sheet["A1"].value == "Throughput"
    assert [c.value for c in sheet[5]] == [
        "Month",
        "Open at some time in the month",
        "Closed in the month",
    ]
    zero = sheet["C6"]  # May: no closures — a typed number, not text
    assert zero.value == 0 and zero.data_type == "n"
    assert sheet["B6"].value == "fewer than 5"
    out = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    converted = tmp_path / "report.csv"
    assert converted.is_file(), out.stderr
    # LibreOffice reads the first sheet as we wrote it
    assert "How many requests for early help arrive?" in converted.read_text(encoding="utf-8")

    pdf = client.get("/reports/report.pdf" + QUERY)
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Who asks for early help?" in text and "fewer than 5" in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title == "Early help performance report"
    assert "OFFICIAL" in reader.pages[0].extract_text()


def test_counts_at_or_over_the_threshold_stay_numbers() -> None:
    from ehdocs.report.definitions import KpiDef
    from ehdocs.report.export import to_xlsx
    from ehdocs.report.results import Column, KpiResult

    kpi = KpiDef("x", "Q?", "M", "count", fact="received")
    result = KpiResult(kpi, (Column("", "label"), Column("Count", "count")), (("All", 7), ("B", 3)))
    assert suppressed(result, 5) == [["All", "7"], ["B", "fewer than 5"]]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx([result], "period", 5)))
    assert book["x"]["B6"].value == 7 and book["x"]["B7"].value == "fewer than 5"


def test_the_shell_writes_the_report_for_a_team(make_app, tmp_path: Path, run_cli) -> None:
    from tests.web.accounts import team

    app = make_app("sqlite")
    south = team(app, "South Locality")
    ids = kpi_fixture.load(app)
    from sqlalchemy import update

    from ehdocs.storage.models import CaseRow

    with get_storage(app).sessions.begin() as db:
        db.execute(update(CaseRow).where(CaseRow.id == ids["EH-2026-0102"]).values(team_id=south))
    url = app.config["DATABASE_URL"]
    out = tmp_path / "south.csv"
    result = run_cli(
        "report",
        "kpis",
        "--from",
        "2026-05-01",
        "--to",
        "2026-11-30",
        "--team",
        "south locality",
        "--format",
        "csv",
        "-o",
        out,
        "--database",
        url,
    )
    assert result.code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    # only Amira's first request is the South team's
    received = [r for r in rows if r[0] == "requests_received"]
    assert [(r[4], r[6]) for r in received] == [("June 2026", "fewer than 5")]
    assert all("South Locality" in r[3] for r in rows[1:])
    bad = run_cli(
        "report",
        "kpis",
        "--from",
        "2026-05-01",
        "--to",
        "2026-11-30",
        "--team",
        "North",
        "-o",
        tmp_path / "x.csv",
        "--database",
        url,
    )
    assert bad.code == 2 and "There is no team 'North'. Teams: South Locality" in bad.output
    assert not (tmp_path / "x.csv").exists()
    pdf = tmp_path / "r.pdf"
    assert (
        run_cli(
            "report",
            "kpis",
            "--from",
            "2026-05-01",
            "--to",
            "2026-11-30",
            "--format",
            "pdf",
            "-o",
            pdf,
            "--database",
            url,
        ).code
        == 0
    )
    assert PdfReader(pdf).metadata.title == "Early help performance report"


def test_reindex_rebuilds_the_rows(make_app, run_cli) -> None:
    from sqlalchemy import delete

    from ehdocs.storage.models import ReportFact

    app = make_app("sqlite")
    kpi_fixture.load(app)
    with get_storage(app).sessions.begin() as db:
        db.execute(delete(ReportFact))
    assert _results(app)["requests_received"] == [["All", "0"]]
    result = run_cli("report", "reindex", "--database", app.config["DATABASE_URL"])
    assert result.code == 0 and "Indexed 4 cases" in result.output
    assert _results(app)["requests_received"][0] == ["May 2026", "1"]
