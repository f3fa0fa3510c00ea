"""LSOA population estimates: total persons, with broad age bands where the file has them.

Two layouts are read:

* totals, ``lsoa,pop`` (ONS mid-year LSOA estimates as compiled by mySociety; ``"2,472"`` with separators);
* IoD2019 File 6 "population denominators" (MHCLG; ONS mid-2015 estimates excluding prisoners), with
  ``LSOA code (2011)``, ``Local Authority District code (2019)``, ``Total population: mid 2015 (excluding
  prisoners)`` and the bands 0-15, 16-59 and 60 and over (numbers written ``1438.00``).

The year is given by the person importing; where the header names a year (``mid 2015``) they must agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safer.geography.importers.base import CsvFile, GeographyImportError

EXPECTED = (
    'an LSOA population file: either "lsoa,pop" (ONS mid-year estimates) or IoD2019 File 6 '
    '("LSOA code (2011)", "Total population: mid 2015 …")'
)
LSOA_COLUMNS = ("lsoa", "LSOA code (2011)", "LSOA11CD", "LSOA Code", "LSOA21CD", "LSOA code (2021)")
LAD_COLUMNS = ("Local Authority District code (2019)", "LAD19CD", "LA Code (2019 boundaries)")
MAX_LSOA_POPULATION = 100_000  # the largest LSOAs hold a few thousand residents; more is a misread column


@dataclass(frozen=True)
class PopulationLayout:
    lsoa: str
    lad: str | None
    total: str
    bands: tuple[str, str, str] | None
    header_year: int | None


@dataclass(frozen=True)
class PopulationRow:
    line: int
    lsoa_code: str
    lad_code: str | None
    total: int
    aged_0_15: int | None
    aged_16_59: int | None
    aged_60_plus: int | None


def layout_of(csv_file: CsvFile) -> PopulationLayout:
    lsoa = csv_file.find(lambda c: c in LSOA_COLUMNS)
    if lsoa is None:
        raise csv_file.missing("lsoa", EXPECTED, 'Use a file with an LSOA code column ("lsoa" or "LSOA code (2011)")')
    total = csv_file.find(lambda c: c == "pop" or c.lower().startswith(("total population", "all ages")))
    if total is None:
        raise csv_file.missing(
            "pop", EXPECTED, 'Use a file with a total population column ("pop" or "Total population: mid …")'
        )
    band_tests = (r"aged 0-15\b", r"aged 16-59\b", r"aged 60 and over\b")
    found = [_matching(csv_file, pattern) for pattern in band_tests]
    bands: tuple[str, str, str] | None = None
    if all(found):
        bands = (str(found[0]), str(found[1]), str(found[2]))
    elif any(found):
        missing = ("aged 0-15", "aged 16-59", "aged 60 and over")[found.index(None)]
        raise GeographyImportError(
            csv_file.name,
            f'the file has some age bands but no column for "{missing}"',
            line=1,
            fix="Give all three age bands (0-15, 16-59, 60 and over) as in IoD2019 File 6, or none",
        )
    year_match = re.search(r"mid[- ](\d{4})", total, flags=re.IGNORECASE)
    return PopulationLayout(
        lsoa=lsoa,
        lad=csv_file.find(lambda c: c in LAD_COLUMNS),
        total=total,
        bands=bands,
        header_year=int(year_match.group(1)) if year_match else None,
    )


def _matching(csv_file: CsvFile, pattern: str) -> str | None:
    return csv_file.find(lambda column: re.search(pattern, column, flags=re.IGNORECASE) is not None)


@contextmanager
def open_population(path: Path, year: int) -> Iterator[tuple[PopulationLayout, Iterator[PopulationRow]]]:
    with CsvFile.open(path) as csv_file:
        layout = layout_of(csv_file)
        if layout.header_year is not None and layout.header_year != year:
            raise GeographyImportError(
                csv_file.name,
                f"the header says mid-{layout.header_year} but the import was asked for mid-{year}",
                line=1,
                column=layout.total,
                fix=f"Import it as {layout.header_year}={path.name}",
            )
        yield layout, _rows(csv_file, layout)


def _rows(csv_file: CsvFile, layout: PopulationLayout) -> Iterator[PopulationRow]:
    for row in csv_file:
        total = row.whole_number(layout.total, maximum=MAX_LSOA_POPULATION, what="population")
        bands: list[int | None] = [None, None, None]
        if layout.bands:
            bands = [row.whole_number(c, maximum=MAX_LSOA_POPULATION, what="population") for c in layout.bands]
            if sum(b or 0 for b in bands) != total:
                raise row.error(
                    layout.total,
                    f"the age bands add up to {sum(b or 0 for b in bands):,} but the total is {total:,}",
                    "Check that the columns were not shifted",
                )
        yield PopulationRow(
            line=row.line,
            lsoa_code=row.code(layout.lsoa, "LSOA"),
            lad_code=row.code(layout.lad, "local authority district") if layout.lad else None,
            total=total,
            aged_0_15=bands[0],
            aged_16_59=bands[1],
            aged_60_plus=bands[2],
        )
