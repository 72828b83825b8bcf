"""Files that wrap the form: a ZIP archive (stored or compressed), an opaque-signed S/MIME
message (.p7m), Outlook's winmail.dat (TNEF) and an Outlook message saved to disk (.msg) are
opened, with the same bomb limits as a Word package, and what is inside is read like any
attachment."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from email import message_from_bytes, policy

import olefile
from asn1crypto import cms, pem
from tnefparse import TNEF

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


# -- S/MIME (.p7m) ------------------------------------------------------------------------------

_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")  # 1.2.840.113549.1.7.2
_ENVELOPED_OID = bytes.fromhex("06092a864886f70d010703")  # 1.2.840.113549.1.7.3
_PEM_PKCS7 = (b"-----BEGIN PKCS7-----", b"-----BEGIN CMS-----")


def is_p7m(data: bytes) -> bool:
    """An S/MIME or CMS message (.p7m, smime.p7m), in DER or PEM."""
    if data.lstrip().startswith(_PEM_PKCS7):
        return True
    head = data[:40]
    return data[:1] == b"\x30" and (_SIGNED_DATA_OID in head or _ENVELOPED_OID in head)


def p7m_members(data: bytes) -> Iterator[bytes]:
    """What an opaque-signed S/MIME message (.p7m) wraps: the file itself, or, when the signed
    content is a MIME entity (as Outlook and Thunderbird sign), each part of it. The signature
    is not what makes the form trusted here (the form's own identity does), so it is not
    checked; an encrypted message cannot be opened without the recipient's key."""
    if pem.detect(data):
        try:
            _, _, data = pem.unarmor(data.lstrip())
        except ValueError:
            raise UnreadableFormError(_P7M_DAMAGED) from None
    if len(data) > MAX_UNPACKED:
        raise UnreadableFormError("This signed (S/MIME .p7m) message is too large to look through")
    try:
        info = cms.ContentInfo.load(data)
        kind = info["content_type"].native
        if kind == "enveloped_data":
            raise UnreadableFormError(
                "This file is an encrypted e-mail (S/MIME .p7m) that only its recipient's key "
                "opens. Send the filled-in form without encrypting it, or by the secure route "
                "your council gave you"
            )
        if kind != "signed_data":
            raise UnreadableFormError(_P7M_DAMAGED)
        inner = info["content"]["encap_content_info"]["content"].native
    except UnreadableFormError:
        raise
    except Exception:  # asn1crypto parses lazily: any fault in the structure lands here
        raise UnreadableFormError(_P7M_DAMAGED) from None
    if not isinstance(inner, bytes) or not inner:
        raise UnreadableFormError(
            "This signed message (S/MIME .p7m) carries no content: the signature was sent "
            "without the form. Attach the filled-in form itself"
        )
    yield from _mime_or_file(inner)


_P7M_DAMAGED = (
    "This file is a signed message (S/MIME .p7m) that could not be opened: it may be damaged. "
    "Attach the filled-in form itself"
)


def _mime_or_file(inner: bytes) -> Iterator[bytes]:
    """The signed content as a file, or the parts of the e-mail it is."""
    head = inner[:2048].lower()
    if not (head.startswith((b"content-", b"mime-version:")) and b"\n" in head):
        yield inner
        return
    message = message_from_bytes(inner, policy=policy.default)
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and payload:
            yield payload


# -- Outlook's winmail.dat (TNEF) ---------------------------------------------------------------

TNEF_MAGIC = b"\x78\x9f\x3e\x22"  # 0x223E9F78, little-endian


def tnef_members(data: bytes) -> Iterator[bytes]:
    """The files attached inside Outlook's winmail.dat (TNEF), each within the same limits."""
    if len(data) > MAX_UNPACKED:
        raise UnreadableFormError("This winmail.dat is too large to look through")
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception:  # the library raises bare ValueErrors, struct errors, IndexErrors
        raise UnreadableFormError(
            "This file is an Outlook winmail.dat that could not be opened: it may be damaged. "
            "Ask the sender to attach the form again with Outlook set to send plain or HTML "
            "e-mail, not Rich Text"
        ) from None
    attachments = list(tnef.attachments)
    if len(attachments) > MAX_ENTRIES:
        raise UnreadableFormError("This winmail.dat holds too many files to look through")
    for attachment in attachments:
        payload = attachment.data
        if isinstance(payload, bytes) and 0 < len(payload) <= MAX_PART:
            yield payload


# -- an Outlook message saved to disk (.msg): an OLE compound file (MS-OXMSG) ------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files and Outlook .msg
_ATTACHMENT = "__attach_version1.0_#"  # one storage per attached file
_ATTACHED_BYTES = "__substg1.0_37010102"  # PidTagAttachDataBinary: the file itself
_MESSAGE_MARKS = ("__properties_version1.0", "__substg1.0_", _ATTACHMENT)


def _ole(data: bytes) -> olefile.OleFileIO | None:
    try:
        return olefile.OleFileIO(data)
    except Exception:  # the library raises its own and struct errors on a damaged file
        return None


def is_msg(data: bytes) -> bool:
    """An Outlook message (not a .doc or .xls, which are OLE files too): it has the
    message's own streams and storages."""
    if not data.startswith(OLE_MAGIC) or len(data) > MAX_UNPACKED:
        return False
    ole = _ole(data)
    if ole is None:
        return False
    with ole:
        return any(entry[0].startswith(_MESSAGE_MARKS) for entry in ole.listdir(True, True))


def msg_members(data: bytes) -> Iterator[bytes]:
    """The files attached to an Outlook .msg, each within the same limits (a message attached
    to the message is not opened: the form is attached as a file)."""
    ole = _ole(data) if len(data) <= MAX_UNPACKED else None
    if ole is None:
        raise UnreadableFormError(
            "This file is an Outlook message (.msg) that could not be opened: it may be "
            "damaged. Attach the filled-in form itself to an e-mail instead"
        )
    with ole:
        storages = sorted(
            {e[0] for e in ole.listdir(False, True) if e and e[0].startswith(_ATTACHMENT)}
        )
        if len(storages) > MAX_ENTRIES:
            raise UnreadableFormError("This Outlook message holds too many files to look through")
        for storage in storages:
            path = [storage, _ATTACHED_BYTES]
            if ole.exists(path) and 0 < ole.get_size(path) <= MAX_PART:
                yield ole.openstream(path).read()
