"""The contract every field type fulfils: one class per type knows all of its faces."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

from ehdocs.fields import web
from ehdocs.fields.web import WebContext
from ehdocs.schema.model import FieldDef
from ehdocs.schema.types import FIELD_TYPES


class Invalid(Exception):
    """A value that cannot be this field's type; the message is for the person who typed it."""


class DisplayContext(Protocol):
    """What a field needs to show its value in a document."""

    family: bool

    def person_name(self, person_id: str) -> str: ...

    def professional_name(self, professional_id: str) -> str: ...


class FieldType:
    """Base of all field types. Subclasses set `name` and override what differs."""

    name: ClassVar[str]
    # Type-specific YAML keys, each with the JSON Schema its value must meet.
    keys: ClassVar[Mapping[str, dict[str, Any]]] = {}
    uses_options: ClassVar[bool] = False
    is_group: ClassVar[bool] = False
    # The list of the case its values are ids in ("people", "professionals"), if any.
    refers_to: ClassVar[str | None] = None
    # ehdocs stamps it with the time of a save (`set_by_ehdocs`): see ehdocs/case/stamps.py.
    stamped: ClassVar[bool] = False
    # Its few choices sit in a row (yes/no, a scale), on a web page and on a blank form.
    inline: ClassVar[bool] = False
    messages: ClassVar[Mapping[str, str]] = {
        "required": "Enter {name}",
        "invalid": "Enter {name} in the right format",
    }

    # -- validation ---------------------------------------------------------------------------
    def parse(self, raw: Any, field: FieldDef) -> Any:
        """Raw input (JSON, a web form, a PDF field) to the typed value; raise Invalid."""
        raise NotImplementedError

    def limits(self, value: Any, field: FieldDef) -> list[str]:
        """Messages for a typed value outside the field's limits (checked on completion)."""
        return []

    def ceilings(self, value: Any, field: FieldDef) -> list[str]:
        """Messages for a typed value over the field's upper limits (too long, too many rows):
        checked at every save, drafts too, so nothing over a limit is ever stored."""
        return []

    def to_json(self, value: Any) -> Any:
        return value

    @property
    def is_reference(self) -> bool:
        return self.refers_to is not None

    def options(self, field: FieldDef) -> list[tuple[str, str]]:
        """The (value, label) pairs of a field with fixed options; none for other fields."""
        return []

    # -- JSON Schema of the case format -------------------------------------------------------
    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        raise NotImplementedError

    # -- documents ----------------------------------------------------------------------------
    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return str(value)

    def display_sent(self, raw: Any, field: FieldDef) -> str:
        """An answer as it arrived, before it is checked (raw input or case JSON): the hub
        reads what a file says before accepting it."""
        if isinstance(raw, list):
            return ", ".join(self.display_sent(v, field) for v in raw)
        labels = dict(self.options(field))
        return labels.get(str(raw), str(raw))

    # -- web page: the GOV.UK macro, its parameters, and the value read back --------------------
    def web_macro(self, field: FieldDef) -> str:
        return "govukInput"

    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        params = web.common(field, name, error)
        params["value"] = "" if value is None else str(value)
        params["classes"] = "govuk-!-width-two-thirds"
        params["spellcheck"] = False
        return params

    def from_form(self, field: FieldDef, form: Any, name: str) -> Any:
        """The raw value of this field in a POSTed form (validation makes it typed)."""
        return form.get(name)

    def web_anchor(self, name: str) -> str:
        """The id of the input an error message links to."""
        return name

    # -- blank fillable form (PDF, DOCX): the widget, its words and size; what comes back ----
    def fill_widget(self, field: FieldDef, format: str) -> str:
        """text | multiline | date | checkboxes | radio | select, in "pdf" or "docx"."""
        return "text"

    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        """The parts of the hint under the question: its own hint, how to write the answer."""
        return [own] if own else []

    def fill_size(self, field: FieldDef, widget: str) -> str:
        """short | medium | long | lines-N: how much room the answer gets."""
        return "long"

    def fill_max_length(self, field: FieldDef) -> int | None:
        """The most characters the answer may have (the PDF field's /MaxLen), if limited."""
        return None

    def asks_date_of_birth(self, field: FieldDef) -> bool:
        return False

    def from_filled(self, text: str) -> Any:
        """What was typed in a box (line ends made "\\n"), or the value of the radio button or
        list item chosen, to raw input for validation."""
        return text

    def from_ticked(self, values: list[str]) -> Any:
        """The values of the checkboxes ticked, to raw input for validation."""
        return values

    # -- schema checks beyond the key schemas -------------------------------------------------
    def check(self, field: FieldDef, report: Callable[[str], None]) -> None:
        """Report inconsistencies between this field's keys (e.g. min above max)."""

    def message(self, field: FieldDef, key: str, **extra: Any) -> str:
        template = (
            field.messages.get(key) or self.messages.get(key) or FieldType.messages["invalid"]
        )
        name = field.name_for_errors
        return template.format(name=name, Name=name[:1].upper() + name[1:], **extra)


REGISTRY: dict[str, FieldType] = {}


def register(cls: type[FieldType]) -> type[FieldType]:
    """Class decorator: adding a field type is this one line on its class."""
    # The schema's loader checks fields against the same instances (schema/types.py).
    REGISTRY[cls.name] = FIELD_TYPES[cls.name] = cls()
    return cls


def field_type(name: str) -> FieldType:
    return REGISTRY[name]
