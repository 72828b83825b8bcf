"""DOCX packs: a cover with contents, then every document, composed into one Word file.

The cover is a document context like any other (facts and a contents table), so it is drawn by
the same renderer; each part keeps its own section, header and footer.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

from docx import Document as open_docx
from docx.enum.section import WD_SECTION
from docxcompose.composer import Composer

from ehdocs.case.model import Case
from ehdocs.render.audience import Files, for_audience
from ehdocs.render.docx import render_docx
from ehdocs.render.items import Answer, DocumentContext, SectionView, Table
from ehdocs.render.pack import lead_practitioner, pack_parts
from ehdocs.render.parts import pack_base_context
from ehdocs.render.template_files import Templates


def render_pack_docx(
    case: Case, audience: str, today: dt.date | None = None, files: Files | None = None
) -> bytes:
    today = today or dt.date.today()
    view = for_audience(case, audience, files)
    logo, templates = case.formset.profile.logo, Templates.of(case.formset.profile)
    parts = pack_parts(view, today)
    cover = cover_context(
        pack_base_context(view, audience, today), view, [part.title for part in parts]
    )
    composer = Composer(open_docx(io.BytesIO(render_docx(cover, logo, templates))))
    for part in parts:
        # A new section per part: each starts on a new page.
        composer.doc.add_section(WD_SECTION.NEW_PAGE)
        composer.append(open_docx(io.BytesIO(render_docx(part.context, logo, templates))))
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()


def cover_context(base: DocumentContext, view: Case, titles: list[str]) -> DocumentContext:
    facts: list[Answer | Table] = []
    lead = None if base.family else lead_practitioner(view)
    if lead:
        facts.append(Answer("Lead practitioner", lead))
    facts += [Answer("Copy", base.copy_name), Answer("Date", base.generated)]
    contents = Table("The parts of this pack, in order", ("Part",), tuple((t,) for t in titles))
    return replace(
        base,
        sections=(
            SectionView("about", "About this pack", tuple(facts)),
            SectionView("contents", "Contents", (contents,)),
        ),
    )
