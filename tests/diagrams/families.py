"""Random valid families for genogram property tests, built the way families grow.

Founders (one to three lines) have children; children find partners — outsiders, one after
another (serial partnerships, half-siblings), and once a member of another line (both sides of
the family); an outsider may bring an ex and a child (step-siblings); some children are twins,
adopted or fostered; a few people have died, one pregnancy, one miscarriage; several homes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

from ehdocs.diagrams.genogram.model import (
    GChildLink,
    Genogram,
    GHousehold,
    GPartnership,
    GPerson,
    GTwins,
    build,
)
from ehdocs.fields import PartialDate

STATUSES = ("married", "cohabiting", "dating", "separated", "divorced")


@dataclass
class _Family:
    draw: st.DrawFn
    budget: int
    people: list[GPerson] = field(default_factory=list)
    partnerships: list[GPartnership] = field(default_factory=list)
    links: list[GChildLink] = field(default_factory=list)
    twins: list[GTwins] = field(default_factory=list)
    line_of: dict[str, int] = field(default_factory=dict)

    def full(self, extra: int = 1) -> bool:
        return len(self.people) + extra > self.budget

    def person(self, year: int, line: int = -1, month: int = 1, day: int = 1) -> str:
        pid = f"p{len(self.people)}"
        gender = self.draw(st.sampled_from(("male", "female", "female", "male", "other")))
        died = self.draw(st.integers(0, 9)) == 0 and year < 1960
        born = PartialDate(year, month, day) if self.draw(st.integers(0, 5)) else PartialDate(year)
        self.people.append(
            GPerson(
                pid,
                self.draw(st.sampled_from(("Ann", "Bo", "Christopher Alexander", "Dee", "Émile"))),
                gender,
                born,
                age=2026 - year,
                deceased=died,
                death_year=year + 60 if died else None,
                status="deceased" if died else "living",
            )
        )
        self.line_of[pid] = line
        return pid

    def children(self, parents: list[str], after: int, line: int, kind: str = "birth") -> list[str]:
        kids: list[str] = []
        year = after + self.draw(st.integers(1, 3))
        for n in range(self.draw(st.sampled_from((0, 1, 2, 2, 3, 3, 4)))):
            if self.full(2) or year > 2025:
                break
            twin = self.draw(st.integers(0, 4)) == 0
            month = 1 + n * 2
            kid = self.person(year, line, month, 10)
            kids.append(kid)
            for p in parents:
                self.links.append(GChildLink(p, kid, kind))
            if twin:
                other = self.person(year, line, month, 10)
                index = len(self.people) - 1  # twins share the recorded date of birth
                self.people[index] = replace(self.people[index], birth=self.people[-2].birth)
                kids.append(other)
                for p in parents:
                    self.links.append(GChildLink(p, other, kind))
                self.twins.append(GTwins(kid, other, self.draw(st.booleans())))
            year += self.draw(st.integers(1, 4))
        return kids

    def couple(self, a: str, b: str, year: int, line: int) -> list[str]:
        status = self.draw(st.sampled_from(STATUSES))
        self.partnerships.append(GPartnership(a, b, status, PartialDate(year)))
        kind = self.draw(st.sampled_from(("birth",) * 6 + ("adoptive", "foster")))
        return self.children([a, b], year, line, kind)


@st.composite
def families(draw: st.DrawFn, max_people: int = 40) -> Genogram:
    fam = _Family(draw, draw(st.sampled_from((8, 16, 24, 32, max_people, max_people))))
    depth = draw(st.integers(2, 4))
    current: list[str] = []
    for line in range(draw(st.integers(1, 3))):
        current.append(fam.person(1930 + draw(st.integers(0, 10)), line))
    for gen in range(depth - 1):
        next_gen: list[str] = []
        joined = False
        for blood in current:
            born = fam.people[int(blood[1:])].birth
            year = (born.year if born else 1950) + 20
            if not joined and gen == 1:  # both sides of the family: one marriage between lines
                mate = next((o for o in current if fam.line_of[o] != fam.line_of[blood]), None)
                if mate is not None:
                    joined = True
                    next_gen += fam.couple(blood, mate, year, fam.line_of[blood])
                    continue
            choices = (1, 1, 2) if gen == 0 else (0, 1, 1, 1, 2, 2, 3)  # founders are couples
            for _ in range(draw(st.sampled_from(choices))):  # serial partnerships
                if fam.full(2):
                    break
                partner = fam.person(year - draw(st.integers(-3, 3)))
                next_gen += fam.couple(blood, partner, year, fam.line_of[blood])
                if draw(st.integers(0, 3)) == 0 and not fam.full(3):  # a step-family
                    ex = fam.person(year - 2)
                    next_gen += fam.couple(partner, ex, year - 6, -1)
                year += draw(st.integers(3, 8))
            if draw(st.integers(0, 4)) == 0:
                next_gen += fam.children([blood], year, fam.line_of[blood])
        current = next_gen
        if not current:
            break
    _last_touches(draw, fam)
    return build(fam.people, fam.partnerships, fam.links, fam.twins, _homes(draw, fam))


def _last_touches(draw: st.DrawFn, fam: _Family) -> None:
    """An index child, maybe a pregnancy and a miscarriage, in the youngest generation; maybe a
    grandparent as kinship carer, and foster carers from outside the family."""
    youngest = max(fam.people, key=lambda p: (p.birth.year if p.birth else 0, p.id))
    fam.people[fam.people.index(youngest)] = replace(youngest, is_index=True)
    parents = [link.parent for link in fam.links if link.child == youngest.id][:2]
    for status in ("pregnancy", "miscarriage"):
        if parents and not fam.full() and draw(st.booleans()):
            pid = f"p{len(fam.people)}"
            fam.people.append(
                GPerson(
                    pid,
                    "Baby",
                    "other",
                    None,
                    status=status,
                    due=dt.date(2026, 9, 1) if status == "pregnancy" else None,
                )
            )
            fam.links += [GChildLink(p, pid) for p in parents]
    grandparents = [g.parent for g in fam.links if g.child in parents]
    wants_carer: bool = draw(st.booleans())
    if grandparents and wants_carer:
        kind = draw(st.sampled_from(("kinship", "special_guardian")))
        fam.links.append(GChildLink(grandparents[0], youngest.id, kind))
    if not fam.full(2) and draw(st.booleans()):
        a, b = fam.person(1975), fam.person(1977)
        fam.partnerships.append(GPartnership(a, b, "married"))
        fam.links += [GChildLink(a, youngest.id, "foster"), GChildLink(b, youngest.id, "foster")]


def _homes(draw: st.DrawFn, fam: _Family) -> list[GHousehold]:
    ids = [p.id for p in fam.people]
    homes = []
    for n in range(draw(st.integers(2, 4))):
        members = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=8, unique=True))
        homes.append(GHousehold(f"h{n}", f"Home {n}", tuple(members)))
    return homes


@dataclass(frozen=True)
class KinCase:
    """A family with one child in kinship care, and who cares for them."""

    genogram: Genogram
    child: str
    carers: tuple[str, ...]


@st.composite
def kin_families(draw: st.DrawFn, in_laws: bool = True) -> KinCase:
    """Grandparents, their two or three children, one of whom is the separated parent of one to
    four children; one child lives with an aunt or uncle (and partner) or with the grandparents,
    in kinship care or under special guardianship. The parents live apart (two households), the
    carers' household holds the child a row (or two) below them; maybe (`in_laws`) the other
    parent's parents too."""
    fam = _Family(draw, 60)
    gf, gm = fam.person(1948, 0), fam.person(1950, 0)
    fam.partnerships.append(GPartnership(gf, gm, "married", PartialDate(1972)))
    years = sorted(draw(st.lists(st.integers(1973, 1990), min_size=2, max_size=3, unique=True)))
    kids = [fam.person(y, 0) for y in years]
    fam.links += [GChildLink(p, k) for k in kids for p in (gf, gm)]
    parent = draw(st.sampled_from(kids))
    other = fam.person(draw(st.integers(1975, 1990)))
    if in_laws and draw(st.booleans()):  # the other parent's own parents
        ogf, ogm = fam.person(1945), fam.person(1947)
        fam.partnerships.append(GPartnership(ogf, ogm, "married"))
        fam.links += [GChildLink(p, other) for p in (ogf, ogm)]
    status = draw(st.sampled_from(("separated", "divorced", "married", "cohabiting")))
    fam.partnerships.append(GPartnership(parent, other, status, PartialDate(2005)))
    children = []
    year = 2006
    for _ in range(draw(st.integers(1, 4))):
        year += draw(st.integers(1, 3))
        child = fam.person(year, 0)
        children.append(child)
        fam.links += [GChildLink(p, child) for p in (parent, other)]
    child = draw(st.sampled_from(children))
    kind = draw(st.sampled_from(("kinship", "kinship", "special_guardian")))
    aunts = [k for k in kids if k != parent]
    homes = []
    if draw(st.booleans()):
        carers: tuple[str, ...] = (gf, gm) if draw(st.booleans()) else (gm,)
    else:
        aunt = draw(st.sampled_from(aunts))
        carers = (aunt,)
        if draw(st.booleans()):
            mate = fam.person(1978)
            fam.partnerships.append(GPartnership(aunt, mate, "married"))
            carers = (aunt, mate)
            for n in range(draw(st.integers(0, 2))):
                cousin = fam.person(2008 + 3 * n, 0)
                fam.links += [GChildLink(p, cousin) for p in carers]
    fam.links += [GChildLink(c, child, kind) for c in carers]
    rest = [c for c in children if c != child]
    with_parent = draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    cousins = [
        link.child for link in fam.links if link.parent == carers[0] and link.kind == "birth"
    ]
    homes.append(GHousehold("h0", "Carers' home", (*carers, child, *cousins)))
    homes.append(GHousehold("h1", "Parent's home", (parent, *with_parent)))
    homes.append(
        GHousehold("h2", "Other parent's home", (other, *[c for c in rest if c not in with_parent]))
    )
    if draw(st.booleans()):  # a grandparent who lives with the parent: one home over two rows
        homes.append(GHousehold("h3", "Shared home", (gm, parent) if gm not in carers else (gf,)))
    g = build(fam.people, fam.partnerships, fam.links, (), homes)
    return KinCase(g, child, carers)
