"""HTML to tagged PDF (PDF/UA-1) with WeasyPrint, then one finishing step."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from weasyprint import HTML, Attachment

from ehdocs.case.model import Case
from ehdocs.render.assets import AssetFetcher
from ehdocs.render.context import DocumentContext
from ehdocs.render.html import render_html
from ehdocs.validation import dump_case

EMBEDDED_NAME = "ehdocs-case.json"
EMBEDDED_FORMAT = "ehdocs-embedded-case"


def embedded_payload(
    case: Case, document: str | None, audience: str, document_id: str | None = None
) -> bytes:
    """The machine-readable copy a PDF carries: exactly the case data it shows, and a hash."""
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
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()


def html_to_pdf(html: str, logo: Path | None, embedded: bytes | None = None) -> bytes:
    attachments = []
    if embedded is not None:
        # Attachments are single-use in WeasyPrint: a new one for every render.
        attachments.append(
            Attachment(
                string=embedded.decode(),
                name=EMBEDDED_NAME,
                description="The case data this document was made from (ehdocs)",
                relationship="Data",
            )
        )
    document = HTML(string=html, url_fetcher=AssetFetcher(logo), base_url="asset:/")
    options: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "attachments": attachments}
    pdf: bytes = document.write_pdf(**options)
    return pdf


def render_pdf(doc: DocumentContext, case_view: Case) -> bytes:
    """One document's PDF, carrying the audience's view of the case as embedded JSON."""
    profile = case_view.formset.profile
    html = render_html(doc, logo=profile.logo is not None)
    return html_to_pdf(
        html,
        profile.logo,
        embedded_payload(case_view, doc.form, doc.audience, doc.document_id),
    )
