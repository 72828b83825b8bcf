"""What the hub adviser is told about a submission's integrity: whether its embedded case data
carried this service's seal, who signed the file, when, and whether the signature covers the
answers as they are now (see ehdocs.ingest.sealed and ehdocs.fillable.signatures), and whether
the answers were recovered from a flattened, re-saved or scanned copy (ehdocs.ingest.recover)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ehdocs.fields.dates import format_time
from ehdocs.ingest.service import question_label
from ehdocs.schema.model import FormDefinition


@dataclass(frozen=True)
class SignatureView:
    signer: str
    organisation: str
    signed_at: str
    state: str  # covers | changed | broken | unreadable
    trusted: bool
    changed: list[str]


@dataclass(frozen=True)
class Recovered:
    """Answers read from what the pages show, not from the form's boxes: to be checked."""

    words: str  # how they were read
    unread: list[str]  # questions whose box holds something that could not be read
    check: list[str]  # answers read, but likely to differ from what was typed


@dataclass(frozen=True)
class Integrity:
    seal: str | None  # verified | none | broken; None: the file carried no case data
    signatures: list[SignatureView]
    recovered: Recovered | None = None

    @property
    def shown(self) -> bool:
        return self.seal is not None or bool(self.signatures)


def integrity_of(extracted: dict[str, Any] | None, form: FormDefinition | None) -> Integrity:
    extracted = extracted or {}
    seal = extracted.get("seal")
    state = seal.get("state") if isinstance(seal, dict) else None
    signatures = [
        _signature(s, form) for s in extracted.get("signatures") or [] if isinstance(s, dict)
    ]
    found = extracted.get("recovered")
    recovered = (
        Recovered(
            words=str(found.get("words") or ""),
            unread=[str(x) for x in found.get("unread") or []],
            check=[str(x) for x in found.get("check") or []],
        )
        if isinstance(found, dict)
        else None
    )
    return Integrity(state if isinstance(state, str) else None, signatures, recovered)


def _signature(sig: dict[str, Any], form: FormDefinition | None) -> SignatureView:
    return SignatureView(
        signer=str(sig.get("signer") or "Not known"),
        organisation=str(sig.get("organisation") or ""),
        signed_at=_when(sig.get("signed_at")),
        state=str(sig.get("state") or "unreadable"),
        trusted=bool(sig.get("trusted")),
        changed=[_label(str(name), form) for name in sig.get("changed") or []],
    )


def _when(value: Any) -> str:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return "Not stated"
    return format_time(when)


def _label(name: str, form: FormDefinition | None) -> str:
    """A form field's name (children__children__0__child) as its question's label."""
    path = re.sub(r"__(\d+)(?=__|$)", r"[\1]", name).replace("__", ".")
    return (question_label(form, path) if form else None) or name
