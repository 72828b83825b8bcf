"""`ehdocs templates check`: every template a profile uses, rendered against the example cases,
and every Word template read tag by tag; each problem with its file and place.

- HTML: syntax errors, and every unknown variable (recorded, not stopped at: a missing value
  would otherwise fail a family's document) with the template file and line.
- DOCX: tags Word split across runs or mangled (an unclosed `{{`, curly quotes, an expression
  that does not parse), with the part, paragraph and tag; unknown variables in tags; and the
  styles the document body needs that the template does not define.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from lxml import etree

from ehdocs.case.model import Case
from ehdocs.errors import TemplateProblem
from ehdocs.render import letters
from ehdocs.render.audience import CaseView, for_audience
from ehdocs.render.context import view_context
from ehdocs.render.docx import NO_TEMPLATES, render_docx
from ehdocs.render.docx_pack import cover_context
from ehdocs.render.docx_styles import NAMESPACES, STYLE
from ehdocs.render.html import render_html
from ehdocs.render.items import DocumentContext
from ehdocs.render.pack import cover_html, pack_parts
from ehdocs.render.parts import pack_base_context
from ehdocs.render.template_files import DOCX, HTML, UNDEFINED, Templates

W = NAMESPACES["w"]
AUDIENCES = ("professional", "family")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
OPENERS = re.compile(r"\{\{|\{%|\{#")
CURLY_QUOTES = "\u2018\u2019\u201c\u201d"
DOCXTPL_PREFIX = re.compile(r"^(\{\{|\{%)(p|r|tr|tc)\s")  # docxtpl's {{p }}, {%tr %} and the like


@dataclass(frozen=True, order=True)
class TemplateIssue:
    file: str
    where: str  # "line 12", or "word/document.xml, paragraph 7, tag {{ doc.nope }}"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


# -- unknown variables, recorded while the examples render --------------------------------------


@dataclass(frozen=True)
class _Missing:
    message: str
    name: str
    file: str | None  # the template file and line, when the template has a file (HTML)
    line: int | None


_found: list[_Missing] = []


class RecordingUndefined(jinja2.ChainableUndefined):
    """A missing value prints as nothing and is written down with where it was used."""

    def _record(self) -> None:
        file, line = _template_frame()
        name = str(self._undefined_name)
        _found.append(_Missing(_what_is_missing(name, self._undefined_obj), name, file, line))

    def __str__(self) -> str:
        self._record()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._record()
        return iter(())

    def __bool__(self) -> bool:
        self._record()
        return False

    def __len__(self) -> int:
        self._record()
        return 0

    __html__ = __str__


def _what_is_missing(name: str, owner: Any) -> str:
    if owner is jinja2.utils.missing:
        return f"unknown variable '{name}'"
    known = sorted(
        n for n in dir(owner) if not n.startswith("_") and not callable(getattr(owner, n, None))
    )
    kind = type(owner).__name__.lstrip("_")
    listed = f" ({kind} has: {', '.join(known)})" if known and len(known) <= 30 else ""
    return f"unknown variable '{name}'{listed}"


def _template_frame() -> tuple[str | None, int | None]:
    frame = sys._getframe(2)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return template.filename, template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return None, None


@contextmanager
def recording() -> Iterator[list[_Missing]]:
    found: list[_Missing] = []
    token = UNDEFINED.set(RecordingUndefined)
    start = len(_found)
    try:
        yield found
    finally:
        UNDEFINED.reset(token)
        found.extend(_found[start:])
        del _found[start:]


# -- the check ---------------------------------------------------------------------------------


def check_templates(
    templates: Templates,
    cases: Iterable[Case],
    today: dt.date,
    logo: Path | None = None,
    extra: Iterable[Callable[[], object]] = (),
) -> list[TemplateIssue]:
    """Every problem in the templates `templates` finds, against `cases` (and the blank forms'
    renders, `extra`, which live above this layer)."""
    issues: set[TemplateIssue] = set()
    for name in templates.names(HTML):
        if name.endswith(".html"):
            issues |= _html_syntax(templates, name)
    docx_files = {
        name: path
        for name in templates.names(DOCX)
        if name.endswith(".docx") and (path := templates.find(DOCX, name)) is not None
    }
    for path in docx_files.values():
        issues |= set(check_docx(path))
    with recording() as missing:
        for run in [*_renders(templates, list(cases), today, logo), *extra]:
            try:
                run()
            except TemplateProblem as problem:  # a template that does not parse, said once
                issues.add(TemplateIssue(*_split(str(problem))))
    issues |= _missing_issues(missing, docx_files)
    return sorted(issues)


def _renders(
    templates: Templates, cases: list[Case], today: dt.date, logo: Path | None
) -> Iterator[Callable[[], object]]:
    """Each render of the examples: every document and pack part in both copies, the cover."""
    for case in cases:
        for audience in AUDIENCES:
            view = for_audience(case, audience)
            for doc in view.documents:
                ctx = view_context(view, doc.id, today)
                yield partial(render_html, ctx, templates=templates, logo=logo is not None)
                yield partial(render_docx, ctx, logo, templates)
            base = pack_base_context(view, audience, today)
            yield partial(_pack, view, base, today, templates, logo)
        yield from _letters(case, today)


SAMPLE_ANSWERS = {"date": "2026-12-10", "text": "Sample answer", "long_text": "Sample answer"}


def _letters(case: Case, today: dt.date) -> Iterator[Callable[[], object]]:
    """Each letter type to its first recipient in the case, in both formats."""
    for letter in letters.load_letter_types().values():
        found = letters.recipients(case, letter)
        if not found:
            continue
        asked = {ask.id: SAMPLE_ANSWERS[ask.kind] for ask in letter.asks}
        paragraph = "Sample paragraph" if letter.paragraph else None
        ctx = letters.letter_context(case, letter, found[0].id, today, asked, paragraph)
        yield partial(letters.letter_html, case, ctx)
        yield partial(letters.render_letter, case, ctx, "docx")


def _pack(
    view: CaseView, base: DocumentContext, today: dt.date, templates: Templates, logo: Path | None
) -> None:
    """The pack's parts (documents, diagrams, chronology) and its cover, in both formats."""
    parts = pack_parts(view, today)
    entries = [(part.title, n + 2) for n, part in enumerate(parts)]
    cover_html(view, base, entries, logo is not None, templates)
    render_docx(cover_context(base, view, [part.title for part in parts]), logo, templates)
    for part in parts:
        render_docx(part.context, logo, templates)


def _split(message: str) -> tuple[str, str, str]:
    """A TemplateProblem's "file, line N: what" as an issue's three parts."""
    match = re.match(r"(.+?), (line \d+): (.*)", message, re.DOTALL)
    if match:
        return match.group(1), match.group(2), match.group(3)
    file, _, what = message.partition(": ")
    return file, "", what


def _html_syntax(templates: Templates, name: str) -> set[TemplateIssue]:
    path = templates.find(HTML, name)
    assert path is not None
    env = jinja2.Environment()
    try:
        env.parse(path.read_text(encoding="utf-8"), name, str(path))
    except jinja2.TemplateSyntaxError as error:
        return {TemplateIssue(str(path), f"line {error.lineno}", error.message or "syntax error")}
    return set()


def _missing_issues(missing: list[_Missing], docx_files: dict[str, Path]) -> set[TemplateIssue]:
    issues: dict[tuple[str, str, str], TemplateIssue] = {}  # one per place and name
    for item in missing:
        if item.file is not None and item.file.endswith((".html", ".css")):
            places = [(item.file, f"line {item.line}")]
        else:
            places = [
                (str(path), place)
                for path in docx_files.values()
                for place in _tags_naming(path, item.name)
            ] or [("(a Word template)", "a tag")]
        for file, place in places:
            issues.setdefault((file, place, item.name), TemplateIssue(file, place, item.message))
    return set(issues.values())


# -- Word templates, tag by tag ----------------------------------------------------------------


@dataclass(frozen=True)
class _Paragraph:
    part: str
    number: int  # 1-based, in the part's order (paragraphs in tables counted too)
    runs: tuple[str, ...]  # the text of each run

    @property
    def text(self) -> str:
        return "".join(self.runs)

    def tags(self) -> Iterator[tuple[str, int]]:
        """Each tag in the paragraph and how many runs it is spread over."""
        starts = []
        offset = 0
        for run in self.runs:
            starts.append(offset)
            offset += len(run)
        for match in TAG.finditer(self.text):
            first = _run_at(starts, match.start())
            last = _run_at(starts, match.end() - 1)
            yield match.group(0), last - first + 1

    def place(self, tag: str | None = None) -> str:
        where = f"{self.part}, paragraph {self.number}"
        return where + (f", tag {tag}" if tag else "")


def _run_at(starts: list[int], offset: int) -> int:
    index = 0
    for i, start in enumerate(starts):
        if start <= offset:
            index = i
    return index


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", name)
        } | {"word/styles.xml": archive.read("word/styles.xml")}


def paragraphs(path: Path) -> Iterator[_Paragraph]:
    for part, xml in _parts(path).items():
        if part == "word/styles.xml":
            continue
        root = etree.fromstring(xml)
        for number, p in enumerate(root.iter(f"{{{W}}}p"), 1):
            runs = tuple(
                "".join(t.text or "" for t in r.iter(f"{{{W}}}t")) for r in p.iter(f"{{{W}}}r")
            )
            yield _Paragraph(part, number, tuple(run for run in runs if run))


def check_docx(path: Path) -> list[TemplateIssue]:
    """The problems a Word template has on its own: tags and styles."""
    issues: list[TemplateIssue] = []
    file = str(path)
    env = jinja2.Environment(loader=NO_TEMPLATES)
    for paragraph in paragraphs(path):
        text = paragraph.text
        tagged = "".join(TAG.sub(" ", text))
        if OPENERS.search(tagged) or re.search(r"\}\}|%\}|#\}", tagged):
            excerpt = text if len(text) <= 60 else text[:57] + "…"
            issues.append(
                TemplateIssue(
                    file,
                    paragraph.place(),
                    f"a tag is not closed or not opened in this paragraph ({excerpt!r}): each"
                    " {{ … }} and {% … %} must start and end in the same paragraph",
                )
            )
        for tag, runs in paragraph.tags():
            if runs > 1:
                issues.append(
                    TemplateIssue(
                        file,
                        paragraph.place(tag),
                        f"the tag is split across {runs} runs by Word's editing: select it,"
                        " clear its formatting (or type it again in one go) and save",
                    )
                )
            if any(q in tag for q in CURLY_QUOTES):
                issues.append(
                    TemplateIssue(
                        file,
                        paragraph.place(tag),
                        "Word made the quotes in this tag curly: type straight quotes"
                        " (turn off AutoFormat's smart quotes)",
                    )
                )
            elif tag.startswith("{{"):
                expression = DOCXTPL_PREFIX.sub(r"\1 ", tag)
                try:
                    env.parse(expression)
                except jinja2.TemplateSyntaxError as error:
                    issues.append(
                        TemplateIssue(file, paragraph.place(tag), f"not a valid tag: {error}")
                    )
    if not issues:
        issues += _whole_parts(path, env)
    issues += _missing_styles(path)
    return issues


def _whole_parts(path: Path, env: jinja2.Environment) -> list[TemplateIssue]:
    """Each part as docxtpl reads it: blocks ({% if %} … {% endif %}) must match."""
    template = DocxTemplate(str(path))
    issues = []
    for part, xml in _parts(path).items():
        if part == "word/styles.xml":
            continue
        try:
            env.parse(template.patch_xml(xml.decode("utf-8")))
        except jinja2.TemplateSyntaxError as error:
            issues.append(TemplateIssue(str(path), part, f"the tags do not fit together: {error}"))
    return issues


def _missing_styles(path: Path) -> list[TemplateIssue]:
    root = etree.fromstring(_parts(path)["word/styles.xml"])
    defined = {s.get(f"{{{W}}}styleId") for s in root.iter(f"{{{W}}}style")}
    issues = []
    for name, style_id in STYLE.items():
        if style_id not in defined:
            issues.append(
                TemplateIssue(
                    str(path),
                    "word/styles.xml",
                    f"the style '{name}' (id {style_id}) is missing: the document's sections"
                    " use it. Add it in Word (Styles pane), or copy it from our template",
                )
            )
    for part, xml in _parts(path).items():
        if part == "word/styles.xml":
            continue
        used = set(re.findall(rb'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', xml))
        for style_id in sorted(used - {s.encode() for s in defined if s}):
            issues.append(
                TemplateIssue(
                    str(path), part, f"the style id {style_id.decode()} is used but not defined"
                )
            )
    return issues


def _tags_naming(path: Path, name: str) -> list[str]:
    word = re.compile(rf"\b{re.escape(name)}\b")
    return [
        paragraph.place(tag)
        for paragraph in paragraphs(path)
        for tag, _ in paragraph.tags()
        if word.search(tag)
    ]
