"""What of a received file the hub may trust: its embedded case data only under our seal.

A PDF that carries `ehdocs-case.json` is a copy of a case only when the data's seal (an HMAC
with the service's key, ehdocs.case.seal) verifies; the parser process never holds the key, so
the check is made here. Anything else (no seal, a seal by another key, data changed after it
was sealed) is read as what it also is: an ordinary partner's form, from its form fields, or
refused when it has none. Whatever the file says, it never pre-fills the hub's own section.
"""

from __future__ import annotations

from typing import Any

from ehdocs.case.seal import SEAL, SealKeys, verified_key
from ehdocs.ingest.parse import case_from_payload, refused

EMBEDDED = "embedded"
NOT_SEALED = (
    "This PDF carries case data that this service did not seal, or that was changed after it "
    "was sealed, so it cannot be taken in as a copy of a case; it has no form fields to read "
    "either. Send the form downloaded from this service, filled in"
)


def resolve(result: dict[str, Any], keys: SealKeys | None) -> dict[str, Any]:
    """A parser's answer as the hub takes it: a PDF with embedded case data becomes a case copy
    (sealed), the form its fields say (not sealed), or a refusal; anything else as it is."""
    if result.get("kind") != EMBEDDED:
        return result
    resolved = _resolve(result, keys)
    if "signatures" in result and resolved.get("kind") != "refused":
        resolved["signatures"] = result["signatures"]
    return resolved


def _resolve(result: dict[str, Any], keys: SealKeys | None) -> dict[str, Any]:
    payload = result.get("payload")
    form = dict(result.get("form_reading") or refused(NOT_SEALED))
    key_id = verified_key(payload, keys) if isinstance(payload, dict) else None
    if key_id is not None and isinstance(payload, dict):
        case = case_from_payload(payload)
        if case.get("kind") == "case":
            case["seal"] = {"state": "verified", "key_id": key_id}
        return case
    state = "broken" if isinstance(payload, dict) and SEAL in payload else "none"
    if form.get("kind") == "form":
        form["seal"] = {"state": state}
        return form
    if not isinstance(payload, dict):  # damaged embedded data and no form: say what it is
        return refused(str(result.get("problem") or NOT_SEALED))
    return refused(NOT_SEALED)
