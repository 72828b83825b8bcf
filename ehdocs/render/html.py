"""Document context to HTML, with our own templates only (autoescaped, strict)."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ehdocs.diagrams.fonts import svg_for_pdf
from ehdocs.render.items import DocumentContext

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    # User text only ever arrives as values: it is escaped, never compiled as a template.
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["b64"] = lambda text: base64.b64encode(str(text).encode()).decode()
    env.filters["b64bytes"] = lambda data: base64.b64encode(data).decode()
    env.filters["drawn"] = svg_for_pdf  # labels in any script drawn as written
    env.tests["repeating"] = repeats
    return env


def repeats(label: object, title: object) -> bool:
    """Whether a label says what the heading above it says (case, quotes, spacing and end
    punctuation aside): then it is not printed again under it."""

    def words(text: object) -> str:
        plain = str(text).replace("\u2019", "'").replace("\u2018", "'").casefold()
        return " ".join(plain.split()).rstrip(".:?")

    return bool(str(label).strip()) and words(label) == words(title)


def render_html(doc: DocumentContext, template: str = "document.html", **extra: Any) -> str:
    return environment().get_template(template).render(doc=doc, **extra)
