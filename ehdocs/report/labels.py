"""The words for the values the report groups by: the option labels of the definitions."""

from __future__ import annotations

from collections.abc import Mapping

from ehdocs.report.definitions import FactDef, ReportDefinition
from ehdocs.schema import FormSet
from ehdocs.schema.model import FieldDef, Option
from ehdocs.schema.roles import PERSON_ETHNICITY

# The children's details and outcome areas: the person and score records' own option lists.
_RECORD_FIELDS = {
    "gender": ("person", "gender"),
    PERSON_ETHNICITY: ("person", PERSON_ETHNICITY),
    "outcome_area": ("outcome_score", "area"),
}


class Labels:
    def __init__(self, formset: FormSet, report: ReportDefinition) -> None:
        self.formset = formset
        self.report = report
        self._fact_options = {name: self._options_of(fact) for name, fact in report.facts.items()}

    def label(self, fact_name: str, value: object) -> str:
        """A fact's value in words (an option's label, else the value itself)."""
        options = self._fact_options.get(fact_name) or {}
        return options.get(str(value), str(value).replace("_", " ").capitalize())

    def option_label(self, what: str, value: object) -> str:
        record, field_id = _RECORD_FIELDS[what]
        fd = self.formset.records[record].child(field_id)
        options = _labels(fd.options if fd else ())
        return options.get(str(value), str(value))

    def _options_of(self, fact: FactDef) -> Mapping[str, str]:
        fd: FieldDef | None = None
        if fact.source == "answer":
            fd = self._answer_field(fact.ref)
        elif fact.source == "record" and fact.value:
            record = next((r for r in self.formset.records.values() if r.key == fact.ref), None)
            fd = record.child(fact.value) if record else None
        elif fact.source == "rows" and fact.value:
            head, _, tail = fact.value.partition(".")
            if tail and head in self.formset.records:
                fd = self.formset.records[head].child(tail)
        return _labels(fd.options if fd else ())

    def _answer_field(self, ref: str) -> FieldDef | None:
        form_id, _, path = ref.partition(".")
        section_id, _, field_id = path.partition(".")
        form = self.formset.forms.get(form_id)
        section = next((s for s in form.sections if s.id == section_id), None) if form else None
        return next((f for f in section.fields if f.id == field_id), None) if section else None


def _labels(options: tuple[Option, ...] | None) -> dict[str, str]:
    return {o.value: o.label for o in options or ()}
