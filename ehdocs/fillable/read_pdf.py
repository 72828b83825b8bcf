"""Read a filled PDF form: its identity and its field values, and nothing else.

The file is untrusted. pypdf runs with tightened limits (its configuration for untrusted input)
and never runs JavaScript; files that are encrypted, carry JavaScript or XFA, or are not ours
are refused with a reason. Only the AcroForm field tree, the embedded `ehdocs-form.json` and the
document information dictionary are read. Callers that take files from outside should still
run this in a separate process with a time and memory limit (see DESIGN.md, "Ways in").
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

from ehdocs.fillable.errors import NoFieldsError, UnknownFormError, UnreadableFormError
from ehdocs.fillable.filled import FilledForm, RawValue
from ehdocs.fillable.formats import EMBEDDED_FORMAT, EMBEDDED_NAME, INFO_KEYS
from ehdocs.fillable.pdf_damage import damaged
from ehdocs.fillable.pdf_extras import shown_widgets, values_as_shown, written_outside_the_boxes

MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_EMBEDDED_JSON = 64 * 1024
MAX_FIELDS = 5_000
MAX_DEPTH = 8
# pypdf's limits for untrusted input, well below its defaults: a blank form is ~0.4 MB with
# ~100-300 fields; a filled one with typed text is not much bigger.
LIMITS: dict[str, Any] = {
    "maximum_declared_stream_length": 20_000_000,
    "array_based_stream_maximum_output_length": 20_000_000,
    "array_maximum_element_count": 20_000,
    "dictionary_maximum_element_count": 5_000,
    "jbig2_maximum_output_length": 5_000_000,
    "lzw_maximum_output_length": 20_000_000,
    "run_length_maximum_output_length": 20_000_000,
    "zlib_maximum_output_length": 20_000_000,
    "zlib_maximum_recovery_input_length": 1_000_000,
    "brotli_maximum_output_length": 20_000_000,
    "image_maximum_buffer_size": 20_000_000,
    "stream_filters_maximum_length": 4,
    "stream_decoding_work_maximum_length": 50_000_000,
    "stream_parsing_work_maximum_count": 500_000,
    "xmp_maximum_input_length": 1_000_000,
    "xmp_maximum_element_count": 20_000,
    "outline_maximum_entries": 5_000,
    "outline_maximum_depth": 20,
    "page_tree_maximum_entries": 2_000,
    "page_tree_maximum_depth": 16,
    "page_tree_maximum_page_entries": 50_000,
    "form_fields_maximum_entries": MAX_FIELDS,
    "form_fields_maximum_depth": MAX_DEPTH,
    "named_destinations_maximum_entries": 5_000,
    "named_destinations_maximum_depth": 16,
    "xfa_decoding_work_maximum_length": 1_000_000,
    "jbig2dec_binary": None,  # never start another program for a hostile file
}
RADIO = 1 << 15
PUSHBUTTON = 1 << 16

ENCRYPTED = (
    "This PDF is protected with a password or encryption. Remove the protection, save it and "
    "send it again"
)
_ENCRYPT = re.compile(rb"/Encrypt\s*\d+\s+\d+\s+R")
NOT_OURS = (
    "This PDF is not a form made by this service (it has no form identification). "
    "Download the blank form again, fill it in and send that file."
)


def read_pdf_fields(data: bytes) -> FilledForm:
    """The identity and raw field values of a filled PDF form; UnreadableFormError or
    UnknownFormError with a plain-English reason when the file cannot be used."""
    found = _checked_read(data, None)
    assert isinstance(found, FilledForm)
    return found


def read_pdf_form_or_attachment(data: bytes, attachment: str) -> FilledForm | bytes:
    """The content of the named embedded file when the PDF carries it (a PDF ehdocs rendered
    carries its case data), else the filled form, from one reading of the file with the same
    refusals (encrypted, JavaScript, XFA) either way."""
    return _checked_read(data, attachment)


def _checked_read(data: bytes, attachment: str | None) -> FilledForm | bytes:
    if len(data) > MAX_PDF_BYTES:
        raise UnreadableFormError(
            f"This PDF is too big to be a filled form ({len(data) // (1024 * 1024)} MB; "
            f"the limit is {MAX_PDF_BYTES // (1024 * 1024)} MB)"
        )
    header = data.find(b"%PDF-", 0, 1024)
    if header < 0:
        raise UnreadableFormError("This file is not a PDF")
    # Bytes before the header (a mail gateway's blank lines) shift every offset in the file:
    # pypdf's recovery then finds the first revision, the blank form of an incremental save.
    # Offsets count from the header, so the file is read from there.
    data = data[header:]
    try:
        with apply_configuration(**LIMITS):
            return _read(data, attachment)
    except (UnreadableFormError, UnknownFormError):
        raise
    except LimitReachedError:
        raise UnreadableFormError(
            "This PDF is too large or complex to be read as a filled form"
        ) from None
    except RecursionError:
        raise UnreadableFormError("This PDF's structure is too deeply nested to read") from None
    except MemoryError:
        raise
    except Exception:  # a damaged or hostile file: pypdf raises many kinds of error
        if _ENCRYPT.search(data):  # pypdf fails to open some encrypted files before we can ask
            raise UnreadableFormError(ENCRYPTED) from None
        raise UnreadableFormError(damaged(data)) from None


def _read(data: bytes, attachment: str | None = None) -> FilledForm | bytes:
    reader = PdfReader(io.BytesIO(data), strict=False)
    # Encrypted only to restrict copying or printing: the user password is empty and every
    # viewer opens it without asking, so the sender never saw a password to remove.
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableFormError(ENCRYPTED)
    root = _dict(reader.trailer.get("/Root"))
    if root is None:
        raise UnreadableFormError(damaged(data))
    acro = _dict(root.get("/AcroForm"))
    refuse_active_content(reader)
    if attachment is not None:
        try:
            embedded = reader.attachments.get(attachment)
        except (LimitReachedError, MemoryError):
            raise
        except Exception:  # a damaged name tree: read it as a form instead
            embedded = None
        if embedded:
            return bytes(embedded[0])
    fields = acro.get("/Fields") if acro is not None else None
    listed = fields.get_object() if fields is not None else None
    fields_gone = not isinstance(listed, ArrayObject) or not len(listed)
    try:
        ident = _identity(reader)
    except UnknownFormError as exc:
        if fields_gone:  # printed to PDF or scanned: what the pages show may say which form
            raise NoFieldsError(str(exc)) from None
        raise
    if fields_gone:  # flattened: the answers are drawn on the pages
        raise NoFieldsError("This PDF has no form fields. " + NOT_OURS, ident)
    pages = list(reader.pages)
    values, clashes = values_as_shown(
        _fields(fields.get_object() if fields is not None else None), shown_widgets(pages)
    )
    return FilledForm(
        format=str(ident.get("widgets", "pdf")),
        form=str(ident["form"]),
        version=int(ident["version"]),
        digest=str(ident["digest"]),
        values=MappingProxyType(values),
        profile=str(ident["profile"]) if ident.get("profile") else None,
        also=(*clashes, *written_outside_the_boxes(pages)),
    )


def refuse_active_content(reader: PdfReader) -> None:
    """UnreadableFormError when the PDF holds an XFA form or JavaScript (never run, refused)."""
    root = _dict(reader.trailer.get("/Root"))
    if root is None:
        getvalue = getattr(reader.stream, "getvalue", None)
        raise UnreadableFormError(damaged(getvalue() if getvalue else None))
    acro = _dict(root.get("/AcroForm"))
    if acro is not None and "/XFA" in acro:
        raise UnreadableFormError(
            "This PDF holds an XFA form, which this service does not read. Fill in the "
            "form downloaded from this service instead"
        )
    _refuse_javascript(reader, root)


def _dict(obj: Any) -> DictionaryObject | None:
    if obj is None:
        return None
    obj = obj.get_object()
    return obj if isinstance(obj, DictionaryObject) else None


def _is_javascript(action: Any) -> bool:
    action = _dict(action)
    return action is not None and action.get("/S") == "/JavaScript"


def _actions_have_js(aa: Any) -> bool:
    aa = _dict(aa)
    return aa is not None and any(_is_javascript(v) for v in aa.values())


MAX_OBJECTS = 200_000


_JS_NAME = re.compile(rb"/J(?:S|avaScript)(?![A-Za-z0-9])")
_ESCAPED_NAME = re.compile(rb"/[^\s/\[\]()<>{}%]*#[0-9A-Fa-f]{2}[^\s/\[\]()<>{}%]*")


def _mentions_javascript(data: bytes) -> bool:
    """Whether the bytes hold a /JS or /JavaScript name, written plainly or with #xx escapes.
    Every dictionary of a PDF is either in the file's own bytes or in an object stream, so
    these two places are all a JavaScript action can be written in."""
    if _JS_NAME.search(data):
        return True
    for match in _ESCAPED_NAME.finditer(data):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match[0])
        if _JS_NAME.fullmatch(name):
            return True
    return False


def _could_hold_javascript(reader: PdfReader) -> bool:
    """A quick look first: no JavaScript name in the file or its object streams means no
    JavaScript (forms never have any); only a file that mentions one is looked at in full."""
    getvalue = getattr(reader.stream, "getvalue", None)
    if getvalue is None or _mentions_javascript(getvalue()):
        return True
    for number in sorted({stream for stream, _ in reader.xref_objStm.values()}):
        stream = reader.get_object(number)
        if isinstance(stream, StreamObject) and _mentions_javascript(stream.get_data()):
            return True
    return False


def _has_javascript(reader: PdfReader) -> bool:
    """Whether any object of the file is a JavaScript action or carries a /JS entry (in a
    bookmark, a /Next chain, a field's own /AA, a Rendition, anywhere): every object in the
    cross-reference table is looked at, with the dictionaries and arrays written inside it."""
    numbers: set[int] = set()
    for table in reader.xref.values():
        numbers.update(table)
    numbers.update(reader.xref_objStm)
    for number in sorted(numbers)[:MAX_OBJECTS]:
        try:
            obj = reader.get_object(number)
        except (LimitReachedError, RecursionError, MemoryError):
            raise
        except Exception:  # a damaged object: the reading later says so if it matters
            continue
        if _direct_has_javascript(obj, 0):
            return True
    return False


def _direct_has_javascript(obj: Any, depth: int) -> bool:
    if depth > 32:
        return False
    if isinstance(obj, DictionaryObject):  # stream objects are dictionaries too
        if "/JS" in obj or obj.get("/S") == "/JavaScript" or "/JavaScript" in obj:
            return True
        return any(
            _direct_has_javascript(v, depth + 1)
            for v in obj.values()
            if isinstance(v, (DictionaryObject, ArrayObject))
        )
    if isinstance(obj, ArrayObject):
        return any(
            _direct_has_javascript(v, depth + 1)
            for v in obj
            if isinstance(v, (DictionaryObject, ArrayObject))
        )
    return False


def _refuse_javascript(reader: PdfReader, root: DictionaryObject) -> None:
    names = _dict(root.get("/Names"))
    found = (
        (names is not None and "/JavaScript" in names)
        or _is_javascript(root.get("/OpenAction"))
        or _actions_have_js(root.get("/AA"))
    )
    # The byte scan's "no JavaScript name anywhere" is final: walking every page and its
    # annotations as well took a 429-page manual with a broken cross-reference table past
    # the time limit (each object found by searching the file), and can find nothing more.
    if not found and _could_hold_javascript(reader):
        found = _has_javascript(reader) or _pages_have_javascript(reader)
    if found:
        raise UnreadableFormError(
            "This PDF contains JavaScript, which this service does not accept. Fill in the "
            "form downloaded from this service, without adding scripts, and send that"
        )


def _pages_have_javascript(reader: PdfReader) -> bool:
    """Pages' and annotations' actions, for objects a broken cross-reference table hides
    from the walk over every object."""
    for page in reader.pages:
        if _actions_have_js(page.get("/AA")):
            return True
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        if isinstance(annots, ArrayObject) and any(
            _is_javascript(a.get("/A")) or _actions_have_js(a.get("/AA"))
            for a in (_dict(x) for x in annots)
            if a is not None
        ):
            return True
    return False


def _identity(reader: PdfReader) -> dict[str, Any]:
    embedded = _embedded_identity(reader)
    info = _info_identity(reader)
    if embedded and info and any(embedded[k] != info[k] for k in ("form", "version", "digest")):
        raise UnknownFormError(
            "This PDF's form identification is contradictory (it may have been edited). "
            "Download the blank form again, fill it in and send that file."
        )
    ident = embedded or info
    if not ident:
        raise UnknownFormError(NOT_OURS)
    return ident


def _embedded_identity(reader: PdfReader) -> dict[str, Any] | None:
    try:
        found = reader.attachments.get(EMBEDDED_NAME)
    except Exception:  # a damaged name tree: fall back to the information dictionary
        return None
    if not found:
        return None
    data = found[0]
    if len(data) > MAX_EMBEDDED_JSON:
        return None
    try:
        ident = json.loads(data)
    except ValueError:
        return None
    return _checked(ident)


def _info_identity(reader: PdfReader) -> dict[str, Any] | None:
    info = reader.metadata
    if info is None:
        return None
    raw = {key: info.get(name) for key, name in INFO_KEYS.items()}
    if not all(raw.get(k) for k in ("form", "version", "digest")):
        return None
    return _checked({**raw, "format": EMBEDDED_FORMAT, "widgets": "pdf"})


def _checked(ident: Any) -> dict[str, Any] | None:
    if not isinstance(ident, dict) or ident.get("format") != EMBEDDED_FORMAT:
        return None
    form, version, digest = ident.get("form"), ident.get("version"), ident.get("digest")
    try:
        version = int(str(version))
    except ValueError:
        return None
    if not (isinstance(form, str) and 0 < len(form) <= 40 and form.isidentifier()):
        return None
    if not (isinstance(digest, str) and len(digest) == 64):
        return None
    profile = ident.get("profile")
    widgets = ident.get("widgets", "pdf")
    return {
        "form": form,
        "version": version,
        "digest": digest.lower(),
        "profile": str(profile)[:40] if profile else None,
        "widgets": widgets if widgets == "pdf" else "pdf",
    }


def _fields(
    fields: Any, depth: int = 0, prefix: str = "", seen: set[int] | None = None
) -> Iterator[tuple[str, RawValue, list[int]]]:
    """(full name, raw value, object numbers of its widgets) of every terminal field, depth
    first, in /Fields order. A field object met again (a loop in the tree, or one field listed
    twice) is read only once."""
    if not isinstance(fields, ArrayObject) or depth > MAX_DEPTH:
        return
    seen = set() if seen is None else seen
    for ref in fields[:MAX_FIELDS]:
        number = getattr(ref, "idnum", None)
        if number is not None:
            if number in seen:
                continue
            seen.add(number)
        field = _dict(ref)
        if field is None or "/T" not in field:
            continue
        name = str(field["/T"])
        full = f"{prefix}.{name}" if prefix else name
        if _inherited(field, "/FT") == "/Sig":  # a signature is not an answer (issue 16)
            continue
        kids = field.get("/Kids")
        kids = kids.get_object() if kids is not None else None
        named_kids = isinstance(kids, ArrayObject) and any(
            "/T" in k for k in (_dict(x) for x in kids) if k is not None
        )
        if named_kids:
            yield from _fields(kids, depth + 1, full, seen)
            continue
        widgets = [getattr(k, "idnum", None) for k in kids] if isinstance(kids, ArrayObject) else []
        yield full, _value(field, kids), [w for w in (number, *widgets) if w is not None]


def _inherited(field: DictionaryObject, key: str) -> Any:
    node: DictionaryObject | None = field
    for _ in range(MAX_DEPTH):
        if node is None:
            return None
        if key in node:
            return node[key]
        node = _dict(node.get("/Parent"))
    return None


def _value(field: DictionaryObject, kids: Any) -> RawValue:
    kind = _inherited(field, "/FT")
    value = field.get("/V")
    value = value.get_object() if value is not None else None
    if kind == "/Btn":
        flags = int(_inherited(field, "/Ff") or 0)
        if flags & PUSHBUTTON:
            return None
        state = _state(value)
        if state is None:  # some fillers set only the widgets' appearance state
            widgets = kids if isinstance(kids, ArrayObject) else [field]
            for widget in (_dict(w) for w in widgets):
                if widget is not None and _state(widget.get("/AS")) is not None:
                    state = _state(widget.get("/AS"))
                    break
        if flags & RADIO:
            return state
        return state is not None
    if isinstance(value, ArrayObject):  # a list box with several selected: the first
        value = value[0] if len(value) else None
    if value is None:
        return None if kind == "/Ch" else ""
    if isinstance(value, StreamObject):  # a text field's value may be a text stream
        return _stream_text(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


MAX_STREAM_TEXT = 100_000


def _stream_text(stream: StreamObject) -> str:
    data = stream.get_data()[: MAX_STREAM_TEXT * 4]
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text[:MAX_STREAM_TEXT]


def _state(value: Any) -> str | None:
    """A button's state name without the slash; None for Off or nothing."""
    if value is None:
        return None
    text = str(value.get_object() if hasattr(value, "get_object") else value)
    text = text[1:] if isinstance(value, NameObject) or text.startswith("/") else text
    return None if text in ("", "Off") else text
