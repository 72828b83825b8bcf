"""What runs inside a parser process: bytes of an untrusted file in, plain data out.

Nothing here touches the database, the disk or the network. The answer is a dict of plain
values (it crosses a process boundary), one of:

    {"kind": "form", "format", "form", "version", "digest", "profile", "values"}
        a filled fillable form (PDF fields or DOCX content controls), read by its identity;
    {"kind": "embedded", "payload", "form_reading"}
        a PDF that carries `ehdocs-case.json`: the embedded data as it is (trusted only once
        its seal verifies, outside this process: the key is never here), and what the form
        fields say, for when it does not (see ehdocs.ingest.sealed);
    {"kind": "refused", "reason"}
        anything else, with a reason written for the person who sent it.

A ZIP archive, a signed S/MIME message (.p7m) or Outlook's winmail.dat (TNEF) is opened and
its first form read as if it had been sent on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ehdocs.fillable.errors import FillableFormError, NoFieldsError
from ehdocs.fillable.filled import FilledForm
from ehdocs.fillable.read_docx import read_docx_fields, untagged_controls
from ehdocs.fillable.read_flat import flat_reading, scan_reading
from ehdocs.fillable.read_pdf import read_pdf_fields, read_pdf_form_or_attachment
from ehdocs.fillable.signatures import read_signatures
from ehdocs.ingest.containers import MAX_DEPTH as MAX_ARCHIVE_DEPTH
from ehdocs.ingest.containers import msg_members, p7m_members, tnef_members, zip_members
from ehdocs.ingest.identify import described, has_broken_pdf_header, kind_of

CASE_ATTACHMENT = "ehdocs-case.json"
CASE_FORMAT = "ehdocs-embedded-case"
MAX_CASE_JSON = 5 * 1024 * 1024

DAMAGED_CASE = (
    "This PDF's embedded case data is damaged or not in a form this service reads. Send the "
    "PDF as ehdocs made it, or the filled-in form"
)
NOT_A_FORM = (
    "This file is not a PDF or a Word document (.docx). Send the form as the PDF or Word file "
    "you filled in"
)


BROKEN_HEADER = (
    'This PDF\'s first line is damaged (it should start "%PDF-"), so it cannot be read as a '
    "form. Open it in the program you filled it in with, save it as a new PDF and send that"
)


def parse(data: bytes, depth: int = 0) -> dict[str, Any]:
    result = _parse(data, depth)
    if kind_of(data) == "pdf" and result.get("kind") != "refused":
        result["signatures"] = read_signatures(data)  # who signed, and what changed since
    return result


def _parse(data: bytes, depth: int) -> dict[str, Any]:
    kind = kind_of(data)
    try:
        if kind == "zip":
            if described(data) != "a ZIP archive":  # an OpenDocument file is a ZIP too
                return refused(_not_a_form(data))
            return _archive(data, depth)
        if kind == "p7m":
            return _archive(data, depth, p7m_members(data), "a signed message (S/MIME .p7m)")
        if kind == "tnef":
            return _archive(data, depth, tnef_members(data), "an Outlook winmail.dat")
        if kind == "msg":
            return _archive(data, depth, msg_members(data), "an Outlook message (.msg)")
        if kind == "image":
            return _scan(data)
        if kind == "pdf":
            if has_broken_pdf_header(data):
                return refused(BROKEN_HEADER)
            try:
                found = read_pdf_form_or_attachment(data, CASE_ATTACHMENT)
            except NoFieldsError as exc:
                return _flattened(data, exc)
            if isinstance(found, bytes):
                return _embedded(found, data)
            filled = found
        elif kind == "docx":
            filled = read_docx_fields(data)
            if not filled.values:  # saved again without the controls' names (LibreOffice)
                untagged = untagged_controls(data)
                if untagged:
                    return {**_form_result(filled), "untagged": untagged}
        else:
            return refused(_not_a_form(data))
    except FillableFormError as exc:
        return refused(str(exc))
    return _form_result(filled)


def _flattened(data: bytes, exc: NoFieldsError) -> dict[str, Any]:
    """A PDF of ours whose answer boxes were flattened into the page, or a scanned one: what
    its pages show, for the hub to read against the blank form; else the refusal."""
    try:
        found = flat_reading(data[data.find(b"%PDF-") :], exc.ident)
    except (MemoryError, RecursionError):
        raise
    except Exception:  # PDFium could not open or draw it: the first reading's refusal stands
        found = None
    return found if found is not None else refused(str(exc))


def _scan(data: bytes) -> dict[str, Any]:
    try:
        return scan_reading(data)
    except MemoryError:
        raise
    except Exception:  # a damaged picture, or one too large to be a page
        return refused(
            f"This file is {described(data) or 'a picture'} that could not be opened, or is far "
            "larger than a photo of a page. Send the form as the PDF or Word file you filled "
            "in, or a clear photo or scan of the paper form"
        )


def _form_result(filled: FilledForm) -> dict[str, Any]:
    return {
        "kind": "form",
        "format": filled.format,
        "form": filled.form,
        "version": filled.version,
        "digest": filled.digest,
        "profile": filled.profile,
        "values": dict(filled.values),
        "also": list(filled.also),
    }


def _not_a_form(data: bytes) -> str:
    found = described(data)
    if found is None:
        return NOT_A_FORM
    return (
        f"This file is {found}, not a PDF or a Word document (.docx). Send the form as the PDF "
        "or Word file you filled in"
    )


def _archive(
    data: bytes,
    depth: int,
    members: Iterator[bytes] | None = None,
    found: str = "a ZIP archive",
) -> dict[str, Any]:
    """The first form (or ehdocs document) in a ZIP archive (or another wrapper: `members`
    and the words for what it is), read like any attachment."""
    if depth >= MAX_ARCHIVE_DEPTH:
        return refused(f"This file is {found} inside too many other wrappers to look through")
    reasons: list[str] = []
    for member in zip_members(data) if members is None else members:
        if kind_of(member) is None:
            continue
        result = parse(member, depth + 1)
        if result["kind"] != "refused":
            return result
        reasons.append(result["reason"])
    if len(reasons) == 1:
        return refused(f"This file is {found} holding a file that was refused: {reasons[0]}")
    return refused(
        f"This file is {found} with no filled-in form in it. Attach the PDF or Word form "
        "you filled in"
    )


def refused(reason: str) -> dict[str, Any]:
    return {"kind": "refused", "reason": reason}


def _embedded(found: bytes, data: bytes) -> dict[str, Any]:
    """The embedded case data as it is, with the form fields' reading beside it (read second:
    a case-data bomb stops the worker before the file is read twice)."""
    payload: dict[str, Any] | None = None
    problem = DAMAGED_CASE
    if len(found) <= MAX_CASE_JSON:
        try:
            loaded = json.loads(found)
        except ValueError:
            loaded = None
        except RecursionError:
            loaded, problem = None, "This PDF's embedded case data is too deeply nested to read"
        payload = loaded if isinstance(loaded, dict) else None
    try:
        form = _form_result(read_pdf_fields(data))
    except FillableFormError as exc:
        form = refused(str(exc))
    return {"kind": "embedded", "payload": payload, "problem": problem, "form_reading": form}


def case_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The case data an ehdocs-rendered PDF carries (read in full: lossless), once its seal
    has verified."""
    if payload.get("format") != CASE_FORMAT:
        return refused(DAMAGED_CASE)
    case = payload.get("case")
    if not isinstance(case, dict):
        return refused(DAMAGED_CASE)
    if payload.get("audience") == "family":
        return refused(
            "This PDF is a family copy: it leaves out what only professionals see, so it cannot "
            "be taken in as case data. Send the professional copy, or the filled-in form"
        )
    document: Any = payload.get("document_id")
    if not isinstance(document, str):  # which document: by id, else the first of its form
        form = payload.get("document")
        same = [
            d for d in case.get("documents", []) if isinstance(d, dict) and d.get("form") == form
        ]
        document = same[0].get("id") if same else None
    return {
        "kind": "case",
        "document": document if isinstance(document, str) else None,
        "audience": str(payload.get("audience") or ""),
        "profile": str(payload.get("profile") or ""),
        "case": case,
    }
