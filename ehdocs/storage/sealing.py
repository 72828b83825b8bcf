"""Which keys seal the case data ehdocs embeds in its PDFs (see ehdocs.case.seal).

    EHDOCS_SEAL_KEY        the key that seals: `ID:SECRET` (an id of your choosing, recorded in
                           every seal) or just SECRET (its id is then made from it);
    EHDOCS_SEAL_OLD_KEYS   keys that only verify, for PDFs sealed before a rotation:
                           `ID:SECRET,ID:SECRET`.

Without EHDOCS_SEAL_KEY the key is derived from EHDOCS_SECRET_KEY; without either (development),
a random key is made once and kept in the data folder (`seal.key`, readable by its owner only),
so the PDFs of a laptop's service still verify after a restart.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ehdocs.case.seal import MIN_KEY_BYTES, SealKeys, derive_key, key_id_of
from ehdocs.errors import ConfigError

KEY_FILE = "seal.key"


def seal_keys(config: Mapping[str, Any]) -> SealKeys:
    env = os.environ
    current = config.get("SEAL_KEY") or env.get("EHDOCS_SEAL_KEY")
    older = _parse_list(config.get("SEAL_OLD_KEYS") or env.get("EHDOCS_SEAL_OLD_KEYS") or "")
    if current:
        key_id, key = _parse_one(str(current))
    elif secret := (config.get("SEAL_SECRET") or env.get("EHDOCS_SECRET_KEY")):
        key = derive_key(str(secret))
        key_id = key_id_of(key)
    else:
        key = _key_file(Path(config["DATA_DIR"]) / KEY_FILE)
        key_id = key_id_of(key)
    older.pop(key_id, None)
    return SealKeys(key_id, key, older)


def _parse_one(text: str) -> tuple[str, bytes]:
    key_id, sep, secret = text.strip().partition(":")
    if not sep:
        key_id, secret = "", key_id
    key = secret.encode()
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"A seal key must be at least {MIN_KEY_BYTES} characters, e.g. from: python -c "
            "'import secrets; print(secrets.token_hex(32))'"
        )
    return (key_id or key_id_of(key)), key


def _parse_list(text: str) -> dict[str, bytes]:
    return dict(_parse_one(part) for part in text.split(",") if part.strip())


def _key_file(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # Written whole under another name, then linked: two processes starting at once never
    # read a half-written key, and the one that links second reads the first one's key.
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key.hex())
    try:
        os.link(temporary, path)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    finally:
        temporary.unlink()
    return key
