"""Hostile files for the ingestion tests, built in memory (raw bytes, pikepdf, hand-made ZIPs).

Each builder returns a `Hostile`: the file's name, its bytes, and a piece of the reason the
service must give when it refuses it. Most are made from a real blank notification form, so
the reader gets past "is this ours?" to the part under attack. The corpus is built once per
process in a few seconds, most of them WeasyPrint drawing the one blank form. Each is made
the same way every run; only the blank form's creation time and the AES-256 file's salts and
key (qpdf draws them at random) change its bytes.

The bombs are made without ever holding what they inflate to: a deflate block of 1 MiB of
zeros ended by a full flush is the same bytes each time, so 1 GiB of zeros is that block
1,024 times over (about 1 MB).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any, NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String
from pypdf import PdfReader, PdfWriter

from ehdocs.fillable import blank_form
from ehdocs.fillable.formats import EMBEDDED_NAME
from ehdocs.ingest.parse import CASE_ATTACHMENT
from ehdocs.schema import load_formset

MIB = 1 << 20
GIB = 1 << 30
ZEROS_CRC32 = 0x5B64C2B0  # zlib.crc32(bytes(GIB)): 0.6 s to work out each time, so kept here
DEEP = 100_000  # levels of nesting

NOT_OURS = "not a form made by this service"
NOT_A_FORM = "not a PDF or a Word document"
ENCRYPTED = "protected with a password or encryption"
JAVASCRIPT = "contains JavaScript"
DAMAGED = "may be damaged"
TOO_COMPLEX = "too large or complex"
TOO_SLOW = "time allowed"
TOO_HUNGRY = "memory allowed"

# Read by the parser as a form (its identity is well made), then refused by the check that
# follows: the form name or the field map digest is not the service's.
REFUSED_AFTER_READING = frozenset({"unknown-form.pdf", "digest-mismatch.pdf"})

GOOD_ANSWERS = {"referrer__name": "Jo Bloggs", "referrer__agency": "Hill Primary School"}


class Hostile(NamedTuple):
    name: str  # the file's name as sent (the service never uses it as a path)
    data: bytes
    reason: str  # a piece of the reason the service gives when it refuses the file


# -- building blocks ------------------------------------------------------------------------


@functools.cache
def blank_pdf() -> bytes:
    """A real blank notification form, as `ehdocs blank notification` makes it."""
    return blank_form(load_formset(), "notification", "pdf")[1]


@functools.cache
def blank_docx() -> bytes:
    return blank_form(load_formset(), "notification", "docx")[1]


@functools.cache
def good_form() -> bytes:
    """The blank notification filled in by pypdf, as tests/fillable does it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank_pdf())))
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        writer.update_page_form_field_values(None, GOOD_ANSWERS, auto_regenerate=True)
    finally:
        logger.setLevel(level)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def deflate_zeros(size: int, prefix: bytes = b"", *, wrapped: bool = True) -> bytes:
    """`prefix` then `size` zero bytes (a multiple of 1 MiB), deflated: zlib-wrapped for a PDF
    /FlateDecode stream, or raw for a ZIP entry."""
    assert size % MIB == 0
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(prefix) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(bytes(MIB)) + packer.flush(zlib.Z_FULL_FLUSH)
    body = head + block * (size // MIB) + packer.flush()
    if not wrapped:
        return body
    # Adler-32 over zeros: the low sum stays as it is, the high sum grows by it each byte.
    low, high = zlib.adler32(prefix) & 0xFFFF, zlib.adler32(prefix) >> 16
    high = (high + size * low) % 65521
    return b"\x78\xda" + body + struct.pack(">I", (high << 16) | low)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    """The body of a stream object holding `data` as it is (already encoded)."""
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), entries, data)


def raw_pdf(objects: list[bytes], info: int | None = None) -> bytes:
    """A PDF of the objects numbered 1, 2, ... (1 is the catalogue) and a classic
    cross-reference table: no library tidies or checks what is in them."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    extra = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def edited(pdf: bytes, change: Callable[[Pdf], None], **save: Any) -> bytes:
    """`pdf` changed by `change` and saved by qpdf, its streams copied as they are."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)
        if "encryption" not in save:  # qpdf must decode what it encrypts
            save.setdefault("stream_decode_level", pikepdf.StreamDecodeLevel.none)
        out = io.BytesIO()
        doc.save(out, static_id=True, **save)
    return out.getvalue()


def flate_stream(doc: Pdf, packed: bytes) -> pikepdf.Stream:
    """A stream whose data is `packed`, already flate-encoded (qpdf does not inflate it)."""
    made = doc.make_stream(b"")
    made.write(packed, filter=Name.FlateDecode)
    return made


def _identity_stream(doc: Pdf) -> pikepdf.Object:
    names = doc.Root.Names.EmbeddedFiles.Names
    at = [str(name) for name in names[::2]].index(EMBEDDED_NAME)
    return names[2 * at + 1].EF.F


def with_identity(**changes: str) -> bytes:
    """The blank form with its identity changed alike in the embedded JSON and the information
    dictionary: not contradictory, only wrong."""
    info_keys = {"form": "/EhdocsForm", "digest": "/EhdocsFieldMapSHA256"}

    def change(doc: Pdf) -> None:
        embedded = _identity_stream(doc)
        ident = json.loads(embedded.read_bytes())
        ident.update(changes)
        embedded.write(json.dumps(ident).encode())
        for key, value in changes.items():
            doc.docinfo[info_keys[key]] = value

    return edited(blank_pdf(), change)


def with_case_attachment(payload: bytes) -> bytes:
    """The blank form also carrying `payload` as the case data a rendered PDF embeds."""

    def change(doc: Pdf) -> None:
        spec = Dictionary(
            Type=Name.Filespec, F=String(CASE_ATTACHMENT), EF=Dictionary(F=doc.make_stream(payload))
        )
        names = doc.Root.Names.EmbeddedFiles.Names  # kept sorted: "ehdocs-case" comes first
        names.insert(0, doc.make_indirect(spec))
        names.insert(0, String(CASE_ATTACHMENT))

    return edited(blank_pdf(), change)


def _javascript(doc: Pdf) -> pikepdf.Object:
    script = String("app.alert('This form runs a script');")
    return doc.make_indirect(Dictionary(S=Name.JavaScript, JS=script))


def _field(doc: Pdf, name: str) -> pikepdf.Object:
    return next(f for f in doc.Root.AcroForm.Fields if str(f.get("/T")) == name)


def _with_javascript(name: str, change: Callable[[Pdf], None]) -> Hostile:
    return Hostile(name, edited(blank_pdf(), change), JAVASCRIPT)


# -- bombs ----------------------------------------------------------------------------------


def flate_bomb_page_and_field() -> Hostile:
    """Another program's form whose page content, a field's appearance and the same field's
    value each inflate to 1 GiB."""
    bomb = stream(deflate_zeros(GIB), b"/Filter /FlateDecode")
    widget = b"/Type /Annot /Subtype /Widget /FT /Tx /P 3 0 R /Rect [72 %d 400 %d]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 5 0 R] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R "
        b"/Annots [4 0 R 5 0 R] >>",
        b"<< %s /T (referrer__name) /V 6 0 R /AP << /N 7 0 R >> >>" % (widget % (700, 720)),
        b"<< %s /T (children__children__0__child) /V (Sam Smith) >>" % (widget % (650, 670)),
        bomb,
        bomb.replace(b"<< ", b"<< /Type /XObject /Subtype /Form /BBox [0 0 328 20] ", 1),
        b"<< /Producer (Another PDF Maker 3.1) >>",
    ]
    return Hostile("bomb-page-and-field.pdf", raw_pdf(objects, info=8), NOT_OURS)


def flate_bomb_identity() -> Hostile:
    """The blank form with the identity file it embeds (which the reader does open) inflating
    to 1 GiB, and the copy of the identity in the information dictionary taken out."""

    def change(doc: Pdf) -> None:
        packed = deflate_zeros(GIB, b'{"format": "ehdocs-form", "form": "notification"')
        _identity_stream(doc).write(packed, filter=Name.FlateDecode)
        for key in [k for k in doc.docinfo.keys() if k.startswith("/Ehdocs")]:
            del doc.docinfo[key]

    return Hostile("bomb-identity.pdf", edited(blank_pdf(), change), NOT_OURS)


def flate_bomb_object_stream() -> Hostile:
    """The catalogue, page tree and page in an object stream padded to 1 GiB with zeros:
    reading any of them means inflating it."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    places, at = [], 0
    for number, body in enumerate(bodies, 1):
        places.append(b"%d %d" % (number, at))
        at += len(body) + 1
    header = b" ".join(places) + b"\n"
    packed = deflate_zeros(GIB, header + b"\n".join(bodies) + b"\n")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    objstm = len(out)
    out += b"4 0 obj\n%s\nendobj\n" % stream(
        packed, b"/Type /ObjStm /N 3 /First %d /Filter /FlateDecode" % len(header)
    )
    xref = len(out)
    rows = [(0, 0, 65535), (2, 4, 0), (2, 4, 1), (2, 4, 2), (1, objstm, 0), (1, xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"5 0 obj\n%s\nendobj\n" % stream(table, b"/Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R")
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return Hostile("bomb-object-stream.pdf", bytes(out), TOO_COMPLEX)


def bombs_never_read() -> bytes:
    """The blank form with 1 GiB bombs where the reader never looks (a page's content and a
    field's appearance): still a form, read without inflating them."""

    def change(doc: Pdf) -> None:
        page = doc.pages[0].obj
        contents = page.Contents if isinstance(page.Contents, Array) else Array([page.Contents])
        page.Contents = Array([*contents, flate_stream(doc, deflate_zeros(GIB))])
        _field(doc, "referrer__name").AP = Dictionary(N=flate_stream(doc, deflate_zeros(GIB)))

    return edited(blank_pdf(), change)


def memory_bomb() -> Hostile:
    """The blank form carrying a 5 MiB case attachment (the most the reader takes) of nested
    empty lists: some 40 bytes of Python objects for each byte, over 200 MB, once parsed."""
    nest = b"[" * 64 + b"]" * 64
    payload = b"[" + b",".join([nest] * ((5 * MIB - 2) // (len(nest) + 1))) + b"]"
    return Hostile("memory-bomb.pdf", with_case_attachment(payload), TOO_HUNGRY)


def docx_zip_bomb() -> Hostile:
    """The blank Word form with a picture that inflates to 1 GiB."""
    parts = _deflated(_docx_parts())
    parts.append(("word/media/image2.png", deflate_zeros(GIB, wrapped=False), ZEROS_CRC32, GIB))
    return Hostile("zip-bomb.docx", _zip(parts), "too large when unpacked")


# -- loops and nesting ----------------------------------------------------------------------


def field_tree_loop(kids: int = 10) -> Hostile:
    """The blank form with one more field: its own parent, and its own kids ten times over.
    A reader that walked the tree without remembering where it had been would make 10**8
    visits; ehdocs reads each field object once, so this reads as the blank form."""

    def change(doc: Pdf) -> None:
        loop = doc.make_indirect(Dictionary(T=String("loop"), FT=Name.Tx))
        loop.Parent = loop
        loop.Kids = Array([loop] * kids)
        doc.Root.AcroForm.Fields.append(loop)

    return Hostile("loop-field-tree.pdf", edited(blank_pdf(), change), TOO_SLOW)


def page_tree_loop() -> Hostile:
    """The blank form whose page tree is one node that is its own only kid."""

    def change(doc: Pdf) -> None:
        node = doc.make_indirect(Dictionary(Type=Name.Pages, Count=1))
        node.Kids = Array([node])
        doc.Root.Pages = node

    return Hostile("loop-page-tree.pdf", edited(blank_pdf(), change), DAMAGED)


def deeply_nested_arrays() -> Hostile:
    """A catalogue holding 100,000 nested arrays. pypdf turns the RecursionError into a plain
    read error, so the reason is "damaged", not the reader's "too deeply nested"."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * DEEP + b"]" * DEEP + b" >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    return Hostile("deep-arrays.pdf", raw_pdf(objects), DAMAGED)


def deeply_nested_dictionaries() -> Hostile:
    """A catalogue holding 100,000 nested dictionaries: pypdf's recovery from the failed
    inner levels runs into its parsing work limit."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"<< /A " * DEEP + b">> " * DEEP + b">>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    return Hostile("deep-dictionaries.pdf", raw_pdf(objects), TOO_COMPLEX)


def deeply_nested_case_json() -> Hostile:
    """The blank form carrying case data that is 100,000 nested JSON arrays."""
    payload = b"[" * DEEP + b"]" * DEEP
    return Hostile("deep-case-json.pdf", with_case_attachment(payload), "too deeply nested")


def truncated() -> Hostile:
    """The blank form cut off half-way."""
    data = blank_pdf()
    return Hostile("truncated.pdf", data[: len(data) // 2], DAMAGED)


# -- active content and encryption ----------------------------------------------------------


def javascript_open_action() -> Hostile:
    def change(doc: Pdf) -> None:
        doc.Root.OpenAction = _javascript(doc)

    return _with_javascript("js-open-action.pdf", change)


def javascript_field_action() -> Hostile:
    """A keystroke script on a text field (the field is its own widget, on the page)."""

    def change(doc: Pdf) -> None:
        _field(doc, "referrer__name").AA = Dictionary(K=_javascript(doc))

    return _with_javascript("js-field-action.pdf", change)


def javascript_names() -> Hostile:
    def change(doc: Pdf) -> None:
        doc.Root.Names.JavaScript = Dictionary(Names=Array([String("start"), _javascript(doc)]))

    return _with_javascript("js-names-tree.pdf", change)


# JavaScript in places the reader does not look; Acrobat runs each of them.


def javascript_radio_group_action() -> Hostile:
    """A script run when a radio group changes: a field with widget kids keeps its field
    actions itself, and it is on no page's /Annots."""

    def change(doc: Pdf) -> None:
        _field(doc, "safety__significant_harm").AA = Dictionary(V=_javascript(doc))

    return _with_javascript("js-radio-group-action.pdf", change)


def javascript_chained_action() -> Hostile:
    """An open action that goes to the first page, then runs a script (/Next)."""

    def change(doc: Pdf) -> None:
        first_page = Array([doc.pages[0].obj, Name.Fit])
        doc.Root.OpenAction = Dictionary(S=Name.GoTo, D=first_page, Next=_javascript(doc))

    return _with_javascript("js-chained-action.pdf", change)


def javascript_bookmark_action() -> Hostile:
    """A bookmark (outline item) that runs a script when clicked."""

    def change(doc: Pdf) -> None:
        item = doc.make_indirect(Dictionary(Title=String("Start here"), A=_javascript(doc)))
        outlines = Dictionary(Type=Name.Outlines, First=item, Last=item, Count=1)
        item.Parent = doc.make_indirect(outlines)
        doc.Root.Outlines = item.Parent

    return _with_javascript("js-bookmark-action.pdf", change)


def javascript_rendition_action() -> Hostile:
    """A Rendition action, which carries a script in its /JS."""

    def change(doc: Pdf) -> None:
        doc.Root.OpenAction = Dictionary(S=Name.Rendition, JS=String("app.alert(1);"))

    return _with_javascript("js-rendition-action.pdf", change)


JAVASCRIPT_MISSED: tuple[Callable[[], Hostile], ...] = (
    javascript_radio_group_action,
    javascript_chained_action,
    javascript_bookmark_action,
    javascript_rendition_action,
)


def xfa() -> Hostile:
    template = b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>'

    def change(doc: Pdf) -> None:
        doc.Root.AcroForm.XFA = doc.make_stream(template)

    return Hostile("xfa.pdf", edited(blank_pdf(), change), "XFA")


def encrypted_aes_256() -> Hostile:
    """AES-256 with a user password (random salts: the one file that differs each run)."""
    encryption = pikepdf.Encryption(owner="hub-owner", user="family-secret", R=6, aes=True)
    data = edited(blank_pdf(), lambda doc: None, encryption=encryption)
    return Hostile("encrypted-aes256.pdf", data, ENCRYPTED)


def encrypted_rc4_empty_password() -> bytes:
    """RC4-128 with an empty user password: every reader opens it without asking, so it is
    read like any form (not in the corpus of files refused)."""
    encryption = pikepdf.Encryption(owner="hub-owner", user="", R=3, aes=False, metadata=False)
    return edited(good_form(), lambda doc: None, encryption=encryption)


# -- size, type and identity ----------------------------------------------------------------


def fifty_megabytes() -> Hostile:
    """The blank form with 50 MiB that does not compress attached as a scan."""
    filler = hashlib.shake_256(b"ehdocs hostile corpus").digest(50 * MIB)

    def change(doc: Pdf) -> None:
        spec = Dictionary(
            Type=Name.Filespec, F=String("scan.bin"), EF=Dictionary(F=doc.make_stream(filler))
        )
        doc.Root.Names.EmbeddedFiles.Names.extend([String("scan.bin"), doc.make_indirect(spec)])

    data = edited(blank_pdf(), change, compress_streams=False)
    return Hostile("scan-50mb.pdf", data, "too big")


def text_named_pdf() -> Hostile:
    text = b"Hello,\n\nPlease find the referral for the family below.\n\nThanks, Jo\n" * 20
    return Hostile("referral.pdf", text, NOT_A_FORM)


def html_page() -> Hostile:
    page = (
        b"<!DOCTYPE html>\n<html><head><title>Referral</title></head><body>"
        b"<form action='https://example.org/'><input name='referrer__name' value='Jo'></form>"
        b"<script>alert(1)</script></body></html>\n"
    )
    return Hostile("referral.html", page, NOT_A_FORM)


def other_program_form() -> Hostile:
    """A form another program made, with fields named as ours are, and no identity."""
    doc = Pdf.new()
    doc.add_blank_page(page_size=(595, 842))
    page = doc.pages[0].obj
    fields = Array()
    for at, (name, value) in enumerate(
        [("referrer__name", "Jo Bloggs"), ("children__children__0__child", "Sam Smith")]
    ):
        y = 700 - 40 * at
        widget = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String(name),
            V=String(value),
            Rect=Array([72, y, 400, y + 20]),
            P=page,
        )
        fields.append(doc.make_indirect(widget))
    page.Annots = fields
    doc.Root.AcroForm = Dictionary(Fields=fields, NeedAppearances=True)
    doc.docinfo[Name.Producer] = "Another PDF Maker 3.1"
    out = io.BytesIO()
    doc.save(out, static_id=True)
    return Hostile("other-program-form.pdf", out.getvalue(), NOT_OURS)


def unknown_form_name() -> Hostile:
    data = with_identity(form="safeguarding_referral")
    return Hostile("unknown-form.pdf", data, "which this service does not use")


def digest_mismatch() -> Hostile:
    other = hashlib.sha256(b"an older definition of the notification").hexdigest()
    return Hostile("digest-mismatch.pdf", with_identity(digest=other), "different definition")


def stream_value() -> bytes:
    """The blank form with the referrer's name given as a text stream, which PDF allows for a
    text field's value (ISO 32000-1, 12.7.4.3)."""

    def change(doc: Pdf) -> None:
        _field(doc, "referrer__name").V = flate_stream(doc, zlib.compress(b"Jo Bloggs"))

    return edited(blank_pdf(), change)


# -- Word files -----------------------------------------------------------------------------


def _docx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blank_docx())) as package:
        return {name: package.read(name) for name in package.namelist()}


def _deflated(parts: dict[str, bytes]) -> list[tuple[str, bytes, int, int]]:
    entries = []
    for name, data in parts.items():
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        entries.append((name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)))
    return entries


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP of (name, raw deflated data, CRC-32, size) entries, written by hand so a part can
    be a bomb nobody had to inflate to make."""
    out, central = bytearray(), bytearray()
    for name, packed, crc, size in entries:
        encoded = name.encode()
        # version 2.0, no flags, deflated, 1980-01-01 00:00, CRC, sizes
        common = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(packed), size)
        central += b"PK\x01\x02" + struct.pack("<H", 20) + common
        central += struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, len(out)) + encoded
        out += b"PK\x03\x04" + common + struct.pack("<HH", len(encoded), 0) + encoded + packed
    count = len(entries)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)


def docx_macro() -> Hostile:
    """The blank Word form with a VBA project and the macro-enabled document type."""
    parts = _docx_parts()
    types = parts["[Content_Types].xml"].decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    ).replace(
        "</Types>",
        '<Override PartName="/word/vbaProject.bin" '
        'ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    parts["[Content_Types].xml"] = types.encode()
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub AutoOpen()\n" * 16
    return Hostile("macro.docx", _zip(_deflated(parts)), "macros")


# -- the corpus -----------------------------------------------------------------------------

BUILDERS: tuple[Callable[[], Hostile], ...] = (
    flate_bomb_page_and_field,
    flate_bomb_identity,
    flate_bomb_object_stream,
    page_tree_loop,
    deeply_nested_arrays,
    deeply_nested_dictionaries,
    deeply_nested_case_json,
    truncated,
    javascript_open_action,
    javascript_field_action,
    javascript_names,
    xfa,
    encrypted_aes_256,
    fifty_megabytes,
    text_named_pdf,
    html_page,
    other_program_form,
    unknown_form_name,
    digest_mismatch,
    docx_macro,
    docx_zip_bomb,
)


@functools.cache
def build(builder: Callable[[], Hostile]) -> Hostile:
    """What `builder` makes, made once per process."""
    return builder()


def corpus() -> tuple[Hostile, ...]:
    """Every file the service must refuse."""
    return tuple(build(builder) for builder in BUILDERS)
