"""Letters to a family or a professional: types defined in YAML (form_schemas/letters/), filled
from the case like any document, in PDF and DOCX.

A letter type names its audience, whom it goes to, which sections of which case documents it
shows, what it asks for when it is written (a meeting's date and place) and its template per
format (templates/html/letters/, templates/docx/letters/). Everything a letter shows of the case
comes from the audience's copy (render.audience): a family letter carries nothing a family copy
would not. The one exception is the recipient's own postal address, read from the full case for
that recipient only, so a confidential address is never printed on anyone else's letter.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree

from ehdocs.case.model import Case
from ehdocs.errors import EhdocsError
from ehdocs.fields import format_date
from ehdocs.render.audience import for_audience
from ehdocs.render.context import view_context
from ehdocs.render.docx import SectionsXml, fill, logo_image, set_properties
from ehdocs.render.html import render_html
from ehdocs.render.items import DocumentContext, SectionView, clean
from ehdocs.render.parts import pack_base_context
from ehdocs.render.pdf import embedded_payload, finish, html_to_pdf
from ehdocs.render.template_files import DOCUMENT_DOCX, DOCX, Templates
from ehdocs.schema.checks import ID, TEXT, Key, check_mapping
from ehdocs.schema.loader import default_schema_dir
from ehdocs.schema.yamlsrc import Reporter, Where, read_yaml

AUDIENCES = ("family", "professional")
# requester: whoever asked for the help (the notification's sender, as the YAML says)
RECIPIENTS = ("family", "professional", "requester")
ASK_KINDS = ("text", "date", "long_text")
LETTER_KEYS = {
    "name": Key(ID, required=True),
    "title": Key(TEXT, required=True),
    "audience": Key({"enum": list(AUDIENCES)}, required=True),
    "to": Key({"enum": list(RECIPIENTS)}, required=True),
    "requester": Key({"type": "object"}),
    "shows": Key({"type": "array"}),
    "asks": Key({"type": "array"}),
    "paragraph": Key({"type": "object"}),
    "templates": Key({"type": "object"}, required=True),
}
SHOWS_KEYS = {"document": Key(ID, required=True), "sections": Key({"type": "array"})}
ASK_KEYS = {
    "id": Key(ID, required=True),
    "label": Key(TEXT, required=True),
    "kind": Key({"enum": list(ASK_KINDS)}),
    "required": Key({"type": "boolean"}),
}
REQUESTER_KEYS = {
    "document": Key(ID, required=True),
    "section": Key(ID, required=True),
    "name": Key(ID, required=True),
    "lines": Key({"type": "array", "items": ID}),
}
# Fields of the case records a letter's address block and signature read (case.yaml).
HOUSEHOLDS, MEMBERS = "households", "members"
ADDRESS, POSTCODE = "address", "postcode"
PROFESSIONALS, LEAD = "professionals", "lead_practitioner"
ADDRESS_STYLE = "LetterAddress"  # the Word style of the address block's paragraphs
# A letter's own letterhead: its first paragraphs in these styles; a council's, in its
# document.docx: every paragraph above the first in the title style.
LETTERHEAD_STYLES = ("Marking", "Masthead")
TITLE_STYLE = "Title"
LETTER = "letter"  # what a letter PDF says it is: "the case data this letter was made from"


@dataclass(frozen=True)
class Ask:
    id: str
    label: str
    kind: str = "text"
    required: bool = True


@dataclass(frozen=True)
class Shows:
    document: str  # the latest document of this form in the case
    sections: tuple[str, ...] | None  # None: every section the audience may see


@dataclass(frozen=True)
class LetterType:
    name: str
    title: str
    audience: str
    to: str
    templates: Mapping[str, str]
    shows: tuple[Shows, ...] = ()
    asks: tuple[Ask, ...] = ()
    paragraph: str | None = None  # the label of the free paragraph the writer may add
    requester: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipient:
    id: str
    name: str
    lines: tuple[str, ...]  # the address block under the name

    @property
    def block(self) -> tuple[str, ...]:
        return (self.name, *self.lines)


@dataclass(frozen=True)
class LetterContext:
    """What a letter template prints: the letter's own facts; `doc` carries the marking,
    reference, profile and the sections shown, as for any document."""

    type: LetterType
    recipient: Recipient
    date: str
    asked: Mapping[str, str]
    paragraph: str | None
    lead: Mapping[str, str] | None
    attendees: tuple[tuple[str, str], ...]
    window: Mapping[str, int]
    doc: DocumentContext

    @property
    def title(self) -> str:
        return self.type.title

    @property
    def family(self) -> bool:
        return self.type.audience == "family"


def letters_dir(schema_dir: Path | None = None) -> Path:
    return (schema_dir or default_schema_dir()) / "letters"


def load_letter_types(schema_dir: Path | None = None) -> dict[str, LetterType]:
    folder = letters_dir(schema_dir)
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return dict(_load(tuple((p, p.stat().st_mtime_ns) for p in paths)))


@lru_cache(maxsize=4)
def _load(stamped: tuple[tuple[Path, int], ...]) -> tuple[tuple[str, LetterType], ...]:
    rep = Reporter()
    found: dict[str, LetterType] = {}
    for path, _ in stamped:
        file = f"letters/{path.name}"
        node = read_yaml(path, file)
        if not check_mapping(node, file, LETTER_KEYS, rep, "a letter type"):
            continue
        shows = []
        for item in node.get("shows") or []:
            if check_mapping(item, file, SHOWS_KEYS, rep, "shows"):
                sections = item.get("sections")
                shows.append(Shows(str(item["document"]), tuple(map(str, sections or ())) or None))
        asks = [
            Ask(str(a["id"]), str(a["label"]), str(a.get("kind", "text")), a.get("required", True))
            for a in node.get("asks") or []
            if check_mapping(a, file, ASK_KEYS, rep, "asks")
        ]
        if node["to"] == "requester" and not check_mapping(
            node.get("requester"), file, REQUESTER_KEYS, rep, "requester", Where.of(file, node)
        ):
            continue
        templates = {str(k): str(v) for k, v in node["templates"].items()}
        if set(templates) != {"pdf", "docx"}:
            rep.at(
                Where.of(file, node, "templates"), "templates: give one for pdf and one for docx"
            )
        paragraph = node.get("paragraph")
        found[str(node["name"])] = LetterType(
            name=str(node["name"]),
            title=str(node["title"]),
            audience=str(node["audience"]),
            to=str(node["to"]),
            templates=templates,
            shows=tuple(shows),
            asks=tuple(asks),
            paragraph=str(paragraph["label"]) if paragraph else None,
            requester=dict(node.get("requester") or {}),
        )
    rep.raise_if_any()
    return tuple(found.items())


def letter_type(name: str, schema_dir: Path | None = None) -> LetterType:
    types = load_letter_types(schema_dir)
    if name not in types:
        raise EhdocsError(f"There is no letter '{name}'. The letters are: {', '.join(types)}")
    return types[name]


# -- who a letter goes to ------------------------------------------------------------------------


def recipients(case: Case, letter: LetterType) -> list[Recipient]:
    """Whom this letter can be sent to in this case, with the address block for each."""
    if letter.to == "professional":
        return [
            Recipient(str(p["id"]), clean(str(p["name"])), _lines(p.get("role"), p.get("agency")))
            for p in case.records(PROFESSIONALS)
        ]
    if letter.to == "requester":
        return [r for r in [_requester(case, letter)] if r is not None]
    adults = case.formset.adult_categories()
    return [
        Recipient(str(p["id"]), clean(case.person_name(str(p["id"]))), _home(case, p))
        for p in case.people
        if p.get("category") in adults
    ]


def _requester(case: Case, letter: LetterType) -> Recipient | None:
    spec = letter.requester
    docs = case.documents_of(str(spec["document"]))
    if not docs:
        return None
    answers = (docs[0].data or {}).get(str(spec["section"])) or {}
    name = answers.get(str(spec["name"]))
    if not name:
        return None
    lines = _lines(*(answers.get(str(k)) for k in spec.get("lines") or ()))
    return Recipient("requester", clean(str(name)), lines)


def _home(case: Case, person: Mapping[str, Any]) -> tuple[str, ...]:
    """The person's own postal address: the household they live in, else their own record."""
    for household in case.records(HOUSEHOLDS):
        if person["id"] in (household.get(MEMBERS) or []) and household.get(ADDRESS):
            return _lines(*str(household[ADDRESS]).splitlines(), household.get(POSTCODE))
    return _lines(*str(person.get(ADDRESS) or "").splitlines(), person.get(POSTCODE))


def _lines(*values: Any) -> tuple[str, ...]:
    return tuple(clean(str(v)).strip(" ,") for v in values if v and str(v).strip(" ,"))


# -- the letter's content --------------------------------------------------------------------


def letter_context(
    case: Case,
    letter: LetterType,
    to: str,
    today: dt.date,
    asked: Mapping[str, str] | None = None,
    paragraph: str | None = None,
) -> LetterContext:
    chosen = next((r for r in recipients(case, letter) if r.id == to), None)
    if chosen is None:
        ids = ", ".join(r.id for r in recipients(case, letter)) or "nobody in this case"
        raise EhdocsError(f"The {letter.name} letter cannot go to '{to}': it can go to {ids}")
    values = _asked(letter, asked or {})
    if paragraph and not letter.paragraph:
        raise EhdocsError(f"The {letter.name} letter has no paragraph of your own to fill in")
    view = for_audience(case, letter.audience)  # everything shown comes from this copy
    base = pack_base_context(view, letter.audience, today)
    doc = replace(
        base,
        form=f"letter-{letter.name}",
        title=letter.title,
        sections=_sections(view, letter, today),
        contact=tuple(view_contact(case)),
    )
    return LetterContext(
        type=letter,
        recipient=chosen,
        date=format_date(today),
        asked=values,
        paragraph=clean(paragraph) if paragraph else None,
        lead=_lead(view),
        attendees=tuple(
            (clean(str(p["name"])), clean(f"{p.get('role', '')}, {p.get('agency', '')}"))
            for p in view.records(PROFESSIONALS)
        ),
        window=case.formset.profile.letter_window,
        doc=doc,
    )


def view_contact(case: Case) -> list[tuple[str, str]]:
    """The service's own contact details, as every document's contact line shows them."""
    contact = case.formset.profile.contact
    labels = {"hub_name": "Service", "hub_phone": "Phone", "hub_email": "Email"}
    return [(label, contact[key]) for key, label in labels.items() if contact.get(key)]


def _asked(letter: LetterType, given: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(given) - {a.id for a in letter.asks})
    if unknown:
        known = ", ".join(a.id for a in letter.asks) or "nothing"
        raise EhdocsError(f"The {letter.name} letter asks for {known}, not {', '.join(unknown)}")
    values = {}
    for ask in letter.asks:
        value = clean(str(given.get(ask.id) or "")).strip()
        if not value and ask.required:
            raise EhdocsError(f"The {letter.name} letter needs {ask.label.lower()} ({ask.id})")
        if value and ask.kind == "date":
            value = _date(value, ask)
        values[ask.id] = value
    return values


def _date(value: str, ask: Ask) -> str:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return format_date(dt.datetime.strptime(value, pattern).date())
        except ValueError:
            continue
    raise EhdocsError(f"{ask.label}: give a date as 25/12/2026 or 2026-12-25, not '{value}'")


def _sections(view: Any, letter: LetterType, today: dt.date) -> tuple[SectionView, ...]:
    out: list[SectionView] = []
    for shows in letter.shows:
        docs = [d for d in view.documents if d.form == shows.document]
        if not docs:
            continue
        ctx = view_context(view, docs[-1].id, today)  # the latest: the final plan
        out += [s for s in ctx.sections if shows.sections is None or s.id in shows.sections]
    return tuple(out)


def _lead(view: Any) -> dict[str, str] | None:
    for pro in view.records(PROFESSIONALS):
        if pro.get(LEAD) == "yes":
            keys = ("name", "role", "agency", "phone", "email")
            return {k: clean(str(pro.get(k) or "")) for k in keys}
    return None


# -- rendering -------------------------------------------------------------------------------


def letter_html(case: Case, ctx: LetterContext) -> str:
    profile = case.formset.profile
    template = ctx.type.templates["pdf"]
    return render_html(
        ctx.doc, template, Templates.of(profile), letter=ctx, logo=profile.logo is not None
    )


def render_letter(case: Case, ctx: LetterContext, fmt: str) -> bytes:
    profile = case.formset.profile
    templates = Templates.of(profile)
    name = ctx.type.templates[fmt]
    if fmt == "pdf":
        html = letter_html(case, ctx)
        view = for_audience(case, ctx.type.audience)
        payload = embedded_payload(view, None, ctx.type.audience)
        return finish(html_to_pdf(html, profile.logo, templates), _title(ctx), payload, LETTER)
    template = DocxTemplate(io.BytesIO(templates.read(DOCX, name)))
    if templates.overridden(DOCX, DOCUMENT_DOCX) and not templates.overridden(DOCX, name):
        council_letterhead(template, templates.read(DOCX, DOCUMENT_DOCX))
    body = SectionsXml(template)
    for section in ctx.doc.sections:
        body.section(section)
    logo = logo_image(template, profile.logo) if profile.logo else None
    values = {"doc": ctx.doc, "letter": ctx, "body": body, "logo": logo}
    fill(template, values, templates.find(DOCX, name))
    _place_address(template, ctx.window)
    set_properties(template, replace(ctx.doc, title=ctx.title))
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def council_letterhead(template: DocxTemplate, document_docx: bytes) -> None:
    """The council's Word letterhead on one of our letters: the paragraphs above the title of
    the council's document.docx (its masthead, address line, pictures), with the styles they use
    and their pictures, in place of the letter's own letterhead (its first paragraphs in
    LETTERHEAD_STYLES). The tags in them are filled like the letter's own."""
    source = Document(io.BytesIO(document_docx))
    letter = template.get_docx()
    heads = list(_letterhead(source.element.body, lambda style: style != TITLE_STYLE))
    ours = list(_letterhead(letter.element.body, lambda style: style in LETTERHEAD_STYLES))
    if not heads or not ours:
        return
    for element in heads:
        copied = copy.deepcopy(element)
        _carry_pictures(copied, source, letter)
        ours[0].addprevious(copied)
    for element in ours:
        element.getparent().remove(element)
    _carry_styles(heads, source, letter)


def _letterhead(body: Any, keep: Any) -> Iterator[Any]:
    """The body's first paragraphs while `keep(their style id)` holds."""
    for child in body.iterchildren():
        if child.tag != qn("w:p"):
            return
        style = child.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if not keep(style.get(qn("w:val")) if style is not None else None):
            return
        yield child


def _carry_pictures(element: Any, source: Any, letter: Any) -> None:
    """Each picture the copied paragraph shows, added to the letter under a new relationship."""
    embed = qn("r:embed")
    for blip in element.iter(qn("a:blip")):
        rid = blip.get(embed)
        if rid is None:
            continue
        blob = source.part.related_parts[rid].blob
        blip.set(embed, letter.part.get_or_add_image(io.BytesIO(blob))[0])


def _carry_styles(elements: list[Any], source: Any, letter: Any) -> None:
    """The styles the copied paragraphs use (and what they are based on), where the letter
    has none of that id; the letter's own styles are kept."""
    wanted = {
        node.get(qn("w:val"))
        for element in elements
        for node in element.iter(qn("w:pStyle"), qn("w:rStyle"))
    }
    theirs = {s.get(qn("w:styleId")): s for s in source.styles.element.iter(qn("w:style"))}
    mine = letter.styles.element
    have = {s.get(qn("w:styleId")) for s in mine.iter(qn("w:style"))}
    while wanted:
        style_id = wanted.pop()
        if style_id in have or style_id not in theirs:
            continue
        mine.append(copy.deepcopy(theirs[style_id]))
        have.add(style_id)
        based = theirs[style_id].find(qn("w:basedOn"))
        if based is not None:
            wanted.add(based.get(qn("w:val")))


def _place_address(template: DocxTemplate, window: Mapping[str, int]) -> None:
    """The address paragraphs (style Letter Address) framed at the envelope's window, measured
    from the page's corner; consecutive paragraphs with one frame make one block in Word."""
    twips = {k: str(round(v * 1440 / 25.4)) for k, v in window.items()}
    frame = {
        "w": twips["width_mm"],
        "h": twips["height_mm"],
        "hRule": "exact",
        "wrap": "notBeside",
        "hAnchor": "page",
        "vAnchor": "page",
        "x": twips["left_mm"],
        "y": twips["top_mm"],
    }
    body = template.docx.element.body
    for style in body.iter(qn("w:pStyle")):
        if style.get(qn("w:val")) != ADDRESS_STYLE:
            continue
        ppr = style.getparent()
        for old in ppr.findall(qn("w:framePr")):
            ppr.remove(old)
        framed = etree.SubElement(ppr, qn("w:framePr"), {qn(f"w:{k}"): v for k, v in frame.items()})
        style.addnext(framed)  # framePr follows pStyle (and keepNext, keepLines) in the schema


def _title(ctx: LetterContext) -> str:
    """The PDF's title: the letter and the case, never a person's name."""
    return f"{ctx.title} – {ctx.doc.reference} – {LETTER}"


def letter_file_name(case: Case, ctx: LetterContext, fmt: str, today: dt.date) -> str:
    """Case, letter type, the recipient's place in the letter's list and date: never a person's
    name (nor their record id, which a case file written by hand may make of a name)."""
    unsafe = re.compile(r"[^A-Za-z0-9_-]+")
    reference = unsafe.sub("-", case.reference).strip("-")
    ids = [r.id for r in recipients(case, ctx.type)]
    place = ids.index(ctx.recipient.id) + 1 if ctx.recipient.id in ids else 0
    return f"{reference}_letter-{ctx.type.name}_to-{place}_{today.isoformat()}.{fmt}"
