"""Read a filled DOCX form: its identity and its content controls' values, and nothing else.

The file is untrusted: it is opened as a ZIP with limits on entries and sizes; files with
macros (vbaProject, macro-enabled types), ActiveX controls or links to outside files (external
relationships other than hyperlinks, such as a remote template) are refused; XML is parsed
without DTDs, entities or network access.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from types import MappingProxyType
from typing import Any

from lxml import etree

from ehdocs.fillable.errors import UnknownFormError, UnreadableFormError
from ehdocs.fillable.filled import FilledForm, RawValue
from ehdocs.fillable.formats import CHECKED, EMBEDDED_FORMAT, PLACEHOLDERS, PROPERTIES, W14, W

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_UNPACKED = 100 * 1024 * 1024
MAX_PART = 30 * 1024 * 1024
MAX_RATIO = 200  # a part that unpacks to more than 200 times its size is a bomb
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = "/officeDocument"
CUSTOM_PROPERTIES = "/custom-properties"
HYPERLINK = "/hyperlink"
_MACRO = re.compile(r"macroEnabled|vbaProject|vbaData|activeX", re.IGNORECASE)
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
)
_SPACES = {"w": W, "w14": W14}
TRUE = ("1", "true", "on")

NOT_OURS = (
    "This Word file is not a form made by this service (it has no form identification). "
    "Download the blank form again, fill it in and send that file."
)


def read_docx_fields(data: bytes) -> FilledForm:
    """The identity and raw content control values of a filled DOCX form."""
    if len(data) > MAX_DOCX_BYTES:
        raise UnreadableFormError(
            f"This Word file is too big to be a filled form (the limit is "
            f"{MAX_DOCX_BYTES // (1024 * 1024)} MB)"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnreadableFormError("This file is not a Word document (.docx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return _read(_Package(package))
    except (UnreadableFormError, UnknownFormError):
        raise
    except Exception:  # damaged ZIP or XML: many kinds of error
        raise UnreadableFormError(
            "This Word file could not be read: it may be damaged. Save it again as a Word "
            "document (.docx) and send it again"
        ) from None


class _Package:
    def __init__(self, package: zipfile.ZipFile) -> None:
        infos = package.infolist()
        if len(infos) > MAX_ENTRIES:
            raise UnreadableFormError("This Word file has too many parts to be a filled form")
        if sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise UnreadableFormError("This Word file is too large when unpacked")
        for info in infos:
            if info.file_size > MAX_PART or info.file_size > MAX_RATIO * max(
                info.compress_size, 1024
            ):
                raise UnreadableFormError("This Word file has a part that is too large")
        self.zip = package
        self.names = {i.filename for i in infos}

    def xml(self, name: str) -> etree._Element | None:
        if name not in self.names:
            return None
        data = self.zip.read(name)
        if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
            raise UnreadableFormError("This Word file contains XML this service does not accept")
        return etree.fromstring(data, _PARSER)


def _read(package: _Package) -> FilledForm:
    _refuse_active_content(package)
    root_rels = package.xml("_rels/.rels")
    if root_rels is None:
        raise UnreadableFormError("This file is not a Word document (.docx)")
    main = _target(root_rels, OFFICE_DOCUMENT, "")
    if main is None or main not in package.names:
        raise UnreadableFormError("This file is not a Word document (.docx)")
    ident = _identity(package, root_rels)
    document = package.xml(main)
    assert document is not None
    values: dict[str, RawValue] = {}
    for sdt in document.iter(f"{{{W}}}sdt"):
        tag = sdt.find("w:sdtPr/w:tag", _SPACES)
        name = tag.get(f"{{{W}}}val") if tag is not None else None
        if not name or name in values:
            continue
        values[name] = _value(sdt)
    return FilledForm(
        format="docx",
        form=ident["form"],
        version=ident["version"],
        digest=ident["digest"],
        values=MappingProxyType(values),
        profile=ident.get("profile"),
    )


def untagged_controls(data: bytes) -> list[tuple[str | None, RawValue]]:
    """The answer controls of a Word form whose tags are gone (LibreOffice keeps a form's
    controls, their order and their titles when it saves it again, but drops the tags that
    name them): (title, value) in document order, a control's title being its own, or that of
    the control it alone is wrapped in. The hub matches them to the questions by order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        package = _Package(archive)
        root_rels = package.xml("_rels/.rels")
        main = _target(root_rels, OFFICE_DOCUMENT, "") if root_rels is not None else None
        document = package.xml(main) if main else None
    if document is None:
        return []
    found: list[tuple[str | None, RawValue]] = []
    for sdt in document.iter(f"{{{W}}}sdt"):
        if sdt.find(".//w:sdt", _SPACES) is not None:
            continue  # a wrapper: its control is read on its own
        found.append((_title(sdt), _value(sdt)))
    return found


def _title(sdt: etree._Element) -> str | None:
    for node in (sdt, *sdt.iterancestors(f"{{{W}}}sdt")):
        alias = node.find("w:sdtPr/w:alias", _SPACES)
        if alias is not None:
            leaves = [s for s in node.iter(f"{{{W}}}sdt") if s.find(".//w:sdt", _SPACES) is None]
            return alias.get(f"{{{W}}}val") if len(leaves) == 1 else None
    return None


def _refuse_active_content(package: _Package) -> None:
    types = (
        package.zip.read("[Content_Types].xml") if "[Content_Types].xml" in package.names else b""
    )
    if _MACRO.search(types.decode("utf-8", "replace")) or any(
        _MACRO.search(name) for name in package.names
    ):
        raise UnreadableFormError(
            "This Word file contains macros or ActiveX controls, which this service does not "
            "accept. Save it as a Word document (.docx) without macros and send it again"
        )
    for name in sorted(package.names):
        if not name.endswith(".rels"):
            continue
        rels = package.xml(name)
        if rels is None:
            continue
        for rel in rels.iter(f"{{{REL_NS}}}Relationship"):
            external = rel.get("TargetMode", "").lower() == "external"
            if external and not rel.get("Type", "").endswith(HYPERLINK):
                raise UnreadableFormError(
                    "This Word file links to other files or templates outside it, which this "
                    "service does not accept. Save it as a plain Word document and send it again"
                )


def _target(rels: etree._Element, type_suffix: str, base: str) -> str | None:
    for rel in rels.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            path = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
            return path.lstrip("/")
    return None


def _identity(package: _Package, root_rels: etree._Element) -> dict[str, Any]:
    name = _target(root_rels, CUSTOM_PROPERTIES, "")
    props = package.xml(name) if name else None
    if props is None:
        raise UnknownFormError(NOT_OURS)
    found: dict[str, str] = {}
    wanted = {v: k for k, v in PROPERTIES.items()}
    for prop in props:
        key = wanted.get(str(prop.get("name", "")))
        if key is not None and len(prop):
            found[key] = (prop[0].text or "").strip()
    try:
        version = int(found.get("version", ""))
    except ValueError:
        raise UnknownFormError(NOT_OURS) from None
    form, digest = found.get("form", ""), found.get("digest", "").lower()
    if (
        found.get("format") != EMBEDDED_FORMAT
        or not (0 < len(form) <= 40 and form.isidentifier())
        or len(digest) != 64
    ):
        raise UnknownFormError(NOT_OURS)
    return {
        "form": form,
        "version": version,
        "digest": digest,
        "profile": found.get("profile") or None,
    }


def _value(sdt: etree._Element) -> RawValue:
    props = sdt.find("w:sdtPr", _SPACES)
    box = props.find("w14:checkbox", _SPACES) if props is not None else None
    content = sdt.find("w:sdtContent", _SPACES)
    if box is not None:
        checked = box.find("w14:checked", _SPACES)
        if checked is not None:
            return checked.get(f"{{{W14}}}val", "0").lower() in TRUE
        return content is not None and CHECKED in "".join(content.itertext())
    text = _text(content) if content is not None else ""
    if text.strip() in PLACEHOLDERS.values():
        return ""
    return text


def _text(content: etree._Element) -> str:
    """The text of a control as typed: paragraphs and line breaks as new lines, tabs as tabs."""
    paragraphs: list[str] = []
    current: list[str] = []
    has_paragraphs = False
    for element in content.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        namespace = etree.QName(element).namespace if isinstance(element.tag, str) else ""
        if namespace != W:
            continue
        if tag == "p":
            if has_paragraphs:
                paragraphs.append("".join(current))
                current = []
            has_paragraphs = True
        elif tag == "t":
            current.append(element.text or "")
        elif tag in ("br", "cr"):
            current.append("\n")
        elif tag == "tab":
            current.append("\t")
        elif tag == "noBreakHyphen":
            current.append("-")
    paragraphs.append("".join(current))
    return "\n".join(paragraphs)
