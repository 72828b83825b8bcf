"""A content-addressed cache of rendered parts, so an unchanged part of a pack is not redrawn.

The parts hold personal data: the folder is private (0700) and each file 0600; deleting a
case's data should clear this folder too (see `clear`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ehdocs import __version__
from ehdocs.case.io import write_atomic


def default_cache_dir() -> Path:
    return Path(os.environ.get("EHDOCS_DATA_DIR", "instance")) / "cache" / "parts"


class PartCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @staticmethod
    def key(*pieces: bytes) -> str:
        digest = hashlib.sha256(__version__.encode())
        for piece in pieces:
            digest.update(len(piece).to_bytes(8, "big"))
            digest.update(piece)
        return digest.hexdigest()

    def get(self, key: str) -> bytes | None:
        if self.folder is None:
            return None
        path = self.folder / f"{key}.pdf"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(self.folder / f"{key}.pdf", data)

    def clear(self) -> int:
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.glob("*.pdf"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed
