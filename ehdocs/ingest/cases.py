"""A submission's data put into a case: a new one, or one the hub already has.

A filled blank form names people and professionals in words. Into a new case each distinct
person becomes a person record (first and last name, who they are, the date of birth written
beside a child's name) and each professional a professional record; into an existing case a
name is first matched to the people already there (the same name, and for a child the same
date of birth when both are known), and only the people not found are added.

A PDF that ehdocs rendered carries the case data itself: into a new case it goes as it is; into
an existing case its document is added (or replaces the copy of the same id) together with the
records it refers to that the case does not have yet.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ehdocs.case.new import add_document, empty_case, new_record_id, only_copy
from ehdocs.errors import EhdocsError, SubmissionError
from ehdocs.fields.dates import written_date
from ehdocs.fillable.filled import FilledForm
from ehdocs.fillable.raw import NameReference, to_raw_document
from ehdocs.ingest import online
from ehdocs.schema import roles
from ehdocs.schema.model import FormSet
from ehdocs.validation.problems import Problem

NOT_STATED = "Not stated on the form"
_NO_DOCUMENT = "This copy holds no document to add to the case"
_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
# What a partner writes after a parent's name in a box that asks only for a name.
_PARENT_WORDS = (
    r"(?:step[ -]?|foster |adoptive |birth )?"
    r"(?:mother|mum|mom|mam|mummy|father|dad|daddy|parent|carer|guardian)"
)
_SAID_PARENT = re.compile(
    rf"^\s*(?P<name>.*?\S)\s*(?:\(\s*(?:the\s+)?{_PARENT_WORDS}\s*\)"
    rf"|[,\-–—:]\s*(?:the\s+)?{_PARENT_WORDS})\s*$",
    re.IGNORECASE,
)
_RECORD_KEYS = (
    "people",
    "relationships",
    "households",
    "professionals",
    "consents",
    "chronology",
    "outcome_scores",
    "ecomap",
)


def fold(name: str) -> str:
    """A name as compared: accents, case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def parse_dob(text: str | None) -> str | None:
    """A date of birth as written (27/03/2017, 2017-03-27, 27th March 2017) -> ISO date, or
    None."""
    if not text:
        return None
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif (words := written_date(text)) is not None:
        return words.isoformat()
    else:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def split_name(text: str) -> tuple[str, str | None]:
    """(given names, family name) of a name written in one box: the family name is the last
    word with a letter in it, so an emoji or a mark typed after a name never becomes one; what
    else was written stays in the given names, so nothing typed is dropped."""
    parts = text.strip().split()
    lettered = [i for i, part in enumerate(parts) if any(c.isalpha() for c in part)]
    if not lettered or lettered[-1] == 0:
        return " ".join(parts), None
    last = lettered[-1]
    return " ".join(parts[:last] + parts[last + 1 :]), parts[last]


def parent_named(text: str) -> tuple[str, bool]:
    """(the name, whether the writer said this is a parent or carer): "Jane Okoro (mother)",
    "Jane Okoro, Mum" and "Jane Okoro - stepdad" are Jane Okoro, a parent or carer."""
    found = _SAID_PARENT.match(text)
    if found is None:
        return text, False
    return found.group("name"), True


def person_name(person: Mapping[str, Any]) -> str:
    return " ".join(str(person.get(k) or "") for k in ("given_name", "family_name")).strip()


def new_case(
    formset: FormSet,
    reference: str,
    today: dt.date,
    extracted: Mapping[str, Any],
    hub: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """(the raw case JSON of a new case made from a submission's extracted data, the id of the
    submission's document in it)."""
    if extracted.get("kind") == "case":
        copied: dict[str, Any] = copy.deepcopy(dict(extracted["case"]))
        copied["reference"] = reference
        documents = copied.get("documents") or [{}]
        doc_id = extracted.get("document") or documents[0].get("id")
        if not doc_id:
            raise SubmissionError(_NO_DOCUMENT)
        for doc in documents:  # the hub's section is the adviser's to fill, never a file's
            if doc.get("id") == doc_id:
                _drop_hub_section(doc, formset)
        _put_hub(copied, str(doc_id), hub)
        return copied, str(doc_id)
    raw = empty_case(formset.profile.slug, reference, today)
    doc_id = _add_form_document(raw, formset, extracted, hub)
    people = raw.get("people", [])
    children = [p for p in people if p.get("category") in formset.category_values(roles.CHILD)]
    first = (children or people or [None])[0]
    if first is not None:
        raw["index_person"] = first["id"]
        if first.get("family_name"):
            raw["family_name"] = first["family_name"]
    return raw, doc_id


def attach(
    formset: FormSet,
    case_raw: Mapping[str, Any],
    extracted: Mapping[str, Any],
    hub: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """(the case with the submission's document added, that document's id)."""
    raw = copy.deepcopy(dict(case_raw))
    if extracted.get("kind") == "case":
        doc_id = _attach_case_document(raw, extracted, formset)
        _put_hub(raw, doc_id, hub)
        return raw, doc_id
    return raw, _add_form_document(raw, formset, extracted, hub)


def filled_form(extracted: Mapping[str, Any]) -> FilledForm:
    """The FilledForm a parser process read (it crosses the process boundary as plain data)."""
    return FilledForm(
        format=str(extracted["format"]),
        form=str(extracted["form"]),
        version=int(extracted["version"]),
        digest=str(extracted["digest"]),
        values=MappingProxyType(dict(extracted.get("values") or {})),
        profile=extracted.get("profile"),
    )


def _add_form_document(
    raw: dict[str, Any],
    formset: FormSet,
    extracted: Mapping[str, Any],
    hub: Mapping[str, Any] | None,
) -> str:
    form = formset.form(str(extracted["form"]))
    if only_copy(raw, form) is not None:
        raise SubmissionError(
            f"Case {raw.get('reference')} already has an {form.title}, and a case has only one. "
            "Create a new case for this request, or add it to a different case"
        )
    data = document_data(raw, formset, extracted)
    doc_id = str(add_document(raw, form, data)["id"])
    _put_hub(raw, doc_id, hub)
    return doc_id


def document_data(
    raw: dict[str, Any], formset: FormSet, extracted: Mapping[str, Any]
) -> dict[str, Any]:
    """A filled form's (or a form filled online's) answers as the raw data of a document of
    this case: names matched to the case's people and professionals, those not found added
    to `raw`."""
    resolver = _Resolver(raw, formset)
    if extracted.get("kind") == online.KIND:
        return dict(online.document_data(extracted, resolver))
    return dict(to_raw_document(filled_form(extracted), formset, resolve=resolver))


def _put_hub(raw: dict[str, Any], doc_id: str | None, hub: Mapping[str, Any] | None) -> None:
    if not hub or doc_id is None:
        return
    for doc in raw.get("documents", []):
        if doc.get("id") == doc_id:
            doc.setdefault("data", {})["hub"] = dict(hub)


def _drop_hub_section(doc: dict[str, Any], formset: FormSet) -> None:
    if not isinstance(doc.get("data"), dict):
        return
    try:
        section = formset.form(str(doc.get("form"))).section_by_role(roles.HUB)
    except EhdocsError:
        return
    if section is not None:
        doc["data"].pop(section.id, None)


def _attach_case_document(
    raw: dict[str, Any], extracted: Mapping[str, Any], formset: FormSet
) -> str:
    """Add the copy's document to the case: a draft of the same id is replaced, a completed
    document never is, and a form the case may hold once is not added a second time."""
    incoming = extracted["case"]
    wanted = extracted.get("document")
    docs = [d for d in incoming.get("documents", []) if d.get("id") == wanted] or list(
        incoming.get("documents", [])[:1]
    )
    if not docs:
        raise SubmissionError(_NO_DOCUMENT)
    doc = copy.deepcopy(docs[0])
    _drop_hub_section(doc, formset)
    same = next((d for d in raw.get("documents", []) if d.get("id") == doc.get("id")), None)
    try:
        form = formset.form(str(doc.get("form")))
    except EhdocsError:
        raise SubmissionError(_NO_DOCUMENT) from None
    if same is not None and same.get("status") == "completed":
        raise SubmissionError(
            f"Case {raw.get('reference')} already has this {form.title}, completed: a copy "
            "received by the hub cannot replace it. Open the case to change the document, or "
            "create a new case for this copy"
        )
    if same is None and only_copy(raw, form) is not None:
        raise SubmissionError(
            f"Case {raw.get('reference')} already has an {form.title}, and a case has only one. "
            "Create a new case for this request, or add it to a different case"
        )
    for key in _RECORD_KEYS:  # records the document refers to, that the case lacks
        have = {r.get("id") for r in raw.get(key, [])}
        for record in incoming.get(key, []):
            if record.get("id") not in have:
                raw.setdefault(key, []).append(copy.deepcopy(record))
    documents = [d for d in raw.get("documents", []) if d.get("id") != doc.get("id")]
    documents.append(doc)
    raw["documents"] = documents
    return str(doc.get("id"))


class _Resolver:
    """Names written on a form -> ids of people and professionals in the case, adding those
    that are not there yet."""

    def __init__(self, raw: dict[str, Any], formset: FormSet) -> None:
        self.raw = raw
        self.formset = formset
        # People added from a question that did not say who they are (who gave consent): a
        # significant adult until a later question says they are a parent or carer, or a child.
        self.provisional: set[str] = set()

    def __call__(self, ref: NameReference) -> str | list[str] | None:
        ids = [i for i in (self.resolve(ref, name) for name in ref.names) if i]
        if not ids:
            return None
        return ids if ref.multiple else ids[0]

    def resolve(self, ref: NameReference, name: str) -> str | None:
        if not name.strip():
            return None
        if ref.kind == "professional":
            return self._professional(name)
        return self._person(name, ref)

    def _person(self, written: str, ref: NameReference) -> str:
        people = self.raw.setdefault("people", [])
        dob = parse_dob(getattr(ref, "date_of_birth", None))
        name, said = parent_named(written)
        role = {"child": roles.CHILD, "adult": roles.PARENT_CARER}.get(ref.role or "")
        role = role or (roles.PARENT_CARER if said else None)
        wanted = fold(name)
        for person in people:
            if (
                fold(person_name(person)) != wanted
                and fold(str(person.get("known_as") or "")) != wanted
            ):
                continue
            theirs = person.get("date_of_birth")
            if dob and isinstance(theirs, str) and len(theirs) == 10 and theirs != dob:
                continue  # a different child of the same name
            if dob and not theirs:
                person["date_of_birth"] = dob
            if role and person.get("id") in self.provisional:
                person["category"] = self.formset.category_values(role)[0]
                self.provisional.discard(person["id"])
            return str(person["id"])
        given, family = split_name(name)
        # A child or an adult as the question asked (or as written: "Jane Okoro (mother)");
        # anyone else is a significant adult, until a later question says otherwise.
        categories = self.formset.category_values(role or roles.SIGNIFICANT_ADULT)
        person_id = new_record_id("person", people)
        if role is None:
            self.provisional.add(person_id)
        record: dict[str, Any] = {
            "id": person_id,
            "given_name": given,
            "category": categories[0],
        }
        if family:
            record["family_name"] = family
        if dob:
            record["date_of_birth"] = dob
        people.append(record)
        return person_id

    def _professional(self, text: str) -> str:
        professionals = self.raw.setdefault("professionals", [])
        parts = [p.strip() for p in text.split(",") if p.strip()]
        name = parts[0] if parts else text.strip()
        for professional in professionals:
            if fold(str(professional.get("name") or "")) == fold(name):
                return str(professional["id"])
        record = {
            "id": new_record_id("professional", professionals),
            "name": name,
            "role": parts[1] if len(parts) > 1 else NOT_STATED,
            "agency": ", ".join(parts[2:]) if len(parts) > 2 else NOT_STATED,
        }
        professionals.append(record)
        return str(record["id"])


def set_aside(
    raw: dict[str, Any], doc_id: str, label: str, problems: list[Problem]
) -> dict[str, dict[str, Any]]:
    """Take out of the document the answers that cannot be stored even in a draft (a date that
    is not a real date), and return, per section touched, that section's answers as they were
    written: the hub keeps them as the section pages' drafts, so nothing typed is dropped and
    the practitioner sees each with what is wrong. A problem with no single answer to take out
    (too few rows, a record) is left for the caller to show."""
    doc = next((d for d in raw.get("documents", []) if d.get("id") == doc_id), None)
    data = doc.get("data") if doc else None
    if not isinstance(data, dict):
        return {}
    kept: dict[str, dict[str, Any]] = {}
    for problem in problems:
        steps = _steps(problem.path) if problem.document == label else []
        if len(steps) < 2 or not isinstance(data.get(str(steps[0])), dict):
            continue
        kept.setdefault(str(steps[0]), copy.deepcopy(data[str(steps[0])]))
        parent: Any = data
        for step in steps[:-1]:
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(parent, dict):
                parent.pop(str(steps[-1]), None)
    return kept


def _steps(path: str) -> list[str | int]:
    """`children.children[0].date` -> ["children", "children", 0, "date"]."""
    steps: list[str | int] = []
    for part in path.split("."):
        name, *indexes = part.split("[")
        if name:
            steps.append(name)
        steps.extend(int(i.rstrip("]")) for i in indexes if i.rstrip("]").isdigit())
    return steps
