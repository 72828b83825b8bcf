"""Files that wrap the form: a ZIP archive (stored or compressed) is unpacked, with the same
bomb limits as a Word package, and what is inside is read like any attachment."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from ehdocs.fillable.errors import UnreadableFormError
from ehdocs.fillable.read_docx import MAX_ENTRIES, MAX_PART, MAX_RATIO, MAX_UNPACKED

MAX_DEPTH = 2  # an archive in an archive, no deeper


def zip_members(data: bytes) -> Iterator[bytes]:
    """The files in a ZIP archive, in its order, each within the limits (a part that would
    inflate past them is refused before it is inflated)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        raise UnreadableFormError(
            "This file is a ZIP archive that could not be opened: it may be damaged. Attach the "
            "filled-in form itself, not in an archive"
        ) from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ENTRIES:
            raise UnreadableFormError("This ZIP archive holds too many files to look through")
        if sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise UnreadableFormError("This ZIP archive is too large when unpacked")
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnreadableFormError(
                    "This ZIP archive is protected with a password. Attach the filled-in form "
                    "itself, not in an archive"
                )
            if info.file_size > MAX_PART or info.file_size > MAX_RATIO * max(
                info.compress_size, 1024
            ):
                raise UnreadableFormError("This ZIP archive holds a file that is too large")
        for info in infos:
            try:
                yield archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
                continue  # a damaged or unsupported member: the others may hold the form
