"""The parts a pack is made of, and rendering them: each part renders on its own (in parallel
processes, and only when its HTML changed: the part cache), for the pack and its sections alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ehdocs.case.model import Case
from ehdocs.fields import format_date
from ehdocs.render.assets import ASSETS
from ehdocs.render.audience import CaseView
from ehdocs.render.cache import PartCache
from ehdocs.render.items import DocumentContext
from ehdocs.render.pagination import as_pack_part
from ehdocs.render.pdf import html_to_pdf
from ehdocs.render.template_files import HTML, Templates


@dataclass(frozen=True)
class PackPart:
    title: str
    html: str  # for the PDF pack
    context: DocumentContext  # for the DOCX pack: the same content, renderer-neutral


# Sections after the documents (genogram, ecomap, chronology, outcomes): each provider gives
# the parts it has for the audience's view of a case, or none (render.sections.PROVIDERS).
PackSectionProvider = Callable[[CaseView, DocumentContext], list[PackPart]]


def pack_base_context(case: Case, audience: str, today: dt.date) -> DocumentContext:
    """The context the cover and pack sections share: marking, reference, audience, date."""
    profile = case.formset.profile
    family = audience == "family"
    return DocumentContext(
        form="pack",
        title="Our family's early help" if family else "Early help case pack",
        audience=audience,
        reference=case.reference,
        profile_name=profile.name,
        marking=profile.marking,
        generated=format_date(today),
        draft=False,
        sections=(),
        family_name=None if family else case.data.get("family_name"),
    )


def assets_digest(templates: Templates | None = None) -> bytes:
    """The stylesheets, fonts and pictures a part is drawn with: a part drawn with others (an
    upgrade or a council that changed a stylesheet) is not reused."""
    templates = templates or Templates.defaults()
    files = [(f"asset/{p.relative_to(ASSETS)}", p) for p in ASSETS.rglob("*") if p.is_file()]
    for name in templates.names(HTML):
        found = templates.find(HTML, name)
        if found is not None and name.endswith(".css"):
            files.append((f"html/{name}", found))
    return _digest(tuple(sorted(files)))


@functools.lru_cache(maxsize=16)
def _digest(files: tuple[tuple[str, Path], ...]) -> bytes:
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def render_parts(
    htmls: Sequence[str],
    logo: Path | None,
    cache: PartCache,
    workers: int | None = None,
    templates: Templates | None = None,
) -> list[bytes]:
    htmls = [as_pack_part(html) for html in htmls]  # numbered once merged: pagination
    logo_bytes, assets = logo.read_bytes() if logo else b"", assets_digest(templates)
    keys = [cache.key(html.encode(), logo_bytes, assets) for html in htmls]
    found: list[bytes | None] = [cache.get(k) for k in keys]
    todo = [i for i, pdf in enumerate(found) if pdf is None]
    workers = min(workers or os.cpu_count() or 1, len(todo))
    if workers > 1:
        # WeasyPrint uses one core per render: parallelism comes from processes.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            rendered = list(
                pool.map(
                    html_to_pdf,
                    [htmls[i] for i in todo],
                    [logo] * len(todo),
                    [templates] * len(todo),
                )
            )
    else:
        rendered = [html_to_pdf(htmls[i], logo, templates) for i in todo]
    for i, pdf in zip(todo, rendered, strict=True):
        cache.put(keys[i], pdf)
        found[i] = pdf
    return [pdf for pdf in found if pdf is not None]
