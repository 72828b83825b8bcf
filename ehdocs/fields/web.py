"""Shared pieces of the fields' web faces: GOV.UK macro parameters for labels, hints, errors
and choice items. Each field type's own web face (in types.py) builds on these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Protocol

from ehdocs.schema.model import FieldDef, Option


class WebContext(Protocol):
    """What a page tells a field about the case: who can be chosen."""

    def people(self, role: str | None) -> list[tuple[str, str]]: ...

    def professionals(self) -> list[tuple[str, str]]: ...


def label_text(field: FieldDef) -> str:
    return field.label


def common(
    field: FieldDef,
    name: str,
    error: str | None,
    *,
    fieldset: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    """id, name, label or fieldset legend, hint and error message for any macro."""
    params: dict[str, Any] = {"id": name, "name": name}
    if fieldset:
        params["fieldset"] = {
            "legend": {"text": label_text(field), "classes": "govuk-fieldset__legend--s"}
        }
        params["idPrefix"] = name
    else:
        params["label"] = {"text": label_text(field), "classes": "govuk-label--s"}
    text = hint if hint is not None else field.hint
    if text:
        params["hint"] = {"text": text}
    if error:
        params["errorMessage"] = {"text": error}
    return params


def choice_items(options: Iterable[tuple[str, str]], chosen: Iterable[str]) -> list[dict[str, Any]]:
    picked = set(chosen)
    return [{"value": value, "text": text, "checked": value in picked} for value, text in options]


def option_pairs(options: Iterable[Option]) -> list[tuple[str, str]]:
    return [(o.value, o.label) for o in options]


def first(form: Mapping[str, Any], name: str) -> Any:
    value = form.get(name)
    return value if value not in ("",) else None


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# -- web faces of the field types: mixed into the classes in types.py -------------------------

_INPUT_TYPES = {"email": ("email", "email"), "phone": ("tel", "tel")}


class TextWeb:
    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        params = common(field, name, error)
        params["value"] = "" if value is None else str(value)
        params["classes"] = "govuk-!-width-two-thirds"
        params["spellcheck"] = False
        kind = _INPUT_TYPES.get(field.param("format") or "")
        if kind:
            params["type"], params["autocomplete"] = kind
        if field.param("format") in ("postcode", "nhs_number"):
            params["classes"] = "govuk-input--width-10"
        return params


class TimeWeb:
    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        params = common(field, name, error, hint=field.hint or "For example, 09:30 or 14:05")
        params["value"] = "" if value is None else str(value)
        params["classes"] = "govuk-input--width-5"
        params["spellcheck"] = False
        params["autocomplete"] = "off"
        return params


class LongTextWeb:
    default_max: int

    def web_macro(self, field: FieldDef) -> str:
        return "govukCharacterCount"

    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        params = common(field, name, error)
        params["value"] = "" if value is None else str(value)
        params["maxlength"] = field.param("max_length", self.default_max)
        params["rows"] = 5
        return params


def date_parts(value: Any) -> dict[str, str]:
    """A date as the case keeps it ("~2019-05") or as typed ({day, month, year}) to boxes."""
    if isinstance(value, dict):
        return {k: str(value.get(k) or "") for k in ("day", "month", "year", "approximate")}
    if isinstance(value, str) and value:
        approx = value.startswith("~")
        year, month, day = ([*value.lstrip("~").split("-"), "", ""])[:3]
        return {
            "day": day.lstrip("0"),
            "month": month.lstrip("0"),
            "year": year,
            "approximate": "yes" if approx else "",
        }
    return {"day": "", "month": "", "year": "", "approximate": ""}


class DateWeb:
    def web_macro(self, field: FieldDef) -> str:
        return "govukDateInput"

    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        params = common(
            field, name, error, fieldset=True, hint=field.hint or "For example, 27 3 2007"
        )
        parts = date_parts(value)
        params["namePrefix"] = name
        widths = {"day": 2, "month": 2, "year": 4}
        error_class = " govuk-input--error" if error else ""
        params["items"] = [
            {
                "name": key,
                "value": parts[key],
                "label": key.capitalize(),
                "classes": f"govuk-input--width-{width}{error_class}",
            }
            for key, width in widths.items()
        ]
        return params

    def from_form(self, field: FieldDef, form: Any, name: str) -> Any:
        return {k: form.get(f"{name}-{k}", "") for k in ("day", "month", "year")}

    def web_anchor(self, name: str) -> str:
        return f"{name}-day"  # the first of the three boxes


class PartialDateWeb(DateWeb):
    def web_macro(self, field: FieldDef) -> str:
        return "ehdocsPartialDate"

    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        params = super().web_params(field, name, value, error, ctx)
        params["hint"] = {
            "text": field.hint
            or "Give the day, month and year if you know "
            "them; otherwise the month and year, or the year"
        }
        params["approximate"] = {
            "name": f"{name}-approximate",
            "checked": date_parts(value)["approximate"] == "yes",
        }
        return params

    def from_form(self, field: FieldDef, form: Any, name: str) -> Any:
        parts = super().from_form(field, form, name)
        parts["approximate"] = "yes" if form.get(f"{name}-approximate") else ""
        return parts


class OneOfWeb:
    """Radios, checkboxes or a drop-down: whichever suits the number of choices."""

    inline: ClassVar[bool]
    web_select_over = 8  # more choices than this: a drop-down rather than radios

    def web_choices(self, field: FieldDef, ctx: WebContext) -> list[tuple[str, str]]:
        raise NotImplementedError

    def web_multiple(self, field: FieldDef) -> bool:
        return False

    def web_hint(self, field: FieldDef) -> str | None:
        return field.hint

    def web_macro(self, field: FieldDef) -> str:
        if self.web_multiple(field):
            return "govukCheckboxes"
        if self.web_select_over == 0 or len(field.options) > self.web_select_over:
            return "govukSelect"
        return "govukRadios"

    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        macro = self.web_macro(field)
        params = common(
            field, name, error, fieldset=macro != "govukSelect", hint=self.web_hint(field)
        )
        pairs = self.web_choices(field, ctx)
        chosen = as_list(value)
        if macro == "govukSelect":
            params["items"] = [{"value": "", "text": "Choose one"}] + [
                {"value": v, "text": t, "selected": v in chosen} for v, t in pairs
            ]
        else:
            params["items"] = choice_items(pairs, chosen)
            if self.inline:
                params["classes"] = "govuk-radios--inline"
        return params

    def from_form(self, field: FieldDef, form: Any, name: str) -> Any:
        if self.web_multiple(field):
            return [v for v in form.getlist(name) if v]
        return form.get(name) or None


class NumberWeb(TextWeb):
    def web_params(
        self, field: FieldDef, name: str, value: Any, error: str | None, ctx: WebContext
    ) -> dict[str, Any]:
        params = super().web_params(field, name, value, error, ctx)
        params["classes"] = "govuk-input--width-5"
        params["inputmode"] = "numeric" if field.param("integer") else "decimal"
        return params
