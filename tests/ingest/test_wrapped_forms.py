"""Forms that reach the hub wrapped (issue 16): a signed S/MIME message (.p7m) made by real
`openssl smime`/`openssl cms`, Outlook's winmail.dat (TNEF, written here byte by byte and checked
with Debian's own `tnef` decoder), and stored (uncompressed) ZIP archives. Each is opened and the
form inside read as if it had been sent on its own, with the exact outcome expected."""

from __future__ import annotations

import struct
import subprocess
import zipfile
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest

from ehdocs.ingest.identify import kind_of
from ehdocs.ingest.mail import read_message
from ehdocs.ingest.parse import parse
from tests.ingest.hostile import GOOD_ANSWERS, good_form


def _run(*args: str | Path, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(
        [str(a) for a in args], input=stdin, check=True, capture_output=True, timeout=60
    )
    return done.stdout


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A practitioner's self-signed S/MIME certificate and key, made by openssl."""
    where = tmp_path_factory.mktemp("smime")
    cert, key = where / "cert.pem", where / "key.pem"
    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=Test Practitioner/emailAddress=worker@school.example",
        "-keyout", key, "-out", cert,
    )  # fmt: skip
    return cert, key


def _answers(result: dict[str, object]) -> dict[str, object]:
    assert result["kind"] == "form", result.get("reason")
    values = result["values"]
    assert isinstance(values, dict)
    return {name: values[name] for name in GOOD_ANSWERS}


def _signed(tmp_path: Path, signer: tuple[Path, Path], content: bytes, *extra: str) -> bytes:
    source = tmp_path / "content.bin"
    source.write_bytes(content)
    cert, key = signer
    return _run(
        "openssl", "smime", "-sign", "-nodetach", "-binary", "-in", source,
        "-signer", cert, "-inkey", key, *extra,
    )  # fmt: skip


# -- S/MIME .p7m -------------------------------------------------------------------------------


def test_an_opaque_signed_p7m_of_the_form_itself_is_unwrapped_and_read(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    p7m = _signed(tmp_path, signer, good_form(), "-outform", "DER")
    assert kind_of(p7m) == "p7m"
    assert _answers(parse(p7m)) == GOOD_ANSWERS


def test_a_pem_p7m_signed_with_openssl_cms_is_read(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    (tmp_path / "form.pdf").write_bytes(good_form())
    cert, key = signer
    p7m = _run(
        "openssl", "cms", "-sign", "-nodetach", "-binary", "-in", tmp_path / "form.pdf",
        "-signer", cert, "-inkey", key, "-outform", "PEM",
    )  # fmt: skip
    assert p7m.startswith(b"-----BEGIN CMS-----")
    assert _answers(parse(p7m)) == GOOD_ANSWERS


def test_a_p7m_whose_signed_content_is_an_email_with_the_form_attached_is_read(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    """What Outlook and Thunderbird sign: the whole MIME entity, the form one of its parts."""
    inner = EmailMessage()
    inner.set_content("Please find the notification attached.")
    inner.add_attachment(
        good_form(), maintype="application", subtype="pdf", filename="notification.pdf"
    )
    p7m = _signed(tmp_path, signer, bytes(inner), "-outform", "DER")
    assert _answers(parse(p7m)) == GOOD_ANSWERS


def test_an_smime_signed_email_is_received_and_its_form_read(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    """The e-mail as a mail client sends it: application/pkcs7-mime; smime.p7m, base64."""
    inner = EmailMessage()
    inner.add_attachment(
        good_form(), maintype="application", subtype="pdf", filename="notification.pdf"
    )
    body = _signed(tmp_path, signer, bytes(inner))  # S/MIME output: headers + base64 p7m
    raw = (
        b"From: worker@school.example\r\nTo: hub@council.example\r\n"
        b"Subject: Notification\r\nMessage-ID: <p7m-1@school.example>\r\n" + body
    )
    received = read_message(raw)
    assert received.problem is None
    assert len(received.attachments) == 1
    assert _answers(parse(received.attachments[0].data)) == GOOD_ANSWERS


def test_an_encrypted_p7m_is_refused_saying_it_is_encrypted(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    (tmp_path / "form.pdf").write_bytes(good_form())
    p7m = _run(
        "openssl", "smime", "-encrypt", "-aes256", "-binary", "-in", tmp_path / "form.pdf",
        "-outform", "DER", signer[0],
    )  # fmt: skip
    result = parse(p7m)
    assert result == {
        "kind": "refused",
        "reason": (
            "This file is an encrypted e-mail (S/MIME .p7m) that only its recipient's key "
            "opens. Send the filled-in form without encrypting it, or by the secure route "
            "your council gave you"
        ),
    }


def test_a_damaged_p7m_is_refused_in_plain_words(tmp_path: Path, signer: tuple[Path, Path]) -> None:
    p7m = _signed(tmp_path, signer, good_form(), "-outform", "DER")
    result = parse(p7m[: len(p7m) // 2])
    assert result["kind"] == "refused"
    assert result["reason"].startswith("This file is a signed message (S/MIME .p7m)")


# -- Outlook winmail.dat (TNEF) ----------------------------------------------------------------


def _attribute(level: int, kind: int, ident: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return (
        struct.pack("<BII", level, (kind << 16) | ident, len(data))
        + data
        + struct.pack("<H", checksum)
    )


def winmail(files: dict[str, bytes]) -> bytes:
    """A winmail.dat as Outlook writes one for a Rich Text e-mail: the TNEF signature, the
    message's version and code page, then per file its rendering data, title and data."""
    out = struct.pack("<IH", 0x223E9F78, 0x1234)
    out += _attribute(1, 0x0008, 0x9006, struct.pack("<I", 0x00010000))  # TNEF version
    out += _attribute(1, 0x0006, 0x9007, struct.pack("<II", 1252, 0))  # OEM code page
    out += _attribute(1, 0x0001, 0x8004, b"Notification\x00")  # subject
    for name, data in files.items():
        out += _attribute(2, 0x0006, 0x9002, struct.pack("<HIIHHI", 1, 0xFFFFFFFF, 0, 0, 0, 0))
        out += _attribute(2, 0x0001, 0x8010, name.encode() + b"\x00")  # title
        out += _attribute(2, 0x0006, 0x800F, data)  # the file
    return out


def test_debians_tnef_tool_reads_the_test_winmail(tmp_path: Path) -> None:
    """The test's winmail.dat is a real one: Debian's `tnef` decoder lists and unpacks it."""
    (tmp_path / "winmail.dat").write_bytes(winmail({"notification.pdf": good_form()}))
    listing = _run("tnef", "-t", "-f", tmp_path / "winmail.dat").decode()
    assert "notification.pdf" in listing
    _run("tnef", "-C", tmp_path, "-f", tmp_path / "winmail.dat")
    assert (tmp_path / "notification.pdf").read_bytes() == good_form()


def test_a_form_inside_winmail_dat_is_read() -> None:
    data = winmail({"logo.png": b"\x89PNG\r\n\x1a\nnot much", "notification.pdf": good_form()})
    assert kind_of(data) == "tnef"
    assert _answers(parse(data)) == GOOD_ANSWERS


def test_an_email_carrying_winmail_dat_is_received_with_it() -> None:
    message = EmailMessage()
    message["From"] = "worker@school.example"
    message["To"] = "hub@council.example"
    message["Subject"] = "Notification"
    message.set_content("See attached")
    message.add_attachment(
        winmail({"notification.pdf": good_form()}),
        maintype="application",
        subtype="ms-tnef",
        filename="winmail.dat",
    )
    received = read_message(bytes(message))
    assert received.problem is None and len(received.attachments) == 1
    assert _answers(parse(received.attachments[0].data)) == GOOD_ANSWERS


def test_a_winmail_dat_with_no_form_says_what_it_is() -> None:
    result = parse(winmail({"minutes.txt": b"Meeting minutes"}))
    assert result == {
        "kind": "refused",
        "reason": (
            "This file is an Outlook winmail.dat with no filled-in form in it. Attach the PDF "
            "or Word form you filled in"
        ),
    }


def test_a_damaged_winmail_dat_is_refused_in_plain_words() -> None:
    data = winmail({"notification.pdf": good_form()})
    result = parse(data[:200])
    assert result["kind"] == "refused"
    assert "winmail.dat" in result["reason"]


# -- stored ZIP --------------------------------------------------------------------------------


def test_a_stored_zip_holding_the_form_is_read() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("notification.pdf", good_form())
    assert _answers(parse(buffer.getvalue())) == GOOD_ANSWERS


def test_a_p7m_inside_a_zip_is_read(tmp_path: Path, signer: tuple[Path, Path]) -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("smime.p7m", _signed(tmp_path, signer, good_form(), "-outform", "DER"))
    assert _answers(parse(buffer.getvalue())) == GOOD_ANSWERS


# -- an Outlook message saved to disk (.msg) ---------------------------------------------------

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _entry(name: str, kind: int, child: int = _FREE, start: int = _END, size: int = 0) -> bytes:
    """One 128-byte directory entry of a compound file (MS-CFB 2.6)."""
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # length, type, black
        + struct.pack("<III", _FREE, _FREE, child)  # left, right, child
        + b"\0" * 36  # class id, state bits, times
        + struct.pack("<IQ", start, size)
    )


def outlook_msg(files: dict[str, bytes]) -> bytes:
    """An Outlook message as a compound file (MS-CFB version 3, MS-OXMSG): per attached file a
    storage __attach_version1.0_#0000000N holding its bytes in __substg1.0_37010102 (each
    4,096 bytes or more, so in the file's regular sectors), and the message's property
    stream. A .msg file is an OLE file like a .doc; these names are what make it a message."""
    streams = [data.ljust(4096, b"\0") for data in files.values()]
    properties = b"\0" * 4096  # __properties_version1.0: the message's fixed-size properties
    streams.append(properties)
    data_sectors = [-(-len(s) // 512) for s in streams]
    entries = 2 + 2 * len(files)  # root, properties, and a storage and a stream per file
    dir_sectors = -(-entries // 4)
    n_fat = 1
    while n_fat * 128 < n_fat + dir_sectors + sum(data_sectors):
        n_fat += 1
    fat = [_FAT] * n_fat + [*range(n_fat + 1, n_fat + dir_sectors), _END]
    starts, body = [], b""
    for stream, sectors in zip(streams, data_sectors, strict=True):
        first = len(fat)
        starts.append(first)
        fat += [*range(first + 1, first + sectors), _END]
        body += stream.ljust(sectors * 512, b"\0")
    fat += [_FREE] * (n_fat * 128 - len(fat))
    # the directory: each storage of an attachment is a child of the root; siblings chained
    # to the right (a valid, if unbalanced, red-black tree: all black)
    names = [f"__attach_version1.0_#{n:08X}" for n in range(len(files))]
    top = [*names, "__properties_version1.0"]
    ids = {name: 1 + i for i, name in enumerate(top)}
    directory = _entry("Root Entry", 5, child=1)
    for i, name in enumerate(top):
        right = ids[top[i + 1]] if i + 1 < len(top) else _FREE
        if name.startswith("__attach"):
            child = 1 + len(top) + i
            entry = _entry(name, 1, child=child)
        else:
            entry = _entry(name, 2, start=starts[-1], size=len(properties))
        directory += entry[:72] + struct.pack("<I", right) + entry[76:]
    for i in range(len(files)):
        directory += _entry("__substg1.0_37010102", 2, start=starts[i], size=len(streams[i]))
    directory = directory.ljust(dir_sectors * 512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, n_fat, n_fat, 0, 4096, _END, 0, _END, 0)
        + b"".join(struct.pack("<I", n) for n in range(n_fat))
        + struct.pack("<I", _FREE) * (109 - n_fat)
    )
    fat_bytes = b"".join(struct.pack("<I", n) for n in fat)
    return header + fat_bytes + directory + body


def test_a_form_attached_to_an_outlook_msg_is_read() -> None:
    data = outlook_msg({"logo.png": b"\x89PNG\r\n\x1a\nnot much", "form.pdf": good_form()})
    assert kind_of(data) == "msg"
    assert _answers(parse(data)) == GOOD_ANSWERS


def test_the_test_msg_is_a_compound_file_olefile_reads_as_a_message() -> None:
    import olefile

    data = outlook_msg({"form.pdf": good_form()})
    with olefile.OleFileIO(data) as ole:
        assert ole.exists("__properties_version1.0")
        stream = ole.openstream(["__attach_version1.0_#00000000", "__substg1.0_37010102"])
        assert stream.read().rstrip(b"\0") == good_form().rstrip(b"\0")


def test_an_outlook_msg_with_no_form_says_what_it_is() -> None:
    result = parse(outlook_msg({"minutes.txt": b"Meeting minutes"}))
    assert result == {
        "kind": "refused",
        "reason": (
            "This file is an Outlook message (.msg) with no filled-in form in it. Attach the "
            "PDF or Word form you filled in"
        ),
    }


def test_a_damaged_msg_is_refused_and_an_old_word_file_is_still_named() -> None:
    damaged = parse(outlook_msg({"form.pdf": good_form()})[:1500])
    assert damaged["kind"] == "refused"
    assert damaged == {
        "kind": "refused",
        "reason": (
            "This file is an older Office file (such as a .doc Word document, or an Outlook "
            "message that could not be opened), not a PDF or a Word document (.docx). Send the "
            "form as the PDF or Word file you filled in"
        ),
    }
