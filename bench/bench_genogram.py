"""Genogram benchmark: a 40-person, 4-generation family through layout and SVG.

Prints the median of 20 runs, the ratio to the 200 ms target, and the ratio to a bare baseline
measured in the same run: writing the same number of SVG elements with xml.etree.

    .venv/bin/python bench/bench_genogram.py [--svg out.svg]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import (
    GChildLink,
    Genogram,
    GHousehold,
    GPartnership,
    GPerson,
    GTwins,
    build,
)
from ehdocs.diagrams.genogram.svg import render_svg
from ehdocs.fields import PartialDate

RUNS = 20
TARGET_MS = 200.0
TODAY = dt.date(2026, 3, 1)

# id, name, gender, born (ISO, partial allowed), died year or None
PEOPLE = """
ggf1 Arthur.Hale male 1925 1999
ggm1 Edna.Hale female 1928 2010
ggf2 Stanley.Pike male 1930 2005
ggm2 Joan.Pike female 1932 -
pgf Ronald.Hale male 1950-04-02 -
pgm Sheila.Hale female 1952-08-19 -
gaunt Margaret.Hale female 1954 -
mgf Derek.Stone male 1948 2019
mgm Pauline.Stone female 1955-01-30 -
sgf Victor.Ames male 1951 -
guncle Brian.Pike male 1958 -
dad Lee.Hale male 1978-06-11 -
uncle1 Gary.Hale male 1975-02-01 -
aunt1p Tina.Hale female 1977 -
uncle2 Neil.Hale male 1982-09-09 -
mum Kelly.Stone female 1984-03-15 -
aunt2 Donna.Stone female 1986-07-07 -
aunt2p Wayne.Cole male 1985 -
halfuncle Jordan.Ames male 1992-05-05 -
mumex Ryan.Marsh male 1982 -
stepmum Leanne.Hale female 1988-12-01 -
stepmumex Craig.Doyle male 1986 -
mumnow Sam.Reid another 1987 -
index Ava.Hale female 2012-05-20 -
twin1 Ella.Hale female 2014-09-03 -
twin2 Isla.Hale female 2014-09-03 -
half1 Tyler.Marsh male 2005-01-12 -
half2 Kayden.Marsh male 2007-03-30 -
stepsib Mia.Doyle female 2010-10-10 -
halfsib2 Leo.Hale male 2021-02-14 -
cousin1 Jack.Hale male 2003-06-01 -
cousin2 Amy.Hale female 2006-11-11 -
cousin3 Ruby.Cole female 2013-04-04 -
cousin4 Finn.Cole male 2016-08-08 -
adopted Zac.Cole male 2018-01-01 -
foster Kai.Brown male 2011-05-05 -
fc1 Alan.Price male 1965 -
fc2 Carol.Price female 1967 -
unborn Baby.Reid unknown - -
lost Baby.Hale unknown - -
"""
PARTNERS = [
    ("ggf1", "ggm1", "married", 1948),
    ("ggf2", "ggm2", "married", 1952),
    ("pgf", "pgm", "married", 1973),
    ("mgf", "mgm", "divorced", 1980),
    ("mgm", "sgf", "married", 1990),
    ("uncle1", "aunt1p", "married", 2001),
    ("aunt2", "aunt2p", "cohabiting", 2011),
    ("mumex", "mum", "separated", 2004),
    ("dad", "mum", "divorced", 2011),
    ("dad", "stepmum", "married", 2019),
    ("stepmumex", "stepmum", "separated", 2009),
    ("mum", "mumnow", "dating", 2023),
    ("fc1", "fc2", "married", 1990),
]
CHILDREN = {
    ("ggf1", "ggm1"): ["pgf", "gaunt"],
    ("ggf2", "ggm2"): ["mgm", "guncle"],
    ("pgf", "pgm"): ["uncle1", "dad", "uncle2"],
    ("mgf", "mgm"): ["mum", "aunt2"],
    ("mgm", "sgf"): ["halfuncle"],
    ("uncle1", "aunt1p"): ["cousin1", "cousin2"],
    ("aunt2", "aunt2p"): ["cousin3", "cousin4"],
    ("mumex", "mum"): ["half1", "half2"],
    ("dad", "mum"): ["index", "twin1", "twin2", "lost"],
    ("dad", "stepmum"): ["halfsib2"],
    ("stepmumex", "stepmum"): ["stepsib"],
    ("mum", "mumnow"): ["unborn"],
}


def bench_family() -> Genogram:
    people = []
    for row in PEOPLE.strip().splitlines():
        pid, name, gender, born, died = row.split()
        birth = PartialDate.parse(born) if born != "-" else None
        status = "deceased" if died != "-" else "living"
        if pid in ("unborn", "lost"):
            status = "pregnancy" if pid == "unborn" else "miscarriage"
        age = None
        if birth:
            age = (int(died) if died != "-" else TODAY.year) - birth.year
        people.append(
            GPerson(
                pid,
                name.replace(".", " "),
                {"another": "other", "unknown": "other"}.get(gender, gender),
                birth,
                age,
                birth is not None and birth.month is None,
                died != "-",
                int(died) if died != "-" else None,
                status,
                pid == "index",
                dt.date(2026, 9, 1) if pid == "unborn" else None,
            )
        )
    links = [GChildLink(p, c) for parents, kids in CHILDREN.items() for p in parents for c in kids]
    links += [
        GChildLink("aunt2", "adopted", "adoptive"),
        GChildLink("aunt2p", "adopted", "adoptive"),
    ]
    links += [GChildLink("fc1", "foster", "foster"), GChildLink("fc2", "foster", "foster")]
    links += [GChildLink("pgm", "index", "kinship")]
    homes = [
        GHousehold("h1", "Mum's home", ("mum", "index", "twin1", "twin2", "half2")),
        GHousehold("h2", "Dad's home", ("dad", "stepmum", "halfsib2", "stepsib")),
        GHousehold("h3", "Nan and Grandad", ("pgf", "pgm", "half1")),
        GHousehold("h4", "Foster home", ("fc1", "fc2", "foster")),
    ]
    return build(
        people,
        [GPartnership(a, b, s, PartialDate(y)) for a, b, s, y in PARTNERS],
        links,
        [GTwins("twin1", "twin2", True)],
        homes,
    )


def median_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def etree_baseline(elements: int) -> bytes:
    """The floor: serialising as many bare SVG elements, with no layout at all."""
    root = ET.Element("svg", xmlns="http://www.w3.org/2000/svg")
    for i in range(elements):
        ET.SubElement(root, "line", x1=str(i), y1="0", x2=str(i), y2="10", stroke="#000")
    return ET.tostring(root)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, help="also write the benchmark genogram here")
    args = parser.parse_args(argv)
    family = bench_family()
    svg = render_svg(layout(family), "Genogram", "Benchmark family")
    elements = svg.count("<") - svg.count("</")
    layout_ms = median_ms(lambda: layout(family))
    total_ms = median_ms(lambda: render_svg(layout(family), "Genogram", "Benchmark family"))
    base_ms = median_ms(lambda: etree_baseline(elements))
    print(f"family: {len(family.people)} people, {elements} SVG elements")
    print(f"layout:        {layout_ms:8.2f} ms (median of {RUNS})")
    print(f"layout + SVG:  {total_ms:8.2f} ms (median of {RUNS})")
    print(f"target:        {TARGET_MS:8.2f} ms  -> {total_ms / TARGET_MS:.3f} of the target")
    print(f"etree baseline:{base_ms:8.2f} ms  -> layout + SVG is {total_ms / base_ms:.1f}x it")
    if args.svg:
        args.svg.write_text(svg, encoding="utf-8")


if __name__ == "__main__":
    main()
