"""Where the look of every document is read from: a council's own template files, then ours.

Ours are in the project's `templates/` (beside `form_schemas/`, or `EHDOCS_TEMPLATES_DIR`):
`html/` holds the Jinja templates and their stylesheets, `docx/` the Word files with docxtpl
tags. A council profile may put any of those files under its own folder's `templates/html/` or
`templates/docx/`: its file is used, and ours for every file it does not have. Either way a
template is trusted for layout only: a name is looked up inside these folders and nowhere else
(no absolute paths, no `..`, no link leading out), and the same sandboxed Jinja environment and
locked URL fetcher apply to every file.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ehdocs.errors import TemplateProblem
from ehdocs.schema.model import Profile

HTML, DOCX = "html", "docx"
KINDS = (HTML, DOCX)
DOCUMENT_DOCX = "document.docx"


# What a missing value does in a template: fails the render (StrictUndefined), except while
# `ehdocs templates check` renders the examples, recording every one (render/template_check.py).
UNDEFINED: ContextVar[type[jinja2.Undefined]] = ContextVar(
    "ehdocs_template_undefined", default=jinja2.StrictUndefined
)


def current_undefined() -> Any:
    """The Undefined class for this render (Any: a class is hashable, whatever typeshed says)."""
    return UNDEFINED.get()


def default_templates_dir() -> Path:
    env = os.environ.get("EHDOCS_TEMPLATES_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Templates:
    """The template folders of one profile, first wins: its own `templates/`, then ours."""

    roots: tuple[Path, ...]

    @classmethod
    def of(cls, profile: Profile | None) -> Templates:
        roots = [default_templates_dir().resolve()]
        if profile is not None and profile.folder is not None:
            roots.insert(0, (profile.folder / "templates").resolve())
        return cls(tuple(roots))

    @classmethod
    def defaults(cls) -> Templates:
        return cls.of(None)

    def folders(self, kind: str) -> tuple[Path, ...]:
        return tuple(root / kind for root in self.roots)

    def find(self, kind: str, name: str) -> Path | None:
        """The file `name` (a path inside the kind's folder): the council's own, else ours;
        None when neither has it or the name leads outside them."""
        for folder in self.folders(kind):
            path = (folder / name).resolve()
            if folder in path.parents and path.is_file():
                return path
        return None

    def overridden(self, kind: str, name: str) -> bool:
        """Whether the file `name` in use is the council's own, not ours."""
        path = self.find(kind, name)
        ours = (default_templates_dir().resolve() / kind).resolve()
        return path is not None and ours not in path.parents

    def names(self, kind: str) -> list[str]:
        """Every template file of a kind, as the renderer would find them (overrides merged)."""
        found: set[str] = set()
        for folder in self.folders(kind):
            if folder.is_dir():
                found |= {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        return sorted(name for name in found if self.find(kind, name) is not None)

    def read(self, kind: str, name: str) -> bytes:
        path = self.find(kind, name)
        if path is None:
            raise TemplateProblem(f"There is no template {kind}/{name} in {self._where()}")
        return _read(path, path.stat().st_mtime_ns)

    def docx(self, name: str = DOCUMENT_DOCX) -> bytes:
        return self.read(DOCX, name)

    def _where(self) -> str:
        return " or ".join(str(root) for root in self.roots)


def export_templates(folder: Path) -> list[Path]:
    """Our templates copied into `folder` (html/, docx/), for a council to start from; refused
    when that would overwrite a file there."""
    source = default_templates_dir()
    files = [p for kind in KINDS for p in sorted((source / kind).rglob("*")) if p.is_file()]
    targets = [folder / p.relative_to(source) for p in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        raise TemplateProblem(
            f"{folder} already has {', '.join(existing[:3])}"
            + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
            + ": choose an empty folder, so no council's work is overwritten"
        )
    for path, target in zip(files, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return targets


@lru_cache(maxsize=32)
def _read(path: Path, _mtime_ns: int) -> bytes:
    # Keyed on the modification time too: a council's edited template is read again.
    return path.read_bytes()
