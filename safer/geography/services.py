"""Every write to the geography tables. One transaction per file: a bad file changes nothing.

Each import takes the local authority districts to keep (``lad_codes``); rows of other districts are skipped and
counted. Re-importing a file updates what is there (never duplicates). The lookup comes first: boundaries,
population and deprivation attach to the LSOAs and wards it created.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from safer.geography.importers.base import GeographyImportError, ImportReport, display_name, is_code
from safer.geography.importers.geojson import open_boundaries
from safer.geography.importers.imd_scores import open_imd_scores
from safer.geography.importers.iod import open_iod
from safer.geography.importers.lookup import LookupRow, open_lookup
from safer.geography.importers.lsoa_changes import ChangeRow, open_changes
from safer.geography.importers.population import PopulationRow, open_population
from safer.geography.importers.postcodes import open_postcodes
from safer.geography.models import (
    DEFAULT_BOUNDARY_EDITION,
    EDITION_VINTAGE,
    IOD_EDITION,
    Boundary,
    BoundaryLevel,
    Deprivation,
    Lad,
    Lsoa,
    LsoaSuccessor,
    Population,
    Postcode,
    PostcodeLsoaSource,
    Vintage,
    Ward,
)

__all__ = [
    "BUNDLED",
    "BUNDLED_LADS",
    "FIXTURES",
    "GeographyImportError",
    "ImportReport",
    "clean_lad_codes",
    "import_boundaries",
    "import_bundled",
    "import_deprivation",
    "import_file",
    "import_imd_scores",
    "import_lookup",
    "import_population",
    "import_postcodes",
]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOOKUP_FIRST = "Import the LSOA to ward lookup for these districts first (manage.py import_geography --lookup FILE)"


@dataclass(frozen=True)
class BundledFile:
    """A small real open-data file shipped in ``safer/geography/fixtures`` (origins in its README)."""

    kind: str  # lookup, lsoa-boundaries, ward-boundaries, population, imd, domains, imd-scores, postcodes
    filename: str
    source: str
    year: int | None = None

    @property
    def path(self) -> Path:
        return FIXTURES / self.filename


BUNDLED: tuple[BundledFile, ...] = (
    BundledFile(
        "lookup",
        "lsoa11_wd19_lad19_csp_subset.csv",
        "ONS LSOA (2011) to Ward (2019) Lookup in England and Wales (OGL v3.0)",
    ),
    BundledFile(
        "lsoa-boundaries",
        "LSOA_Dec_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3__csp_subset.geojson",
        "ONS LSOA (Dec 2011) Boundaries Super Generalised Clipped (BSC) EW V3 (OGL v3.0)",
    ),
    BundledFile(
        "ward-boundaries",
        "wards_dec2019_bgc_nwl_oadby_wigston.geojson",
        "ONS Wards (Dec 2019) Boundaries EW BGC, via Open Innovations geography-bits (OGL v3.0)",
    ),
    BundledFile(
        "population",
        "File_6_-_IoD2019_Population_Denominators__csp_subset.csv",
        "ONS mid-2015 LSOA estimates excluding prisoners, from IoD2019 File 6 (MHCLG, OGL v3.0)",
        year=2015,
    ),
    BundledFile(
        "population",
        "2019_population__csp_subset.csv",
        "ONS mid-2019 LSOA estimates (SAPE22DT2), via mySociety composite_uk_imd (OGL v3.0)",
        year=2019,
    ),
    BundledFile(
        "imd",
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation__csp_subset.csv",
        "English indices of deprivation 2019, File 1 (MHCLG, OGL v3.0)",
    ),
    BundledFile(
        "domains",
        "File_2_-_IoD2019_Domains_of_Deprivation__csp_subset.csv",
        "English indices of deprivation 2019, File 2 (MHCLG, OGL v3.0)",
    ),
    BundledFile(
        "imd-scores",
        "UK_IMD_E__csp_subset.csv",
        "IMD 2019 scores (MHCLG, OGL v3.0) via mySociety Composite UK IMD (CC BY 4.0)",
    ),
    BundledFile(
        "postcodes",
        "codepoint_open_2025.4.0__E07000134_E07000135.csv",
        "OS Code-Point Open 2025.4.0 (OGL v3.0): Contains OS data, Royal Mail data and National Statistics data "
        "© Crown copyright and database right 2025",
    ),
)

_LAD = "local authority district"


def clean_lad_codes(lad_codes: Iterable[str]) -> list[str]:
    """The districts to keep, upper-cased and checked; a wrong code is a ValueError naming it."""
    cleaned = sorted({code.strip().upper() for code in lad_codes})
    if not cleaned:
        raise ValueError("Give at least one local authority district code, like E07000135")
    for code in cleaned:
        if not is_code(_LAD, code):
            raise ValueError(
                f"{code!r} is not a local authority district code. Use a 9-character ONS code, like E07000135"
            )
    return cleaned


def _new_report(path: Path, kind: str) -> ImportReport:
    return ImportReport(file=display_name(path), kind=kind)


def _note_missing_lads(report: ImportReport, wanted: list[str]) -> None:
    for code in wanted:
        if code not in report.by_lad:
            report.notes.append(f"{code}: nothing for this district in the file")


def _count(report: ImportReport, lad_code: str) -> None:
    report.by_lad[lad_code] = report.by_lad.get(lad_code, 0) + 1


def _area_lsoas(lad_codes: list[str], vintage: str) -> dict[str, tuple[int, str]]:
    """LSOA code → (id, district code) for the LSOAs already loaded in these districts."""
    rows = Lsoa.objects.filter(lad__code__in=lad_codes, vintage=vintage).values_list("code", "pk", "lad__code")
    return {code: (pk, lad) for code, pk, lad in rows}


def _require_area(name: str, area: dict[str, Any], lad_codes: list[str], what: str) -> None:
    if not area:
        raise GeographyImportError(
            name,
            f"no {what} are loaded yet for {', '.join(lad_codes)}, so nothing here can be matched",
            fix=LOOKUP_FIRST,
        )


# ---- lookup ---------------------------------------------------------------------------------------------------------


def import_lookup(path: Path | str, lad_codes: Iterable[str]) -> ImportReport:
    """ONS LSOA → ward → district lookup: creates or updates the districts, wards and LSOAs of ``lad_codes``."""
    path = Path(path)
    wanted = clean_lad_codes(lad_codes)
    report = _new_report(path, "LSOA to ward lookup")
    kept: dict[str, LookupRow] = {}
    with transaction.atomic():
        with open_lookup(path) as (layout, rows):
            for row in rows:
                report.rows_read += 1
                if row.lad_code not in wanted:
                    report.skipped_outside += 1
                    continue
                if row.lsoa_code in kept:
                    raise GeographyImportError(
                        report.file,
                        f"LSOA {row.lsoa_code} is listed twice (lines {kept[row.lsoa_code].line} and {row.line})",
                        line=row.line,
                        column=layout.columns[0],
                        fix="A best-fit lookup has one row per LSOA; remove the duplicate",
                    )
                kept[row.lsoa_code] = row
        report.kind = f"LSOA ({layout.vintage}) to ward ({layout.ward_edition}) lookup"
        _write_lookup(kept, layout.vintage, layout.ward_edition, report)
    _note_missing_lads(report, wanted)
    return report


def _write_lookup(kept: dict[str, LookupRow], vintage: str, ward_edition: str, report: ImportReport) -> None:
    lads = {row.lad_code: row.lad_name for row in kept.values()}
    Lad.objects.bulk_create(
        [Lad(code=code, name=name) for code, name in lads.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    lad_ids = dict(Lad.objects.filter(code__in=lads).values_list("code", "pk"))
    wards = {row.ward_code: (row.ward_name, row.lad_code) for row in kept.values()}
    Ward.objects.bulk_create(
        [Ward(code=code, name=name, lad_id=lad_ids[lad], edition=ward_edition) for code, (name, lad) in wards.items()],
        update_conflicts=True,
        unique_fields=["code", "edition"],
        update_fields=["name", "lad"],
    )
    ward_ids = dict(Ward.objects.filter(code__in=wards, edition=ward_edition).values_list("code", "pk"))
    existing = Lsoa.objects.filter(code__in=kept, vintage=vintage).count()
    Lsoa.objects.bulk_create(
        [
            Lsoa(
                code=row.lsoa_code,
                name=row.lsoa_name,
                vintage=vintage,
                lad_id=lad_ids[row.lad_code],
                ward_id=ward_ids[row.ward_code],
            )
            for row in kept.values()
        ],
        update_conflicts=True,
        unique_fields=["code", "vintage"],
        update_fields=["name", "lad", "ward"],
    )
    for row in kept.values():
        _count(report, row.lad_code)
    report.imported = len(kept)
    report.created = len(kept) - existing


# ---- LSOA 2011 → 2021 ------------------------------------------------------------------------------------------------


def import_lsoa_changes(path: Path | str, lad_codes: Iterable[str]) -> ImportReport:
    """ONS LSOA (2011) → LSOA (2021) lookup: which 2011 LSOA each 2021 code's rows are counted in (LsoaSuccessor).

    Replaces what was loaded before for these districts' 2011 LSOAs; rows for other 2011 LSOAs are skipped.
    """
    path = Path(path)
    wanted = clean_lad_codes(lad_codes)
    report = _new_report(path, "LSOA (2011) to LSOA (2021) lookup")
    area = _area_lsoas(wanted, Vintage.LSOA2011.value)
    _require_area(report.file, area, wanted, "2011 LSOAs")
    kept: dict[tuple[str, str], ChangeRow] = {}
    with transaction.atomic():
        with open_changes(path) as rows:
            for row in rows:
                report.rows_read += 1
                if row.code_2011 not in area:
                    report.skipped_outside += 1
                    continue
                pair = (row.code_2021, row.code_2011)
                if pair in kept:
                    raise GeographyImportError(
                        report.file,
                        f"{row.code_2011} to {row.code_2021} is listed twice (lines {kept[pair].line} and {row.line})",
                        line=row.line,
                        fix="Remove the duplicate row",
                    )
                kept[pair] = row
        LsoaSuccessor.objects.filter(lsoa_id__in=[pk for pk, _lad in area.values()]).delete()
        first_2011: dict[str, str] = {}
        for code_2021, code_2011 in sorted(kept):
            first_2011.setdefault(code_2021, code_2011)
        LsoaSuccessor.objects.bulk_create(
            [
                LsoaSuccessor(
                    code_2021=row.code_2021,
                    name_2021=row.name_2021[:120],
                    lsoa_id=area[row.code_2011][0],
                    change=row.change,
                    counted_in=first_2011[row.code_2021] == row.code_2011,
                )
                for row in kept.values()
            ]
        )
    for row in kept.values():
        _count(report, area[row.code_2011][1])
    report.imported = report.created = len(kept)
    spanning = sum(1 for code in first_2011 if sum(1 for c21, _ in kept if c21 == code) > 1)
    if spanning:
        report.notes.append(
            f"{spanning} 2021 LSOA{'s span' if spanning != 1 else ' spans'} several 2011 LSOAs (merged or redesigned): "
            "police.uk rows with such a code are counted in the first of them by code"
        )
    _note_missing_lads(report, wanted)
    return report


# ---- boundaries -----------------------------------------------------------------------------------------------------


def _area_codes(level: str, lad_codes: list[str], edition: str) -> dict[str, str]:
    """Code → district code of everything at this level and edition that lies in the districts."""
    if level == BoundaryLevel.LSOA:
        return {code: lad for code, (_pk, lad) in _area_lsoas(lad_codes, edition).items()}
    if level == BoundaryLevel.WARD:
        rows = Ward.objects.filter(lad__code__in=lad_codes, edition=edition).values_list("code", "lad__code")
        return dict(rows)
    return {code: code for code in Lad.objects.filter(code__in=lad_codes).values_list("code", flat=True)}


def import_boundaries(
    path: Path | str,
    lad_codes: Iterable[str],
    *,
    level: str,
    edition: str | None = None,
    source: str | None = None,
) -> ImportReport:
    """GeoJSON polygons of LSOAs, wards or districts: only the geometry is kept, under (level, code, edition).

    The edition comes from ``edition``, else from the code property's name (``LSOA11CD`` → 2011, ``WD19CD`` →
    2019), else the level's default. LSOA boundaries' edition is the LSOA vintage.
    """
    path = Path(path)
    if level not in BoundaryLevel.values:
        raise ValueError(f"Unknown boundary level {level!r}. Use one of: {', '.join(BoundaryLevel.values)}")
    wanted = clean_lad_codes(lad_codes)
    report = _new_report(path, f"{BoundaryLevel(level).label} boundaries")
    kept: dict[str, tuple[int, dict[str, Any], str]] = {}
    areas: dict[str, dict[str, str]] = {}
    used_edition = edition
    with transaction.atomic():
        with open_boundaries(path, level) as features:
            for feature in features:
                report.rows_read += 1
                this_edition = edition or feature.edition or DEFAULT_BOUNDARY_EDITION[level]
                if used_edition is None:
                    used_edition = this_edition
                elif this_edition != used_edition:
                    raise GeographyImportError(
                        report.file,
                        f"this feature is of edition {this_edition} but earlier ones were {used_edition}",
                        feature=feature.index,
                        fix="Import one edition per file",
                    )
                if this_edition not in areas:
                    areas[this_edition] = _area_codes(level, wanted, this_edition)
                    _require_area(report.file, areas[this_edition], wanted, f"{level.upper()}s ({this_edition})")
                lad = areas[this_edition].get(feature.code)
                if lad is None:
                    report.skipped_outside += 1
                    continue
                if feature.code in kept:
                    raise GeographyImportError(
                        report.file,
                        f"{feature.code} appears twice (features {kept[feature.code][0]} and {feature.index})",
                        feature=feature.index,
                        fix="Keep one polygon per area; join the parts into one MultiPolygon",
                    )
                kept[feature.code] = (feature.index, feature.geometry, lad)
        assert used_edition is not None  # the reader refuses a file without features
        existing = Boundary.objects.filter(level=level, edition=used_edition, code__in=kept).count()
        Boundary.objects.bulk_create(
            [
                Boundary(level=level, code=code, edition=used_edition, geometry=geometry, source=source or report.file)
                for code, (_index, geometry, _lad) in kept.items()
            ],
            update_conflicts=True,
            unique_fields=["level", "code", "edition"],
            update_fields=["geometry", "source"],
        )
    for _index, _geometry, lad in kept.values():
        _count(report, lad)
    report.kind = f"{BoundaryLevel(level).label} boundaries ({used_edition})"
    report.imported = len(kept)
    report.created = len(kept) - existing
    _note_missing_lads(report, wanted)
    return report


# ---- population -----------------------------------------------------------------------------------------------------


def _place(
    name: str, line: int, column: str, code: str, lad_code: str | None, wanted: list[str], area: dict[str, Any]
) -> bool:
    """Whether a row of an LSOA file belongs to the area; an LSOA of a wanted district that is not loaded is an error.

    Files with a district column are filtered on it; files without one on the LSOAs loaded for the districts.
    """
    if lad_code is not None and lad_code not in wanted:
        return False
    if code in area:
        return True
    if lad_code is not None:
        raise GeographyImportError(
            name,
            f"LSOA {code} of {lad_code} is not in the lookup loaded for this district",
            line=line,
            column=column,
            fix="Import the lookup of the same LSOA vintage first, or check the code",
        )
    return False


def import_population(
    path: Path | str,
    lad_codes: Iterable[str],
    *,
    year: int,
    source: str | None = None,
    vintage: str = Vintage.LSOA2011.value,
) -> ImportReport:
    """Mid-year population per LSOA (total, and the 0-15 / 16-59 / 60+ bands where the file has them)."""
    path = Path(path)
    wanted = clean_lad_codes(lad_codes)
    report = _new_report(path, f"Population mid-{year}")
    if not 1981 <= year <= 2100:
        raise GeographyImportError(
            report.file, f"{year} is not a mid-year", fix="Give the year as four digits, like 2019"
        )
    area = _area_lsoas(wanted, vintage)
    _require_area(report.file, area, wanted, f"LSOAs ({vintage})")
    # Estimates from mid-2021 are on 2021 LSOAs: a new 2021 code counts in its 2011 LSOA (the parts of a split are
    # added up), as police.uk rows do, when the ONS 2011 → 2021 lookup is loaded.
    successor = _successor_codes(area) if vintage == Vintage.LSOA2011.value else {}
    kept: dict[str, Population] = {}
    lines: dict[str, int] = {}
    translated = 0
    with transaction.atomic():
        with open_population(path, year) as (layout, rows):
            for row in rows:
                report.rows_read += 1
                code = row.lsoa_code
                if code not in area and code in successor:
                    code = successor[code]
                    translated += 1
                elif not _place(report.file, row.line, layout.lsoa, code, row.lad_code, wanted, area):
                    report.skipped_outside += 1
                    continue
                if row.lsoa_code in lines:
                    raise GeographyImportError(
                        report.file,
                        f"LSOA {row.lsoa_code} is listed twice (lines {lines[row.lsoa_code]} and {row.line})",
                        line=row.line,
                        column=layout.lsoa,
                        fix="Keep one row per LSOA",
                    )
                lines[row.lsoa_code] = row.line
                if code in kept:
                    _add_population(kept[code], row)
                    continue
                kept[code] = Population(
                    lsoa_id=area[code][0],
                    year=year,
                    total=row.total,
                    aged_0_15=row.aged_0_15,
                    aged_16_59=row.aged_16_59,
                    aged_60_plus=row.aged_60_plus,
                    source=(source or report.file)[:200],
                )
        if layout.bands:
            report.kind = f"Population mid-{year} with age bands"
        existing = Population.objects.filter(year=year, lsoa_id__in=[p.lsoa_id for p in kept.values()]).count()
        Population.objects.bulk_create(
            list(kept.values()),
            update_conflicts=True,
            unique_fields=["lsoa", "year"],
            update_fields=["total", "aged_0_15", "aged_16_59", "aged_60_plus", "source"],
        )
    for code in kept:
        _count(report, area[code][1])
    report.imported = len(kept)
    report.created = len(kept) - existing
    if translated:
        report.notes.append(
            f"{translated} row{'s' if translated != 1 else ''} with a new 2021 LSOA code counted in "
            "the 2011 LSOA the ONS lookup gives (the parts of a split LSOA added up)"
        )
    _note_missing_lads(report, wanted)
    return report


def _successor_codes(area: dict[str, tuple[int, str]]) -> dict[str, str]:
    """New 2021 LSOA code → the code of the 2011 LSOA in the area it counts in (LsoaSuccessor)."""
    codes = {pk: code for code, (pk, _lad) in area.items()}
    rows = LsoaSuccessor.objects.filter(lsoa_id__in=codes, counted_in=True).values_list("code_2021", "lsoa_id")
    return {code_2021: codes[lsoa_id] for code_2021, lsoa_id in rows if code_2021 not in area}


def _add_population(into: Population, row: PopulationRow) -> None:
    into.total += row.total
    for band in ("aged_0_15", "aged_16_59", "aged_60_plus"):
        mine, theirs = getattr(into, band), getattr(row, band)
        setattr(into, band, None if mine is None or theirs is None else mine + theirs)


# ---- deprivation ----------------------------------------------------------------------------------------------------


def _vintage_of(edition: str) -> str:
    try:
        return EDITION_VINTAGE[edition]
    except KeyError:
        raise ValueError(f"Unknown deprivation edition {edition!r}. Use one of: {', '.join(EDITION_VINTAGE)}") from None


def import_deprivation(path: Path | str, lad_codes: Iterable[str], *, edition: str = IOD_EDITION) -> ImportReport:
    """IoD File 1 (IMD rank and decile) or File 2 (the same plus the seven domains), per LSOA.

    File 1 leaves domains already imported from File 2 as they are; File 2 sets them.
    """
    path = Path(path)
    wanted = clean_lad_codes(lad_codes)
    vintage = _vintage_of(edition)
    report = _new_report(path, f"{edition} deprivation")
    area = _area_lsoas(wanted, vintage)
    _require_area(report.file, area, wanted, f"LSOAs ({vintage})")
    kept: dict[str, Deprivation] = {}
    lines: dict[str, int] = {}
    with transaction.atomic():
        with open_iod(path, edition) as (layout, rows):
            for row in rows:
                report.rows_read += 1
                if not _place(report.file, row.line, layout.lsoa, row.lsoa_code, row.lad_code, wanted, area):
                    report.skipped_outside += 1
                    continue
                if row.lsoa_code in kept:
                    raise GeographyImportError(
                        report.file,
                        f"LSOA {row.lsoa_code} is listed twice (lines {lines[row.lsoa_code]} and {row.line})",
                        line=row.line,
                        column=layout.lsoa,
                        fix="Keep one row per LSOA",
                    )
                lines[row.lsoa_code] = row.line
                kept[row.lsoa_code] = Deprivation(
                    lsoa_id=area[row.lsoa_code][0],
                    edition=edition,
                    imd_rank=row.imd_rank,
                    imd_decile=row.imd_decile,
                    domains=row.domains,
                )
        fields = ["imd_rank", "imd_decile"]
        if layout.domains:
            fields.append("domains")
            report.kind = f"{edition} IMD and {len(layout.domains)} domains"
        else:
            report.kind = f"{edition} IMD rank and decile"
        existing = Deprivation.objects.filter(edition=edition, lsoa_id__in=[d.lsoa_id for d in kept.values()]).count()
        Deprivation.objects.bulk_create(
            list(kept.values()),
            update_conflicts=True,
            unique_fields=["lsoa", "edition"],
            update_fields=fields,
        )
    for code in kept:
        _count(report, area[code][1])
    report.imported = len(kept)
    report.created = len(kept) - existing
    _note_missing_lads(report, wanted)
    return report


def import_imd_scores(path: Path | str, lad_codes: Iterable[str], *, edition: str = IOD_EDITION) -> ImportReport:
    """IMD scores (mySociety's ``overall_local_score``) onto the deprivation rows already imported from File 1 or 2."""
    path = Path(path)
    wanted = clean_lad_codes(lad_codes)
    vintage = _vintage_of(edition)
    report = _new_report(path, f"{edition} IMD scores")
    area = _area_lsoas(wanted, vintage)
    _require_area(report.file, area, wanted, f"LSOAs ({vintage})")
    loaded = {
        d.lsoa_id: d
        for d in Deprivation.objects.filter(edition=edition, lsoa_id__in=[pk for pk, _lad in area.values()])
    }
    changed: dict[str, Deprivation] = {}
    with transaction.atomic():
        with open_imd_scores(path) as rows:
            for row in rows:
                report.rows_read += 1
                if row.lsoa_code not in area:
                    report.skipped_outside += 1
                    continue
                deprivation = loaded.get(area[row.lsoa_code][0])
                if deprivation is None:
                    raise GeographyImportError(
                        report.file,
                        f"LSOA {row.lsoa_code} has no {edition} rank yet",
                        line=row.line,
                        column="lsoa",
                        fix=f"Import {edition} File 1 or File 2 first (--imd or --domains)",
                    )
                if deprivation.imd_decile != row.decile:
                    raise GeographyImportError(
                        report.file,
                        f"LSOA {row.lsoa_code} has IMD decile {row.decile} here"
                        f" but {deprivation.imd_decile} in {edition}",
                        line=row.line,
                        column="original_decile",
                        fix=f"Use scores of the same edition ({edition})",
                    )
                if row.lsoa_code in changed:
                    raise GeographyImportError(
                        report.file, f"LSOA {row.lsoa_code} is listed twice", line=row.line, column="lsoa"
                    )
                deprivation.imd_score = row.score
                changed[row.lsoa_code] = deprivation
        Deprivation.objects.bulk_update(list(changed.values()), ["imd_score"])
    for code in changed:
        _count(report, area[code][1])
    report.imported = len(changed)
    _note_missing_lads(report, wanted)
    return report


# ---- everything bundled ---------------------------------------------------------------------------------------------


def import_file(
    kind: str, path: Path | str, lad_codes: Iterable[str], *, year: int | None = None, source: str | None = None
) -> ImportReport:
    """One file of a given kind (the names the command's options use)."""
    if kind == "lookup":
        return import_lookup(path, lad_codes)
    if kind == "lsoa-changes":
        return import_lsoa_changes(path, lad_codes)
    if kind == "lsoa-boundaries":
        return import_boundaries(path, lad_codes, level=BoundaryLevel.LSOA, source=source)
    if kind == "ward-boundaries":
        return import_boundaries(path, lad_codes, level=BoundaryLevel.WARD, source=source)
    if kind == "population":
        if year is None:
            raise ValueError("A population file needs its mid-year, like 2019")
        return import_population(path, lad_codes, year=year, source=source)
    if kind in ("imd", "domains"):
        return import_deprivation(path, lad_codes)
    if kind == "imd-scores":
        return import_imd_scores(path, lad_codes)
    if kind == "postcodes":
        return import_postcodes(path, lad_codes, source=source)
    raise ValueError(f"Unknown kind of geography file {kind!r}")


def import_postcodes(path: Path | str, lad_codes: Iterable[str], *, source: str | None = None) -> ImportReport:
    """Postcodes of these districts: position, ward, and LSOA (the Directory's own, else the LSOA whose boundary
    holds the position; load the lookup and LSOA boundaries first). Re-importing updates each postcode in place."""
    from pyproj import Transformer

    from safer.geography.locate import LsoaLocator

    path = Path(path)
    wanted = clean_lad_codes(lad_codes)
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    boundaries = Boundary.objects.filter(
        level=BoundaryLevel.LSOA,
        edition=DEFAULT_BOUNDARY_EDITION[BoundaryLevel.LSOA],
        code__in=Lsoa.objects.filter(lad__code__in=wanted).values("code"),
    )
    locator = LsoaLocator([(b.code, b.geometry) for b in boundaries])
    rows: dict[str, Postcode] = {}
    with open_postcodes(path) as found:
        report = _new_report(path, f"postcodes ({found.kind})")
        label = source or f"{found.kind}: {path.name}"
        for row in found.rows:
            report.rows_read += 1
            if row.lad_code not in wanted:
                report.skipped_outside += 1
                continue
            longitude, latitude = to_wgs84.transform(row.easting, row.northing)
            lsoa, how = row.lsoa_code, PostcodeLsoaSource.DIRECTORY if row.lsoa_code else ""
            if not lsoa:
                lsoa = locator.locate(latitude, longitude) or ""
                how = PostcodeLsoaSource.BOUNDARY if lsoa else ""
            rows[row.code] = Postcode(
                code=row.code,
                easting=row.easting,
                northing=row.northing,
                latitude=round(latitude, 6),
                longitude=round(longitude, 6),
                lad_code=row.lad_code,
                ward_code=row.ward_code,
                lsoa_code=lsoa,
                lsoa_source=how,
                quality=row.quality,
                source=label[:200],
            )
            report.by_lad[row.lad_code] = report.by_lad.get(row.lad_code, 0) + 1
    existing = set(Postcode.objects.filter(code__in=list(rows)).values_list("code", flat=True))
    with transaction.atomic():
        Postcode.objects.bulk_create(
            rows.values(),
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "easting",
                "northing",
                "latitude",
                "longitude",
                "lad_code",
                "ward_code",
                "lsoa_code",
                "lsoa_source",
                "quality",
                "source",
            ],
        )
    report.imported = len(rows)
    report.created = len(rows) - len(existing)
    unplaced = sum(1 for p in rows.values() if not p.lsoa_code)
    if not locator and not any(p.lsoa_source == PostcodeLsoaSource.DIRECTORY for p in rows.values()):
        report.notes.append("no LSOA boundaries are loaded, so no postcode could be placed in an LSOA")
    elif unplaced:
        report.notes.append(f"{unplaced:,} postcodes lie outside every LSOA boundary loaded: they have no LSOA")
    _note_missing_lads(report, wanted)
    return report


def import_bundled(lad_codes: Iterable[str]) -> list[ImportReport]:
    """Every bundled open-data file for these districts, in order, as one transaction."""
    wanted = clean_lad_codes(lad_codes)
    with transaction.atomic():
        return [
            import_file(bundled.kind, bundled.path, wanted, year=bundled.year, source=bundled.source)
            for bundled in BUNDLED
        ]


# The districts the bundled files cover: North West Leicestershire, Oadby and Wigston, Wigan.
BUNDLED_LADS = frozenset({"E07000134", "E07000135", "E08000010"})
