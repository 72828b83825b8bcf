"""Letters: each type for the example cases in both formats, the address in the envelope's
window, a confidential address on nobody else's letter, read back by a second reader.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn

from ehdocs.case.io import read_case_file
from ehdocs.diagrams.chronology import chronology
from ehdocs.errors import EhdocsError
from ehdocs.render import letters
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_council_case
from tests.render.test_pdf import page_texts

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
TODAY = dt.date(2026, 11, 23)
TAF = {"meeting_date": "2026-12-10", "meeting_time": "10am", "place": "Riverside Family Hub"}


def example(path: Path, formset: FormSet) -> Any:
    result = validate_case(read_case_file(path), formset)
    assert result.case is not None, result.problems
    return result.case


def asked(letter: letters.LetterType) -> dict[str, str]:
    return {a.id: TAF[a.id] for a in letter.asks}


def docx_text(data: bytes) -> str:
    """Every word of a DOCX, headers and frames too."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return " ".join(
            " ".join(t for t in archive.read(n).decode().split("<") if t.startswith("w:t"))
            for n in archive.namelist()
            if n.startswith("word/") and n.endswith(".xml")
        )


def words(data: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return " ".join(page_texts(data))
    return " ".join(p.text for p in open_docx(io.BytesIO(data)).paragraphs)


def write(case: Any, kind: str, to: str, fmt: str, **extra: Any) -> tuple[Any, bytes]:
    letter = letters.letter_type(kind)
    ctx = letters.letter_context(case, letter, to, TODAY, asked(letter), **extra)
    return ctx, letters.render_letter(case, ctx, fmt)


def test_the_letter_types_are_defined_in_yaml() -> None:
    types = letters.load_letter_types()
    assert set(types) == {
        "request_received_family",
        "request_received_referrer",
        "allocation",
        "taf_invitation",
        "closure",
    }
    assert types["request_received_referrer"].audience == "professional"
    assert types["closure"].audience == "family"
    assert [a.id for a in types["taf_invitation"].asks] == list(TAF)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_letter_for_every_example_in_both_formats(formset: FormSet, path: Path) -> None:
    case = example(path, formset)
    for letter in letters.load_letter_types().values():
        (recipient, *_) = letters.recipients(case, letter)
        for fmt in ("pdf", "docx"):
            ctx, data = write(case, letter.name, recipient.id, fmt)
            text = words(data, fmt)
            assert letter.title in text, (letter.name, fmt)
            assert f"Dear {recipient.name}," in text
            assert case.reference in text
            if fmt == "docx":  # the address is in its frame, a paragraph like any other
                assert all(line in text for line in recipient.block)


def test_the_closure_letter_carries_the_final_plan_in_family_words(formset: FormSet) -> None:
    case = example(REPO / "examples/step-up.json", formset)
    for fmt in ("pdf", "docx"):
        _, data = write(case, "closure", "chantelle", fmt, paragraph="It was good to meet you.")
        text = words(data, fmt)
        assert "Your goals" in text and "If things get harder" in text
        assert "Ending our work with you" in text  # the closure section's family title
        assert "It was good to meet you." in text


def test_the_taf_invitation_says_when_where_and_who(formset: FormSet) -> None:
    case = example(REPO / "examples/step-up.json", formset)
    ctx, data = write(case, "taf_invitation", "chantelle", "pdf")
    text = words(data, "pdf")
    assert "10 December 2026 at 10am, at Riverside Family Hub" in text
    for name, _ in ctx.attendees:
        assert name in text
    with pytest.raises(EhdocsError, match="date of the meeting"):
        letters.letter_context(case, letters.letter_type("taf_invitation"), "chantelle", TODAY, {})


def test_a_letter_to_someone_not_in_the_case_is_refused(formset: FormSet) -> None:
    case = example(REPO / "examples/step-up.json", formset)
    with pytest.raises(EhdocsError, match="cannot go to 'nobody'"):
        write(case, "closure", "nobody", "pdf")


# -- the envelope's window -------------------------------------------------------------------------


def words_at(pdf: bytes, word: str) -> list[tuple[float, float]]:
    """Where `word` is on page 1 (mm from the top left), by pdftotext's bounding boxes."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True
    ).stdout.decode()
    found = []
    for line in html.splitlines():
        if f">{word}</word>" in line:
            attrs = dict(part.split("=") for part in line.split()[1:5])
            x, y = float(attrs["xMin"].strip('"')), float(attrs["yMin"].strip('"'))
            found.append((x * 25.4 / 72, y * 25.4 / 72))
    return found


@pytest.mark.parametrize("council", [False, True])
def test_the_address_sits_in_the_profiles_window(
    formset: FormSet, council_formset: FormSet, council: bool
) -> None:
    if council:
        raw = make_council_case()
        for person in raw["people"]:
            person["address"], person["postcode"] = "1 Tannery Row\nEastbury", "QT2 8NE"
        result = validate_case(raw, council_formset)
        assert result.case is not None
        case = result.case
    else:
        case = example(REPO / "examples/step-up.json", formset)
    window = case.formset.profile.letter_window
    assert window["top_mm"] == (55 if council else 50)
    recipient = letters.recipients(case, letters.letter_type("allocation"))[0]
    postcode = recipient.lines[-1].split()[-1]
    _, pdf = write(case, "allocation", recipient.id, "pdf")
    ((x, y),) = words_at(pdf, postcode)
    assert window["left_mm"] <= x <= window["left_mm"] + window["width_mm"]
    assert window["top_mm"] <= y <= window["top_mm"] + window["height_mm"]
    _, data = write(case, "allocation", recipient.id, "docx")
    frames = list(open_docx(io.BytesIO(data)).element.body.iter(qn("w:framePr")))
    assert len(frames) == len(recipient.block)
    for frame in frames:
        assert frame.get(qn("w:y")) == str(round(window["top_mm"] * 1440 / 25.4))
        assert frame.get(qn("w:x")) == str(round(window["left_mm"] * 1440 / 25.4))
        assert frame.get(qn("w:vAnchor")) == "page"


# -- a confidential address ------------------------------------------------------------------------

SECRET = "14 Hidden Close"


def with_confidential_address(formset: FormSet) -> tuple[Any, set[str]]:
    """step-up.json where Liam's household is confidential, at SECRET; and who lives there."""
    raw = copy.deepcopy(read_case_file(REPO / "examples/step-up.json"))
    homes = [h for h in raw["households"] if "liam" in h["members"]]
    assert homes
    for home in homes:
        home["address"], home["confidential"] = SECRET, "yes"
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    return result.case, {m for home in homes for m in home["members"]}


def test_a_confidential_address_is_never_on_anyone_elses_letter(formset: FormSet) -> None:
    case, residents = with_confidential_address(formset)
    assert residents == {"liam", "gary"}
    for letter in letters.load_letter_types().values():
        for recipient in letters.recipients(case, letter):
            if recipient.id in residents:  # their own address
                continue
            for fmt in ("pdf", "docx"):
                _, data = write(case, letter.name, recipient.id, fmt)
                text = words(data, fmt) + docx_text(data) if fmt == "docx" else words(data, fmt)
                assert SECRET not in text, (letter.name, recipient.id, fmt)
    # It is Liam's (and Gary's) own address: his letter goes there.
    _, data = write(case, "allocation", "liam", "docx")
    assert SECRET in words(data, "docx")


# -- the command and a second reader ---------------------------------------------------------------


def test_ehdocs_letter_writes_a_file_named_without_people(run_cli: Any, tmp_path: Path) -> None:
    case_file = REPO / "examples/step-up.json"
    result = run_cli(
        "letter", case_file, "--type", "closure", "--to", "chantelle", "--format", "docx",
        "-o", tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.output
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("EH-2026-0103_letter-closure_to-1_")
    # Not even her record id: a case file written by hand makes ids of names ("chantelle").
    assert "chantelle" not in path.name.lower() and "price" not in path.name.lower()
    assert "Dear Chantelle Price," in words(path.read_bytes(), "docx")
    listed = run_cli("letter", case_file, "--type", "closure", "-o", tmp_path)
    assert listed.code == 1 and "chantelle\tChantelle Price" in listed.output
    bad = run_cli("letter", case_file, "--type", "taf_invitation", "--to", "chantelle")
    assert bad.code == 1 and "needs date of the meeting" in bad.output


@pytest.mark.libreoffice
def test_libreoffice_opens_every_letter(formset: FormSet, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is needed for the second-reader check")
    case = example(REPO / "examples/step-up.json", formset)
    names = []
    for letter in letters.load_letter_types().values():
        recipient = letters.recipients(case, letter)[0]
        _, data = write(case, letter.name, recipient.id, "docx")
        (tmp_path / f"{letter.name}.docx").write_bytes(data)
        names.append((letter, recipient))
    profile = tmp_path / "lo-profile"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--convert-to", "pdf", "--outdir", str(tmp_path / "pdf")]
    command += [str(tmp_path / f"{letter.name}.docx") for letter, _ in names]
    subprocess.run(command, capture_output=True, timeout=300, check=True)
    for letter, recipient in names:
        pdf = (tmp_path / "pdf" / f"{letter.name}.pdf").read_bytes()
        text = " ".join(page_texts(pdf))
        assert letter.title in text and f"Dear {recipient.name}," in text


def test_ehdocs_letter_record_adds_the_letter_to_the_case_file(
    run_cli: Any, tmp_path: Path, formset: FormSet
) -> None:
    """--record: the case file gets the same correspondence note the case page adds (one
    function), through validation; without it the case file is never changed."""
    case_file = tmp_path / "case.json"
    shutil.copy(REPO / "examples/step-up.json", case_file)
    original = case_file.read_bytes()
    plain = run_cli(
        "letter", case_file, "--type", "allocation", "--to", "chantelle", "-o", tmp_path / "out"
    )
    assert plain.code == 0, plain.output
    assert case_file.read_bytes() == original  # not recorded unless asked

    result = run_cli(
        "letter", case_file, "--type", "allocation", "--to", "chantelle", "--format", "docx",
        "--record", "--by", "Jo Adeyemi", "-o", tmp_path / "out",
    )  # fmt: skip
    assert result.code == 0, result.output
    assert "Recorded on the case" in result.output
    raw = read_case_file(case_file)
    notes = [n for n in raw["case_notes"] if n["kind"] == "correspondence"]
    note = notes[-1]
    assert note["summary"] == (
        "Letter sent: Your family's early help worker, to Chantelle Price (family). "
        "DOCX, produced by Jo Adeyemi."
    )
    assert note["date"] == dt.date.today().isoformat() and note["family_visible"] == "yes"
    assert note["written_at"]  # stamped as any note is
    case = example(case_file, formset)  # still a valid case, and the chronology has it
    assert any("Letter sent: Your family's early help worker" in e.event for e in chronology(case))
