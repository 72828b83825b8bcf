"""What the blank files carry, shared by the writers and the readers (which import no renderer).

PDF: the identity as an embedded file and in the document information dictionary.
DOCX: the identity as custom document properties; the controls' placeholder texts.
"""

from __future__ import annotations

from typing import Any

EMBEDDED_NAME = "ehdocs-form.json"
EMBEDDED_FORMAT = "ehdocs-form"
INFO_KEYS = {  # identity key -> PDF document information key
    "form": "/EhdocsForm",
    "version": "/EhdocsFormVersion",
    "digest": "/EhdocsFieldMapSHA256",
    "profile": "/EhdocsProfile",
}
CHECKBOX_ON = "Yes"  # a PDF checkbox's on-state (Acrobat's convention)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
PROPERTIES = {  # identity key -> DOCX custom property name
    "format": "ehdocs_format",
    "form": "ehdocs_form",
    "version": "ehdocs_form_version",
    "digest": "ehdocs_field_map_sha256",
    "profile": "ehdocs_profile",
    "widgets": "ehdocs_widgets",
}
PLACEHOLDERS = {  # what an empty DOCX control shows; read back as empty
    "text": "Click or tap here to enter text.",
    "multiline": "Click or tap here to enter text.",
    "date": "Click or tap to enter a date (DD/MM/YYYY).",
    "select": "Choose an item.",
}
UNCHECKED, CHECKED = "\u2610", "\u2612"


def identity(
    form: str, version: int, title: str, profile: str, widgets: str, digest: str
) -> dict[str, Any]:
    """The identity a blank form carries: enough to find its exact definition again."""
    return {
        "format": EMBEDDED_FORMAT,
        "format_version": 1,
        "form": form,
        "version": version,
        "title": title,
        "profile": profile,
        "widgets": widgets,
        "digest": digest,
    }
