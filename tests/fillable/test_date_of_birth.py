"""A single child's date of birth: a box after the child's name on the blank PDF and DOCX.

The hub matches a child by the same date of birth and a similar name, so what is typed there
comes back on the child's NameReference, and never goes into the document data (a date of
birth belongs to the person record). Several children in one box, adults, and people without a
role get no such box.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from ehdocs.fillable import FormMismatchError, field_map, parse_name
from ehdocs.fillable.fieldmap import DATE_OF_BIRTH_TYPE, FieldEntry, FieldMap
from ehdocs.fillable.filled import FilledForm
from ehdocs.fillable.formats import PLACEHOLDERS
from ehdocs.fillable.raw import NameReference, name_references, to_raw_document
from ehdocs.fillable.read_docx import read_docx_fields
from ehdocs.fillable.read_pdf import read_pdf_fields
from ehdocs.fillable.view import DATE_HINT, Group, Question, blank_view
from ehdocs.schema import FormSet, load_formset
from tests.fillable.conftest import write_types_schema
from tests.fillable.pdfium_fill import pdfium_fill
from tests.fillable.test_docx import NS, _document, _w, docx_fill
from tests.fillable.test_pdf_roundtrip import pypdf_fill

CHILD = "children__children__{}__child"
BIRTH = "children__children__{}__child__date_of_birth"
ROWS = range(6)  # blank_rows of the notification's children


def _filled(formset: FormSet, fmt: str, values: dict[str, Any], form: str = "notification"):  # type: ignore[no-untyped-def]
    fmap = field_map(formset, form, fmt)
    return FilledForm(
        format=fmt,
        form=form,
        version=fmap.version,
        digest=fmap.digest,
        values={**{e.name: None for e in fmap}, **values},
    )


# -- the field map ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "widget"), [("pdf", "text"), ("docx", "date")])
def test_the_entry_follows_a_single_childs_name(
    types_formset: FormSet, fmt: str, widget: str
) -> None:
    fmap = field_map(types_formset, "fieldtypes", fmt)
    names = [e.name for e in fmap]
    birth = fmap.entries[names.index("basics__child") + 1]
    assert birth == FieldEntry(
        "basics__child__date_of_birth",
        "basics.child",
        DATE_OF_BIRTH_TYPE,
        widget,  # as a date question's: a DOCX date picker, a PDF text box
        label="Child: date of birth",
    )
    assert parse_name(birth.name) == ("basics.child", "date_of_birth")
    # Not for several children in one box (siblings), adults (parent, carers), people without
    # a role (rows.items[i].who) or professionals.
    assert {e.path for e in fmap if e.type == DATE_OF_BIRTH_TYPE} == {"basics.child"}
    assert "basics__siblings__date_of_birth" not in fmap
    assert "basics__parent__date_of_birth" not in fmap


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_each_child_row_of_the_notification_has_one(formset: FormSet, fmt: str) -> None:
    fmap = field_map(formset, "notification", fmt)
    births = [e for e in fmap if e.type == DATE_OF_BIRTH_TYPE]
    assert [e.name for e in births] == [BIRTH.format(i) for i in ROWS]
    assert births[0].label == "Child 1: Child or young person: date of birth"
    for i in ROWS:
        names = [e.name for e in fmap]
        assert names.index(BIRTH.format(i)) == names.index(CHILD.format(i)) + 1


def test_a_blank_made_before_the_box_is_refused(formset: FormSet) -> None:
    """The entry is part of the digest: an older blank, without the boxes, reads with a
    definition that is not today's, and is refused rather than read without them."""
    fmap = field_map(formset, "notification")
    entries = tuple(e for e in fmap if e.type != DATE_OF_BIRTH_TYPE)
    old = FieldMap(fmap.form, fmap.version, fmap.title, fmap.format, entries)
    assert old.digest != fmap.digest
    filled = FilledForm(
        "pdf", "notification", fmap.version, old.digest, {e.name: None for e in old}
    )
    with pytest.raises(FormMismatchError, match="different definition"):
        to_raw_document(filled, formset)


def test_an_option_called_date_of_birth_does_not_clash(tmp_path: Path) -> None:
    """A checkbox for an option called date_of_birth is named after its own field: both boxes
    get names of their own, and each is read as what it is."""
    extra = (
        "      - id: known\n"
        "        type: choices\n"
        "        label: What is known\n"
        "        options:\n"
        "          - {value: date_of_birth, label: Date of birth}\n"
        "          - {value: address, label: Address}\n"
    )
    formset = load_formset(None, write_types_schema(tmp_path, extra))
    fmap = field_map(formset, "fieldtypes")  # _check_names accepts it
    names = [e.name for e in fmap]
    assert len(names) == len(set(names))
    assert fmap["rows__known__date_of_birth"].widget == "checkbox"
    assert fmap["basics__child__date_of_birth"].type == DATE_OF_BIRTH_TYPE
    filled = _filled(
        formset,
        "pdf",
        {
            "basics__child": "Amy Smith",
            "basics__child__date_of_birth": "18/04/2017",
            "rows__known__date_of_birth": True,
        },
        form="fieldtypes",
    )
    assert to_raw_document(filled, formset) == {
        "basics": {},
        "rows": {"known": ["date_of_birth"]},
    }
    [ref] = name_references(filled, formset)
    assert (ref.path, ref.date_of_birth) == ("basics.child", "18/04/2017")


# -- reading back -------------------------------------------------------------------------------


def test_what_is_typed_goes_on_the_reference_and_not_in_the_data(formset: FormSet) -> None:
    filled = _filled(
        formset,
        "pdf",
        {
            CHILD.format(1): "Amy Smith",
            BIRTH.format(1): "  18/04/2017 \n",  # stripped
            CHILD.format(2): "Ben Smith",
            BIRTH.format(2): "   ",  # blank: None
            BIRTH.format(4): "01/02/2019",  # a date of birth with no name
            "parents_carers__parents_carers__0__person": "Cath Smith",
        },
    )
    data = to_raw_document(filled, formset)
    # Rows renumbered from 0; the row with only a date of birth is still a row (the validator
    # then asks for the child), but the date itself is nowhere in the data.
    assert data == {
        "children": {"children": [{}, {}, {}]},
        "parents_carers": {"parents_carers": [{}]},
    }
    text = json.dumps(data)
    assert "2017" not in text and "2019" not in text and "date_of_birth" not in text
    assert name_references(filled, formset) == [
        NameReference(
            "children.children[0].child",
            CHILD.format(1),
            "person",
            "child",
            False,
            "Amy Smith",
            date_of_birth="18/04/2017",
        ),
        NameReference(
            "children.children[1].child", CHILD.format(2), "person", "child", False, "Ben Smith"
        ),
        NameReference(
            "parents_carers.parents_carers[0].person",
            "parents_carers__parents_carers__0__person",
            "person",
            "adult",
            False,
            "Cath Smith",
        ),
    ]


def test_a_resolver_sees_the_date_of_birth_and_the_data_gets_only_the_id(
    formset: FormSet,
) -> None:
    filled = _filled(formset, "pdf", {CHILD.format(0): "Amy Smith", BIRTH.format(0): "18/04/2017"})
    seen: list[NameReference] = []

    def resolve(ref: NameReference) -> str:
        seen.append(ref)
        return "p-amy"

    data = to_raw_document(filled, formset, resolve=resolve)
    assert data == {"children": {"children": [{"child": "p-amy"}]}}
    assert [(r.text, r.date_of_birth) for r in seen] == [("Amy Smith", "18/04/2017")]


def _fill(engine: str, blank_pdfs: dict[str, bytes], blank_docxs: dict[str, bytes]) -> Any:
    values: dict[str, str | bool] = {
        CHILD.format(0): "Amy Smith",
        BIRTH.format(0): "18/04/2017",
        CHILD.format(3): "Zoë Brontë-O'Neill",
        BIRTH.format(3): "02/11/2012",
        CHILD.format(4): "Ben Smith",  # no date of birth
    }
    if engine == "pypdf":
        return read_pdf_fields(pypdf_fill(blank_pdfs["notification"], dict(values)))
    if engine == "pdfium":  # typed into the fields as a person does in Chrome's viewer
        return read_pdf_fields(pdfium_fill(blank_pdfs["notification"], values))
    return read_docx_fields(docx_fill(blank_docxs["notification"], values))


@pytest.mark.parametrize("engine", ["pypdf", "pdfium", "docx"])
def test_filled_by_each_engine(
    engine: str,
    formset: FormSet,
    blank_pdfs: dict[str, bytes],
    blank_docxs: dict[str, bytes],
) -> None:
    filled = _fill(engine, blank_pdfs, blank_docxs)
    refs = name_references(filled, formset)
    assert refs == [
        NameReference(
            "children.children[0].child",
            CHILD.format(0),
            "person",
            "child",
            False,
            "Amy Smith",
            date_of_birth="18/04/2017",
        ),
        NameReference(
            "children.children[1].child",
            CHILD.format(3),
            "person",
            "child",
            False,
            "Zoë Brontë-O'Neill",
            date_of_birth="02/11/2012",
        ),
        NameReference(
            "children.children[2].child",
            CHILD.format(4),
            "person",
            "child",
            False,
            "Ben Smith",
            date_of_birth=None,
        ),
    ]
    assert to_raw_document(filled, formset) == {"children": {"children": [{}, {}, {}]}}


# -- the blank forms ----------------------------------------------------------------------------


def test_the_blank_pdf_box(formset: FormSet, blank_pdfs: dict[str, bytes]) -> None:
    pdf = blank_pdfs["notification"]
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert fields is not None
    assert {n for n in fields if n.endswith("__date_of_birth")} == {BIRTH.format(i) for i in ROWS}
    found = fields[BIRTH.format(0)]
    assert found["/FT"] == "/Tx"
    assert found["/TU"] == "Child 1: Child or young person: date of birth"  # accessible name
    assert not int(found.get("/Ff", 0)) & (1 << 12)  # one line
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        tree = doc.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(tree[i]): tree[i + 1] for i in range(0, len(tree) - 1, 2)}
        for page in doc.pages:
            widgets = [
                a for a in page.obj.get("/Annots", []) if a.get("/Subtype") == pikepdf.Name.Widget
            ]
            names = [str(a.get("/T", "")) for a in widgets]
            for i in ROWS:
                if BIRTH.format(i) not in names:
                    continue
                # Right after the name, below it, in a short box as dates have.
                at = names.index(BIRTH.format(i))
                assert names[at - 1] == CHILD.format(i)
                name_rect = [float(v) for v in widgets[at - 1].Rect]
                rect = [float(v) for v in widgets[at].Rect]
                assert rect[3] < name_rect[1]
                assert rect[2] - rect[0] < name_rect[2] - name_rect[0]
                # Tagged as a form field, as every other field is.
                element = parents[int(widgets[at].StructParent)]
                assert element.S == pikepdf.Name.Form
                assert element.K[0].Obj.objgen == widgets[at].objgen
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert text.count(f"Date of birth (optional) {DATE_HINT}") == len(ROWS)


def test_the_blank_pdf_of_the_types_form(types_pdf: bytes) -> None:
    fields = PdfReader(io.BytesIO(types_pdf)).get_fields()
    assert fields is not None
    assert [n for n in fields if n.endswith("__date_of_birth")] == ["basics__child__date_of_birth"]
    assert fields["basics__child__date_of_birth"]["/TU"] == "Child: date of birth"


def test_the_blank_docx_date_picker(blank_docxs: dict[str, bytes]) -> None:
    root = _document(blank_docxs["notification"])
    tags = [t.get(_w("val")) for t in root.iter(_w("tag"))]
    assert [t for t in tags if t.endswith("__date_of_birth")] == [BIRTH.format(i) for i in ROWS]
    assert tags.index(BIRTH.format(0)) == tags.index(CHILD.format(0)) + 1
    sdt = next(
        s
        for s in root.iter(_w("sdt"))
        if s.find("w:sdtPr/w:tag", NS).get(_w("val")) == BIRTH.format(0)
    )
    props = sdt.find("w:sdtPr", NS)
    assert (
        props.find("w:alias", NS).get(_w("val")) == "Child 1: Child or young person: date of birth"
    )
    assert props.find("w:date/w:dateFormat", NS).get(_w("val")) == "dd/MM/yyyy"
    assert props.find("w:showingPlcHdr", NS) is not None
    assert "".join(sdt.find("w:sdtContent", NS).itertext()) == PLACEHOLDERS["date"]
    # The question's words come before the control, as for any date question.
    answer = sdt.getparent()
    question, hint = answer.getprevious().getprevious(), answer.getprevious()
    assert "".join(question.itertext()) == "Date of birth (optional)"
    assert "".join(hint.itertext()) == DATE_HINT


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_page_model(formset: FormSet, fmt: str) -> None:
    """The name question keeps its own entry; the date of birth is asked after it, the way a
    date question is."""
    view = blank_view(formset, "notification", fmt)
    questions: dict[str, Question] = {}
    groups: dict[str, Group] = {}
    for section in view.sections:
        for item in section.items:
            if isinstance(item, Group):
                groups[item.id] = item
            else:
                questions[item.name] = item
    date = questions["referrer__date"]
    name, birth = groups["children__children"].rows[0].questions[:2]
    assert [e.name for e in name.entries] == [CHILD.format(0)]
    assert (birth.id, birth.name, birth.label) == (
        "f-" + BIRTH.format(0),
        BIRTH.format(0),
        "Date of birth",
    )
    assert birth.entries == (field_map(formset, "notification", fmt)[BIRTH.format(0)],)
    assert (birth.kind, birth.hint, birth.size) == (date.kind, date.hint, date.size)
    assert birth.optional and birth.note is None and not birth.wide
    for group in ("parents_carers__parents_carers", "significant_others__significant_others"):
        labels = [q.label for q in groups[group].rows[0].questions]
        assert "Date of birth" not in labels
