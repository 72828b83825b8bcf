"""The field map digest: it changes with what the fields are, not with how they are worded."""

from __future__ import annotations

from pathlib import Path

from ehdocs.fillable import field_map
from ehdocs.schema import FormSet, load_formset
from tests.fillable.conftest import TYPES_FORM, write_types_schema


def _digest(schemas: Path, fmt: str = "pdf") -> str:
    return field_map(load_formset(None, schemas), "fieldtypes", fmt).digest


def test_digest_changes_when_a_field_is_added(tmp_path: Path) -> None:
    before = _digest(write_types_schema(tmp_path / "a"))
    after = _digest(
        write_types_schema(tmp_path / "b", "      - {id: added, type: text, label: Added}\n")
    )
    assert len(before) == len(after) == 64
    assert before != after


def test_digest_changes_with_an_option_or_the_version(tmp_path: Path) -> None:
    base = _digest(write_types_schema(tmp_path / "a"))
    schemas = write_types_schema(tmp_path / "b")
    form = schemas / "fieldtypes.yaml"
    form.write_text(TYPES_FORM.replace("version: 2", "version: 3"), encoding="utf-8")
    assert _digest(schemas) != base
    lists = schemas / "lists.yaml"
    lists.write_text(
        lists.read_text(encoding="utf-8").replace("value: exclusion,", "value: excluded,"),
        encoding="utf-8",
    )
    form.write_text(TYPES_FORM, encoding="utf-8")
    assert _digest(schemas) != base


def test_digest_ignores_wording(tmp_path: Path) -> None:
    """A returned form is read by names and values: a reworded question still reads the same."""
    base = _digest(write_types_schema(tmp_path / "a"))
    schemas = write_types_schema(tmp_path / "b")
    form = schemas / "fieldtypes.yaml"
    form.write_text(TYPES_FORM.replace("label: Story,", "label: Tell us the story,"), "utf-8")
    assert _digest(schemas) == base


def test_pdf_and_docx_maps_differ(types_formset: FormSet) -> None:
    pdf = field_map(types_formset, "fieldtypes", "pdf")
    docx = field_map(types_formset, "fieldtypes", "docx")
    assert pdf.digest != docx.digest
    assert pdf["basics__agreed"].widget == "radio"
    assert docx["basics__agreed__yes"].widget == "checkbox"


def test_widgets_by_type(types_formset: FormSet) -> None:
    fmap = field_map(types_formset, "fieldtypes")
    widgets = {e.path: e.widget for e in fmap}
    assert widgets["basics.name"] == "text"
    assert widgets["basics.story"] == "multiline"
    assert widgets["basics.met"] == "text"  # with a DD/MM/YYYY hint
    assert widgets["basics.score"] == "radio"  # 0 to 10: eleven radios
    assert widgets["basics.wide_score"] == "select"  # 1 to 20
    assert widgets["basics.level"] == "radio"  # four options
    assert widgets["basics.ethnicity"] == "select"  # many options
    assert widgets["basics.carers"] == "multiline"  # several names, one per line
    assert widgets["basics.child"] == "text"
    assert fmap["basics__needs__domestic_abuse"].value == "domestic_abuse"
    # Option values that are not plain words get numbered names and states.
    assert [e.name for e in fmap if e.path == "basics.odd"] == [
        "basics__odd__0",
        "basics__odd__1",
        "basics__odd__2",
    ]
    assert [c.state for c in fmap["basics__odd_one"].choices] == ["o0", "o1"]
    # A drop-down's text is the label; labels are made unique.
    assert fmap["basics__ethnicity"].choices[0].state.startswith("White")
    assert field_map(types_formset, "fieldtypes", "docx")["basics__odd_one"].choices[1].label == (
        "Same label (Off)"
    )
