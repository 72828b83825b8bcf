"""The chronology: case entries and document events, in date order, per audience."""

from __future__ import annotations

import hashlib
import io

import pikepdf

from ehdocs.diagrams.chronology import chronology, chunks
from ehdocs.render.audience import for_audience
from ehdocs.render.sections import render_section_pdf
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case
from tests.render.test_pdf import page_texts


def entry(date: str, event: str, visible: str = "yes", **more: str) -> dict[str, str]:
    return {
        # From the entry itself, the same in every run (hash() of a str is salted per process:
        # cut to 8 digits, two of a long chronology's entries sometimes shared an id).
        "id": "e" + hashlib.sha256(f"{date}|{event}".encode()).hexdigest()[:16],
        "date": date,
        "event": event,
        "family_visible": visible,
        **more,
    }


def case_with(formset: FormSet, entries: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    result = validate_case(make_case(chronology=entries), formset)
    assert result.case is not None, result.problems
    return result.case


def test_sorted_by_earliest_possible_day_with_document_events(formset: FormSet) -> None:
    case = case_with(
        formset,
        [
            entry("2024-05-20", "Exact day in May"),
            entry("2024-05", "Some time in May"),
            entry("~2023", "About 2023"),
            entry("2024", "Some time in 2024"),
        ],
    )
    events = [e.event for e in chronology(case)]
    assert events == [
        "About 2023",
        "Some time in 2024",
        "Some time in May",
        "Exact day in May",
        "Request for early help received by the hub",
    ]
    derived = chronology(case)[-1]
    assert (derived.source, derived.origin, derived.when) == (
        "Early Help Notification",
        "notification",
        "3 March 2025",
    )
    assert [e.precision for e in chronology(case)[:3]] == ["approximate", "year", "month"]


def test_family_copy_keeps_only_family_visible_entries_and_family_wording(
    formset: FormSet,
) -> None:
    case = case_with(
        formset,
        [
            entry("2024-01-10", "Dad moved out", "yes", impact="Sam was upset"),
            entry("2024-02-11", "Police attended a domestic incident", "no"),
        ],
    )
    family = chronology(for_audience(case, "family"), family=True)
    assert [e.event for e in family] == ["Dad moved out", "You asked for early help"]
    assert family[0].impact == "Sam was upset"
    pdf = render_section_pdf(case, "chronology", "family")
    assert pdf is not None
    text = " ".join(page_texts(pdf))
    assert "Dad moved out" in text and "Police attended" not in text
    professional = render_section_pdf(case, "chronology", "professional")
    assert professional is not None and "Police attended" in " ".join(page_texts(professional))


def test_long_chronology_is_split_at_year_ends_and_stays_tagged(formset: FormSet) -> None:
    rows = [entry(f"{2000 + i // 150}-01-{1 + i % 28:02d}", f"Event {i}") for i in range(900)]
    case = case_with(formset, rows)
    parts = chunks(chronology(case), most=400, workers=2)
    # 901 entries (900 and the request) in at most 400 a part, as many parts as a multiple
    # of the cores: four equal parts, years carried on from one part to the next.
    assert [sum(len(r) for _, r in part) for part in parts] == [226, 226, 226, 223]
    assert all(len({y for y, _ in part}) == len(part) for part in parts)
    pdf = render_section_pdf(case, "chronology", "professional")
    assert pdf is not None
    text = " ".join(page_texts(pdf))
    assert "Event 0" in text and "Event 899" in text
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/StructTreeRoot" in doc.Root and str(doc.Root.Lang) == "en-GB"
        with doc.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert titles[0].startswith("Chronology 2000–2001")
    assert titles[1].endswith("(continued)")


def test_no_entries_no_section(formset: FormSet) -> None:
    raw = make_case(documents=[])
    case = validate_case(raw, formset).case
    assert case is not None
    assert chronology(case) == []
    assert render_section_pdf(case, "chronology", "professional") is None


def test_the_hub_decision_reaches_every_copy_although_its_section_is_the_hubs(
    formset: FormSet,
) -> None:
    """The hub's section is not in a professional or family copy; its milestones still are."""
    from pathlib import Path

    from ehdocs.case.io import read_case_file

    example = Path(__file__).resolve().parents[2] / "examples" / "blended-family.json"
    case = validate_case(read_case_file(example), formset).case
    assert case is not None
    professional = {e.event: e.when for e in chronology(for_audience(case, "professional"))}
    assert professional["Early Help Hub decision made"] == "30 June 2026"
    assert professional["Referrer told of the hub decision"] == "1 July 2026"
    family = [e.event for e in chronology(for_audience(case, "family"), family=True)]
    assert "The Early Help Hub decided how to help" in family
