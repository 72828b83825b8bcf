"""Every field type ehdocs knows. Adding one is a new class here with @register."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ehdocs.fields import fillable as fill
from ehdocs.fields import web
from ehdocs.fields.base import DisplayContext, FieldType, Invalid, register
from ehdocs.fields.dates import PARTIAL_DATE_PATTERN, PartialDate, date_from_parts, format_date
from ehdocs.fields.web import WebContext
from ehdocs.schema.conditions import parse_condition
from ehdocs.schema.model import FieldDef

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"
_ID = re.compile(ID_PATTERN)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = {"type": "integer", "minimum": 0}
_TEXT = {"type": "string", "minLength": 1}
_BOOL = {"type": "boolean"}
_PATH = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"}
YES_NO_LABELS = {"yes": "Yes", "no": "No", "unknown": "Not known"}
# What a person may type as a number: digits, an optional decimal point and sign, and commas
# only between thousands ("1,500"). "1,5" is refused rather than guessed: in the UK it is a
# typo for 15 or 1.5 (or a continental decimal comma), and a wrong number in a family's record
# is worse than a question. Exponents ("1e3"), "_" and "nan" are not what anyone means.
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?$")

FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an email address, like name@example.com"),
    "phone": (re.compile(r"^\+?[\d\s()-]{10,20}$"), "a phone number, like 01632 960 001"),
    "postcode": (
        re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE),
        "a full postcode, like AA3 1AB",
    ),
    "nhs_number": (re.compile(r"^\d{3} ?\d{3} ?\d{4}$"), "a 10 digit NHS number"),
}


# Line breaks of every kind: Windows and old Mac line ends, Word's Shift+Enter (a vertical tab),
# form feed, NEL and the Unicode line and paragraph separators.
_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# What no document can show and XML cannot carry: the other C0 and C1 controls (tab and newline
# are kept), DEL, noncharacters and lone surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
)


def clean_text(raw: str, multiline: bool) -> str:
    """Text as every way in stores it: one kind of line break (none in a one-line answer, where a
    break or tab is a space), no control characters, composed (NFC), no space around it."""
    text = _INVISIBLE.sub("", _BREAKS.sub("\n", raw))
    if not multiline:
        text = re.sub("[\t\n]", " ", text)
    return unicodedata.normalize("NFC", text).strip()


def _string(raw: Any, field: FieldDef, ftype: FieldType) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid(ftype.message(field, "not_text"))
    return clean_text(raw, isinstance(ftype, Text) and ftype.multiline) or None


def _length_problems(value: str, field: FieldDef, ftype: FieldType, default_max: int) -> list[str]:
    problems = []
    longest = field.param("max_length", default_max)
    if len(value) > longest:
        problems.append(_too_long(value, field, ftype, longest))
    shortest = field.param("min_length")
    if shortest and len(value) < shortest:
        problems.append(ftype.message(field, "too_short", min=shortest))
    return problems


def _too_long(value: str, field: FieldDef, ftype: FieldType, longest: int) -> str:
    """Says the limit and how much to cut: 'must be 2,000 characters or fewer: it is 312
    characters too long' (GOV.UK's character count says the same as it is typed)."""
    over = len(value) - longest
    return ftype.message(
        field, "too_long", max=longest, over=f"{over:,} character{'s' if over != 1 else ''}"
    )


def _check_min_max(low: str, high: str) -> Callable[[FieldDef, Callable[[str], None]], None]:
    def check(field: FieldDef, report: Callable[[str], None]) -> None:
        a, b = field.param(low), field.param(high)
        if a is not None and b is not None and a > b:
            report(f"'{low}' ({a}) is greater than '{high}' ({b})")

    return check


@register
class Text(web.TextWeb, fill.TextFill, FieldType):
    name = "text"
    keys = {
        "min_length": _INT,
        "max_length": _INT,
        "format": {"enum": sorted(FORMATS)},
    }
    messages = {
        "required": "Enter {name}",
        "not_text": "{Name} must be text",
        "too_long": "{Name} must be {max:,} characters or fewer: it is {over} too long",
        "too_short": "{Name} must be {min} characters or more",
        "format": "Enter {name} in the correct format",
        "format_email": "Enter an email address in the correct format, like name@example.com",
        "format_phone": "Enter a telephone number, like 01632 960 001 or +44 808 157 0192",
        "format_postcode": "Enter a real postcode, like AA3 1AB",
        "format_nhs_number": "Enter a valid NHS number: 10 digits, like 943 476 5919",
    }
    default_max = 200
    multiline = False  # a one-line answer: a line break typed into it is a space

    def parse(self, raw: Any, field: FieldDef) -> Any:
        text = _string(raw, field, self)
        fmt = field.param("format")
        if text is not None and fmt:
            pattern, example = FORMATS[fmt]
            if not pattern.match(text) or (
                fmt == "nhs_number" and not _nhs_checksum_ok(text.replace(" ", ""))
            ):
                # A field's own `format` message wins over the type's message for the format.
                own = "format" in field.messages or f"format_{fmt}" not in self.messages
                key = "format" if own else f"format_{fmt}"
                raise Invalid(self.message(field, key, example=example))
        return text

    def limits(self, value: Any, field: FieldDef) -> list[str]:
        return _length_problems(value, field, self, self.default_max)

    def ceilings(self, value: Any, field: FieldDef) -> list[str]:
        longest = field.param("max_length", self.default_max)
        return [_too_long(value, field, self, longest)] if len(value) > longest else []

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if fmt := field.param("format"):
            schema["pattern"] = FORMATS[fmt][0].pattern
        return schema

    check = staticmethod(_check_min_max("min_length", "max_length"))  # type: ignore[assignment]


def _nhs_checksum_ok(digits: str) -> bool:
    # NHS numbers end in a modulus 11 check digit; a typo almost always breaks it.
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


@register
class LongText(web.LongTextWeb, fill.LongTextFill, Text):
    name = "long_text"
    multiline = True
    keys = {"min_length": _INT, "max_length": _INT}
    default_max = 10000


@register
class Date(web.DateWeb, fill.DateFill, FieldType):
    name = "date"
    keys = {"not_in_future": _BOOL, "on_or_after": _PATH, "on_or_before": _PATH}
    messages = {
        "required": "Enter {name}",
        "invalid": "{Name} must be a real date",
        "not_in_future": "{Name} must be today or in the past",
        "on_or_after": "{Name} must be the same as or after {other}",
        "on_or_before": "{Name} must be the same as or before {other}",
    }

    def parse(self, raw: Any, field: FieldDef) -> Any:
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, dict):
            name = field.name_for_errors
            return date_from_parts(raw, name[:1].upper() + name[1:])
        text = _string(raw, field, self)
        if text is None:
            return None
        try:
            # fromisoformat also takes week dates (2025-W10-1): the case format is YYYY-MM-DD.
            return dt.date.fromisoformat(text) if _ISO_DATE.match(text) else _bad()
        except ValueError:
            raise Invalid(self.message(field, "invalid")) from None

    def limits(self, value: Any, field: FieldDef) -> list[str]:
        if field.param("not_in_future") and value > dt.date.today():
            return [self.message(field, "not_in_future")]
        return []

    # A date of something that has happened (a meeting, a request) is flagged at every save,
    # drafts too: its latest possible value is today.
    ceilings = limits

    def to_json(self, value: Any) -> Any:
        return value.isoformat()

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date"}

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return format_date(value)

    def display_sent(self, raw: Any, field: FieldDef) -> str:
        value = _read_sent(self, raw, field)
        return format_date(value) if value is not None else _parts_sent(raw)


def _read_sent(ftype: FieldType, raw: Any, field: FieldDef) -> Any:
    """A date as it arrived, read (None when it is not a real date: 31/2/2015 is then shown as
    written, and the problems listed say what is wrong)."""
    try:
        return ftype.parse(raw, field)
    except Invalid:
        return None


def _bad() -> dt.date:
    raise ValueError


def _parts_sent(raw: Any) -> str:
    """Date boxes as they were filled in: 27/3/2026, 3/2019, about 2019."""
    if isinstance(raw, dict) and "year" in raw:
        parts = [str(raw.get(k) or "") for k in ("day", "month", "year")]
        text = "/".join(p for p in parts if p)
        return f"about {text}" if raw.get("approximate") else text
    return str(raw)


@register
class PartialDateType(web.PartialDateWeb, fill.PartialDateFill, FieldType):
    name = "partial_date"
    keys = {"not_in_future": _BOOL}
    messages = {
        "required": "Enter {name}",
        "invalid": "Enter {name} as a year, a month and year, or a full date",
        "not_real": "{Name} must be a real date",
        "not_in_future": "{Name} must be today or in the past",
    }

    def parse(self, raw: Any, field: FieldDef) -> Any:
        if isinstance(raw, PartialDate):
            return raw
        if isinstance(raw, dict):  # day/month/year boxes; day and month may be left empty
            return self._from_parts(raw, field)
        text = _string(raw, field, self)
        if text is None:
            return None
        try:
            return PartialDate.parse(text)
        except ValueError:
            # 2023-02-30 has the right shape and names a day that does not exist
            shaped = re.match(PARTIAL_DATE_PATTERN, text)
            raise Invalid(self.message(field, "not_real" if shaped else "invalid")) from None

    def _from_parts(self, raw: dict[str, Any], field: FieldDef) -> PartialDate | None:
        day, month, year = (str(raw.get(k) or "").strip() for k in ("day", "month", "year"))
        if not (day or month or year):
            return None
        if not year or (day and not month):
            raise Invalid(self.message(field, "invalid"))
        iso = year + (f"-{int(month):02d}" if month.isdigit() else "-xx" if month else "")
        iso += f"-{int(day):02d}" if day.isdigit() else "-xx" if day else ""
        approx = "~" if raw.get("approximate") in (True, "yes", "on", "true") else ""
        return self.parse(approx + iso, field)

    def limits(self, value: Any, field: FieldDef) -> list[str]:
        if field.param("not_in_future") and value.earliest() > dt.date.today():
            return [self.message(field, "not_in_future")]
        return []

    ceilings = limits  # as for Date: flagged at every save

    def to_json(self, value: Any) -> Any:
        return value.iso()

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": PARTIAL_DATE_PATTERN}

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return str(value.human())

    def display_sent(self, raw: Any, field: FieldDef) -> str:
        value = _read_sent(self, raw, field)
        return str(value.human()) if value is not None else _parts_sent(raw)


def _not_a_choice(message: str, raw: Any) -> str:
    """The refusal of a value that is not a choice, saying which value was given (quoted short:
    never a whole pasted essay)."""
    text = clean_text(raw if isinstance(raw, str) else repr(raw), multiline=False)
    given = f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"
    return f"{message}: {given} is not one of its choices"


class _OptionsType(web.OneOfWeb, FieldType):
    uses_options = True
    messages = {"required": "Select {name}", "invalid": "Select {name} from the list"}
    names_given = True  # a refusal quotes the value given ("Select yes or no" needs no quote)

    def allowed(self, field: FieldDef) -> list[str]:
        return [o.value for o in field.options]

    def options(self, field: FieldDef) -> list[tuple[str, str]]:
        return web.option_pairs(field.options)

    def web_choices(self, field: FieldDef, ctx: WebContext) -> list[tuple[str, str]]:
        return self.options(field)

    def _one(self, raw: Any, field: FieldDef) -> str | None:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str) or raw not in self.allowed(field):
            message = self.message(field, "invalid")
            raise Invalid(_not_a_choice(message, raw) if self.names_given else message)
        return raw

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return field.option_label(value, family=ctx.family)


@register
class Choice(fill.ChoiceFill, _OptionsType):
    name = "choice"
    keys = {"options": {}}  # checked by the loader: a list name or an inline list

    def parse(self, raw: Any, field: FieldDef) -> Any:
        return self._one(raw, field)

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "enum": self.allowed(field)}


@register
class Choices(fill.ChoicesFill, _OptionsType):
    name = "choices"

    def web_multiple(self, field: FieldDef) -> bool:
        return True

    keys = {"options": {}, "min_selected": _INT, "max_selected": _INT}
    messages = {
        "required": "Select {name}",
        "invalid": "Select {name} from the list",
        "too_few": "Select at least {min} of {name}",
        "too_many": "Select no more than {max} of {name}",
    }

    def parse(self, raw: Any, field: FieldDef) -> Any:
        if raw is None or raw == []:
            return None
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            raise Invalid(_not_a_choice(self.message(field, "invalid"), raw))
        chosen = [self._one(v, field) for v in raw]
        return list(dict.fromkeys(v for v in chosen if v)) or None

    def limits(self, value: Any, field: FieldDef) -> list[str]:
        low, high = field.param("min_selected"), field.param("max_selected")
        if low and len(value) < low:
            return [self.message(field, "too_few", min=low)]
        if high and len(value) > high:
            return [self.message(field, "too_many", max=high)]
        return []

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "array", "items": {"enum": self.allowed(field)}, "uniqueItems": True}

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return "; ".join(field.option_label(v, family=ctx.family) for v in value)

    check = staticmethod(_check_min_max("min_selected", "max_selected"))  # type: ignore[assignment]


@register
class YesNo(fill.YesNoFill, _OptionsType):
    name = "yes_no"
    uses_options = False  # fixed options, not from lists.yaml
    values: tuple[str, ...] = ("yes", "no")
    messages = {"required": "Select yes or no", "invalid": "Select yes or no"}
    names_given = False

    inline = True

    def allowed(self, field: FieldDef) -> list[str]:
        return list(self.values)

    def message(self, field: FieldDef, key: str, **extra: Any) -> str:
        # An answer that is not yes or no (from a file) is refused in the words of the field's
        # own "Select yes if …", which names the question.
        if key == "invalid" and "invalid" not in field.messages and "required" in field.messages:
            key = "required"
        return super().message(field, key, **extra)

    def options(self, field: FieldDef) -> list[tuple[str, str]]:
        return [(v, YES_NO_LABELS[v]) for v in self.values]

    def parse(self, raw: Any, field: FieldDef) -> Any:
        if isinstance(raw, bool):
            raw = "yes" if raw else "no"
        if isinstance(raw, str):
            raw = raw.strip().lower()
        return self._one(raw, field)

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return YES_NO_LABELS.get(value, str(value))


@register
class YesNoUnknown(YesNo):
    name = "yes_no_unknown"
    values = ("yes", "no", "unknown")
    messages = {"required": "Select yes, no or not known", "invalid": "Select yes, no or not known"}


@register
class Number(web.NumberWeb, fill.NumberFill, FieldType):
    name = "number"
    keys = {"min": {"type": "number"}, "max": {"type": "number"}, "integer": _BOOL}
    messages = {
        "required": "Enter {name}",
        "invalid": "{Name} must be a number",
        "not_whole": "{Name} must be a whole number",
        "comma": "{Name} must be a number: use a full stop for a decimal point, like 1.5, "
        "and commas only between thousands, like 1,500",
        "too_small": "{Name} must be {min} or more",
        "too_large": "{Name} must be {max} or less",
    }

    def parse(self, raw: Any, field: FieldDef) -> Any:
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            raise Invalid(self.message(field, "invalid"))
        if isinstance(raw, str):
            raw = self._from_text(raw.strip(), field)
        if not isinstance(raw, int | float) or raw != raw or raw in (float("inf"), float("-inf")):
            raise Invalid(self.message(field, "invalid"))
        if float(raw).is_integer():
            raw = int(raw)
        elif field.param("integer"):
            raise Invalid(self.message(field, "not_whole"))
        return raw

    def _from_text(self, text: str, field: FieldDef) -> float:
        if not _NUMBER.match(text) or not any(c.isdigit() for c in text):
            raise Invalid(self.message(field, "comma" if "," in text else "invalid"))
        return float(text.replace(",", ""))

    def limits(self, value: Any, field: FieldDef) -> list[str]:
        low, high = field.param("min"), field.param("max")
        if low is not None and value < low:
            return [self.message(field, "too_small", min=low)]
        if high is not None and value > high:
            return [self.message(field, "too_large", max=high)]
        return []

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if field.param("integer") else "number"}
        return schema

    check = staticmethod(_check_min_max("min", "max"))  # type: ignore[assignment]


@register
class Scale(web.OneOfWeb, fill.ScaleFill, FieldType):
    name = "scale"
    keys = {
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "low_label": _TEXT,
        "high_label": _TEXT,
    }
    messages = {
        "required": "Select {name}",
        "invalid": "{Name} must be a whole number from {min} to {max}",
    }

    def bounds(self, field: FieldDef) -> tuple[int, int]:
        return field.param("min", 1), field.param("max", 10)

    inline = True

    def ends(self, field: FieldDef) -> list[str]:
        """What its lowest and highest scores mean, where the schema says."""
        low, high = self.bounds(field)
        return [
            f"{n} means {field.param(key)}"
            for n, key in ((low, "low_label"), (high, "high_label"))
            if field.param(key)
        ]

    def options(self, field: FieldDef) -> list[tuple[str, str]]:
        low, high = self.bounds(field)
        return [(str(n), str(n)) for n in range(low, high + 1)]

    def web_choices(self, field: FieldDef, ctx: WebContext) -> list[tuple[str, str]]:
        return self.options(field)

    def web_hint(self, field: FieldDef) -> str | None:
        return " ".join(x for x in (field.hint, "; ".join(self.ends(field))) if x) or None

    def parse(self, raw: Any, field: FieldDef) -> Any:
        low, high = self.bounds(field)
        if raw is None or raw == "":
            return None
        try:
            value = int(raw.strip()) if isinstance(raw, str) else raw
        except ValueError:
            value = None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(self.message(field, "invalid", min=low, max=high))
        return value

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        low, high = self.bounds(field)
        return {"type": "integer", "minimum": low, "maximum": high}

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return f"{value} out of {self.bounds(field)[1]}"

    check = staticmethod(_check_min_max("min", "max"))  # type: ignore[assignment]


class _Reference(web.OneOfWeb, FieldType):
    """A reference by id to a record of the case; that the id exists is a case-level rule."""

    keys: ClassVar[Mapping[str, dict[str, Any]]] = {"multiple": _BOOL}
    messages = {"required": "Select {name}", "invalid": "Select {name} from the list"}

    def parse(self, raw: Any, field: FieldDef) -> Any:
        if raw is None or raw == "" or raw == []:
            return None
        many = field.param("multiple", False)
        values = raw if isinstance(raw, list) and many else [raw]
        if not all(isinstance(v, str) and _ID.match(v) for v in values):
            raise Invalid(self.message(field, "invalid"))
        return list(dict.fromkeys(values)) if many else values[0]

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        one = {"type": "string", "pattern": ID_PATTERN}
        return {"type": "array", "items": one} if field.param("multiple") else one

    def name_of(self, ctx: DisplayContext, ref: str) -> str:
        raise NotImplementedError

    def web_multiple(self, field: FieldDef) -> bool:
        return bool(field.param("multiple"))

    web_select_over = 0  # references are always a drop-down (or checkboxes when multiple)

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        refs = value if isinstance(value, list) else [value]
        return "; ".join(self.name_of(ctx, r) for r in refs)


@register
class PersonRef(fill.PersonFill, _Reference):
    name = "person"
    refers_to = "people"
    keys = {"multiple": _BOOL, "role": {"enum": ["child", "adult"]}}

    def name_of(self, ctx: DisplayContext, ref: str) -> str:
        return ctx.person_name(ref)

    def web_choices(self, field: FieldDef, ctx: WebContext) -> list[tuple[str, str]]:
        return ctx.people(field.param("role"))


@register
class ProfessionalRef(fill.ProfessionalFill, _Reference):
    name = "professional"
    refers_to = "professionals"

    def name_of(self, ctx: DisplayContext, ref: str) -> str:
        return ctx.professional_name(ref)

    def web_choices(self, field: FieldDef, ctx: WebContext) -> list[tuple[str, str]]:
        return ctx.professionals()


@register
class Group(FieldType):
    """Repeating rows; its row fields are built by the loader and validated row by row."""

    name = "group"
    is_group = True
    keys = {
        "fields": {},  # checked by the loader, as fields
        "item_name": _TEXT,
        # "a" or "an" before item_name where its first letter misleads ("a user", "an hour")
        "item_article": {"type": "string", "enum": ["a", "an"]},
        "min_rows": _INT,
        "max_rows": _INT,
        "blank_rows": {"type": "integer", "minimum": 1, "maximum": 50},
        # whose each row is: a professional question of the row (see ehdocs.access.ownership)
        "owned_by": _TEXT,
    }
    messages = {
        "required": "Add at least one {item}",
        "too_few": "Add at least {min} {item}s",
        "too_many": "You can add up to {max} {item}s",
        "invalid": "{Name} must be a list of rows",
    }

    def item(self, field: FieldDef) -> str:
        return _item(field)

    def parse(self, raw: Any, field: FieldDef) -> Any:
        raise NotImplementedError("groups are validated by their generated row schema")

    def limits(self, value: Any, field: FieldDef) -> list[str]:
        low, high = field.param("min_rows"), field.param("max_rows")
        if low and len(value) < low:
            return [self.message(field, "too_few", min=low, item=self.item(field))]
        if high and len(value) > high:
            return [self.message(field, "too_many", max=high, item=self.item(field))]
        return []

    def ceilings(self, value: Any, field: FieldDef) -> list[str]:
        high = field.param("max_rows")
        if high and len(value) > high:
            return [self.message(field, "too_many", max=high, item=self.item(field))]
        return []

    def message(self, field: FieldDef, key: str, **extra: Any) -> str:
        extra.setdefault("item", self.item(field))
        return super().message(field, key, **extra)

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "array"}  # items are filled in by the case JSON Schema builder

    def check(self, field: FieldDef, report: Callable[[str], None]) -> None:
        _check_min_max("min_rows", "max_rows")(field, report)
        owner = field.param("owned_by")
        if owner is not None:
            child = field.child(str(owner))
            if child is None or child.type != "professional":
                report(
                    f"'owned_by' must name a professional question of the group's rows"
                    f" (got '{owner}')"
                )


def row_label(group: FieldDef, index: int) -> str:
    """A group's row as a page, a form or the hub names it: "Child 2"."""
    item = _item(group)
    return f"{item[:1].upper()}{item[1:]} {index + 1}"


def item_with_article(group: FieldDef) -> str:
    """The group's item with its indefinite article, for "Add an agency" / "Add a child": the
    article declared as `item_article`, else "an" before a vowel letter."""
    item = _item(group)
    article = group.param("item_article", None) or ("an" if item[:1].lower() in "aeiou" else "a")
    return f"{article} {item}"


def _item(group: FieldDef) -> str:
    return str(group.param("item_name", "entry"))


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_TIME_24 = re.compile(r"^(\d{2})(\d{2})$")


@register
class Time(web.TimeWeb, fill.TextFill, FieldType):
    """A time of day, kept as 24-hour HH:MM ("14:05"): when a visit or a decision happened."""

    name = "time"
    messages = {
        "required": "Enter {name}",
        "invalid": "Enter {name} as a time, like 09:30 or 2:15pm",
    }

    def parse(self, raw: Any, field: FieldDef) -> Any:
        text = _string(raw, field, self)
        if text is None:
            return None
        text = text.replace(" ", "") if _TIME_24.match(text.replace(" ", "")) else text
        if match := _TIME_24.match(text):  # 0930, 1405
            hour, minute, half = int(match[1]), int(match[2]), None
        elif match := _TIME.match(text):
            hour, minute = int(match[1]), int(match[2] or 0)
            half = match[3].lower().replace(".", "") if match[3] else None
            if half is None and match[2] is None:
                raise Invalid(self.message(field, "invalid"))  # "9" alone: morning or evening?
        else:
            raise Invalid(self.message(field, "invalid"))
        if half is not None:
            if not 1 <= hour <= 12:
                raise Invalid(self.message(field, "invalid"))
            hour = hour % 12 + (12 if half == "pm" else 0)
        if hour > 23 or minute > 59:
            raise Invalid(self.message(field, "invalid"))
        return f"{hour:02d}:{minute:02d}"

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"}

    def fill_size(self, field: FieldDef, widget: str) -> str:
        return "short"


@register
class Timestamp(FieldType):
    """A moment ehdocs records itself (when a note was written, when a manager signed off):
    ISO 8601 with the seconds, never typed; shown as "3 December 2026 at 10:20"."""

    name = "timestamp"
    stamped = True
    # ehdocs stamps it when the record is first saved, or (`stamp_when`) the first time a save
    # makes that condition hold, e.g. when a manager signs off: see ehdocs/case/stamps.py.
    keys = {"stamp_when": {"type": "object"}}
    messages = {"required": "{Name} is missing", "invalid": "{Name} must be a date and time"}

    def parse(self, raw: Any, field: FieldDef) -> Any:
        if isinstance(raw, dt.datetime):
            return raw
        text = _string(raw, field, self)
        if text is None:
            return None
        try:
            return dt.datetime.fromisoformat(text) if _ISO_DATE.match(text[:10]) else _bad()
        except ValueError:
            raise Invalid(self.message(field, "invalid")) from None

    def to_json(self, value: Any) -> Any:
        return value.isoformat(timespec="seconds")

    def check(self, field: FieldDef, report: Callable[[str], None]) -> None:
        when = field.param("stamp_when")
        if when is not None:
            parse_condition(when, lambda msg: report(f"stamp_when: {msg}"))

    def json_schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}

    def display(self, value: Any, field: FieldDef, ctx: DisplayContext) -> str:
        return f"{format_date(value.date())} at {value:%H:%M}"
