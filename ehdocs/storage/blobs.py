"""Received files kept on disk by content: `<root>/ab/ab12…` (SHA-256), private to the service.

Names that came with a file are never used as paths. A file is written to a temporary name,
flushed to disk and renamed, so a crash leaves either the whole file or nothing; writing the
same content twice is one file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from ehdocs.case.io import write_atomic

_SHA = re.compile(r"^[0-9a-f]{64}$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if not _SHA.match(digest):
            raise ValueError("not a SHA-256 digest")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = sha256(data)
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root, 0o700)
        write_atomic(target, data)  # temporary file, fsync, 0600, rename
        return digest

    def put_file(self, source: Path, chunk: int = 1024 * 1024) -> tuple[str, int]:
        """(digest, size) of a file copied in by streaming: for files too big to hold in
        memory, kept whole all the same."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as handle:
                while block := handle.read(chunk):
                    digest.update(block)
                    out.write(block)
                    size += len(block)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            target = self.path(digest.hexdigest())
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return digest.hexdigest(), size

    def get(self, digest: str) -> bytes | None:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def delete(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)

    def stored(self) -> list[tuple[str, float]]:
        """Every stored file's digest and modification time (for clearing orphans)."""
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.glob("??/*"):
            if _SHA.match(path.name):
                found.append((path.name, path.stat().st_mtime))
        return found
