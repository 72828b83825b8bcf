"""Document context to HTML, with the profile's templates (its own files, then ours):
sandboxed, autoescaped, strict."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ehdocs.diagrams.fonts import svg_for_pdf
from ehdocs.errors import TemplateProblem
from ehdocs.render.items import DocumentContext
from ehdocs.render.template_files import HTML, Templates, current_undefined


class TemplateLoader(jinja2.BaseLoader):
    """Finds a template by name in the profile's folders only (template_files.Templates.find):
    an include of '/etc/passwd' or '../x' finds nothing."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.templates.find(HTML, template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        mtime = path.stat().st_mtime_ns
        source = path.read_text(encoding="utf-8")
        return source, str(path), lambda: path.is_file() and path.stat().st_mtime_ns == mtime


@lru_cache(maxsize=16)
def environment(
    templates: Templates | None = None, undefined: type[jinja2.Undefined] = jinja2.StrictUndefined
) -> jinja2.Environment:
    # User text only ever arrives as values: it is escaped, never compiled as a template. A
    # council's template is sandboxed like ours: no attributes beginning with _, no file reads.
    env = SandboxedEnvironment(
        loader=TemplateLoader(templates or Templates.defaults()),
        autoescape=True,
        undefined=undefined,
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


def render_template(template: str, templates: Templates | None = None, **values: Any) -> str:
    """One HTML template filled in; a template that cannot be used is a TemplateProblem naming
    its file and line."""
    try:
        return environment(templates, current_undefined()).get_template(template).render(**values)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(
            f"{error.filename or template}, line {error.lineno}: {error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        raise TemplateProblem(
            f"{_where(error, template)}: there is no template '{error.name}' (a template can"
            " only use the templates in its own folder and ours)"
        ) from None
    except jinja2.TemplateError as error:
        raise TemplateProblem(f"{_where(error, template)}: {error}") from None


def _where(error: Exception, template: str) -> str:
    """The template file and line an error was raised at, from its traceback."""
    tb = error.__traceback__
    where = template
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html") or filename.endswith(".css"):
            where = f"{filename}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where


def render_html(
    doc: DocumentContext,
    template: str = "document.html",
    templates: Templates | None = None,
    **extra: Any,
) -> str:
    return render_template(template, templates, doc=doc, **extra)
