"""A fictional family whose names are written in many scripts (invented for the tests)."""

from __future__ import annotations

from ehdocs.diagrams.genogram.model import GChildLink, Genogram, GPartnership, GPerson, build
from ehdocs.fields import PartialDate

#: id -> (name, script). Every name is invented.
NAMES: dict[str, tuple[str, str]] = {
    "lat": ("Łucja Ștefănescu-Nguyễn", "Latin with Polish, Romanian and Vietnamese diacritics"),
    "vie": ("Trịnh Thị Ngọc Diễm", "Vietnamese"),
    "ara": ("سلمى العطار", "Arabic"),
    "urd": ("ہما شگفتہ", "Urdu"),
    "heb": ("נועה ברקוביץ", "Hebrew"),
    "dev": ("अनुष्का त्रिवेदी", "Devanagari"),
    "ben": ("ঋতুপর্ণা চক্রবর্তী", "Bengali"),
    "gur": ("ਜਸਲੀਨ ਗਿੱਲ", "Gurmukhi"),
    "guj": ("હેતલ ત્રિવેદી", "Gujarati"),
    "tam": ("நிலா சுப்பிரமணியம்", "Tamil"),
    "tha": ("ปิยะนุช ศรีสุข", "Thai"),
    "zho": ("欧阳晓岚", "Chinese"),
    "jpn": ("はるか 森本", "Japanese"),
    "kor": ("한소율", "Korean"),
    "som": ("Cawo Xirsi Cumar", "Somali (Latin)"),
}

RTL = ("ara", "urd", "heb")


def scripts_genogram(latin: bool = False) -> Genogram:
    """The family as a genogram; `latin` names everyone 'Ann Lee' instead."""
    ids = list(NAMES)
    people = [
        GPerson(
            pid,
            "Ann Lee" if latin else NAMES[pid][0],
            "female" if i % 2 else "male",
            PartialDate(1960 + i),
            66 - i,
        )
        for i, pid in enumerate(ids)
    ]
    partnerships = [GPartnership(ids[0], ids[1], "married", PartialDate(1990))]
    links = [GChildLink(p, c) for p in ids[:2] for c in ids[2:6]]
    partnerships += [GPartnership(ids[2], ids[6], "cohabiting", PartialDate(2010))]
    links += [GChildLink(p, c) for p in (ids[2], ids[6]) for c in ids[7:11]]
    return build(people, partnerships, links)
