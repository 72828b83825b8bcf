"""Renderer-neutral genogram input: the family's people, partnerships, child links and homes.

`from_case` is the only place that reads case data; layout, SVG and the text table read these
dataclasses, so they can be tested on families built in code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ehdocs.case.model import Case
from ehdocs.fields import PartialDate
from ehdocs.schema import roles

SHAPES = {"male": "male", "female": "female"}  # anything else is drawn as a diamond: "other"
PARENT_KINDS = ("birth", "adoptive", "foster", "special_guardian", "kinship", "step")
PARTNERSHIP_STATUSES = ("married", "cohabiting", "dating", "separated", "divorced")
# Two parents of one child who are not recorded as partners still share a child line.
UNRECORDED = "unrecorded"


@dataclass(frozen=True)
class GPerson:
    id: str
    name: str
    gender: str  # male | female | other: the symbol drawn, not the recorded answer
    birth: PartialDate | None = None
    age: int | None = None  # at death, for someone who has died
    age_approximate: bool = False
    deceased: bool = False
    death_year: int | None = None
    status: str = "living"  # living | deceased | pregnancy | miscarriage
    is_index: bool = False
    due: dt.date | None = None


@dataclass(frozen=True)
class GPartnership:
    a: str
    b: str
    status: str  # one of PARTNERSHIP_STATUSES, or UNRECORDED
    start: PartialDate | None = None
    end: PartialDate | None = None
    # the stages before the current status, earliest first: (status, start, end)
    history: tuple[tuple[str, PartialDate | None, PartialDate | None], ...] = ()


@dataclass(frozen=True)
class GChildLink:
    parent: str
    child: str
    kind: str = "birth"  # one of PARENT_KINDS


@dataclass(frozen=True)
class GTwins:
    a: str
    b: str
    identical: bool = False


@dataclass(frozen=True)
class GHousehold:
    id: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class GOther:
    """A relationship of kind "other": listed in the text table, not drawn."""

    a: str
    b: str
    description: str


@dataclass(frozen=True)
class Genogram:
    people: tuple[GPerson, ...]
    partnerships: tuple[GPartnership, ...] = ()
    child_links: tuple[GChildLink, ...] = ()
    twins: tuple[GTwins, ...] = ()
    households: tuple[GHousehold, ...] = ()
    others: tuple[GOther, ...] = ()
    by_id: Mapping[str, GPerson] = field(init=False, repr=False, compare=False)
    rank: Mapping[str, int] = field(init=False, repr=False, compare=False)  # as recorded

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {p.id: p for p in self.people})
        object.__setattr__(self, "rank", {p.id: i for i, p in enumerate(self.people)})


def _history(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[tuple[str, PartialDate | None, PartialDate | None], ...]:
    stages = [(r["status"], r.get("start"), r.get("end")) for r in rows if r.get("status")]
    return tuple(sorted(stages, key=lambda s: _date_key(s[1] or s[2])))


def build(
    people: Iterable[GPerson],
    partnerships: Iterable[GPartnership] = (),
    child_links: Iterable[GChildLink] = (),
    twins: Iterable[GTwins] = (),
    households: Iterable[GHousehold] = (),
    others: Iterable[GOther] = (),
) -> Genogram:
    """A consistent Genogram: links to unknown people, self-links and duplicates are dropped."""
    folks = tuple(dict((p.id, p) for p in people).values())
    known = {p.id for p in folks}

    def ok(a: str, b: str) -> bool:
        return a in known and b in known and a != b

    pairs: dict[frozenset[str], GPartnership] = {}
    # One line per couple: the latest record wins (a couple married, then divorced).
    for p in sorted(
        (p for p in partnerships if ok(p.a, p.b)), key=lambda p: _date_key(p.start or p.end)
    ):
        pairs[frozenset((p.a, p.b))] = p
    links: dict[tuple[str, str], GChildLink] = {}
    for link in child_links:
        if ok(link.parent, link.child):
            links.setdefault((link.parent, link.child), link)
    twin_pairs: dict[frozenset[str], GTwins] = {}
    for t in twins:
        if ok(t.a, t.b):
            twin_pairs.setdefault(frozenset((t.a, t.b)), t)
    homes = tuple(
        GHousehold(h.id, h.name, tuple(dict.fromkeys(m for m in h.members if m in known)))
        for h in households
    )
    return Genogram(
        folks,
        tuple(pairs.values()),
        tuple(links.values()),
        tuple(twin_pairs.values()),
        tuple(h for h in homes if h.members),
        tuple(o for o in others if ok(o.a, o.b)),
    )


def _date_key(value: PartialDate | None) -> tuple[int, dt.date]:
    return (0, dt.date.min) if value is None else (1, value.earliest())


def from_case(
    case: Case,
    *,
    hide: Collection[str] = (),
    family: bool = False,
    today: dt.date | None = None,
) -> Genogram:
    """The genogram input for a validated case, leaving out the people in `hide`.

    In a family copy (`family`), a household marked confidential keeps its outline but not its
    name: councils' guidance is that a name such as "Dad's flat, Leeds" can say where someone is.
    """
    today = today or dt.date.today()
    index = case.data.get("index_person")
    unborn = case.formset.category_values(roles.UNBORN)
    people = [
        _person(p, p["id"] == index, today, unborn) for p in case.people if p["id"] not in set(hide)
    ]
    rels = case.records("relationships")
    homes = case.records("households")
    return build(
        people,
        partnerships=[
            GPartnership(
                r["person_a"],
                r["person_b"],
                r["partnership_status"],
                r.get("start"),
                r.get("end"),
                _history(r.get("history") or []),
            )
            for r in rels
            if r["kind"] == "partners" and r.get("partnership_status")
        ],
        child_links=[
            GChildLink(r["person_a"], r["person_b"], r.get("parent_type") or "birth")
            for r in rels
            if r["kind"] == "parent"
        ],
        twins=[
            GTwins(r["person_a"], r["person_b"], r.get("identical") == "yes")
            for r in rels
            if r["kind"] == "twins"
        ],
        households=[
            GHousehold(
                h["id"],
                f"Household {i}" if family and h.get("confidential") == "yes" else h["name"],
                tuple(h.get("members") or ()),
            )
            for i, h in enumerate(homes, 1)
        ],
        others=[
            GOther(r["person_a"], r["person_b"], r.get("description") or "other relationship")
            for r in rels
            if r["kind"] == "other"
        ],
    )


def _person(
    p: Mapping[str, Any], is_index: bool, today: dt.date, unborn: tuple[str, ...]
) -> GPerson:
    status = p.get("life_status") or ("pregnancy" if p.get("category") in unborn else "living")
    born: PartialDate | None = p.get("date_of_birth")
    died: PartialDate | None = p.get("date_of_death")
    until = died.earliest() if died else today
    age = None
    if born is not None and status in ("living", "deceased") and (died or status == "living"):
        age = max(0, _years_between(born.earliest(), until))
    name = " ".join(x for x in (p.get("given_name"), p.get("family_name")) if x)
    if p.get("known_as") and p["known_as"] != p.get("given_name"):
        name += f" (“{p['known_as']}”)"
    return GPerson(
        id=p["id"],
        name=name,
        gender=SHAPES.get(p.get("gender") or "", "other"),
        birth=born,
        age=age,
        age_approximate=born is not None and (born.approximate or born.month is None),
        deceased=status == "deceased",
        death_year=died.year if died else None,
        status=status,
        is_index=is_index,
        due=p.get("expected_date_of_delivery"),
    )


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))
