"""Frozen models of form definitions, built once per profile and indexed by path."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ehdocs.errors import UnknownDocumentError
from ehdocs.schema import roles
from ehdocs.schema.carry import CarryDef
from ehdocs.schema.conditions import Condition

AUDIENCES = ("family", "professional", "hub")

# Every setting a council profile may change, with a typical council's practice standard.
# How long a signed-in session lasts: ended after this long without a request, and this long
# after signing in whatever happens in between. A profile's `sessions:` may change them.
DEFAULT_SESSIONS: Mapping[str, int] = MappingProxyType({"idle_minutes": 30, "absolute_hours": 12})
# A DL envelope's window (Royal Mail's common place: 20 mm in, 50 mm down, 90 by 45 mm), in
# millimetres; a profile's `letter_window:` moves it for the council's own envelopes.
DEFAULT_LETTER_WINDOW: Mapping[str, int] = MappingProxyType(
    {"left_mm": 20, "top_mm": 50, "width_mm": 90, "height_mm": 45}
)
# How long what ehdocs holds is kept (`ehdocs retention run` disposes of what is due).
DEFAULT_RETENTION: Mapping[str, int] = MappingProxyType(
    {
        "closed_case_until_age": 25,  # a closed case: until its youngest child's 25th birthday
        "closed_case_years": 25,  # ...or this long after closure when no child's birth is known
        "unmatched_file_months": 6,  # a received file that never became a case, after handling
        "audit_years": 7,  # the audit trail (at least 6: see migration 0005)
        "partner_link_days": 30,  # partners' sign-in links
        "draft_days": 30,  # page drafts, and partners' notifications never sent
    }
)
DEFAULT_TIMESCALES: Mapping[str, int] = MappingProxyType(
    {
        "hub_decision_hours": 48,
        "allocation_hours": 48,
        "first_contact_working_days": 5,
        "assessment_working_days": 20,
        "initial_taf_days_after_assessment": 10,
        "initial_taf_days_after_request": 30,
        "visit_interval_days": 14,
        "review_interval_weeks": 6,
        "max_involvement_months": 6,
        "supervision_interval_weeks": 4,  # a case's supervision is due this often
        "oversight_working_days": 5,  # a manager's oversight after each critical point
        "note_written_within_hours": 24,  # a case note later than this asks why
        "retention_years_after_18": 7,
        "break_glass_minutes": 60,  # a manager's or hub adviser's emergency access to a case
        "share_link_days": 14,  # a copy shared by a secure link can be opened this long
    }
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    family_label: str | None = None
    role: str | None = None  # what ehdocs reads this value as (person categories)
    source: str = field(default="", compare=False)  # file:line, for messages to schema authors


@dataclass(frozen=True, eq=False)  # identity: built once per profile, cached
class FieldDef:
    """One question or repeating group, as the schema (after the profile) defines it."""

    id: str
    type: str
    label: str
    path: str  # section.field, or section.group.field inside groups (no row index)
    audience: str = "family"
    family_label: str | None = None
    hint: str | None = None
    error_name: str | None = None
    required: bool = False
    visible_if: Condition | None = None
    required_if: Condition | None = None
    messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    options: tuple[Option, ...] = ()
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    fields: tuple[FieldDef, ...] = ()  # a group's row fields
    contact: bool = False  # an address or contact detail: left out where a person is protected
    used_as: str | None = None  # the role ehdocs reads this field in (see schema/roles.py)
    source: str = ""  # file:line of the definition, for messages to schema authors

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    @property
    def set_by_ehdocs(self) -> bool:
        """An answer ehdocs writes itself (`set_by_ehdocs: true`): never asked on a page."""
        return bool(self.params.get("set_by_ehdocs"))

    @property
    def name_for_errors(self) -> str:
        if self.error_name:
            return self.error_name
        # "NHS number" stays as it is; "Date of birth" becomes "date of birth".
        if self.label[1:2].isupper():
            return self.label
        return self.label[:1].lower() + self.label[1:]

    def option_label(self, value: str, family: bool = False) -> str:
        for option in self.options:
            if option.value == value:
                return (option.family_label or option.label) if family else option.label
        return value

    def child(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class SectionPage:
    """One page of a long section (an area of the assessment's need areas): its heading and
    the ids of the section's fields it asks, in order."""

    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # identity: built once per profile, cached
class SectionDef:
    id: str
    title: str
    fields: tuple[FieldDef, ...]
    audience: str = "family"
    family_title: str | None = None
    description: str | None = None
    variant: str | None = None
    role: str | None = None  # the role ehdocs reads this section in (see schema/roles.py)
    # A Team Around the Family member with an account may write this section (review updates,
    # the plan's actions); they may only read the rest of the case.
    taf_edit: bool = False
    # The case record kind whose details this section asks for (the consent section: the
    # case's consent records): the page links to them, and Complete needs one by the person
    # the section names (ehdocs.validation.case.records_asked_for).
    record: str | None = None
    # A long section asked over several pages (each field on exactly one); the answers are
    # still one section of the document. Empty: one page.
    pages: tuple[SectionPage, ...] = ()
    source: str = ""

    def page_fields(self, number: int) -> tuple[FieldDef, ...]:
        """The fields asked on page `number` (1-based) of the section; all of them when it
        has one page."""
        if not self.pages:
            return self.fields
        wanted = set(self.pages[number - 1].fields)
        if number == len(self.pages):  # a field a council's profile added goes on the last
            listed = {field_id for page in self.pages for field_id in page.fields}
            wanted |= {f.id for f in self.fields if f.id not in listed}
        return tuple(f for f in self.fields if f.id in wanted)

    def page_of(self, field_id: str) -> int:
        """The page (1-based) that asks the field `field_id`: 1 when there is one page."""
        for number, page in enumerate(self.pages, 1):
            if field_id in page.fields:
                return number
        return len(self.pages) or 1

    def child(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def field_used_as(self, role: str) -> FieldDef | None:
        return next((f for f in _walk(self.fields) if f.used_as == role), None)


@dataclass(frozen=True)
class Follows:
    form: str
    which: str = "latest"  # or "earliest"


@dataclass(frozen=True)
class FormEvent:
    """A date in a document that matters beyond it: for timescales and the chronology."""

    id: str
    date: str  # path of a date field
    text: str
    family_text: str | None = None
    role: str | None = None  # the milestone ehdocs reads this event as (see schema/roles.py)
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class DocumentRule:
    when: Condition | None
    require: Condition
    path: str
    message: str


@dataclass(frozen=True)
class Stop:
    """An answer that means the document must not go on (a child at risk of significant harm):
    saving the section that holds `path` shows `title` and `text` (what to do now) instead of
    the next page, and the document cannot be completed or sent while `when` holds."""

    when: Condition
    path: str
    title: str
    text: str


MIGRATION_KINDS = (
    "rename_field",  # section.field -> section.new_id (also inside a group: each row)
    "move_field",  # section.field -> other_section.field
    "rename_option",  # an option value -> another
    "merge_options",  # several option values -> one
    "remove_field",  # the answer leaves the data and is kept in the document's history
    "add_field",  # a new (required) field: a draft asks for it; nothing to move
    "limit_field",  # a text answer's max_length changed: the data is unchanged
)


@dataclass(frozen=True)
class MigrationStep:
    """One change a form's `migrations:` declares between two versions (schema/migrations.py
    applies it to a document's data)."""

    kind: str  # one of MIGRATION_KINDS
    path: str  # the field's path in the older version (add_field: in the newer)
    to: str | None = None  # rename/move: the new path; option steps: the new value
    options: tuple[str, ...] = ()  # option steps: the older values
    max_length: int | None = None  # limit_field: the newer version's limit
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class FormMigration:
    """How a document's data moves from `from_version` to the next version."""

    from_version: int
    steps: tuple[MigrationStep, ...]
    source: str = field(default="", compare=False)


@dataclass(frozen=True, eq=False)  # identity: built once per profile, cached
class FormDefinition:
    """One document type: its sections, fields, rules and place in the process."""

    form: str
    version: int
    title: str
    order: int
    sections: tuple[SectionDef, ...]
    family_title: str | None = None
    title_plural: bool = False  # the title is a plural noun: "these TAF review minutes"
    repeatable: bool = False
    process_date: str | None = None
    follows: tuple[Follows, ...] = ()
    notice: str | None = None
    rules: tuple[DocumentRule, ...] = ()
    stops: tuple[Stop, ...] = ()
    allowed_after_consent_withdrawn: bool = False
    events: tuple[FormEvent, ...] = ()
    people_details: bool = False  # show the case details of the people the document names
    diagrams: tuple[str, ...] = ()  # diagrams shown in the document: genogram, ecomap, scales
    carry_forward: tuple[CarryDef, ...] = ()  # what a new copy takes from earlier documents
    # How data written against each earlier version becomes this version's (`migrations:`).
    migrations: tuple[FormMigration, ...] = ()
    source: str = ""

    def migration_from(self, version: int) -> FormMigration | None:
        return next((m for m in self.migrations if m.from_version == version), None)

    def section(self, section_id: str) -> SectionDef | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_by_role(self, role: str) -> SectionDef | None:
        return next((s for s in self.sections if s.role == role), None)

    def field_at(self, path: str) -> FieldDef | None:
        """The field at `section.field` or `section.group.field` (row indexes left out)."""
        section_id, _, rest = path.partition(".")
        section = self.section(section_id)
        if section is None or not rest:
            return None
        found: FieldDef | None = None
        container: tuple[FieldDef, ...] = section.fields
        for part in rest.split("."):
            found = next((f for f in container if f.id == part), None)
            if found is None:
                return None
            container = found.fields
        return found

    def iter_fields(self) -> Iterator[FieldDef]:
        """Every field, depth first, groups before their row fields."""
        for section in self.sections:
            yield from _walk(section.fields)


@dataclass(frozen=True)
class RecordChronology:
    """How a record appears in the chronology (case.yaml `chronology:`): the field holding its
    date (and time), and the entry's words, where {field} is that field's answer as shown."""

    date: str
    text: str
    time: str | None = None
    family_text: str | None = None
    source: str | None = None


@dataclass(frozen=True, eq=False)  # identity: built once per profile, cached
class RecordDef:
    """A case-level record (person, household, consent…): fields without sections."""

    name: str
    title: str
    key: str  # the case data key holding the list of these records
    fields: tuple[FieldDef, ...]
    audience: str = "family"  # the copies that hold these records at all
    # A row goes into a family copy only when this holds (e.g. family_visible is yes).
    family_if: Condition | None = None
    chronology: RecordChronology | None = None

    def child(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def iter_fields(self) -> Iterator[FieldDef]:
        yield from _walk(self.fields)

    def contact_fields(self) -> frozenset[str]:
        """Ids of the fields marked `contact: true`: what a protected person's copy leaves out."""
        return frozenset(f.id for f in self.fields if f.contact)


TEAM_KINDS = ("hub", "locality", "other")


@dataclass(frozen=True)
class SsoTeam:
    """A council team named by a group of the identity provider (made on first use)."""

    name: str
    kind: str = "locality"  # one of TEAM_KINDS


@dataclass(frozen=True)
class SingleSignOn:
    """How the groups the council's identity provider sends become ehdocs roles and teams.
    `roles` keeps the profile's order: a person in several mapped groups gets the first."""

    groups_claim: str = "groups"  # a claim name; a dotted path reads a nested claim
    roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    teams: Mapping[str, SsoTeam] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, eq=False)  # identity: built once per profile, cached
class Profile:
    """A council's settings: name, marking, contacts, timescales, variants, logo, partners, how
    single sign-on maps the identity provider's groups, and how long a session lasts."""

    name: str
    slug: str
    folder: Path | None
    marking: str = "OFFICIAL-SENSITIVE"
    logo: Path | None = None
    contact: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    timescales: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    variants: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # E-mail domains of partner agencies whose staff may ask for a link to send a request
    # online: "nhs.net" (exactly that domain), "*.sch.uk" (any domain under sch.uk).
    partner_domains: tuple[str, ...] = ()
    sso: SingleSignOn | None = None
    sessions: Mapping[str, int] = field(default_factory=lambda: DEFAULT_SESSIONS)
    retention: Mapping[str, int] = field(default_factory=lambda: DEFAULT_RETENTION)
    # Person categories a subject access pack names in full (by default no one but the
    # requester: every other family member is a third party, withheld).
    subject_access_disclosed: tuple[str, ...] = ()
    # Where a letter's address block sits, for the council's windowed envelopes (millimetres
    # from the page's top left corner): a DL window by default.
    letter_window: Mapping[str, int] = field(default_factory=lambda: DEFAULT_LETTER_WINDOW)


@dataclass(frozen=True, eq=False)  # identity: built once per profile, cached
class FormSet:
    """Everything one profile defines: lists, case records and documents in process order."""

    profile: Profile
    lists: Mapping[str, tuple[Option, ...]]
    records: Mapping[str, RecordDef]
    forms: Mapping[str, FormDefinition]
    # Where the form files were read from, and the profile folder: the earlier versions of a
    # form kept beside them (form_schemas/versions/) are read from there when first needed.
    schema_dir: Path | None = None
    profile_folder: Path | None = None

    def form(self, name: str) -> FormDefinition:
        try:
            return self.forms[name]
        except KeyError:
            known = ", ".join(self.forms)
            raise UnknownDocumentError(
                f"There is no document called '{name}'. The documents are: {known}"
            ) from None

    def forms_in_order(self) -> list[FormDefinition]:
        return sorted(self.forms.values(), key=lambda f: f.order)

    # -- what the code reads, found by the roles the definitions declare (schema/roles.py) --

    def event_by_role(self, role: str) -> tuple[FormDefinition, FormEvent] | None:
        """The document type and event declared with `role:` (the schema check makes it one)."""
        for form in self.forms_in_order():
            for event in form.events:
                if event.role == role:
                    return form, event
        return None

    def hub_section(self) -> tuple[FormDefinition, SectionDef] | None:
        """The document holding the Early Help Hub's section, and that section."""
        for form in self.forms_in_order():
            section = form.section_by_role(roles.HUB)
            if section is not None:
                return form, section
        return None

    def category_values(self, *category_roles: str) -> tuple[str, ...]:
        """The person categories declared with any of these roles, in list order."""
        return tuple(o.value for o in self.category_options() if o.role in category_roles)

    def category_options(self) -> tuple[Option, ...]:
        category = self.records[roles.PERSON].child(roles.CATEGORY)
        return category.options if category else ()

    def children_categories(self) -> tuple[str, ...]:
        return self.category_values(*roles.CHILD_ROLES)

    def adult_categories(self) -> tuple[str, ...]:
        return self.category_values(*roles.ADULT_ROLES)


def _walk(fields: tuple[FieldDef, ...]) -> Iterator[FieldDef]:
    for f in fields:
        yield f
        yield from _walk(f.fields)
