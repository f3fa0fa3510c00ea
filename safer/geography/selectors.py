"""Every read of geography that pages, the API, other apps and reports need, scoped to a partnership's districts.

Geography is public open data (no personal data), so reads are not written to the access log. A partnership's area
is the LSOAs, wards and boundaries of its local authority districts (``Partnership.lad_codes``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet

from safer.core.models import Partnership
from safer.geography.importers.postcodes import normal_postcode
from safer.geography.models import (
    DEFAULT_BOUNDARY_EDITION,
    EDITION_VINTAGE,
    IOD_EDITION,
    WARD_EDITION,
    Boundary,
    BoundaryLevel,
    Deprivation,
    Lad,
    Lsoa,
    LsoaSuccessor,
    Population,
    Postcode,
    Vintage,
    Ward,
)

# What each deprivation edition is, for captions ("say source and year next to each table").
EDITION_SOURCES = {
    "IoD2019": "English indices of deprivation 2019 (MHCLG), on 2011 LSOAs; rank 1 of 32,844 = most deprived",
    "IoD2025": "English indices of deprivation 2025 (MHCLG), on 2021 LSOAs; rank 1 of 33,755 = most deprived",
}


def lad_codes_of(partnership: Partnership) -> list[str]:
    return [str(code) for code in partnership.lad_codes]


def partnership_lad_codes(slug: str | None = None) -> list[str] | None:
    """The districts of one partnership (None if there is no such slug), or of every partnership on the installation."""
    if slug is not None:
        partnership = Partnership.objects.filter(slug=slug).first()
        return lad_codes_of(partnership) if partnership else None
    codes: set[str] = set()
    for lad_codes in Partnership.objects.values_list("lad_codes", flat=True):
        codes.update(str(code) for code in lad_codes)
    return sorted(codes)


def district_names(partnership: Partnership) -> list[str]:
    """The partnership's local authority districts as a person reads them: "Oadby and Wigston", in the order the
    partnership lists them. A district whose name is not loaded yet (no lookup imported) shows its code, saying so."""
    names = dict(lads_in(partnership).values_list("code", "name"))
    return [names.get(code) or f"{code} (name not loaded yet)" for code in lad_codes_of(partnership)]


def lads_in(partnership: Partnership) -> QuerySet[Lad]:
    return Lad.objects.filter(code__in=lad_codes_of(partnership))


def lsoas_in(partnership: Partnership, vintage: str = Vintage.LSOA2011.value) -> QuerySet[Lsoa]:
    """The partnership's LSOAs of one vintage (2011 LSOAs for police.uk before June 2023 and IoD2019)."""
    return Lsoa.objects.filter(lad__code__in=lad_codes_of(partnership), vintage=vintage)


def lsoa_ids_by_code(partnership: Partnership, vintage: str = Vintage.LSOA2011.value) -> dict[str, int]:
    """LSOA code → id, to attach imported rows (police.uk ``LSOA code``) to the partnership's LSOAs."""
    return dict(lsoas_in(partnership, vintage).values_list("code", "pk"))


def police_lsoa_ids(partnership: Partnership) -> dict[str, int]:
    """LSOA code as police.uk writes it → id of the partnership's 2011 LSOA it is counted in.

    police.uk months before June 2023 carry 2011 codes, later ones 2021 codes (reference F1). An unchanged LSOA has
    the same code in both; a 2021 code that is new (a split, merged or redesigned LSOA) is translated through the ONS
    lookup when it is loaded (``LsoaSuccessor``). The codes of the two vintages never collide, so one map serves
    every month.
    """
    ids = lsoa_ids_by_code(partnership)
    successors = LsoaSuccessor.objects.filter(
        lsoa__lad__code__in=lad_codes_of(partnership), lsoa__vintage=Vintage.LSOA2011.value, counted_in=True
    ).values_list("code_2021", "lsoa_id")
    for code_2021, lsoa_id in successors:
        ids.setdefault(code_2021, lsoa_id)
    return ids


def has_lsoa_changes(partnership: Partnership) -> bool:
    """Whether the ONS LSOA 2011 → 2021 lookup is loaded for the partnership's area."""
    return LsoaSuccessor.objects.filter(lsoa__lad__code__in=lad_codes_of(partnership)).exists()


def wards_in(partnership: Partnership, edition: str = WARD_EDITION) -> QuerySet[Ward]:
    return Ward.objects.filter(lad__code__in=lad_codes_of(partnership), edition=edition)


@dataclass(frozen=True)
class PopulationFigures:
    """Population per LSOA id for one mid-year; ``year_used`` is None when nothing is loaded."""

    year_asked: int
    year_used: int | None
    by_lsoa: dict[int, int]
    source: str = ""
    lsoas_without_figure: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_lsoa.values())

    @property
    def is_exact(self) -> bool:
        return self.year_used == self.year_asked


def population_years(partnership: Partnership, vintage: str = Vintage.LSOA2011.value) -> list[int]:
    years = (
        Population.objects.filter(lsoa__in=lsoas_in(partnership, vintage))
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    )
    return list(years)


def population_by_lsoa(partnership: Partnership, year: int, vintage: str = Vintage.LSOA2011.value) -> PopulationFigures:
    """Residents per LSOA in the nearest mid-year estimate at or before ``year`` (else the earliest there is)."""
    years = population_years(partnership, vintage)
    if not years:
        return PopulationFigures(year_asked=year, year_used=None, by_lsoa={})
    earlier = [y for y in years if y <= year]
    used = earlier[-1] if earlier else years[0]
    rows = Population.objects.filter(lsoa__in=lsoas_in(partnership, vintage), year=used)
    by_lsoa = dict(rows.values_list("lsoa_id", "total"))
    sources = sorted(set(rows.values_list("source", flat=True)))
    return PopulationFigures(
        year_asked=year,
        year_used=used,
        by_lsoa=by_lsoa,
        source="; ".join(sources),
        lsoas_without_figure=lsoas_in(partnership, vintage).count() - len(by_lsoa),
    )


def deprivation_by_lsoa(partnership: Partnership, edition: str = IOD_EDITION) -> dict[int, Deprivation]:
    """LSOA id → its deprivation (rank, decile, score, domains) in one edition."""
    vintage = EDITION_VINTAGE.get(edition, Vintage.LSOA2011.value)
    rows = Deprivation.objects.filter(edition=edition, lsoa__in=lsoas_in(partnership, vintage))
    return {row.lsoa_id: row for row in rows}


def boundaries_geojson(partnership: Partnership, level: str, edition: str | None = None) -> dict[str, Any]:
    """The partnership's boundaries at one level as a GeoJSON FeatureCollection with properties code and name."""
    if level not in DEFAULT_BOUNDARY_EDITION:
        raise ValueError(f"Unknown boundary level {level!r}. Use one of: {', '.join(DEFAULT_BOUNDARY_EDITION)}")
    used = edition or DEFAULT_BOUNDARY_EDITION[level]
    names: dict[str, str]
    if level == BoundaryLevel.LSOA:
        names = dict(lsoas_in(partnership, used).values_list("code", "name"))
    elif level == BoundaryLevel.WARD:
        names = dict(wards_in(partnership, used).values_list("code", "name"))
    else:
        names = dict(lads_in(partnership).values_list("code", "name"))
    boundaries = Boundary.objects.filter(level=level, edition=used, code__in=names).order_by("code")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": b.code, "name": names[b.code]},
                "geometry": b.geometry,
            }
            for b in boundaries
        ],
    }


@dataclass(frozen=True)
class DistrictSummary:
    code: str
    name: str | None  # None: the district is not loaded
    wards: int
    lsoas: int
    lsoa_boundaries: int
    ward_boundaries: int
    deprivation: int
    population: int | None


@dataclass(frozen=True)
class AreaSummary:
    """How much geography a partnership has, and what is missing (each line of ``missing`` is for people)."""

    districts: list[DistrictSummary]
    wards: int
    lsoas: int
    population_total: int | None
    population_year: int | None
    population_source: str
    deprivation_edition: str
    missing: list[str] = field(default_factory=list)

    @property
    def lads(self) -> int:
        return sum(1 for d in self.districts if d.name is not None)

    @property
    def is_empty(self) -> bool:
        return self.lsoas == 0


def area_summary(partnership: Partnership, vintage: str = Vintage.LSOA2011.value) -> AreaSummary:
    codes = lad_codes_of(partnership)
    names = dict(lads_in(partnership).values_list("code", "name"))
    lsoas = lsoas_in(partnership, vintage)
    lsoa_counts = dict(lsoas.values("lad__code").annotate(n=Count("pk")).values_list("lad__code", "n"))
    ward_counts = dict(wards_in(partnership).values("lad__code").annotate(n=Count("pk")).values_list("lad__code", "n"))
    lsoa_lad = dict(lsoas.values_list("code", "lad__code"))
    ward_lad = dict(wards_in(partnership).values_list("code", "lad__code"))
    lsoa_bounds: dict[str, int] = defaultdict(int)
    for code in Boundary.objects.filter(level=BoundaryLevel.LSOA, edition=vintage, code__in=lsoa_lad).values_list(
        "code", flat=True
    ):
        lsoa_bounds[lsoa_lad[code]] += 1
    ward_bounds: dict[str, int] = defaultdict(int)
    for code in Boundary.objects.filter(level=BoundaryLevel.WARD, edition=WARD_EDITION, code__in=ward_lad).values_list(
        "code", flat=True
    ):
        ward_bounds[ward_lad[code]] += 1
    edition = IOD_EDITION
    deprivation_counts = dict(
        Deprivation.objects.filter(edition=edition, lsoa__in=lsoas)
        .values("lsoa__lad__code")
        .annotate(n=Count("pk"))
        .values_list("lsoa__lad__code", "n")
    )
    latest = Population.objects.filter(lsoa__in=lsoas).aggregate(year=Max("year"))["year"]
    figures = population_by_lsoa(partnership, latest, vintage) if latest else None
    population_by_lad: dict[str, int] = defaultdict(int)
    if figures:
        lad_of_id = dict(lsoas.values_list("pk", "lad__code"))
        for lsoa_id, total in figures.by_lsoa.items():
            population_by_lad[lad_of_id[lsoa_id]] += total
    districts = []
    missing = []
    for code in codes:
        name = names.get(code)
        label = f"{name} ({code})" if name else code
        district = DistrictSummary(
            code=code,
            name=name,
            wards=ward_counts.get(code, 0),
            lsoas=lsoa_counts.get(code, 0),
            lsoa_boundaries=lsoa_bounds.get(code, 0),
            ward_boundaries=ward_bounds.get(code, 0),
            deprivation=deprivation_counts.get(code, 0),
            population=population_by_lad.get(code) if figures else None,
        )
        districts.append(district)
        if not district.lsoas:
            missing.append(f"{label}: no LSOAs loaded (the LSOA to ward lookup)")
            continue
        if district.lsoa_boundaries < district.lsoas:
            missing.append(f"{label}: LSOA boundaries for {district.lsoa_boundaries} of {district.lsoas} LSOAs")
        if district.ward_boundaries < district.wards:
            missing.append(f"{label}: ward boundaries for {district.ward_boundaries} of {district.wards} wards")
        if district.deprivation < district.lsoas:
            missing.append(f"{label}: {edition} deprivation for {district.deprivation} of {district.lsoas} LSOAs")
        if district.population is None:
            missing.append(f"{label}: no population estimates")
    return AreaSummary(
        districts=districts,
        wards=sum(ward_counts.values()),
        lsoas=sum(lsoa_counts.values()),
        population_total=figures.total if figures else None,
        population_year=figures.year_used if figures else None,
        population_source=figures.source if figures else "",
        deprivation_edition=edition,
        missing=missing,
    )


# ---- the community profile page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WardRow:
    code: str
    name: str
    district: str
    lsoas: int
    total: int | None  # in the age-band year
    aged_0_15: int | None
    aged_16_59: int | None
    aged_60_plus: int | None
    latest_total: int | None  # in the latest year


@dataclass(frozen=True)
class LsoaRow:
    code: str
    name: str
    ward: str
    district: str
    imd_rank: int | None
    imd_decile: int | None
    imd_score: float | None
    population: int | None


@dataclass(frozen=True)
class CommunityProfile:
    summary: AreaSummary
    band_year: int | None
    band_source: str
    latest_year: int | None
    latest_source: str
    wards: list[WardRow]
    ward_totals: WardRow | None
    lsoas: list[LsoaRow]
    decile_counts: list[tuple[int, int]]  # (decile, LSOAs)
    deprivation_source: str
    lsoas_ranked: int
    several_districts: bool


def _band_year(lsoas: QuerySet[Lsoa]) -> int | None:
    """The latest year whose estimates carry age bands."""
    year: int | None = Population.objects.filter(lsoa__in=lsoas, aged_0_15__isnull=False).aggregate(y=Max("year"))["y"]
    return year


def community_profile(partnership: Partnership) -> CommunityProfile:
    """Population by ward with age bands, deprivation and population by LSOA, LSOAs per national IMD decile."""
    summary = area_summary(partnership)
    lsoas = lsoas_in(partnership).select_related("ward", "lad")
    band_year = _band_year(lsoas)
    band_rows = {p.lsoa_id: p for p in Population.objects.filter(lsoa__in=lsoas, year=band_year)} if band_year else {}
    latest = population_by_lsoa(partnership, summary.population_year) if summary.population_year else None
    deprivation = deprivation_by_lsoa(partnership)

    wards: dict[str, dict[str, Any]] = {}
    lsoa_rows = []
    for lsoa in lsoas:
        ward_key = lsoa.ward.code if lsoa.ward else ""
        entry = wards.setdefault(
            ward_key,
            {
                "name": lsoa.ward.name if lsoa.ward else "No ward in the lookup",
                "district": lsoa.lad.name,
                "lsoas": 0,
                "bands": [0, 0, 0, 0],
                "band_lsoas": 0,
                "latest": 0,
                "latest_lsoas": 0,
            },
        )
        entry["lsoas"] += 1
        pop = band_rows.get(lsoa.pk)
        if pop is not None:
            entry["band_lsoas"] += 1
            for i, value in enumerate((pop.total, pop.aged_0_15, pop.aged_16_59, pop.aged_60_plus)):
                entry["bands"][i] += value or 0
        latest_value = latest.by_lsoa.get(lsoa.pk) if latest else None
        if latest_value is not None:
            entry["latest"] += latest_value
            entry["latest_lsoas"] += 1
        dep = deprivation.get(lsoa.pk)
        lsoa_rows.append(
            LsoaRow(
                code=lsoa.code,
                name=lsoa.name,
                ward=lsoa.ward.name if lsoa.ward else "",
                district=lsoa.lad.name,
                imd_rank=dep.imd_rank if dep else None,
                imd_decile=dep.imd_decile if dep else None,
                imd_score=dep.imd_score if dep else None,
                population=latest_value,
            )
        )

    def ward_row(code: str, e: dict[str, Any]) -> WardRow:
        complete_bands = e["band_lsoas"] == e["lsoas"]
        return WardRow(
            code=code,
            name=e["name"],
            district=e["district"],
            lsoas=e["lsoas"],
            total=e["bands"][0] if complete_bands else None,
            aged_0_15=e["bands"][1] if complete_bands else None,
            aged_16_59=e["bands"][2] if complete_bands else None,
            aged_60_plus=e["bands"][3] if complete_bands else None,
            latest_total=e["latest"] if e["latest_lsoas"] == e["lsoas"] else None,
        )

    ward_rows = sorted((ward_row(code, e) for code, e in wards.items()), key=lambda w: (w.district, w.name))
    totals = None
    if ward_rows:
        all_entries: dict[str, Any] = {
            "name": "All wards",
            "district": "",
            "lsoas": sum(e["lsoas"] for e in wards.values()),
            "bands": [sum(e["bands"][i] for e in wards.values()) for i in range(4)],
            "band_lsoas": sum(e["band_lsoas"] for e in wards.values()),
            "latest": sum(e["latest"] for e in wards.values()),
            "latest_lsoas": sum(e["latest_lsoas"] for e in wards.values()),
        }
        totals = ward_row("", all_entries)
    deciles: dict[int, int] = defaultdict(int)
    for dep in deprivation.values():
        deciles[dep.imd_decile] += 1
    lsoa_rows.sort(key=lambda r: (r.imd_rank is None, r.imd_rank or 0, r.code))
    band_sources = sorted({p.source for p in band_rows.values()})
    return CommunityProfile(
        summary=summary,
        band_year=band_year,
        band_source="; ".join(band_sources),
        latest_year=latest.year_used if latest else None,
        latest_source=latest.source if latest else "",
        wards=ward_rows,
        ward_totals=totals,
        lsoas=lsoa_rows,
        decile_counts=[(d, deciles.get(d, 0)) for d in range(1, 11)],
        deprivation_source=EDITION_SOURCES[IOD_EDITION],
        lsoas_ranked=len(deprivation),
        several_districts=len(summary.districts) > 1,
    )


def lsoa_boundaries(partnership: Partnership) -> list[tuple[str, dict[str, Any]]]:
    """(LSOA code, GeoJSON geometry) for every LSOA of the partnership that has a boundary loaded."""
    collection = boundaries_geojson(partnership, BoundaryLevel.LSOA)
    return [(f["properties"]["code"], f["geometry"]) for f in collection["features"]]


def postcode_in(partnership: Partnership, postcode: str) -> Postcode | None:
    """A postcode of one of the partnership's districts, as the postcode lookup places it (None if not loaded)."""
    code = normal_postcode(postcode)
    if code is None:
        return None
    return Postcode.objects.filter(code=code, lad_code__in=partnership.lad_codes).first()
