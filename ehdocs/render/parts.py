"""The parts a pack is made of, and rendering them: each part renders on its own (in parallel
processes, and only when its HTML changed: the part cache), for the pack and its sections alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import pickle
import select
import signal
from collections.abc import Callable, Sequence
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
        works = [functools.partial(html_to_pdf, htmls[i], logo, templates) for i in todo]
        rendered = _forked(works, workers)
    else:
        rendered = [html_to_pdf(htmls[i], logo, templates) for i in todo]
    for i, pdf in zip(todo, rendered, strict=True):
        cache.put(keys[i], pdf)
        found[i] = pdf
    return [pdf for pdf in found if pdf is not None]


def _forked(works: Sequence[Callable[[], bytes]], workers: int) -> list[bytes]:
    """Each work's result, made in forked children, `workers` at a time.

    No threads: a pool's manager thread that cannot start for want of memory (a render under
    its cap, ehdocs.render.limits) leaves the pool waiting for ever, and the render was then
    refused, after the whole time limit, as too slow. Here a child that dies (out of memory,
    its C libraries abort) is a MemoryError in the caller; an error in a child is raised as it
    was; on any error the children still running are stopped."""
    results: list[bytes | None] = [None] * len(works)
    waiting = list(range(len(works)))
    running: dict[int, tuple[int, int, list[bytes]]] = {}  # read end: (pid, index, chunks)
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                i = waiting.pop(0)
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:  # the child: never returns
                    os.close(read_end)
                    _forked_child(works[i], write_end)
                os.close(write_end)
                running[read_end] = (pid, i, [])
            ready, _, _ = select.select(list(running), [], [])
            for fd in ready:
                chunk = os.read(fd, 1 << 20)
                if chunk:
                    running[fd][2].append(chunk)
                    continue
                pid, i, chunks = running.pop(fd)
                os.close(fd)
                os.waitpid(pid, 0)
                if not chunks:
                    raise MemoryError("a part's renderer stopped without a result")
                kind, value = pickle.loads(b"".join(chunks))
                if kind == "error":
                    raise value
                results[i] = value
    finally:
        for fd, (pid, _, _) in running.items():
            os.close(fd)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
    return [r for r in results if r is not None]


def _forked_child(work: Callable[[], bytes], write_end: int) -> None:
    code = 0
    try:
        try:
            data = pickle.dumps(("ok", work()))
        except MemoryError:
            data = b""  # the caller reads no result as out of memory
        except Exception as exc:
            try:
                data = pickle.dumps(("error", exc))
            except Exception:
                data = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        code = 70
    finally:
        os._exit(code)
