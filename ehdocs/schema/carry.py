"""`carry_forward:` in a form definition: what a new document takes from earlier ones.

```yaml
carry_forward:
  - into: goals.goals                 # a field (or repeating group) of this document
    from: assessment.goals.goals      # form.section.field of an earlier document…
    which: latest                     # …its latest (default) or earliest copy
  - into: actions_reviewed.actions
    from: plan.actions.actions
    fields: {action: action, status: status}   # row field here: row field there
  - into: header.lead_practitioner
    from: records.professionals       # …or the case's records of a kind
    where: {lead_practitioner: "yes"} # the first record with these answers
    take: id                          # the record's id (or one of its fields)
```

Entries with the same `into` are tried in order: the first that finds something fills it.
The declaration is checked when the forms load (ehdocs.schema.carry_checks: paths, types,
row fields); applying it to a case is ehdocs.case.carry. No form has Python of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ehdocs.schema.checks import ID, PATH, Key, check_mapping
from ehdocs.schema.yamlsrc import Reporter, Where

RECORDS = "records"
CARRY_KEYS = {
    "into": Key(PATH, required=True),
    "from": Key(PATH, required=True),
    "which": Key({"enum": ["latest", "earliest"]}),
    "fields": Key({"type": "object", "additionalProperties": ID}),
    "where": Key({"type": "object"}),
    "take": Key(ID),
}


@dataclass(frozen=True)
class CarryDef:
    """One thing a new document takes from an earlier document or from the case records."""

    into: str  # section.field of this document
    source: str  # form name, or "records"
    path: str  # section.field in the source form, or the records key (professionals)
    which: str = "latest"
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    where: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    take: str | None = None
    source_line: str = field(default="", compare=False)

    @property
    def from_records(self) -> bool:
        return self.source == RECORDS


def parse(nodes: Any, file: str, rep: Reporter) -> tuple[CarryDef, ...]:
    """The `carry_forward:` list of a form file, each entry's keys checked."""
    if not isinstance(nodes, list):
        rep.at(Where(file, 1, 1), "carry_forward: expected a list of entries")
        return ()
    out = []
    for i, node in enumerate(nodes):
        where = Where.of(file, nodes, i)
        if not check_mapping(node, file, CARRY_KEYS, rep, "a 'carry_forward' entry", where):
            continue
        source, _, path = str(node["from"]).partition(".")
        if not path:
            rep.at(
                where,
                f"carry_forward: 'from: {node['from']}' must name a form and a field "
                "(form.section.field) or case records (records.professionals)",
            )
            continue
        out.append(
            CarryDef(
                into=str(node["into"]),
                source=source,
                path=path,
                which=str(node.get("which", "latest")),
                fields=MappingProxyType(
                    {str(k): str(v) for k, v in node.get("fields", {}).items()}
                ),
                where=MappingProxyType(dict(node.get("where", {}))),
                take=node.get("take"),
                source_line=f"{file}:{where.line}",
            )
        )
    return tuple(out)


__all__ = ["CARRY_KEYS", "RECORDS", "CarryDef", "parse"]
