"""PDF documents: content per section, marking on every page, tags, structure, embedded data."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from ehdocs.render.audience import for_audience
from ehdocs.render.context import build_context
from ehdocs.render.pdf import EMBEDDED_NAME, render_pdf
from ehdocs.schema import FormSet
from ehdocs.validation import dump_case, validate_case
from tests.factories import make_case, make_notification_data

TODAY = dt.date(2026, 11, 23)
HOSTILE = {
    "html": "<b>bold?</b> <script>alert(1)</script>",
    "jinja": "{{ 7*7 }} and {% if true %}x{% endif %}",
    "ooxml": "</w:t><w:t>injected",
    "attachment": '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
    "rtl": "مريم الحسيني and שרה כהן",
    "cjk": "王小明 さくら 김민준",
    "emoji": "Sam 😀 loves football ⚽",
}


def render(case_raw: dict[str, Any], formset: FormSet, audience: str, doc_id: str = "n1") -> bytes:
    result = validate_case(case_raw, formset)
    assert result.case is not None, result.problems
    ctx = build_context(result.case, doc_id, audience, TODAY)
    return render_pdf(ctx, for_audience(result.case, audience))


def page_texts(pdf: bytes) -> list[str]:
    """Text of each page, by poppler's pdftotext (a second reader, independent of our stack)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    pages = out.split("\f")
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [" ".join(page.split()) for page in pages[:count]]


@pytest.fixture(scope="module")
def notification_pdfs(formset: FormSet) -> dict[str, bytes]:
    return {aud: render(make_case(), formset, aud) for aud in ("professional", "family", "hub")}


def test_every_section_title_and_answer_is_in_the_professional_copy(
    formset: FormSet, notification_pdfs: dict[str, bytes]
) -> None:
    text = " ".join(page_texts(notification_pdfs["professional"]))
    form = formset.form("notification")
    for section in form.sections:
        if section.audience != "hub":
            assert section.title in text, section.title
    for answer in (
        "Ada Okafor",
        "Riverside Primary School",
        "3 March 2025",
        "School attendance",
        "Sam has missed 20 days of school this term.",
        "Kerry Morgan",
    ):
        assert answer in text
    assert "Not recorded" in text  # empty optional fields are shown as such to professionals


def test_family_copy_uses_family_wording_and_leaves_out_empty_and_professional_fields(
    formset: FormSet, notification_pdfs: dict[str, bytes]
) -> None:
    text = " ".join(page_texts(notification_pdfs["family"]))
    form = formset.form("notification")
    assert (form.family_title or "") in text
    assert "Not recorded" not in text
    for field in form.iter_fields():
        if field.audience != "family" and not field.fields:
            assert field.label not in text, field.path
    assert "Family copy" in text


def test_hub_section_only_in_the_hub_copy(formset: FormSet) -> None:
    # A draft: once the hub starts its section, completing needs all of it.
    raw = make_case(
        documents=[
            {
                "id": "n1",
                "form": "notification",
                "status": "draft",
                "data": make_notification_data(hub={"checks_made": "Checked LCS: HUBSENTINEL"}),
            }
        ]
    )
    hub = " ".join(page_texts(render(raw, formset, "hub")))
    assert "HUBSENTINEL" in hub
    for audience in ("professional", "family"):
        assert "HUBSENTINEL" not in " ".join(page_texts(render(raw, formset, audience)))


def test_marking_page_numbers_and_footer_on_every_page(notification_pdfs: dict[str, bytes]) -> None:
    for pdf in notification_pdfs.values():
        pages = page_texts(pdf)
        assert len(pages) >= 2
        for number, text in enumerate(pages, start=1):
            assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # header and footer
            assert f"Page {number} of {len(pages)}" in text
            assert "Case EH-2026-0001" in text and "Generated 23 November 2026" in text


def test_pdf_is_tagged_with_language_and_title_without_names(
    notification_pdfs: dict[str, bytes],
) -> None:
    for pdf in notification_pdfs.values():
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            assert str(doc.Root.Lang) == "en-GB"
            assert bool(doc.Root.MarkInfo.Marked)
            assert "/StructTreeRoot" in doc.Root
            assert bool(doc.Root.ViewerPreferences.DisplayDocTitle)
            title = str(doc.docinfo.get("/Title"))
            assert " – EH-2026-0001 – " in title and title.endswith(" copy")
            for name in ("Sam", "Kerry", "Morgan", "Ada"):
                assert name not in title
            with doc.open_metadata() as meta:
                assert meta.get("pdfuaid:part") == "1"
            outline_titles = []
            with doc.open_outline() as outline:
                for item in outline.root:
                    outline_titles += [item.title] + [c.title for c in item.children]
            assert "Safety check" in outline_titles or "Keeping children safe" in " ".join(
                outline_titles
            )


def test_qpdf_finds_no_structural_errors(
    notification_pdfs: dict[str, bytes], tmp_path: Any
) -> None:
    path = tmp_path / "n.pdf"
    path.write_bytes(notification_pdfs["professional"])
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout


def embedded_files(pdf: bytes) -> dict[str, bytes]:
    """Every embedded file, found by walking all objects (not just the name tree)."""
    found = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Filespec":
                name = str(obj.get("/UF", obj.get("/F")))
                found[name] = obj.EF.F.read_bytes()
            elif isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/EmbeddedFile":
                found.setdefault(f"stream {obj.objgen}", obj.read_bytes())
    return {k: v for k, v in found.items() if not k.startswith("stream ")} or found


def test_one_embedded_file_carries_the_audience_view_losslessly(
    formset: FormSet, notification_pdfs: dict[str, bytes]
) -> None:
    case = validate_case(make_case(), formset).case
    assert case is not None
    for audience, pdf in notification_pdfs.items():
        files = embedded_files(pdf)
        assert list(files) == [EMBEDDED_NAME]
        payload = json.loads(files[EMBEDDED_NAME])
        assert payload["format"] == "ehdocs-embedded-case" and payload["format_version"] == 1
        assert (payload["document"], payload["audience"]) == ("notification", audience)
        assert payload["profile"] == "default"
        assert payload["case"] == dump_case(for_audience(case, audience))
    hub = json.loads(embedded_files(notification_pdfs["hub"])[EMBEDDED_NAME])
    assert hub["case"] == dump_case(case)  # the fullest copy loses nothing…
    back = validate_case(hub["case"], formset)  # …and is a valid case in its own right
    assert back.case is not None and dump_case(back.case) == hub["case"]
    family = json.loads(embedded_files(notification_pdfs["family"])[EMBEDDED_NAME])
    assert "significant_harm" not in json.dumps(family)  # a professional-only answer


def test_embedded_hash_is_sha256_of_canonical_case_json(
    notification_pdfs: dict[str, bytes],
) -> None:
    import hashlib

    payload = json.loads(embedded_files(notification_pdfs["family"])[EMBEDDED_NAME])
    canonical = json.dumps(
        payload["case"], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert payload["sha256"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_draft_is_watermarked_and_completed_is_not(
    formset: FormSet, notification_pdfs: dict[str, bytes]
) -> None:
    raw = make_case()
    raw["documents"][0]["status"] = "draft"
    draft = page_texts(render(raw, formset, "professional"))
    assert all("DRAFT" in text for text in draft)
    assert all("DRAFT" not in text for text in page_texts(notification_pdfs["professional"]))


def test_hostile_and_awkward_text_appears_literally(formset: FormSet, tmp_path: Any) -> None:
    long_answer = " ".join(f"word{i}" for i in range(380))  # 2,929 characters: near its limit
    reason = make_notification_data()["reason"] | {
        "concern": "\n\n".join(HOSTILE.values()) + "\x0b\x01 end",
        "going_well": long_answer,
    }
    # A draft (limits on length hold for drafts too: this answer is just under its 3,000).
    raw = make_case(
        documents=[
            {
                "id": "n1",
                "form": "notification",
                "status": "draft",
                "data": make_notification_data(reason=reason),
            }
        ]
    )
    pdf = render(raw, formset, "professional")
    text = " ".join(page_texts(pdf))
    for value in HOSTILE.values():
        if value is HOSTILE["rtl"]:
            continue  # bidi text is stored in visual order by some extractors: checked below
        assert " ".join(value.split()) in text, value
    assert "49" not in text.split("{{ 7*7 }}")[0][-5:]
    assert "مريم" in text or "םירמ" in text[::-1] or "مريم"[::-1] in text
    assert "word0" in text and "word379" in text  # the long answer is all there
    assert list(embedded_files(pdf)) == [EMBEDDED_NAME]  # the attachment link embedded nothing
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf)
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0


def test_repeating_group_table_repeats_its_header_row_across_pages(formset: FormSet) -> None:
    pros = [
        {"id": f"w{i}", "name": f"Worker {i}", "role": "Support", "agency": f"Agency {i}"}
        for i in range(70)
    ]
    agencies = {
        "existing_taf": "no",
        "involved": [{"professional": f"w{i}", "involvement": "Weekly visits"} for i in range(70)],
    }
    raw = make_case(
        professionals=pros,
        documents=[
            {
                "id": "n1",
                "form": "notification",
                "status": "completed",
                "data": make_notification_data(agencies=agencies),
            }
        ],
    )
    pages = page_texts(render(raw, formset, "professional"))
    with_rows = [t for t in pages if "Worker 3" in t or "Agency 6" in t]
    assert len(with_rows) >= 2
    header = formset.form("notification").field_at("agencies.involved.professional")
    assert header is not None
    assert all(header.label in t for t in with_rows)
