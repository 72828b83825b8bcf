"""The performance report's definitions: form_schemas/report/kpis.yaml, and a council's own.

`facts` say what is indexed from each case when it is saved; `kpis` say what the database
computes from those rows. Every mistake is reported with file:line, like the form definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ehdocs.errors import SchemaError
from ehdocs.schema import FormSet
from ehdocs.schema.checks import ID, TEXT, Key, check_mapping
from ehdocs.schema.loader import default_schema_dir
from ehdocs.schema.roles import EPISODE_END, EPISODE_START, EVENT_ROLES, REPORT_CHILD_DETAILS
from ehdocs.schema.yamlsrc import Display, Reporter, Where, did_you_mean, is_map, read_yaml

REPORT_FILE = Path("report") / "kpis.yaml"
TAKES = ("first", "last", "all")
# Splits that are not facts: where the case sits, and the children's own details.
CASE_SPLITS = ("team", "worker", "month")
CHILD_SPLITS = ("age_band", *REPORT_CHILD_DETAILS)
KINDS = ("count", "duration", "open", "by_month", "ratio", "reach", "distance_travelled")

_STR_LIST = {"type": "array", "items": {"type": "string"}}
_WHERE = {"type": "object", "additionalProperties": {"anyOf": [_STR_LIST, {"const": "any"}]}}
_POPULATION = {
    "type": "object",
    "propertyNames": {"enum": list(CHILD_SPLITS)},
    "additionalProperties": {
        "type": "object",
        "additionalProperties": {"type": "integer", "minimum": 0},
    },
}
FACT_KEYS = {
    "event": Key({"enum": list(EVENT_ROLES)}),
    "answer": Key({"type": "string"}),
    "record": Key(ID),
    "rows": Key({"type": "string"}),
    "date": Key({"type": "string"}),
    "value": Key({"type": "string"}),
    "where": Key(_WHERE),
    "take": Key({"enum": list(TAKES)}),
}
KPI_KEYS = {
    "id": Key(ID, required=True),
    "question": Key(TEXT, required=True),
    "measure": Key(TEXT, required=True),
    "count": Key(ID),
    "duration": Key(
        {
            "type": "object",
            "required": ["from", "to"],
            "properties": {"unit": {"enum": ["days", "working_days"]}},
        }
    ),
    "open": Key({"const": True}),
    "stale": Key(
        {
            "type": "object",
            "required": ["facts", "days"],
            "properties": {"facts": _STR_LIST, "days": {"type": "integer", "minimum": 1}},
            "additionalProperties": False,
        }
    ),
    "by_month": Key({"const": True}),
    "ratio": Key({"type": "object", "required": ["part", "whole"]}),
    "reach": Key({"const": True}),
    "distance_travelled": Key({"const": True}),
    "split": Key(ID),
    "where": Key(_WHERE),
    "target": Key({"type": "integer", "minimum": 0}),
    "repeat_within_days": Key({"type": "integer", "minimum": 1}),
}


@dataclass(frozen=True)
class FactDef:
    name: str
    source: str  # event | answer | record | rows
    ref: str  # the role, the answer path, the record key or the group path
    date: str | None = None
    value: str | None = None
    where: Mapping[str, tuple[str, ...] | str] = field(default_factory=dict)
    take: str = "all"


@dataclass(frozen=True)
class KpiDef:
    id: str
    question: str
    measure: str
    kind: str  # one of KINDS
    fact: str | None = None  # count: the fact counted
    start: str | None = None  # duration: from
    end: str | None = None  # duration: to
    working_days: bool = False
    split: str | None = None
    where: Mapping[str, tuple[str, ...] | str] = field(default_factory=dict)
    target: int | None = None
    stale_facts: tuple[str, ...] = ()
    stale_days: int | None = None
    part: str | None = None
    whole: str | None = None
    repeat_within_days: int | None = None

    @property
    def unit(self) -> str:
        if self.kind == "duration":
            return "working days" if self.working_days else "days"
        if self.kind == "ratio":
            return "per cent"
        if self.kind == "distance_travelled":
            return "points"
        return "cases"


@dataclass(frozen=True)
class ReportDefinition:
    facts: Mapping[str, FactDef]
    kpis: tuple[KpiDef, ...]
    # the local child population by age band, gender and ethnicity (label or value: number)
    population: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    suppress_under: int = 5  # downloads show smaller counts as "fewer than N"

    def kpi(self, kpi_id: str) -> KpiDef:
        return next(k for k in self.kpis if k.id == kpi_id)


def load_report(formset: FormSet, schema_dir: Path | None = None) -> ReportDefinition:
    """Our definitions, with the council profile's report/kpis.yaml laid over them."""
    base = (schema_dir or default_schema_dir()).resolve()
    display = Display(base)
    rep = Reporter()
    facts: dict[str, FactDef] = {}
    kpis: dict[str, KpiDef] = {}
    population: dict[str, dict[str, int]] = {}
    places: dict[str, Where] = {}
    suppress_under = 5
    files = [base / REPORT_FILE]
    folder = formset.profile.folder  # the profile's own folder (a path, or under profiles/)
    if folder is not None and (folder / REPORT_FILE).is_file():
        files.append(folder / REPORT_FILE)
    for path in files:
        file = display(path)
        tree = read_yaml(path, file)
        spec = {
            "facts": Key({"type": "object"}),
            "kpis": Key({"type": "array"}),
            "population": Key(_POPULATION),
            "suppress_under": Key({"type": "integer", "minimum": 1}),
        }
        if not check_mapping(tree, file, spec, rep, "the report definitions"):
            continue
        for name, node in (tree.get("facts") or {}).items():
            fact = _fact(str(name), node, file, Where.of(file, tree["facts"], name), formset, rep)
            if fact is not None:
                facts[fact.name] = fact
        for split, figures in (tree.get("population") or {}).items():
            population[str(split)] = {str(k): int(v) for k, v in figures.items()}
        suppress_under = int(tree.get("suppress_under", suppress_under))
        for index, node in enumerate(tree.get("kpis") or []):
            kpi = _kpi(node, file, Where.of(file, tree["kpis"], index), rep)
            if kpi is not None:
                kpis[kpi.id] = kpi
                places[kpi.id] = Where.of(file, tree["kpis"], index)
    for kpi in kpis.values():
        for name in _facts_used(kpi):
            if name not in facts:
                rep.at(
                    places[kpi.id],
                    f"KPI '{kpi.id}' uses the fact '{name}', which is not defined"
                    f"{did_you_mean(name, facts)}",
                )
    rep.raise_if_any()
    return ReportDefinition(
        MappingProxyType(facts), tuple(kpis.values()), MappingProxyType(population), suppress_under
    )


def _facts_used(kpi: KpiDef) -> list[str]:
    names = [kpi.fact, kpi.start, kpi.end, *kpi.stale_facts, kpi.part, kpi.whole, *kpi.where]
    if kpi.split and kpi.split not in CASE_SPLITS + CHILD_SPLITS:
        names.append(kpi.split)
    if kpi.kind in ("open", "by_month", "reach"):
        names += [EPISODE_START, EPISODE_END]
    if kpi.repeat_within_days:
        names.append(EPISODE_START)
    return [n for n in names if n]


def _where(node: Any) -> dict[str, tuple[str, ...] | str]:
    return {
        str(k): ("any" if v == "any" else tuple(str(x) for x in v)) for k, v in (node or {}).items()
    }


def _fact(
    name: str, node: Any, file: str, where: Where, formset: FormSet, rep: Reporter
) -> FactDef | None:
    if not check_mapping(node, file, FACT_KEYS, rep, f"fact '{name}'", where):
        return None
    sources = [s for s in ("event", "answer", "record", "rows") if s in node]
    if len(sources) != 1:
        rep.at(where, f"fact '{name}' needs exactly one of: event, answer, record, rows")
        return None
    source = sources[0]
    ref = str(node[source])
    problem = _check_ref(source, ref, node, formset)
    if problem:
        rep.at(Where.of(file, node, source, value=True), f"fact '{name}': {problem}")
        return None
    take = str(node.get("take", "all"))
    return FactDef(
        name,
        source,
        ref,
        date=node.get("date"),
        value=node.get("value"),
        where=_where(node.get("where")),
        take=take,
    )


def _check_ref(source: str, ref: str, node: Any, formset: FormSet) -> str | None:
    """Why a fact's reference does not name something in the definitions (or None)."""
    if source == "event":
        return None
    if source == "record":
        keys = {r.key: r for r in formset.records.values()}
        if ref not in keys:
            return f"there is no case record '{ref}'{did_you_mean(ref, keys)}"
        names = {f.id for f in keys[ref].fields}
        for part in ("date", "value"):
            if node.get(part) and node[part] not in names:
                return f"the record '{ref}' has no field '{node[part]}'"
        for key in node.get("where") or {}:
            if key not in names:
                return f"the record '{ref}' has no field '{key}'"
        return None
    form_id, _, path = ref.partition(".")
    form = formset.forms.get(form_id)
    if form is None:
        return f"there is no form '{form_id}'{did_you_mean(form_id, formset.forms)}"
    section_id, _, field_id = path.partition(".")
    section = next((s for s in form.sections if s.id == section_id), None)
    if section is None or not any(f.id == field_id for f in section.fields):
        return f"the form '{form_id}' has no question '{path}'"
    if source == "rows" and not node.get("date"):
        return "a fact read from rows needs `date: SECTION.FIELD` of the same document"
    return None


def _kpi(node: Any, file: str, where: Where, rep: Reporter) -> KpiDef | None:
    if not is_map(node) or not check_mapping(node, file, KPI_KEYS, rep, "a KPI", where):
        return None
    kinds = [k for k in KINDS if k in node]
    if len(kinds) != 1:
        rep.at(where, f"KPI '{node['id']}' needs exactly one of: {', '.join(KINDS)}")
        return None
    kind = kinds[0]
    duration = node.get("duration") or {}
    ratio = node.get("ratio") or {}
    stale = node.get("stale") or {}
    split = node.get("split")
    if kind == "reach" and split and split not in CHILD_SPLITS:
        rep.at(where, f"KPI '{node['id']}' counts children: split by {', '.join(CHILD_SPLITS)}")
        return None
    return KpiDef(
        id=str(node["id"]),
        question=str(node["question"]),
        measure=str(node["measure"]),
        kind=kind,
        fact=node.get("count"),
        start=duration.get("from"),
        end=duration.get("to"),
        working_days=duration.get("unit") == "working_days",
        split=str(split) if split else None,
        where=_where(node.get("where")),
        target=node.get("target"),
        stale_facts=tuple(str(f) for f in stale.get("facts") or ()),
        stale_days=int(stale["days"]) if "days" in stale else None,
        part=ratio.get("part"),
        whole=ratio.get("whole"),
        repeat_within_days=node.get("repeat_within_days"),
    )


__all__ = ["FactDef", "KpiDef", "ReportDefinition", "SchemaError", "load_report"]
