"""The validated case: typed values and the look-ups every face of ehdocs needs.

A Case is only ever made by validation (ehdocs.validation.validate_case); raw dicts never
travel past that boundary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.schema.model import FormDefinition, FormSet
from ehdocs.schema.versions import document_definition

FORMAT = "ehdocs-case"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Document:
    """One document of the case: a notification, an assessment, a plan version, a review…"""

    id: str
    form: str
    status: str  # draft | completed
    data: Mapping[str, Any]
    definition: FormDefinition
    updated: str | None = None

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    def answer(self, path: str) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, Mapping):
                return None
            node = node.get(part)
        return node

    @property
    def process_date(self) -> dt.date | None:
        if not self.definition.process_date:
            return None
        value = self.answer(self.definition.process_date)
        return value if isinstance(value, dt.date) else None

    @property
    def label(self) -> str:
        return f"{self.form} {self.id}" if self.definition.repeatable else self.form


@dataclass(frozen=True)
class Case:
    data: Mapping[str, Any]
    formset: FormSet

    @property
    def reference(self) -> str:
        return str(self.data["reference"])

    def records(self, key: str) -> list[Mapping[str, Any]]:
        return list(self.data.get(key) or [])

    @property
    def people(self) -> list[Mapping[str, Any]]:
        return self.records("people")

    def person(self, person_id: str) -> Mapping[str, Any] | None:
        return next((p for p in self.people if p["id"] == person_id), None)

    def professional(self, professional_id: str) -> Mapping[str, Any] | None:
        return next((p for p in self.records("professionals") if p["id"] == professional_id), None)

    def event_date(self, doc: Document, event: Any) -> Any:
        """When `event` (an EventDef of doc's form) happened, as the document records it."""
        return doc.answer(event.date)

    def person_name(self, person_id: str) -> str:
        person = self.person(person_id)
        if person is None:
            return "Unknown person"
        return " ".join(p for p in (person.get("given_name"), person.get("family_name")) if p)

    def professional_name(self, professional_id: str) -> str:
        pro = self.professional(professional_id)
        return f"{pro['name']} ({pro['agency']})" if pro else "Unknown professional"

    @property
    def documents(self) -> list[Document]:
        """Documents in the order they happened: by process date, then process order (a plan
        revised after a review comes after that review; undated drafts come last)."""
        docs = [
            Document(
                d["id"],
                d["form"],
                d["status"],
                d.get("data") or {},
                document_definition(self.formset, d),
                d.get("updated"),
            )
            for d in self.data.get("documents") or []
        ]
        return sorted(docs, key=lambda d: (d.process_date or dt.date.max, d.definition.order))

    def documents_of(self, form: str) -> list[Document]:
        return [d for d in self.documents if d.form == form]

    def iter_people_in(self, categories: tuple[str, ...]) -> Iterator[Mapping[str, Any]]:
        return (p for p in self.people if p.get("category") in categories)

    def age_of(self, person_id: str, on: dt.date | None = None) -> int | None:
        person = self.person(person_id)
        born = person.get("date_of_birth") if person else None
        if born is None:
            return None
        on = on or dt.date.today()
        first = born.earliest()
        return on.year - first.year - ((on.month, on.day) < (first.month, first.day))
