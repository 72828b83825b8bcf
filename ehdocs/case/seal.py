"""The seal on the case data a PDF carries: an HMAC-SHA256 with a key only the service holds.

A PDF ehdocs renders embeds the case it shows (`ehdocs-case.json`). Anybody can write such a
file, so what it says is trusted only when its seal verifies: the MAC covers the whole payload
(format, profile, document, audience, the case), computed over its canonical JSON, under the
key named by `key_id`. Keys rotate: the newest seals, older ones still verify until removed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ALGORITHM = "HMAC-SHA256"
SEAL = "seal"
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class SealKeys:
    """The key that seals (`key_id`, `key`) and every key a seal may be verified with."""

    key_id: str
    key: bytes = field(repr=False)
    older: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name, value in {self.key_id: self.key, **self.older}.items():
            if not name or len(value) < MIN_KEY_BYTES:
                raise ValueError(f"seal key {name!r} is shorter than {MIN_KEY_BYTES} bytes")

    def lookup(self, key_id: str) -> bytes | None:
        if hmac.compare_digest(key_id, self.key_id):
            return self.key
        return self.older.get(key_id)


def key_id_of(key: bytes) -> str:
    """A name for a key that says nothing about it: the start of the hash of its hash."""
    return "k-" + hashlib.sha256(hashlib.sha256(key).digest()).hexdigest()[:12]


def derive_key(secret: str) -> bytes:
    """A seal key of its own from the service's secret key (never the secret itself)."""
    return hmac.new(secret.encode(), b"ehdocs embedded case seal v1", hashlib.sha256).digest()


def canonical(payload: Mapping[str, Any]) -> bytes:
    """The bytes the MAC covers: the payload without its seal, keys sorted, no spaces."""
    body = {k: v for k, v in payload.items() if k != SEAL}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sealed(payload: Mapping[str, Any], keys: SealKeys) -> dict[str, Any]:
    """`payload` with its seal added (replacing any seal it had)."""
    mac = hmac.new(keys.key, canonical(payload), hashlib.sha256).hexdigest()
    out = {k: v for k, v in payload.items() if k != SEAL}
    out[SEAL] = {"algorithm": ALGORITHM, "key_id": keys.key_id, "mac": mac}
    return out


def verified_key(payload: Mapping[str, Any], keys: SealKeys | None) -> str | None:
    """The id of the key whose seal `payload` carries, when the seal verifies; else None
    (no seal, an unknown key, another algorithm, or anything changed after sealing)."""
    seal = payload.get(SEAL)
    if keys is None or not isinstance(seal, Mapping) or seal.get("algorithm") != ALGORITHM:
        return None
    key_id, mac = seal.get("key_id"), seal.get("mac")
    if not isinstance(key_id, str) or not isinstance(mac, str):
        return None
    key = keys.lookup(key_id)
    if key is None:
        return None
    try:
        body = canonical(payload)
    except (TypeError, ValueError, RecursionError):
        return None
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    return key_id if hmac.compare_digest(expected, mac.lower()) else None
