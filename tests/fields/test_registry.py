"""Every registered type answers every face; a new type is one class, used by every face."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from ehdocs.fields import REGISTRY, FieldType
from ehdocs.fields.types import YesNo
from ehdocs.fillable import FilledForm, field_map, to_raw_document
from ehdocs.schema.model import FieldDef, FormDefinition, Option, SectionDef
from ehdocs.web.answers import AnswerRow, AnswerSection, answer_sections
from tests.fields.fielddefs import fdef

WIDGETS = {"text", "multiline", "date", "checkboxes", "radio", "select"}
SIZES = {"short", "medium", "long", "lines-3", "lines-4", "lines-6", "lines-7"}
SAMPLE_OPTIONS = (Option("a", "A"), Option("b", "B"))


@pytest.mark.parametrize("name", sorted(n for n, t in REGISTRY.items() if not t.is_group))
def test_every_type_answers_every_face(name: str) -> None:
    kind = REGISTRY[name]
    field = fdef(name, options=SAMPLE_OPTIONS if kind.uses_options else ())
    assert isinstance(kind.json_schema(field), dict)
    assert kind.message(field, "required")
    assert kind.web_macro(field).startswith(("govuk", "ehdocs"))
    for fmt in ("pdf", "docx"):
        widget = kind.fill_widget(field, fmt)
        assert widget in WIDGETS
        assert kind.fill_size(field, widget) in SIZES
        assert all(isinstance(p, str) and p for p in kind.fill_hint(field, None, widget))
        if widget in ("radio", "select", "checkboxes"):
            assert kind.options(field), f"{name} asks with {widget} but has no options"
    assert isinstance(kind.display_sent("a", field), str)


class TrafficLight(YesNo):
    """A type a council might want: one class, and every face knows it."""

    name = "traffic_light"
    values = ("red", "amber", "green")
    messages = {"required": "Select a colour", "invalid": "Select red, amber or green"}

    def options(self, field: FieldDef) -> list[tuple[str, str]]:
        return [(v, v.capitalize()) for v in self.values]

    def fill_widget(self, field: FieldDef, format: str) -> str:
        return "select"


class OneForm:
    """A form set with one document of one section, enough for the fillable face."""

    def __init__(self, *fields: FieldDef) -> None:
        section = SectionDef("worry", "Worry", fields)
        self.definition = FormDefinition("check_in", 1, "Check-in", 1, (section,))

    def form(self, name: str) -> FormDefinition:
        assert name == "check_in"
        return self.definition


def test_a_new_type_is_one_class(monkeypatch: pytest.MonkeyPatch) -> None:
    kind: FieldType = TrafficLight()
    monkeypatch.setitem(REGISTRY, "traffic_light", kind)
    light = FieldDef(
        "light", "traffic_light", "How worried are you", "worry.light", params=MappingProxyType({})
    )
    formset: Any = OneForm(light)
    fmap = field_map(formset, "check_in", "pdf")
    (entry,) = fmap
    assert entry.widget == "select" and [c.label for c in entry.choices] == [
        "Red",
        "Amber",
        "Green",
    ]
    filled = FilledForm("pdf", "check_in", 1, fmap.digest, {entry.name: "Amber"})
    data = to_raw_document(filled, formset)
    assert data == {"worry": {"light": "amber"}}
    assert kind.parse(data["worry"]["light"], light) == "amber"
    assert answer_sections(formset.definition, data) == [
        AnswerSection("Worry", [AnswerRow("How worried are you", "Amber")])
    ]
