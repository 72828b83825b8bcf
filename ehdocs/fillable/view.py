"""What a blank form shows, built once from the definition for both the PDF and the DOCX.

Sections and questions in the schema's order, each question with its widget and the entries of
the field map it fills, and the words around them: hints, formats, when to answer, how to add
rows, the safety notice and the council's contacts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ehdocs.fields import field_type, format_date
from ehdocs.fields.fillable import DATE_HINT
from ehdocs.fillable.fieldmap import (
    DATE_OF_BIRTH,
    Choice,
    FieldEntry,
    FieldMap,
    blank_fields,
    blank_rows,
    blank_sections,
    field_map,
    options_of,
    row_label,
)
from ehdocs.fillable.names import field_name
from ehdocs.render.context import fill_placeholders
from ehdocs.render.items import clean
from ehdocs.schema.conditions import Condition
from ehdocs.schema.model import FieldDef, FormDefinition, FormSet, Profile, SectionDef

DATE_OF_BIRTH_LABEL = "Date of birth"
MORE_ROWS = "If you need more rows, attach another page."
NAMES_NOTE = (
    "Write people's and professionals' names in full. When the form comes back, the hub "
    "matches each name to the people and professionals already recorded for the family."
)
DEFAULT_NOTICE = (
    "If you think a child is at risk of significant harm, do not use this form. Call "
    "children's social care now on {contact.social_care_phone} (out of hours "
    "{contact.out_of_hours_phone}). If a child is in immediate danger, call 999."
)
CONTACT_LABELS = {
    "hub_name": "Early help",
    "hub_phone": "Phone",
    "hub_email": "Email",
    "social_care_phone": "Children's social care",
    "out_of_hours_phone": "Out of hours",
    "address": "Address",
}


@dataclass(frozen=True)
class Question:
    id: str  # HTML id / DOCX anchor base
    label: str
    kind: str  # text | multiline | date | radio | select | checkboxes
    entries: tuple[FieldEntry, ...]  # one, or one per checkbox
    choices: tuple[Choice, ...] = ()  # radio or select options; checkboxes: one per entry
    hint: str | None = None
    note: str | None = None  # when to answer it
    optional: bool = False
    size: str = "medium"  # short | medium | date | lines-N for multi-line fields
    inline: bool = False  # radios in a row
    wide: bool = False  # takes the full width in a group's row
    max_length: int | None = None  # the most characters the answer may have
    height_mm: float | None = None  # a long answer's box: room for max_length characters

    @property
    def name(self) -> str:
        return self.entries[0].name

    @property
    def estimated_mm(self) -> float:
        """About how much of the page the question takes (label, hints, box, margin)."""
        words = LINE_MM * (1 + bool(self.hint) + bool(self.note))
        if self.height_mm:
            box = self.height_mm
        elif self.kind in ("radio", "checkboxes"):
            box = OPTION_MM * (1 if self.inline else max(1, len(self.choices) // 2))
        else:
            box = 8.0
        return words + box + 4


@dataclass(frozen=True)
class Row:
    title: str
    questions: tuple[Question, ...]

    @property
    def keep_whole(self) -> bool:
        """A row (a child, a person) that fits on a page with room to spare is never split
        across pages; a taller one (an action with several long answers) would leave a page
        mostly empty, so it breaks between its questions."""
        return ROW_TITLE_MM + sum(q.estimated_mm for q in self.questions) <= ROW_KEEP_MM


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    hint: str | None
    rows: tuple[Row, ...]
    more_rows: str = MORE_ROWS


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    description: str | None
    items: tuple[Question | Group, ...]


@dataclass(frozen=True)
class BlankForm:
    form: str
    version: int
    title: str
    profile_name: str
    marking: str
    notice: str
    contact: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    intro: str
    names_note: str | None
    fields: FieldMap
    generated: str
    lang: str = "en-GB"

    @property
    def pdf_title(self) -> str:
        return f"{self.title} – blank form (version {self.version})"


def blank_view(
    formset: FormSet, form_name: str, format: str = "pdf", today: dt.date | None = None
) -> BlankForm:
    form = formset.form(form_name)
    fmap = field_map(formset, form_name, format)
    builder = _Builder(form, fmap, formset.profile, format)
    sections = tuple(builder.section(s) for s in blank_sections(form))
    profile = formset.profile
    has_refs = any(not e.is_date_of_birth and e.field_type.is_reference for e in fmap)
    return BlankForm(
        form=form.form,
        version=form.version,
        title=clean(form.title),
        profile_name=clean(profile.name),
        marking=clean(profile.marking),
        notice=clean(fill_placeholders(form.notice or DEFAULT_NOTICE, profile)),
        contact=contact_lines(profile),
        sections=sections,
        intro=_intro(profile),
        names_note=NAMES_NOTE if has_refs else None,
        fields=fmap,
        generated=format_date(today or dt.date.today()),
    )


def contact_lines(profile: Profile) -> tuple[tuple[str, str], ...]:
    contact = profile.contact
    return tuple(
        (label, clean(contact[key])) for key, label in CONTACT_LABELS.items() if contact.get(key)
    )


def _intro(profile: Profile) -> str:
    hub = profile.contact.get("hub_name", "the Early Help Hub")
    email = profile.contact.get("hub_email")
    send = f"{hub} at {email}" if email else hub
    return clean(
        "Fill in this form on screen and save it, or print it and write in the boxes. "
        f"Send the completed form to {send}. Do not add passwords to the file."
    )


class _Builder:
    def __init__(self, form: FormDefinition, fmap: FieldMap, profile: Profile, fmt: str) -> None:
        self.form = form
        self.fmap = fmap
        self.profile = profile
        self.format = fmt
        self.previous = ""  # the path of the question before, for 'if you answered … above'
        self.by_path: dict[str, list[FieldEntry]] = {}
        for entry in fmap:
            self.by_path.setdefault(entry.path, []).append(entry)

    def text(self, text: str | None) -> str | None:
        return clean(fill_placeholders(text, self.profile)) if text else None

    def section(self, section: SectionDef) -> Section:
        items: list[Question | Group] = []
        for fdef in blank_fields(section.fields):
            path = f"{section.id}.{fdef.id}"
            if field_type(fdef.type).is_group:
                items.append(self.group(fdef, path))
            else:
                items.extend(self.questions(fdef, path))
        return Section(
            section.id, clean(section.title), self.text(section.description), tuple(items)
        )

    def group(self, fdef: FieldDef, path: str) -> Group:
        rows = []
        for i in range(blank_rows(fdef)):
            questions = tuple(
                q
                for child in blank_fields(fdef.fields)
                for q in self.questions(child, f"{path}[{i}].{child.id}")
            )
            rows.append(Row(row_label(fdef, i), questions))
        return Group(field_name(path), clean(fdef.label), self.text(fdef.hint), tuple(rows))

    def questions(self, fdef: FieldDef, path: str) -> list[Question]:
        """A field's question, and a child's date of birth after the child's name."""
        found = [self.question(fdef, path)]
        birth = [e for e in self.by_path[path] if e.is_date_of_birth]
        if birth:
            found.append(self.date_of_birth(path, birth[0]))
        return found

    def date_of_birth(self, path: str, entry: FieldEntry) -> Question:
        """Asked like a date question: the same widget, hint and box size."""
        self.previous = ""  # the question above is this one, which no condition refers to
        return Question(
            id="f-" + field_name(path, DATE_OF_BIRTH),
            label=DATE_OF_BIRTH_LABEL,
            kind=entry.widget,
            entries=(entry,),
            hint=DATE_HINT,
            optional=True,
            size="short",
        )

    def question(self, fdef: FieldDef, path: str) -> Question:
        # A person's own name entry: a child's date of birth is a question of its own.
        entries = tuple(e for e in self.by_path[path] if not e.is_date_of_birth)
        ftype = field_type(fdef.type)
        kind = ftype.fill_widget(fdef, self.format)
        choices: tuple[Choice, ...] = ()
        if kind in ("radio", "select"):
            choices = entries[0].choices
        elif kind == "checkboxes":
            labels = {c.value: c.label for c in options_of(fdef)}
            choices = tuple(Choice(e.name, e.value or "", labels[e.value or ""]) for e in entries)
        note = self.note(fdef.visible_if, self.previous)
        self.previous = _strip_rows(path)
        longest_answer = ftype.fill_max_length(fdef)
        if kind == "multiline" and longest_answer is not None:
            # a longer answer than the tallest box shows at a readable size would be cut off
            longest_answer = min(longest_answer, longest_printable())
        longest = max((len(c.label) for c in choices), default=0)
        words = sum(len(c.label) for c in choices)
        # Yes/no and scales sit in a row; a choice too, when its options are short.
        inline = kind == "radio" and (ftype.inline or (len(choices) <= 5 and words <= 40))
        wide = (
            kind in ("multiline", "checkboxes")
            or (kind == "radio" and (not inline or len(choices) > 3 or words > 25))
            or (kind == "select" and longest > 40)
        )
        return Question(
            id="f-" + field_name(path),
            label=clean(fdef.label),
            kind=kind,
            entries=entries,
            choices=choices,
            hint=self.hint(fdef, kind, longest_answer if kind == "multiline" else None),
            note=note,
            optional=not (fdef.required or fdef.required_if),
            size=ftype.fill_size(fdef, kind),
            inline=inline,
            wide=wide,
            max_length=longest_answer,
            height_mm=box_height_mm(longest_answer) if kind == "multiline" else None,
        )

    def hint(self, fdef: FieldDef, widget: str, longest: int | None = None) -> str | None:
        """The question's hint; a long answer's says how much the box takes (a PDF viewer
        stops typing there, without a word)."""
        parts = field_type(fdef.type).fill_hint(fdef, self.text(fdef.hint), widget)
        if longest is not None:
            parts = [*parts, f"Up to {longest:,} characters"]
        return clean(". ".join(p.rstrip(".") for p in parts)) if parts else None

    def note(self, cond: Condition | None, previous: str) -> str | None:
        """'Answer this if …' for a simple visible_if on a field shown on the form."""
        if cond is None or cond.op not in ("equals", "in") or cond.field is None:
            return None
        target = self.form.field_at(_strip_rows(cond.field))
        if target is None or target.audience == "hub":
            return None
        section = self.form.section(cond.field.split(".")[0])
        if section is None or section.audience == "hub":
            return None
        labels = {c.value: c.label for c in options_of(target)}
        said = [f"‘{labels.get(str(v), str(v))}’" for v in cond.values]
        answer = " or ".join(said)
        if _strip_rows(cond.field) == previous:
            return clean(f"Answer this only if you answered {answer} above.")
        return clean(f"Answer this only if the answer to ‘{target.label}’ is {answer}.")


# A long answer's box holds its longest answer at BOX_FONT_PT or more (the field's font shrinks
# to fit: /DA size 0), so nothing typed is cut off when the form is printed. 7 pt is the floor:
# the smallest size at which prose stays readable on paper from an office printer (the size of
# a book's footnotes); below it letters close up and a handwritten correction cannot be placed.
# A box is as high as its limit needs, up to BOX_MOST_MM: with its question's words it still
# fits on an A4 page (253 mm of text), as it must, a form field being on one page. A question
# that allows more than that box holds at the floor is limited on the paper form to what the
# box holds (`longest_printable`; validation still applies the schema's limit). The figures are
# Liberation Sans prose: about 0.5 em a character, lines 1.3 em apart (the font box, which
# pypdf spaces lines by), a tenth lost to wrapping; tests/fillable/test_long_answers.py fills
# every form's boxes to their limits and measures the size used.
BOX_FONT_PT = 7.0
BOX_LEAST_MM = 16.0  # three handwritten lines
BOX_MOST_MM = 200.0  # with its label, hint and note, a question fits on one page
BOX_WIDTH_MM = 160.0  # a row's box (the narrowest a long answer gets), less its padding
BOX_PADDING_MM = 3.0
_PT_PER_MM = 72 / 25.4
_LINE_MM = 1.3 * BOX_FONT_PT / _PT_PER_MM
_PER_LINE = BOX_WIDTH_MM * _PT_PER_MM / (0.5 * BOX_FONT_PT)  # characters in a line
_WRAP = 1.1  # a tenth of each line lost to wrapping words
LINE_MM = 5.0  # a line of a question's words
OPTION_MM = 6.0  # a line of radio buttons or checkboxes
ROW_TITLE_MM = 11.0  # a row's title and padding
ROW_KEEP_MM = 175.0  # two thirds of an A4 page's text area: a child's row, with room


def box_height_mm(max_length: int | None) -> float | None:
    """The height of a long answer's box, from the most characters the answer may have."""
    if max_length is None:
        return None
    lines = max_length * _WRAP / _PER_LINE + 1
    height = lines * _LINE_MM + BOX_PADDING_MM
    return round(min(max(height, BOX_LEAST_MM), BOX_MOST_MM), 1)


def longest_printable() -> int:
    """The most characters the tallest box (BOX_MOST_MM) shows at BOX_FONT_PT, in hundreds."""
    lines = (BOX_MOST_MM - BOX_PADDING_MM) / _LINE_MM
    return int((lines - 1) * _PER_LINE / _WRAP) // 100 * 100


def _strip_rows(path: str) -> str:
    return re.sub(r"\[\d+\]", "", path)
