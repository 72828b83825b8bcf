"""A family copy never shows professional-only or hub-only answers: proved with planted sentinels.

Every professional-only and hub-only free-text field of an example case (records and documents,
every row) gets a unique sentinel; no sentinel may appear in any family copy, in the PDF text or
the DOCX XML, while the hub copy shows them (so the planting is known to work).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ehdocs.case.io import read_case_file
from ehdocs.render.audience import for_audience
from ehdocs.render.context import build_context
from ehdocs.render.pack import render_pack_pdf
from ehdocs.render.pdf import render_pdf
from ehdocs.schema import FieldDef, FormSet
from ehdocs.validation import validate_case
from tests.render.test_pdf import page_texts

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "blended-family.json"
TODAY = dt.date(2026, 11, 23)
FREE_TEXT = ("text", "long_text")


def _plant(
    fields: tuple[FieldDef, ...],
    answers: dict[str, Any],
    inherited: str,
    counter: Iterator[int],
    planted: list[str],
) -> None:
    for field in fields:
        audience = field.audience if field.audience != "family" else inherited
        if field.fields:
            for row in answers.get(field.id) or []:
                _plant(field.fields, row, audience, counter, planted)
        elif audience != "family" and field.type in FREE_TEXT and not field.param("format"):
            sentinel = f"ZQ{next(counter):04d}X"  # short: a UPN holds 13 characters
            answers[field.id] = sentinel
            planted.append(sentinel)


@pytest.fixture(scope="module")
def planted_case(formset: FormSet) -> tuple[Any, list[str]]:
    if not EXAMPLE.exists():
        pytest.skip("examples/blended-family.json is not there")
    raw = copy.deepcopy(read_case_file(EXAMPLE))
    counter = iter(range(1, 100000))
    planted: list[str] = []
    for record in formset.records.values():
        for row in raw.get(record.key, []):
            _plant(record.fields, row, "family", counter, planted)
    for doc in raw["documents"]:
        form = formset.form(doc["form"])
        doc["status"] = "draft"  # planted text may break a completed document's rules
        for section in form.sections:
            answers = doc["data"].setdefault(section.id, {})
            _plant(section.fields, answers, section.audience, counter, planted)
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    assert len(planted) > 40
    return result.case, planted


@pytest.mark.slow
def test_no_sentinel_in_any_family_pdf(planted_case: tuple[Any, list[str]]) -> None:
    case, planted = planted_case
    texts = [" ".join(page_texts(render_pack_pdf(case, "family", today=TODAY)))]
    for doc in case.documents:
        ctx = build_context(case, doc.id, "family", TODAY)
        texts.append(" ".join(page_texts(render_pdf(ctx, for_audience(case, "family")))))
    everything = "\n".join(texts)
    leaked = [s for s in planted if s in everything]
    assert leaked == []
    hub = " ".join(page_texts(render_pack_pdf(case, "hub", today=TODAY)))
    shown = [s for s in planted if s in hub]
    # The rest are hidden by a condition (disability details when there is no disability, a
    # UPN for an adult), or belong to people and households no document names.
    assert len(shown) >= 0.6 * len(planted)


def test_no_sentinel_in_the_family_copy_embedded_data(planted_case: tuple[Any, list[str]]) -> None:
    case, planted = planted_case
    from ehdocs.render.pdf import embedded_payload

    family = embedded_payload(for_audience(case, "family"), None, "family").decode()
    assert [s for s in planted if s in family] == []
    hub = embedded_payload(for_audience(case, "hub"), None, "hub").decode()
    assert all(s in hub for s in planted)
    assert json.loads(family)["audience"] == "family"


def test_no_sentinel_in_any_family_docx(planted_case: tuple[Any, list[str]]) -> None:
    docx = pytest.importorskip("ehdocs.render.docx")
    case, planted = planted_case
    xml = []
    for doc in case.documents:
        ctx = build_context(case, doc.id, "family", TODAY)
        data = docx.render_docx(ctx, case.formset.profile.logo)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    everything = "\n".join(xml)
    assert [s for s in planted if s in everything] == []


@pytest.mark.slow
def test_no_sentinel_in_any_family_letter(planted_case: tuple[Any, list[str]]) -> None:
    """Every family letter to every family member, both formats: nothing professional-only;
    the one thing a letter reads from the full case is the recipient's own address."""
    from ehdocs.render import letters

    case, planted = planted_case
    asked = {"meeting_date": "2026-12-10", "meeting_time": "10am", "place": "The family hub"}
    written = 0
    for letter in letters.load_letter_types().values():
        if letter.audience != "family":
            continue
        values = {a.id: asked[a.id] for a in letter.asks}
        for recipient in letters.recipients(case, letter):
            ctx = letters.letter_context(case, letter, recipient.id, TODAY, values)
            own = " ".join(recipient.block)
            for fmt in ("pdf", "docx"):
                data = letters.render_letter(case, ctx, fmt)
                if fmt == "pdf":
                    text = " ".join(page_texts(data))
                else:
                    with zipfile.ZipFile(io.BytesIO(data)) as archive:
                        text = "\n".join(
                            archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                        )
                leaked = [s for s in planted if s in text and s not in own]
                assert leaked == [], (letter.name, recipient.id, fmt)
                written += 1
    assert written >= 4 * 2 * 2  # four family letters, at least two adults, both formats


def test_a_family_letter_showing_every_document_shows_no_sentinel(
    planted_case: tuple[Any, list[str]],
) -> None:
    """A letter type that shows every section of every document: its family copy carries no
    sentinel, its professional copy does (so the planting reaches letters)."""
    from ehdocs.render import letters

    case, planted = planted_case
    shows = tuple(letters.Shows(form, None) for form in case.formset.forms)
    closure = letters.letter_type("closure")
    texts = {}
    for audience in ("family", "professional"):
        letter = replace(closure, name="everything", audience=audience, shows=shows)
        recipient = letters.recipients(case, letter)[0]
        ctx = letters.letter_context(case, letter, recipient.id, TODAY)
        data = letters.render_letter(case, ctx, "docx")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = archive.read("word/document.xml").decode()
        own = " ".join(recipient.block)
        texts[audience] = [s for s in planted if s in text and s not in own]
    assert texts["family"] == []
    assert len(texts["professional"]) > 10
