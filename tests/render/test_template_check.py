"""`ehdocs templates check` and `ehdocs templates export`: planted problems found where they are.

A council's profile gets an HTML template with an unknown variable on a known line, and a Word
template (our own, changed as Word changes it) with a tag split across runs, an unknown variable
and a style deleted; the check names each with its file and place, and exits non-zero. Our own
templates and the example council's pass.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
OURS = REPO / "templates"
ONE_CASE = REPO / "examples" / "single-parent.json"


def check(run_cli: Any, *args: str | Path) -> Any:
    return run_cli("templates", "check", "--case", ONE_CASE, *args)


def council(tmp_path: Path) -> Path:
    folder = tmp_path / "planted-council"
    (folder / "templates/html").mkdir(parents=True)
    (folder / "templates/docx").mkdir(parents=True)
    (folder / "profile.yaml").write_text("name: Planted Council\n", encoding="utf-8")
    return folder


def plant_html(folder: Path) -> tuple[Path, int]:
    """base.html with `{{ doc.council_motto }}` on a line of its own; (file, that line)."""
    lines = (OURS / "html/base.html").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "doctitle" in line) + 1
    lines.insert(at, "<p>{{ doc.council_motto }}</p>")
    path = folder / "templates/html/base.html"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, at + 1


def plant_docx(folder: Path, paragraphs: str, drop_style: str | None = None) -> Path:
    """Our Word template with `paragraphs` (WordprocessingML) at the start of the body."""
    path = folder / "templates/docx/document.docx"
    with (
        zipfile.ZipFile(OURS / "docx/document.docx") as original,
        zipfile.ZipFile(path, "w") as changed,
    ):
        for info in original.infolist():
            data = original.read(info).decode("utf-8")
            if info.filename == "word/document.xml":
                data = data.replace("<w:body>", "<w:body>" + paragraphs)
            if info.filename == "word/styles.xml" and drop_style:
                data = re.sub(
                    rf'<w:style [^>]*w:styleId="{drop_style}".*?</w:style>', "", data, count=1
                )
            changed.writestr(info, data.encode("utf-8"))
    return path


def run(*texts: str, bold_from: int = 1) -> str:
    """A paragraph of runs, as Word saves text typed in pieces (the later ones bold)."""
    runs = "".join(
        f"<w:r>{'<w:rPr><w:b/></w:rPr>' if i >= bold_from else ''}"
        f'<w:t xml:space="preserve">{text}</w:t></w:r>'
        for i, text in enumerate(texts)
    )
    return f"<w:p>{runs}</w:p>"


def test_our_templates_and_the_example_councils_pass(run_cli: Any) -> None:
    result = check(run_cli)
    assert result.code == 0, result.output
    assert "no problems" in result.output
    result = check(run_cli, "--profile", "example-council")
    assert result.code == 0, result.output


def test_an_unknown_variable_in_html_is_reported_with_its_file_and_line(
    run_cli: Any, tmp_path: Path
) -> None:
    folder = council(tmp_path)
    path, line = plant_html(folder)
    result = check(run_cli, "--profile", folder)
    assert result.code == 1
    assert f"{path}: line {line}: unknown variable 'council_motto'" in result.output
    assert "council_motto" in result.output


def test_a_split_tag_an_unknown_variable_and_a_missing_style_in_word(
    run_cli: Any, tmp_path: Path
) -> None:
    folder = council(tmp_path)
    path = plant_docx(
        folder,
        run("Case {{ doc.", "reference }} for you")  # paragraph 1: split by Word
        + run("{{ doc.council_motto }}", bold_from=9)  # paragraph 2: unknown
        + run("{{ doc.title }")  # paragraph 3: not closed
        + run("{{ doc.title | upper( }}", bold_from=9),  # paragraph 4: not a valid tag
        drop_style="Question",
    )
    result = check(run_cli, "--profile", folder)
    assert result.code == 1
    out = result.output
    place = f"{path}: word/document.xml, paragraph"
    assert f"{place} 1, tag {{{{ doc.reference }}}}: the tag is split across 2 runs" in out
    assert f"{place} 3: a tag is not closed or not opened" in out
    assert f"{place} 4, tag {{{{ doc.title | upper( }}}}: not a valid tag" in out
    assert f"{path}: word/styles.xml: the style 'Question' (id Question) is missing" in out
    # Tags that parse: the examples are rendered, and the unknown one found where it is.
    fixed = plant_docx(folder, run("{{ doc.council_motto }}", bold_from=9))
    result = check(run_cli, "--profile", folder)
    assert result.code == 1
    assert (
        f"{fixed}: word/document.xml, paragraph 1, tag {{{{ doc.council_motto }}}}: "
        "unknown variable 'council_motto'"
    ) in result.output


def test_curly_quotes_in_a_tag_are_reported(run_cli: Any, tmp_path: Path) -> None:
    folder = council(tmp_path)
    path = plant_docx(folder, run("{% if doc.audience == \u201cfamily\u201d %}x{% endif %}"))
    result = check(run_cli, "--profile", folder)
    assert result.code == 1
    assert f"{path}: word/document.xml, paragraph 1, tag" in result.output
    assert "curly" in result.output


def test_export_copies_our_templates_and_never_overwrites(run_cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "start"
    result = run_cli("templates", "export", target)
    assert result.code == 0, result.output
    for name in ("html/document.html", "html/document.css", "docx/document.docx"):
        assert (target / name).read_bytes() == (OURS / name).read_bytes()
    again = run_cli("templates", "export", target)
    assert again.code != 0
    assert "already has" in again.output


@pytest.mark.parametrize("kind", ["html", "docx"])
def test_an_exported_template_checks_clean_as_a_council_override(
    run_cli: Any, tmp_path: Path, kind: str
) -> None:
    folder = council(tmp_path)
    assert run_cli("templates", "export", tmp_path / "copy").code == 0
    exported = tmp_path / "copy" / kind
    for path in exported.rglob("*"):
        if path.is_file():
            target = folder / "templates" / kind / path.relative_to(exported)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    result = check(run_cli, "--profile", folder)
    assert result.code == 0, result.output
