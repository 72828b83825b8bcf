"""Forged and tampered embedded case data (issue 16, "Forgery and tampering"): only a copy that
carries this service's seal is taken in as a copy of a case; anything else is read as what it
also is, a partner's form, or refused with the reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from ehdocs.case.io import read_case_file
from ehdocs.case.seal import SealKeys, sealed, verified_key
from ehdocs.ingest.setup import ingestor_from_config
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_document
from ehdocs.schema import FormSet
from ehdocs.storage.config import from_environment
from ehdocs.storage.sealing import seal_keys
from ehdocs.validation import validate_case
from tests.ingest.test_ingest import blank, filled, rows  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
RILEY = ROOT / "examples" / "single-parent.json"
TODAY = dt.date(2026, 11, 23)


def forged_payload(decision: str = "social_care") -> dict[str, Any]:
    """What a forger writes by hand: a case copy, hashed as ehdocs hashes it, with a hub
    decision already made."""
    case = read_case_file(RILEY)
    doc = next(d for d in case["documents"] if d["form"] == "notification")
    doc.setdefault("data", {})["hub"] = {"decision": decision, "checks_made": "Forged"}
    canonical = json.dumps(case, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {
        "format": "ehdocs-embedded-case",
        "format_version": 1,
        "profile": "default",
        "document": "notification",
        "document_id": doc["id"],
        "audience": "hub",
        "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        "case": case,
    }


def with_attachment(pdf: bytes, payload: dict[str, Any]) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as out:
        out.attachments["ehdocs-case.json"] = pikepdf.AttachedFileSpec(
            out, json.dumps(payload).encode(), mime_type="application/json"
        )
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()


def embedded(pdf: bytes) -> dict[str, Any]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        spec = doc.attachments["ehdocs-case.json"]
        data: dict[str, Any] = json.loads(spec.get_file().read_bytes())
    return data


def ingest(pdf: bytes) -> tuple[Any, dict[str, Any]]:
    config = from_environment()
    with ingestor_from_config(config) as ingestor:
        receipt = ingestor.receive_file(pdf, source="file")
        (outcome,) = ingestor.process([receipt.reference])
    (row,) = [r for r in rows(config["DATA_DIR"]) if r["reference"] == receipt.reference]
    return outcome, row


def rendered(formset: FormSet, seal: SealKeys | None, audience: str = "hub") -> bytes:
    case = validate_case(read_case_file(RILEY), formset).case
    assert case is not None
    doc = case.documents_of("notification")[0]
    return render_document(case, doc, RenderOptions(audience, "pdf", TODAY, seal=seal))


def test_a_filled_form_with_a_forged_case_file_is_read_from_its_fields(
    data_dir: Path,
    blank: bytes,  # noqa: F811
) -> None:
    pdf = with_attachment(filled(blank, "Amy Smith"), forged_payload())
    outcome, row = ingest(pdf)
    assert outcome.status == "ready"
    extracted = json.loads(row["extracted"])
    assert row["kind"] == "form" and extracted["kind"] == "form"
    assert "case" not in extracted  # nothing of the forged copy is kept
    assert extracted["values"]["children__children__0__child"] == "Amy Smith"
    assert extracted["seal"] == {"state": "none"}


def test_a_rendered_pdf_with_its_case_data_replaced_is_refused(
    data_dir: Path, formset: FormSet
) -> None:
    pdf = with_attachment(rendered(formset, None), forged_payload())
    outcome, row = ingest(pdf)
    assert outcome.status == "refused"
    assert "did not seal" in outcome.reason
    assert row["extracted"] is None


def test_a_sealed_copy_comes_back_as_a_case_and_an_edited_one_does_not(
    data_dir: Path, formset: FormSet
) -> None:
    keys = seal_keys(from_environment())
    pdf = rendered(formset, keys)
    payload = embedded(pdf)
    assert payload["seal"]["key_id"] == keys.key_id
    outcome, row = ingest(pdf)
    assert outcome.status == "ready" and row["kind"] == "case"
    assert json.loads(row["extracted"])["seal"] == {"state": "verified", "key_id": keys.key_id}

    # The same seal on data changed afterwards (a hub decision written in) no longer verifies.
    doc = next(d for d in payload["case"]["documents"] if d["id"] == payload["document_id"])
    doc["data"]["hub"] = {"decision": "social_care"}
    outcome, row = ingest(with_attachment(rendered(formset, None, "professional"), payload))
    assert outcome.status == "refused" and "changed after it was sealed" in outcome.reason


def test_a_copy_sealed_by_another_service_is_not_trusted(data_dir: Path, formset: FormSet) -> None:
    other = SealKeys("theirs", b"x" * 32)
    outcome, _ = ingest(rendered(formset, other))
    assert outcome.status == "refused" and "did not seal" in outcome.reason


def test_rotated_keys_still_verify_and_a_forged_key_id_does_not() -> None:
    old = SealKeys("2025", b"o" * 32)
    new = SealKeys("2026", b"n" * 32, {"2025": b"o" * 32})
    payload = sealed({"format": "ehdocs-embedded-case", "case": {"a": 1}}, old)
    assert verified_key(payload, new) == "2025"
    assert verified_key(payload, SealKeys("2026", b"n" * 32)) is None
    payload["seal"]["key_id"] = "2026"
    assert verified_key(payload, new) is None
    assert verified_key({"case": {}}, new) is None
    with pytest.raises(ValueError):
        SealKeys("short", b"too short")


def test_the_seal_key_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EHDOCS_SEAL_KEY", raising=False)
    monkeypatch.delenv("EHDOCS_SECRET_KEY", raising=False)
    made = seal_keys({"DATA_DIR": tmp_path})
    assert seal_keys({"DATA_DIR": tmp_path}) == made  # kept: seals verify after a restart
    assert (tmp_path / "seal.key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("EHDOCS_SECRET_KEY", "s" * 40)
    derived = seal_keys({"DATA_DIR": tmp_path})
    assert derived.key != b"s" * 40 and derived.key_id.startswith("k-")
    monkeypatch.setenv("EHDOCS_SEAL_KEY", "2026-12:" + "k" * 32)
    monkeypatch.setenv("EHDOCS_SEAL_OLD_KEYS", "2026-01:" + "j" * 32)
    keys = seal_keys({"DATA_DIR": tmp_path})
    assert keys.key_id == "2026-12" and keys.lookup("2026-01") == b"j" * 32
