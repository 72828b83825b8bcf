"""No Python outside the definitions names a form, a section, a field, an event or an option.

The code asks the FormSet for what it needs by role (schema/roles.py). This test collects every
name the definitions declare (base schemas and the example profile) and fails on any Python
string literal under ehdocs/ that spells one, except:
- words the schema language itself defines (field types and their keys, audiences, record
  and collection names, document statuses): a grep cannot tell them from a form's name;
- the case format's record fields and option values the code reads by name, which
  schema/roles.py declares and the schema check keeps (schema/contract.py);
- the short ALLOWED list below, each with its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ehdocs.fields import REGISTRY
from ehdocs.schema import FieldDef, FormSet, load_formset, roles
from ehdocs.schema.builder import FIELD_KEYS, OPTION_KEYS
from ehdocs.schema.loader import EVENT_KEYS, FORM_KEYS, SECTION_KEYS
from ehdocs.schema.model import AUDIENCES
from ehdocs.validation.case import STATUSES

PACKAGE = Path(__file__).resolve().parents[2] / "ehdocs"
# The one module that spells what the code reads, so that nothing else has to.
DECLARATIONS = {PACKAGE / "schema" / "roles.py"}

# Generic words that are also option values or field ids; each means something else in code.
ALLOWED = {
    "1": "a level of need's value, and the literal 1 (page numbers, config defaults)",
    "other": "the last option of many lists, and 'the other one' in layout code",
    "unknown": "the yes_no_unknown type's third answer, which the type itself defines",
    "yes": "the yes_no answers, which the types define",
    "no": "the yes_no answers, which the types define",
    "received": "a submission's status in the hub as well as the request's event",
    "completed": "a document's status as well as the assessment's event",
    "header": "a DOCX part name as well as the plan's first section",
    "reason": "why a submission was refused, as well as a form section",
    "continue": "a web form's button value, as well as a review decision",
    "status": "a document's status in the case format (and a submission's), as well as a"
    " plan action's field",
    "practitioner": "an account's role (ehdocs.access.roles), as well as a field of the"
    " assessment's sign-off",
    "address": "a key of a profile's contact settings (the council's address), as well as a"
    " person's and a household's field",
    "letter": "what ehdocs.render.letters writes to a family or a professional, as well as a"
    " contact method option",
    "referral": "the example e-mailed form (examples/hub/referral.json), as well as a case"
    " note's kind",
}

# Files another helper of issue #10 is rewriting (the storage move, the fillable face, the
# hub's display code): the names they spell are listed in the issue note; remove an entry
# when its file is clean, strict xfail says when that has happened.
PENDING: dict[str, str] = {}

# Data written as Python, not logic: fictional cases for demos and benchmarks spell the default
# forms they fill in, as the example case files do (a council's renamed form gets no demo data).
DATA_MODULES = {PACKAGE / "case" / "generate.py"}


def declared_names(formset: FormSet) -> set[str]:
    names: set[str] = set()
    for form in formset.forms.values():
        names.add(form.form)
        names.update(s.id for s in form.sections)
        names.update(e.id for e in form.events)
        names.update(_field_names(form.iter_fields()))
    for record in formset.records.values():
        names.update(_field_names(record.iter_fields()))
    for options in formset.lists.values():
        names.update(o.value for o in options)
    return names


def _field_names(fields: Iterator[FieldDef]) -> Iterator[str]:
    for f in fields:
        yield f.id
        yield from (o.value for o in f.options)


def language_words(formset: FormSet) -> set[str]:
    """Words the schema language and the case format define for themselves."""
    words = set(AUDIENCES) | set(STATUSES) | set(REGISTRY)
    for keys in (FIELD_KEYS, OPTION_KEYS, SECTION_KEYS, FORM_KEYS, EVENT_KEYS):
        words.update(keys)
    words.update(FORM_KEYS["diagrams"].schema["items"]["enum"])
    for ftype in REGISTRY.values():
        words.update(ftype.keys)
        for schema in ftype.keys.values():
            words.update(str(v) for v in schema.get("enum", ()))
    for record in formset.records.values():
        words.update((record.name, record.key))
    return words


def read_by_name() -> set[str]:
    """The case format's names that schema/roles.py declares for the code to read."""
    words = {field_id for fields in roles.CORE_RECORD_FIELDS.values() for field_id in fields}
    words.update(v for values in roles.CORE_VALUES.values() for v in values)
    return words


@pytest.fixture(scope="module")
def forbidden() -> set[str]:
    base, council = load_formset(), load_formset("example-council")
    names = declared_names(base) | declared_names(council)
    return names - language_words(base) - read_by_name() - set(ALLOWED)


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value


# A migration records the database as it was: it is never edited, whatever the forms say.
def names_in(text: str) -> set[str]:
    """The literal itself, or each part of a path such as "plan.agreed" or f"hub.{...}"."""
    if PATH.match(text):
        return {part for part in text.split(".") if part}
    return {text}


PATH = re.compile(r"^\.?[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*\.?$")
PY_FILES = sorted(
    p
    for p in PACKAGE.rglob("*.py")
    if p not in DECLARATIONS | DATA_MODULES and "migrations" not in p.parts
)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            id=str(p.relative_to(PACKAGE)),
            marks=[pytest.mark.xfail(strict=True, reason=PENDING[str(p.relative_to(PACKAGE))])]
            if str(p.relative_to(PACKAGE)) in PENDING
            else [],
        )
        for p in PY_FILES
    ],
)
def test_no_form_names_in_code(path: Path, forbidden: set[str]) -> None:
    hits = [
        f"{line}: {text!r}" for line, text in string_literals(path) if names_in(text) & forbidden
    ]

    assert hits == [], f"{path.relative_to(PACKAGE)} names what the definitions declare"


def test_the_grep_knows_the_names_it_looks_for(forbidden: set[str]) -> None:
    # A test that could never fail would prove nothing: these are names the code once spelled.
    assert {"notification", "hub_decision", "agreed", "parent_carer", "unborn"} <= forbidden
