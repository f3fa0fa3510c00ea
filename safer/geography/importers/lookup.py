"""ONS best-fit lookup: LSOA → electoral ward → local authority district.

The Open Geography Portal's "Lower Layer Super Output Area (2011) to Ward (2019) Lookup in England and Wales" has
``FID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM``. The two digits in the column names give the LSOA vintage
(11 → 2011) and the ward edition (19 → 2019); later lookups (``LSOA21CD``, ``WD22CD``, ``LAD22CD``) read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safer.geography.importers.base import CsvFile, GeographyImportError

EXPECTED = "the ONS \u201cLSOA (2011) to Ward (2019) Lookup in England and Wales\u201d CSV"
SUPPORTED_VINTAGES = ("2011", "2021")


@dataclass(frozen=True)
class LookupRow:
    line: int
    lsoa_code: str
    lsoa_name: str
    ward_code: str
    ward_name: str
    lad_code: str
    lad_name: str


@dataclass(frozen=True)
class LookupLayout:
    vintage: str
    ward_edition: str
    columns: tuple[str, str, str, str, str, str]


def layout_of(csv_file: CsvFile) -> LookupLayout:
    found: dict[str, list[tuple[str, str]]] = {"LSOA": [], "WD": [], "LAD": []}
    for column in csv_file.header:
        match = re.fullmatch(r"(LSOA|WD|LAD)(\d\d)CD", column, flags=re.IGNORECASE)
        if match:
            found[match.group(1).upper()].append((column, match.group(2)))
    for prefix, example in (("LSOA", "LSOA11CD"), ("WD", "WD19CD"), ("LAD", "LAD19CD")):
        if not found[prefix]:
            raise csv_file.missing(example, EXPECTED)
        if len(found[prefix]) > 1:
            names = " and ".join(column for column, _ in found[prefix])
            raise GeographyImportError(
                csv_file.name,
                f"there are two {prefix} code columns ({names})",
                line=1,
                fix="Use a lookup from one LSOA vintage to one ward edition",
            )
    (lsoa_cd, lsoa_yy), (ward_cd, ward_yy), (lad_cd, _lad_yy) = found["LSOA"][0], found["WD"][0], found["LAD"][0]
    vintage = f"20{lsoa_yy}"
    if vintage not in SUPPORTED_VINTAGES:
        raise GeographyImportError(
            csv_file.name,
            f"{lsoa_cd} means {vintage} LSOAs, which this system does not hold",
            line=1,
            column=lsoa_cd,
            fix="Use a lookup from 2011 or 2021 LSOAs",
        )
    lsoa_nm, ward_nm, lad_nm = (_name_column(column) for column in (lsoa_cd, ward_cd, lad_cd))
    csv_file.require((lsoa_nm, ward_nm, lad_nm), EXPECTED)
    return LookupLayout(
        vintage=vintage,
        ward_edition=f"20{ward_yy}",
        columns=(lsoa_cd, lsoa_nm, ward_cd, ward_nm, lad_cd, lad_nm),
    )


def _name_column(code_column: str) -> str:
    """LSOA11CD → LSOA11NM (keeping the case the file uses)."""
    return code_column[:-2] + ("NM" if code_column[-2:] == "CD" else "nm")


@contextmanager
def open_lookup(path: Path) -> Iterator[tuple[LookupLayout, Iterator[LookupRow]]]:
    """The layout (vintage and ward edition) read from the header, and an iterator over the checked rows."""
    with CsvFile.open(path) as csv_file:
        layout = layout_of(csv_file)
        yield layout, _rows(csv_file, layout)


def _rows(csv_file: CsvFile, layout: LookupLayout) -> Iterator[LookupRow]:
    lsoa_cd, lsoa_nm, ward_cd, ward_nm, lad_cd, lad_nm = layout.columns
    for row in csv_file:
        yield LookupRow(
            line=row.line,
            lsoa_code=row.code(lsoa_cd, "LSOA"),
            lsoa_name=row.text(lsoa_nm),
            ward_code=row.code(ward_cd, "ward"),
            ward_name=row.text(ward_nm),
            lad_code=row.code(lad_cd, "local authority district"),
            lad_name=row.text(lad_nm),
        )
