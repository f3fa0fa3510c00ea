"""Which police force a police.uk file is from, and the name a file had before a browser renamed it.

A month of a force's data is one thing whatever its file is called. The force is read from the rows' "Reported by"
column (street and outcomes files), as a key like ``leicestershire`` (the one police.uk uses in its file names), so
``2022-09-leicestershire-street.csv``, ``2022-09-leicestershire-street (1).csv``, ``DOWNLOAD.CSV`` and the archive's
``2022-09/2022-09-leicestershire-street.csv`` are the same force-month. Stop-and-search rows name no force, so for
those files alone the force comes from the name (ADR 0002).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# police.uk's force keys (its file names and API ids) and the names its rows give in "Reported by".
FORCE_NAMES = {
    "avon-and-somerset": "Avon and Somerset Constabulary",
    "bedfordshire": "Bedfordshire Police",
    "btp": "British Transport Police",
    "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary",
    "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police",
    "cumbria": "Cumbria Constabulary",
    "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon & Cornwall Police",
    "dorset": "Dorset Police",
    "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police",
    "essex": "Essex Police",
    "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police",
    "gwent": "Gwent Police",
    "hampshire": "Hampshire Constabulary",
    "hertfordshire": "Hertfordshire Constabulary",
    "humberside": "Humberside Police",
    "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary",
    "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police",
    "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service",
    "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police",
    "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police",
    "northern-ireland": "Police Service of Northern Ireland",
    "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police",
    "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police",
    "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary",
    "surrey": "Surrey Police",
    "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police",
    "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police",
    "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police",
    "wiltshire": "Wiltshire Police",
}
# Forces that police every district's area alongside its territorial force: their files count wherever they place rows.
NATIONAL_FORCES = frozenset({"btp"})
# Names that do not shorten to the key by the rule in force_key.
_ALIASES = {
    "british-transport": "btp",
    "hampshire-and-isle-of-wight": "hampshire",
    "metropolitan-police": "metropolitan",
    "met": "metropolitan",
}
_SUFFIXES = re.compile(r"[\s-]+(police[\s-]+service|constabulary|police)$")
_PREFIX = re.compile(r"^police[\s-]+service[\s-]+of[\s-]+(the[\s-]+)?")
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def force_key(text: str) -> str:
    """``Leicestershire Police``, ``leicestershire`` and ``LEICESTERSHIRE`` all give ``leicestershire``."""
    words = text.strip().lower().replace("&", " and ")
    words = _PREFIX.sub("", _SUFFIXES.sub("", words))
    key = _NOT_KEY.sub("-", words).strip("-")
    return _ALIASES.get(key, key)


def forces_key(names: Iterable[str]) -> str:
    """The key of a file whose rows name these forces (one, nearly always), as stored on its import run."""
    return ", ".join(sorted({force_key(name) for name in names if name.strip()}))[:80]


def force_name(key: str) -> str:
    """The force's name for a person to read (``leicestershire`` → ``Leicestershire Police``)."""
    return ", ".join(FORCE_NAMES.get(part, part.replace("-", " ").title()) for part in key.split(", ") if part)


# " (1)", " (2)" from a browser's second download; " - Copy", " copy" from a file manager.
_COPY_MARK = re.compile(
    r"(\s*\(\d+\)|\s*-\s*copy(\s*\(\d+\))?|\s+copy(\s+\d+)?|_copy)+(?=\.csv(\.gz)?$)", re.IGNORECASE
)


def original_name(name: str) -> str:
    """A file's name without the marks a browser or file manager adds to a second copy of it."""
    return _COPY_MARK.sub("", name)
