"""Validate a whole case: its structure, records, documents and the rules between them.

This is the one way raw data becomes case data, whatever it came through (CLI, web, PDF, e-mail).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow as ma

from ehdocs.case.model import FORMAT, FORMAT_VERSION, Case
from ehdocs.fields import field_type
from ehdocs.fields.types import ID_PATTERN
from ehdocs.schema import roles
from ehdocs.schema.migrations import HISTORY_KEY, document_version, migrate_data
from ehdocs.schema.model import FieldDef, FormDefinition, FormSet
from ehdocs.schema.versions import document_definition
from ehdocs.validation.build import document_data_schema, record_schema
from ehdocs.validation.family import name_of, structure_problems, structure_warnings
from ehdocs.validation.problems import Problem, flatten
from ehdocs.validation.types import ID_FIELD, AnswersSchema

STATUSES = ("draft", "completed")


@dataclass
class ValidationResult:
    case: Case | None
    problems: list[Problem] = dataclasses.field(default_factory=list)
    # possible but unlikely (a birth parent aged 11): shown beside the case, never blocking
    warnings: list[Problem] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_case(
    raw: Any,
    formset: FormSet,
    complete: Collection[str] | bool = (),
    completed_by: str = "professional",
    stored: Collection[str] | bool = False,
) -> ValidationResult:
    """Raw case JSON to a Case, or the problems that stop it.

    Completed documents are always checked fully, drafts for types, formats and upper limits.
    `complete` names document ids or forms to check fully as if being completed (True: all),
    by the audience `completed_by` (the hub completes its own section of a notification).
    `stored`: the case as the store reads it back. Its drafts are checked for types and
    formats, not upper limits: a later version of a form may have lowered one (a long answer's
    max_length), and a draft written before must still open, whole; every save holds it to
    the limits, with the message saying how much to cut. A collection names the drafts (by id)
    read so: a save passes the drafts it leaves as they were stored, so one over-limit draft
    does not stop every other change to the case.
    """
    if not isinstance(raw, Mapping):
        return ValidationResult(
            None,
            [
                Problem(
                    None,
                    "",
                    "A case file must be a JSON object ({ … }), not a list or a single value",
                )
            ],
        )
    schema = _case_schema(formset, complete, completed_by, stored)
    problems: list[Problem] = []
    try:
        data = schema.load(raw)
    except ma.ValidationError as exc:
        problems.extend(_problems(flatten(exc.messages), raw))
        data = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    problems.extend(_problems(list(case_rules(data, formset)), raw))
    problems = sorted(_first_per_path(problems), key=lambda p: (p.document or "", p.path))
    warnings = _problems(list(structure_warnings(data)), raw)
    return ValidationResult(None if problems else Case(data, formset), problems, warnings)


def dump_case(case: Case) -> dict[str, Any]:
    """A Case back to its JSON form (dates as ISO text, partial dates as "2019-05")."""
    dumped: dict[str, Any] = _case_schema(case.formset, ()).dump(case.data)
    return {k: v for k, v in dumped.items() if v is not None}


def _first_per_path(problems: list[Problem]) -> list[Problem]:
    """One message per field: a value that failed its type check is then also 'missing' to the
    rules that run after it, and that second message would only confuse."""
    seen: dict[tuple[str | None, str], Problem] = {}
    for problem in problems:
        seen.setdefault((problem.document, problem.path), problem)
    return list(seen.values())


def _problems(pairs: list[tuple[str, str]], raw: Mapping[str, Any]) -> list[Problem]:
    """Split `documents[3].data.referrer.date` into the document and the path inside it."""
    out = []
    found = raw.get("documents")
    docs: list[Any] = found if isinstance(found, list) else []
    for path, message in pairs:
        if path.startswith("documents["):
            index_text, _, rest = path[len("documents[") :].partition("]")
            doc = (
                docs[int(index_text)]
                if index_text.isdigit() and int(index_text) < len(docs)
                else None
            )
            label = document_label(doc, int(index_text) if index_text.isdigit() else 0)
            out.append(Problem(label, rest.removeprefix(".").removeprefix("data."), message))
        else:
            out.append(Problem(None, path, message))
    return out


def document_label(doc: Any, index: int = 0) -> str:
    """How problems name a document: its form and id ("notification no1"), the one name used
    by validation, the pages that show its problems and the hub."""
    if isinstance(doc, Mapping) and isinstance(doc.get("form"), str):
        return f"{doc['form']} {doc.get('id', '')}".strip()
    return f"document {index + 1}"


def records_asked_for(formset: FormSet, raw: Mapping[str, Any], doc_id: str) -> list[Problem]:
    """What completing document `doc_id` on its pages still needs from the case's records: a
    section that asks for a record's details (`record: consent`) needs a record, not
    withdrawn, by each person it names. Checked when a practitioner completes the document; a
    received form accepted by the hub is completed before anyone can add the record."""
    doc = next((d for d in raw.get("documents") or [] if d.get("id") == doc_id), None)
    form = formset.forms.get(str(doc.get("form"))) if doc else None
    if doc is None or form is None:
        return []
    data = doc.get("data") or {}
    people = {p.get("id"): p for p in raw.get("people") or []}
    problems = []
    for section in form.sections:
        record = formset.records.get(section.record or "")
        if record is None:
            continue
        rows = raw.get(record.key) or []
        for fdef in section.fields:
            person = (data.get(section.id) or {}).get(fdef.id)
            if field_type(fdef.type).refers_to != "people" or not isinstance(person, str):
                continue
            if any(
                row.get(roles.CONSENT_GIVER) == person and row.get(roles.CONSENT_WITHDRAWN) != "yes"
                for row in rows
            ):
                continue
            title = record.title[:1].lower() + record.title[1:]
            problems.append(
                Problem(
                    document_label(doc),
                    fdef.path,
                    f"Add a {title} record for {name_of(people.get(person))} to the case before "
                    f"you complete this {form.title}: it records how and when they agreed, "
                    "what they agreed to, and who must not see the record",
                )
            )
    return problems


# -- the case structure ---------------------------------------------------------------------


class DocumentsField(ma.fields.Field):
    """The case's documents: each item is checked by the schema of its own form."""

    def __init__(
        self,
        formset: FormSet,
        complete: Collection[str] | bool,
        completed_by: str,
        stored: Collection[str] | bool = False,
    ) -> None:
        super().__init__(load_default=list)
        self.formset = formset
        self.complete = complete
        self.completed_by = completed_by
        self.stored = stored

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list):
            raise ma.ValidationError("'documents' must be a list")
        errors: dict[int, Any] = {}
        loaded = []
        for i, item in enumerate(value):
            try:
                loaded.append(self._one(item))
            except ma.ValidationError as exc:
                errors[i] = exc.messages
                # What could be read still goes to the rules between documents and records,
                # so every problem is reported at once; {} keeps the positions aligned.
                partial = exc.valid_data
                loaded.append(partial if isinstance(partial, dict) and "form" in partial else {})
        if errors:
            raise ma.ValidationError(errors, valid_data=loaded)
        return loaded

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        out = []
        for doc in value or []:
            form = document_definition(self.formset, doc)
            data = document_data_schema(form, False).dump(doc.get("data") or {})
            out.append({**{k: v for k, v in doc.items() if k != "data"}, "data": data})
        return out

    def _one(self, item: Any) -> dict[str, Any]:
        if not isinstance(item, Mapping):
            raise ma.ValidationError(
                ["A document must be a JSON object with id, form, status and data"]
            )
        head = _DocumentHead().load({k: v for k, v in item.items() if k != "data"})
        form = self.formset.forms.get(head["form"])
        if form is None:
            known = ", ".join(self.formset.forms)
            raise ma.ValidationError(
                {
                    "form": [
                        f"There is no document called '{head['form']}'. The documents are: {known}"
                    ]
                }
            )
        version = head.get("form_version")
        if version is not None and version > form.version:
            raise ma.ValidationError(
                {
                    "form_version": [
                        f"This {form.title} was made with version {version} of the form, "
                        f"newer than this ehdocs knows (version {form.version}): update ehdocs"
                    ]
                }
            )
        if head["status"] == "completed":
            # A completed document keeps the version it was written on (its words, options).
            form = document_definition(self.formset, head)
        complete = (
            self.complete is True
            or head["status"] == "completed"
            or (
                not isinstance(self.complete, bool)
                and (head["id"] in self.complete or head["form"] in self.complete)
            )
        )
        data = item.get("data", {})
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ma.ValidationError(
                {"data": ["A document's data must be a JSON object of sections"]}
            )
        if head["status"] == "draft" and document_version(head) < form.version:
            # A draft written on an earlier version is read as the current version's, whichever
            # way it came in (the store migrates the drafts it reads the same way).
            moved = migrate_data(data, form, document_version(head))
            data, head["form_version"] = moved.data, moved.version
            if moved.removed:
                head[HISTORY_KEY] = [*head.get(HISTORY_KEY, []), *moved.removed]
        try:
            as_stored = self.stored is True or (
                not isinstance(self.stored, bool) and head["id"] in self.stored
            )
            schema = document_data_schema(form, complete, self.completed_by, as_stored)
            head["data"] = schema.load(data)
        except ma.ValidationError as exc:
            readable = exc.valid_data if isinstance(exc.valid_data, dict) else {}
            raise ma.ValidationError(
                {"data": exc.messages}, valid_data={**head, "data": readable}
            ) from None
        return head


class _CarriedMark(AnswersSchema):
    """Where a carried-forward answer of the document came from (ehdocs.case.carry)."""

    into = ma.fields.String(required=True)
    form = ma.fields.String()
    document = ma.fields.String()
    date = ma.fields.String(allow_none=True)
    records = ma.fields.String()
    left_out = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1))
    digest = ma.fields.String()


class _DocumentHead(AnswersSchema):
    id = ID_FIELD()
    form = ma.fields.String(
        required=True, error_messages={"required": "Say which document this is, in 'form'"}
    )
    form_version = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1))
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(STATUSES, error="Status must be 'draft' or 'completed'"),
        error_messages={
            "required": "Say whether this document is a 'draft' or 'completed', in 'status'"
        },
    )
    updated = ma.fields.String()
    carried = ma.fields.List(ma.fields.Nested(_CarriedMark))
    # Answers a later version of the form removed, kept (ehdocs.schema.migrations).
    history = ma.fields.List(ma.fields.Dict(keys=ma.fields.String()))


def _case_schema(
    formset: FormSet,
    complete: Collection[str] | bool,
    completed_by: str = "professional",
    stored: Collection[str] | bool = False,
) -> ma.Schema:
    fields: dict[str, ma.fields.Field] = {
        "format": ma.fields.String(
            required=True,
            validate=ma.validate.Equal(
                FORMAT, error=f"'format' must be \"{FORMAT}\": this is not an ehdocs case file"
            ),
        ),
        "format_version": ma.fields.Integer(
            required=True,
            strict=True,
            validate=_version,
            error_messages={
                "invalid": "'format_version' must be a whole number, such as 1",
                "required": "Say which version of the case format this is, in 'format_version'",
            },
        ),
        "profile": ma.fields.String(
            validate=ma.validate.Regexp(
                r"^[a-z0-9][a-z0-9_-]{0,39}$",
                error="'profile' must be the name of a council profile, such as \"default\"",
            ),
            error_messages={"invalid": "'profile' must be the name of a council profile"},
        ),
        "reference": ma.fields.String(
            required=True,
            validate=ma.validate.Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9/_-]{2,39}$",
                error="A case reference is 3 to 40 letters, digits, /, - or _",
            ),
            error_messages={
                "required": "Enter the case reference, in 'reference'",
                "invalid": 'The case reference must be text, such as "EH-2026-0001"',
            },
        ),
        "family_name": ma.fields.String(
            validate=ma.validate.Length(
                max=200, error="The family name must be 200 characters or fewer"
            ),
            error_messages={"invalid": "The family name must be text"},
        ),
        "index_person": ma.fields.String(
            validate=ma.validate.Regexp(
                ID_PATTERN, error="'index_person' must be the id of a person in the case"
            ),
            error_messages={"invalid": "'index_person' must be the id of a person in the case"},
        ),
        "created": ma.fields.Date(
            error_messages={"invalid": "'created' must be a real date, like 2026-03-02"}
        ),
        "documents": DocumentsField(formset, complete, completed_by, stored),
    }
    for record in formset.records.values():
        fields[record.key] = ma.fields.List(
            ma.fields.Nested(record_schema(record)), load_default=list
        )
    return AnswersSchema.from_dict(fields, name="Case")()


def _version(value: int) -> None:
    if value > FORMAT_VERSION:
        raise ma.ValidationError(
            f"This case file is format version {value}, newer than this "
            f"ehdocs reads (version {FORMAT_VERSION}): update ehdocs"
        )
    if value < 1:
        raise ma.ValidationError("'format_version' must be 1 or more")


# -- rules between records and documents ----------------------------------------------------


def case_rules(data: Mapping[str, Any], formset: FormSet) -> Iterator[tuple[str, str]]:
    yield from _unique_ids(data, formset)
    yield from _references(data, formset)
    yield from _document_order(data, formset)
    yield from _consent(data, formset)
    yield from _people_checks(data, formset)
    yield from structure_problems(data)
    for i, rel in enumerate(data.get("relationships") or []):
        if rel.get("person_a") and rel.get("person_a") == rel.get("person_b"):
            yield f"relationships[{i}].person_b", "A relationship needs two different people"


def _people_checks(data: Mapping[str, Any], formset: FormSet) -> Iterator[tuple[str, str]]:
    people = {p.get("id"): p for p in data.get("people") or []}
    for i, person in enumerate(data.get("people") or []):
        born, died = person.get("date_of_birth"), person.get("date_of_death")
        if born and died and died.latest() < born.earliest():
            yield f"people[{i}].date_of_death", "Date of death must be after the date of birth"
        if person.get("life_status") == "pregnancy" and born:
            yield (
                f"people[{i}].date_of_birth",
                (
                    "An unborn baby has no date of birth yet: give "
                    "the expected date of delivery instead"
                ),
            )
    index = people.get(data.get("index_person"))
    if index and index.get("category") not in formset.children_categories():
        yield "index_person", "The child the work is about must be a child or an unborn baby"
    for i, consent in enumerate(data.get("consents") or []):
        if consent.get("given_by") and consent.get("given_by") in (
            consent.get("not_shared_with") or []
        ):
            yield (
                f"consents[{i}].not_shared_with",
                "The person who gave consent cannot also be "
                "someone the record must not be shared with",
            )


def _unique_ids(data: Mapping[str, Any], formset: FormSet) -> Iterator[tuple[str, str]]:
    keys = [r.key for r in formset.records.values()] + ["documents"]
    for key in keys:
        seen: set[str] = set()
        for i, item in enumerate(data.get(key) or []):
            ident = item.get("id")
            if ident in seen:
                yield (
                    f"{key}[{i}].id",
                    f"The id '{ident}' is used twice in {key}: ids must be unique",
                )
            seen.add(ident)


def _references(data: Mapping[str, Any], formset: FormSet) -> Iterator[tuple[str, str]]:
    people = {p["id"]: p for p in data.get("people") or [] if "id" in p}
    pros = {p["id"] for p in data.get("professionals") or [] if "id" in p}
    if data.get("index_person") and data["index_person"] not in people:
        yield "index_person", f"There is no person with the id '{data['index_person']}'"
    for record in formset.records.values():
        for i, item in enumerate(data.get(record.key) or []):
            yield from _refs_in(record.fields, item, f"{record.key}[{i}]", people, pros, formset)
    for i, doc in enumerate(data.get("documents") or []):
        form = _definition(formset, doc)
        if form is None:
            continue
        for section in form.sections:
            answers = (doc.get("data") or {}).get(section.id) or {}
            yield from _refs_in(
                section.fields, answers, f"documents[{i}].data.{section.id}", people, pros, formset
            )


def _refs_in(
    fields: tuple[FieldDef, ...],
    answers: Mapping[str, Any],
    prefix: str,
    people: Mapping[str, Mapping[str, Any]],
    pros: set[str],
    formset: FormSet,
) -> Iterator[tuple[str, str]]:
    for field in fields:
        value = answers.get(field.id)
        if value is None:
            continue
        path = f"{prefix}.{field.id}"
        if field.fields:
            for j, row in enumerate(value):
                yield from _refs_in(field.fields, row, f"{path}[{j}]", people, pros, formset)
        elif field_type(field.type).refers_to == "people":
            for ref in value if isinstance(value, list) else [value]:
                yield from _person_ref(field, ref, people, path, formset)
        elif field_type(field.type).refers_to == "professionals":
            for ref in value if isinstance(value, list) else [value]:
                if ref not in pros:
                    yield (
                        path,
                        f"There is no professional with the id '{ref}': add them to "
                        "the case's professionals first",
                    )


def _person_ref(
    field: FieldDef,
    ref: str,
    people: Mapping[str, Mapping[str, Any]],
    path: str,
    formset: FormSet,
) -> Iterator[tuple[str, str]]:
    person = people.get(ref)
    if person is None:
        yield path, f"There is no person with the id '{ref}': add them to the family network first"
        return
    wanted = roles.PERSON_QUESTION_ROLES.get(field.param("role"))
    if wanted is None or person.get("category") in formset.category_values(*wanted):
        return
    if wanted == roles.CHILD_ROLES:
        yield path, f"{field.label} must be a child: {name_of(person)} is not recorded as a child"
    else:
        yield path, f"{field.label} must be an adult: {name_of(person)} is recorded as a child"


def _document_order(data: Mapping[str, Any], formset: FormSet) -> Iterator[tuple[str, str]]:
    """Each document's process date is on or after those of the documents it follows."""
    dated: dict[str, list[dt.date]] = {}
    docs = list(enumerate(data.get("documents") or []))
    for _, doc in docs:
        form = _definition(formset, doc)
        when = _process_date(doc, form)
        if form and when:
            dated.setdefault(form.form, []).append(when)
    for i, doc in docs:
        form = _definition(formset, doc)
        when = _process_date(doc, form)
        if form is None or when is None or form.process_date is None:
            continue
        for follow in form.follows:
            earlier = dated.get(follow.form)
            if not earlier:
                continue
            bound = max(earlier) if follow.which == "latest" else min(earlier)
            if when < bound:
                other = formset.forms[follow.form]
                yield (
                    f"documents[{i}].data.{form.process_date}",
                    f"The {form.title} date must be on or after the "
                    f"{'first' if follow.which == 'earliest' else 'latest'} {other.title} date "
                    f"({bound.isoformat()})",
                )


def _process_date(doc: Mapping[str, Any], form: Any) -> dt.date | None:
    if form is None or form.process_date is None:
        return None
    node: Any = doc.get("data") or {}
    for part in form.process_date.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, dt.date) else None


def _consent(data: Mapping[str, Any], formset: FormSet) -> Iterator[tuple[str, str]]:
    """A withdrawn consent blocks documents dated after it (a closure is still allowed)."""
    latest: dict[Any, Mapping[str, Any]] = {}
    for consent in data.get("consents") or []:
        giver = consent.get("given_by")
        if consent.get("date") and (
            giver not in latest or consent["date"] >= latest[giver]["date"]
        ):
            latest[giver] = consent
    # Each person's latest word counts: one parent withdrawing stops the work, whatever the
    # other's consent says, until that parent consents again.
    dates = [
        c["withdrawn_date"]
        for c in latest.values()
        if c.get("withdrawn") == "yes" and c.get("withdrawn_date")
    ]
    if not dates:
        return
    withdrawn = min(dates)
    for i, doc in enumerate(data.get("documents") or []):
        form = _definition(formset, doc)
        when = _process_date(doc, form)
        if form and when and when > withdrawn and not form.allowed_after_consent_withdrawn:
            yield (
                f"documents[{i}].data.{form.process_date}",
                f"Consent was withdrawn on {withdrawn.isoformat()}: no {form.title} can be "
                "written after that without new consent. Record the new consent first",
            )


def _definition(formset: FormSet, doc: Mapping[str, Any]) -> FormDefinition | None:
    """The definition a document's data is read with (a completed one keeps its version)."""
    if doc.get("form", "") not in formset.forms:
        return None
    return document_definition(formset, doc)
