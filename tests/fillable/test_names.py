"""Field names are schema paths, one to one and reversibly; hub-only questions are left out."""

from __future__ import annotations

import pytest

from ehdocs.fillable import UnsupportedSchemaError, field_map, field_name, parse_name
from ehdocs.fillable.fieldmap import DATE_OF_BIRTH_TYPE, blank_rows
from ehdocs.fillable.names import row_path
from ehdocs.schema import FormSet, load_formset
from tests.fillable.conftest import FORMS, write_types_schema


@pytest.mark.parametrize(
    ("path", "option", "name"),
    [
        ("referrer.date", None, "referrer__date"),
        ("children.children[0].child", None, "children__children__0__child"),
        ("children.children[12].reason_included", None, "children__children__12__reason_included"),
        ("reason.presenting_needs", "domestic_abuse", "reason__presenting_needs__domestic_abuse"),
        ("rows.items[2].ok", "yes", "rows__items__2__ok__yes"),
        ("basics.odd", "3", "basics__odd__3"),
        (
            "children.children[0].child",
            "date_of_birth",
            "children__children__0__child__date_of_birth",
        ),
    ],
)
def test_names_round_trip(path: str, option: str | None, name: str) -> None:
    assert field_name(path, option) == name
    assert parse_name(name) == (path, option)
    assert "." not in name


@pytest.mark.parametrize("bad", ["referrer", "a____b", "a__b__c__d", "__x", "A__b", "a__0"])
def test_names_that_are_not_ours_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_name(bad)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_field_is_named_by_its_path(formset: FormSet, form: str, fmt: str) -> None:
    fmap = field_map(formset, form, fmt)
    definition = formset.form(form)
    names = [e.name for e in fmap]
    assert len(names) == len(set(names))
    for entry in fmap:
        path, option = parse_name(entry.name)
        assert path == entry.path
        fdef = definition.field_at(row_path(entry.path))
        assert fdef is not None
        if entry.type == DATE_OF_BIRTH_TYPE:  # a single child's date of birth, after the name
            assert (fdef.type, fdef.param("role"), option) == ("person", "child", "date_of_birth")
            assert not fdef.param("multiple")
            continue
        assert fdef.type == entry.type
        assert (option is not None) == (entry.widget == "checkbox")
    # Every question partners answer is there: each row of each group, and nothing of the hub's.
    expected: set[str] = set()
    for section in definition.sections:
        if section.audience == "hub":
            continue
        for fdef in section.fields:
            if fdef.audience == "hub":
                continue
            if fdef.type == "group":
                for i in range(blank_rows(fdef)):
                    expected |= {
                        f"{section.id}.{fdef.id}[{i}].{c.id}"
                        for c in fdef.fields
                        if c.audience != "hub"
                    }
            else:
                expected.add(f"{section.id}.{fdef.id}")
    assert {e.path for e in fmap} == expected


def test_hub_sections_and_fields_are_left_out(types_formset: FormSet, formset: FormSet) -> None:
    paths = {e.path for e in field_map(types_formset, "fieldtypes")}
    assert not any(p.startswith("hubonly.") or p.endswith(".secret") for p in paths)
    assert "rows.items[0].pro" in paths  # professional-only questions stay: partners answer
    assert not any(e.path.startswith("hub.") for e in field_map(formset, "notification"))


def test_group_rows_follow_blank_rows(formset: FormSet) -> None:
    fmap = field_map(formset, "notification")
    rows = {e.path.split("[")[1].split("]")[0] for e in fmap if e.path.startswith("children.")}
    assert rows == {str(i) for i in range(6)}  # blank_rows: 6 in notification.yaml


def test_an_id_that_breaks_the_naming_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    schemas = write_types_schema(tmp_path, "      - {id: odd__id, type: text, label: Odd}\n")
    with pytest.raises(UnsupportedSchemaError, match="odd__id"):
        field_map(load_formset(None, schemas), "fieldtypes")


def test_blank_form_file_names(formset: FormSet, blank_pdfs: dict[str, bytes]) -> None:
    from ehdocs.errors import UnknownDocumentError
    from ehdocs.fillable import blank_form

    name, data = blank_form(formset, "plan", "docx")
    assert name == "plan-blank-v2.docx" and data.startswith(b"PK")
    with pytest.raises(UnknownDocumentError):
        blank_form(formset, "nosuch", "pdf")
    with pytest.raises(ValueError):
        blank_form(formset, "plan", "odt")
