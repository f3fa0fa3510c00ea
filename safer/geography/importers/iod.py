"""English Indices of Deprivation, LSOA files: File 1 (IMD rank and decile) and File 2 (IMD and the seven domains).

Headers as MHCLG publishes them: ``LSOA code (2011)``, ``Local Authority District code (2019)``,
``Index of Multiple Deprivation (IMD) Rank[ (where 1 is most deprived)]``, ``… Decile[ (where 1 is most deprived 10%
of LSOAs)]`` and, in File 2, ``<Domain> Rank (where 1 is most deprived)`` / ``<Domain> Decile (where 1 is …)``
for Income, Employment, "Education, Skills and Training", Health Deprivation and Disability, Crime, Barriers to
Housing and Services and Living Environment. Ranks may be written ``14456``, ``"14,456"`` or ``14456.00``.
Rank 1 is the most deprived LSOA in England; decile 1 the most deprived 10 %.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safer.geography.importers.base import CsvFile, GeographyImportError

EXPECTED = "English indices of deprivation File 1 or File 2 (LSOA level, MHCLG)"
IMD = "Index of Multiple Deprivation (IMD)"
# How many LSOAs each edition ranks: a rank above this is a misread file.
LSOAS_RANKED = {"IoD2019": 32_844, "IoD2025": 33_755}
_MEASURE = re.compile(r"^(?P<name>.+?) (?P<kind>Rank|Decile)\b(?: \(where 1 is most deprived.*\))?$")


@dataclass(frozen=True)
class IodLayout:
    lsoa: str
    lad: str | None
    imd_rank: str
    imd_decile: str
    domains: dict[str, tuple[str, str]]  # domain name → (rank column, decile column)


@dataclass(frozen=True)
class IodRow:
    line: int
    lsoa_code: str
    lad_code: str | None
    imd_rank: int
    imd_decile: int
    domains: dict[str, dict[str, int]]


def layout_of(csv_file: CsvFile) -> IodLayout:
    lsoa = csv_file.find(lambda c: c.startswith("LSOA code"))
    if lsoa is None:
        raise csv_file.missing("LSOA code (2011)", EXPECTED)
    lad = csv_file.find(lambda c: c.startswith("Local Authority District code"))
    pairs: dict[str, dict[str, str]] = {}
    for column in csv_file.header:
        match = _MEASURE.match(column)
        if match:
            pairs.setdefault(match.group("name"), {})[match.group("kind")] = column
    imd = pairs.pop(IMD, {})
    for kind in ("Rank", "Decile"):
        if kind not in imd:
            raise csv_file.missing(f"{IMD} {kind}", EXPECTED)
    domains: dict[str, tuple[str, str]] = {}
    for name, columns in pairs.items():
        if set(columns) != {"Rank", "Decile"}:
            have, lacking = next(iter(columns)), ({"Rank", "Decile"} - set(columns)).pop()
            raise GeographyImportError(
                csv_file.name,
                f'there is a "{columns[have]}" column but no {name} {lacking} column',
                line=1,
                column=f"{name} {lacking}",
                fix="Use the file as published, with both the rank and the decile of each domain",
            )
        domains[name] = (columns["Rank"], columns["Decile"])
    return IodLayout(lsoa=lsoa, lad=lad, imd_rank=imd["Rank"], imd_decile=imd["Decile"], domains=domains)


@contextmanager
def open_iod(path: Path, edition: str) -> Iterator[tuple[IodLayout, Iterator[IodRow]]]:
    with CsvFile.open(path) as csv_file:
        layout = layout_of(csv_file)
        yield layout, _rows(csv_file, layout, LSOAS_RANKED.get(edition))


def _rows(csv_file: CsvFile, layout: IodLayout, max_rank: int | None) -> Iterator[IodRow]:
    for row in csv_file:
        lsoa_code = row.code(layout.lsoa, "LSOA")
        lad_code = row.code(layout.lad, "local authority district") if layout.lad else None
        imd_rank = row.whole_number(layout.imd_rank, minimum=1, maximum=max_rank, what="rank")
        imd_decile = row.whole_number(layout.imd_decile, minimum=1, maximum=10, what="decile")
        domains = {
            name: {
                "rank": row.whole_number(rank, minimum=1, maximum=max_rank, what="rank"),
                "decile": row.whole_number(decile, minimum=1, maximum=10, what="decile"),
            }
            for name, (rank, decile) in layout.domains.items()
        }
        yield IodRow(row.line, lsoa_code, lad_code, imd_rank, imd_decile, domains)
