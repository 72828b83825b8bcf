"""The genogram's text alternative: one row per person with their relationships in words.

Rows run oldest generation first, then by birth, so a screen-reader user meets the family in
the order a sighted reader scans the diagram.
"""

from __future__ import annotations

from collections import defaultdict

from ehdocs.diagrams.genogram.model import Genogram, GPartnership, GPerson
from ehdocs.diagrams.genogram.structure import analyse, birth_key
from ehdocs.fields import PartialDate

# (male, female, anyone) words for a parent of each kind, and for the child of that parent.
PARENT_WORDS = {
    "birth": ("Father", "Mother", "Parent"),
    "adoptive": ("Adoptive father", "Adoptive mother", "Adoptive parent"),
    "step": ("Stepfather", "Stepmother", "Step-parent"),
    "foster": ("Foster carer",) * 3,
    "kinship": ("Kinship carer",) * 3,
    "special_guardian": ("Special guardian",) * 3,
}
CHILD_WORDS = {
    "birth": ("Son", "Daughter", "Child"),
    "adoptive": ("Adopted son", "Adopted daughter", "Adopted child"),
    "step": ("Stepson", "Stepdaughter", "Stepchild"),
    "foster": ("Foster child",) * 3,
    "kinship": ("In kinship care with",) * 3,
    "special_guardian": ("Under special guardianship of",) * 3,
}
SIBLING_WORDS = ("Brother", "Sister", "Sibling")
PARTNER_WORDS = {
    "married": "Married to",
    "cohabiting": "Living with",
    "dating": "In a relationship with",
    "separated": "Separated from",
    "divorced": "Divorced from",
}
# a partnership's earlier stages: "Separated from Tom (from 2019), after living together
# (2012–2016) and being married (2016–2019)"
STAGE_WORDS = {
    "married": "being married",
    "cohabiting": "living together",
    "dating": "being in a relationship",
    "separated": "being separated",
    "divorced": "being divorced",
}
STATUS_WORDS = {
    "living": "Living",
    "pregnancy": "Pregnancy",
    "miscarriage": "Miscarriage or stillbirth",
    "deceased": "Died",
}


def genogram_rows(genogram: Genogram) -> list[dict[str, str]]:
    family = analyse(genogram)
    people = sorted(
        genogram.people, key=lambda p: (family.generation[p.id], birth_key(genogram, p.id))
    )
    homes: dict[str, list[str]] = defaultdict(list)
    for home in genogram.households:
        for m in home.members:
            homes[m].append(home.name)
    return [
        {
            "id": p.id,
            "name": p.name,
            "born": _born(p),
            "age": "" if p.age is None else ("about " if p.age_approximate else "") + str(p.age),
            "status": _status(p),
            "relationships": _sentence(_relationships(genogram, p)),
            "lives_in": ", ".join(homes[p.id]),
        }
        for p in people
    ]


def _sentence(phrases: list[str]) -> str:
    """Phrases after the first start in lower case: "Mother of Ava; married to Tom"."""
    return "; ".join(p if i == 0 else p[:1].lower() + p[1:] for i, p in enumerate(phrases))


def _born(p: GPerson) -> str:
    if p.status == "pregnancy":
        return f"Due {p.due.day} {p.due:%B %Y}" if p.due else ""
    if p.status == "miscarriage":
        return ""  # never born: when the loss happened is in its status
    return p.birth.human() if p.birth else ""


def _status(p: GPerson) -> str:
    text = STATUS_WORDS.get(p.status, "Living")
    if p.status == "deceased" and p.death_year:
        text += f" in {p.death_year}"
    if p.status == "miscarriage" and p.birth:
        text += f" ({p.birth.human()})"
    if p.is_index:
        text += "; the child the work is about"
    return text


def _relationships(g: Genogram, person: GPerson) -> list[str]:
    out: list[str] = []
    as_parent: dict[str, list[str]] = defaultdict(list)
    as_child: dict[str, list[str]] = defaultdict(list)
    for link in g.child_links:
        if link.parent == person.id:
            as_parent[link.kind].append(link.child)
        if link.child == person.id:
            as_child[link.kind].append(link.parent)
    lost = [k for kids in as_parent.values() for k in kids if g.by_id[k].status == "miscarriage"]
    for kind, kids in as_parent.items():
        born = [k for k in kids if k not in lost]
        if born:
            out.append(f"{_word(PARENT_WORDS[kind], person)} of {_names(g, born)}")
    if lost:
        out.append(_losses(g, lost))
    if person.status == "miscarriage":
        parents = sorted({p for ps in as_child.values() for p in ps}, key=lambda i: g.rank[i])
        if parents:
            out.append(f"Pregnancy of {_names(g, parents)}")
        return out  # never born: no one's child or sibling in words
    for kind, parents in as_child.items():
        word = _word(CHILD_WORDS[kind], person)
        out.append(
            f"{word} {_names(g, parents)}"
            if word.endswith(("with", "of"))
            else f"{word} of {_names(g, parents)}"
        )
    out.extend(_siblings(g, person))
    for p in sorted(g.partnerships, key=_partnership_order):
        if person.id in (p.a, p.b):
            other = p.b if p.a == person.id else p.a
            phrase = f"{PARTNER_WORDS[p.status]} {g.by_id[other].name}{_years(p)}"
            out.append(phrase + _stages(p))
    for o in g.others:
        if person.id in (o.a, o.b):
            # The description is free text, written from either side: name the other person.
            other = g.by_id[o.b if o.a == person.id else o.a].name
            out.append(f"{o.description[:1].upper()}{o.description[1:]} (with {other})")
    return out


def _losses(g: Genogram, lost: list[str]) -> str:
    """ "Lost a pregnancy in 2016", "Lost pregnancies in 2016 and 2019", or with no date."""
    years = [b.human() for k in lost if (b := g.by_id[k].birth) is not None]
    what = "a pregnancy" if len(lost) == 1 else "pregnancies"
    if not years:
        return f"Lost {what}"
    dates = years[0] if len(years) == 1 else ", ".join(years[:-1]) + " and " + years[-1]
    return f"Lost {what} in {dates}" if len(years) == len(lost) else f"Lost {what}"


def _siblings(g: Genogram, person: GPerson) -> list[str]:
    birth: dict[str, set[str]] = defaultdict(set)
    for link in g.child_links:
        if link.kind == "birth":
            birth[link.child].add(link.parent)
    mine = birth.get(person.id, set())
    twins = {
        t.b if t.a == person.id else t.a: t.identical for t in g.twins if person.id in (t.a, t.b)
    }
    full, half = [], []
    for other in g.people:
        if other.id == person.id or other.id in twins or not mine:
            continue
        if other.status == "miscarriage":
            continue  # a pregnancy loss is not called a sibling
        theirs = birth.get(other.id, set())
        if theirs == mine:
            full.append(other.id)
        elif theirs & mine:
            half.append(other.id)
    word = _word(SIBLING_WORDS, person)
    out = []
    for twin, identical in twins.items():
        out.append(f"{'Identical twin' if identical else 'Twin'} of {g.by_id[twin].name}")
    if full:
        out.append(f"{word} of {_names(g, full)}")
    if half:
        out.append(f"Half-{word.lower()} of {_names(g, half)}")
    return out


def _partnership_order(p: GPartnership) -> tuple[int, int]:
    when = p.start or p.end
    return (0, when.year) if when else (1, 0)


def _years(p: GPartnership) -> str:
    return _span(p.status, p.start, p.end, current=True)


def _stages(p: GPartnership) -> str:
    words = [
        STAGE_WORDS[status] + _span(status, start, end, current=False)
        for status, start, end in p.history
        if status in STAGE_WORDS
    ]
    if not words:
        return ""
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f", after {joined}"


def _span(status: str, start: PartialDate | None, end: PartialDate | None, current: bool) -> str:
    first = f"{'~' if start.approximate else ''}{start.year}" if start else ""
    last = f"{'~' if end.approximate else ''}{end.year}" if end else ""
    if first and last:
        return f" ({first}–{last})"
    if first:
        ongoing = current and status in ("married", "cohabiting", "dating")
        return f" (since {first})" if ongoing else f" (from {first})"
    return f" (until {last})" if last else ""


def _word(words: tuple[str, str, str], person: GPerson) -> str:
    return words[{"male": 0, "female": 1}.get(person.gender, 2)]


def _names(g: Genogram, ids: list[str]) -> str:
    names = [g.by_id[i].name for i in sorted(ids, key=lambda i: birth_key(g, i))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
