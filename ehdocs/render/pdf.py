"""HTML to tagged PDF (PDF/UA-1) with WeasyPrint, then one finishing step.

`html_to_pdf` draws; `finish` is the one place for what every PDF we hand out gets after it is
drawn (a document) or merged (a pack): its title and metadata, its language, and the case data
it was made from, embedded. Pack parts are drawn but not finished: the pack is.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name
from weasyprint import HTML

from ehdocs.case.model import Case
from ehdocs.case.seal import SealKeys, sealed
from ehdocs.render.assets import AssetFetcher
from ehdocs.render.audience import CaseView
from ehdocs.render.html import render_html
from ehdocs.render.items import DocumentContext
from ehdocs.render.template_files import Templates
from ehdocs.validation import dump_case

EMBEDDED_NAME = "ehdocs-case.json"
EMBEDDED_FORMAT = "ehdocs-embedded-case"
PRODUCER = "ehdocs"
# WeasyPrint's own options for every drawing: tagged, with the PDF/UA-1 identification.
WEASYPRINT_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def embedded_payload(
    case: Case,
    document: str | None,
    audience: str,
    document_id: str | None = None,
    seal: SealKeys | None = None,
) -> bytes:
    """The machine-readable copy a PDF carries: exactly the case data it shows, and a hash;
    sealed with the service's key when `seal` is given (only a sealed copy is taken back in as
    a copy of a case: see ehdocs.case.seal)."""
    data = dump_case(case)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    payload = {
        "format": EMBEDDED_FORMAT,
        "format_version": 1,
        "profile": case.formset.profile.slug,
        "document": document,
        "document_id": document_id,
        "audience": audience,
        "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        "case": data,
    }
    if seal is not None:
        payload = sealed(payload, seal)
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()


def html_to_pdf(html: str, logo: Path | None, templates: Templates | None = None) -> bytes:
    """WeasyPrint's tagged PDF of our HTML, reading nothing but the templates' stylesheets and
    packaged assets (unfinished)."""
    fetcher = AssetFetcher(logo, templates)
    document = HTML(string=html, url_fetcher=fetcher, base_url="asset:/")
    pdf: bytes = document.write_pdf(**WEASYPRINT_OPTIONS)
    return pdf


def finish(pdf: bytes, title: str, case_data: bytes, made_from: str, lang: str = "en-GB") -> bytes:
    """The PDF as we hand it out: `title` (never a person's name) in the document information
    and the XMP metadata, the language, and `case_data` as its one embedded file; the same
    input gives the same bytes."""
    with pikepdf.open(io.BytesIO(pdf)) as out:
        out.Root.Lang = pikepdf.String(lang)
        out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        out.docinfo[Name.Title] = title
        out.docinfo[Name.Producer] = PRODUCER
        with out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["pdf:Producer"] = PRODUCER
            meta["pdfuaid:part"] = "1"
        out.attachments[EMBEDDED_NAME] = pikepdf.AttachedFileSpec(
            out,
            case_data,
            description=f"The case data this {made_from} was made from (ehdocs)",
            filename=EMBEDDED_NAME,
            mime_type="application/json",
            creation_date="",  # no time of rendering: an unchanged case gives the same file
            mod_date="",
        )
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def render_pdf(doc: DocumentContext, case_view: CaseView, seal: SealKeys | None = None) -> bytes:
    """One document's PDF, carrying the audience's view of the case as embedded JSON."""
    if case_view.audience != doc.audience:
        raise ValueError(f"a {doc.audience} copy made from the {case_view.audience} view")
    profile = case_view.formset.profile
    templates = Templates.of(profile)
    html = render_html(doc, templates=templates, logo=profile.logo is not None)
    case_data = embedded_payload(case_view, doc.form, doc.audience, doc.document_id, seal)
    pdf = html_to_pdf(html, profile.logo, templates)
    return finish(pdf, doc.pdf_title, case_data, "document", doc.lang)
