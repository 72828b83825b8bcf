"""Digital signatures on a received PDF, as the hub adviser needs them: who signed, when, and
whether the signature still covers the answers the file holds now.

pyHanko checks each signature (the digest over its byte range, the signer's CMS signature) and
how much of the file it covers. A partner's certificate is rarely one the council trusts, so
trust is reported, never required. What a later revision changed is judged by the answers: the
signed revision's are compared with the current ones, so the adviser sees which answers changed
after signing. pyHanko's own difference analysis is not run: on our tagged forms with their
whole field font it walks ~1.4 million object paths, 6 s or more, past the parser's 4 s limit,
and a signed form came back "could not be read in the time allowed".
Runs in the parser process: the file is untrusted.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
from typing import Any

from ehdocs.fillable.errors import FillableFormError
from ehdocs.fillable.read_pdf import read_pdf_fields

MAX_SIGNATURES = 10
log = logging.getLogger("ehdocs.ingest")


def read_signatures(data: bytes) -> list[dict[str, Any]]:
    """One plain dict per signature (empty when the file has none); a signature that cannot
    be checked at all is listed as such, never dropped."""
    if b"/ByteRange" not in data:  # no signature dictionary: skip pyHanko entirely
        return []
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no event loop here: pyHanko may start its own
        return _read(data)
    # pyHanko's checks call asyncio.run(), which refuses to run inside a running event loop
    # (a caller that is async itself): a thread of their own has none.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_read, data).result()


def _read(data: bytes) -> list[dict[str, Any]]:
    PdfFileReader, _, _ = _pyhanko()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        found = list(reader.embedded_signatures)[:MAX_SIGNATURES]
    except Exception:  # a damaged file: the form reading says what is wrong with it
        return [{"state": "unreadable"}]
    return [_one(sig, data) for sig in found]


def _pyhanko() -> tuple[Any, Any, Any]:
    """pyHanko, loaded in a parser process only when a file holds a signature: it takes
    seconds to import, inside each worker's time limit."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    return PdfFileReader, validate_pdf_signature, ValidationContext


def _one(sig: Any, data: bytes) -> dict[str, Any]:
    _, validate_pdf_signature, ValidationContext = _pyhanko()
    out: dict[str, Any] = {"field": str(sig.field_name or "")}
    try:
        cert = sig.signer_cert
        subject = cert.subject.native
        out["signer"] = str(subject.get("common_name") or cert.subject.human_friendly)
        out["organisation"] = str(subject.get("organization_name") or "")
        context = ValidationContext(trust_roots=[], allow_fetching=False)
        status = validate_pdf_signature(sig, context, skip_diff=True)
    except Exception as exc:  # a malformed signature: say so
        log.info("signature not checked: %s", type(exc).__name__)
        out["state"] = "unreadable"
        return out
    when = status.signer_reported_dt
    out["signed_at"] = when.isoformat() if when else None
    out["intact"] = bool(status.intact and status.valid)
    out["trusted"] = bool(status.trusted)
    out["coverage"] = status.coverage.name.lower() if status.coverage else "unclear"
    changed = _changed_answers(sig, data)
    out["changed"] = changed or []
    # A later revision that changed no answer (a viewer's own bookkeeping) still covers them;
    # when the signed revision's answers cannot be read, that cannot be said.
    covers = out["coverage"] == "entire_file" or (
        out["coverage"] == "entire_revision" and changed is not None
    )
    out["state"] = (
        "broken" if not out["intact"] else ("covers" if covers and not changed else "changed")
    )
    return out


def _changed_answers(sig: Any, data: bytes) -> list[str] | None:
    """Names of the fields whose answer differs between the signed revision and now; None when
    the signed revision cannot be read as a form."""
    try:
        a, b, c, d = (int(x) for x in sig.sig_object["/ByteRange"])
        signed = data[: c + d]
        before, now = read_pdf_fields(signed).values, read_pdf_fields(data).values
    except (FillableFormError, ValueError, KeyError, TypeError):
        return None
    return sorted(n for n in set(before) | set(now) if before.get(n) != now.get(n))
