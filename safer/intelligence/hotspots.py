"""Hot spots: statistically significant clusters of crime, ASB or searches among a partnership's LSOAs, and the
street locations where records repeat.

What Gi* means here
-------------------
Each LSOA's count of records in the period is compared with the counts of its neighbours. The Getis-Ord Gi* statistic
(``esda.getisord.G_Local`` with ``star=True``) adds up the counts of an LSOA *and* of the LSOAs that touch it (queen
contiguity: sharing an edge or a corner, worked out with libpysal from the ONS boundary polygons stored for the
partnership) and compares that local sum with what the partnership's whole distribution would give by chance.

* A **hot spot** is an LSOA whose neighbourhood (itself and its neighbours) holds significantly more records than
  chance would put there; a **cold spot** significantly fewer. One busy LSOA among quiet ones is usually *not* a hot
  spot: Gi* looks for clusters, and the count table says where single LSOAs stand out.
* Significance comes from 9,999 conditional permutations (each LSOA's neighbours are drawn at random from the other
  LSOAs' counts), giving a two-sided pseudo p-value; the random generator has a fixed seed, so the same data always
  gives the same classes. Classes: p ≤ 0.01 → 99% confidence, ≤ 0.05 → 95%, ≤ 0.10 → 90%; hot or cold by the sign of
  the z-score (the standardised Gi* under the normal approximation, shown beside it). With many LSOAs some will pass
  90% or 95% by chance alone (about 1 in 10 or 1 in 20 when there is no pattern at all), so the table also says which
  pass the false discovery rate cut-off at 5% (``esda.fdr``), and the page reports the global General G test first.
* LSOAs are units of about 1,500 residents, so counts are compared directly (Bedfordshire's Op Rowan used LSOAs as
  hot spot units); the rate per 1,000 residents is shown beside each count. LSOAs at the edge of the partnership have
  fewer neighbours (nothing beyond the boundary is loaded), so edge results rest on fewer areas. An LSOA with no
  neighbour in the polygons (an island) is joined to its nearest LSOA by centroid, so it is still tested.
* With few records the permutations have little to work with and one record moves an LSOA's class, so no test is run
  (and no map drawn) with fewer than 8 LSOAs, or fewer than 50 records or 2 per LSOA on average; the page says
  "not enough data for a reliable test" and lists the counts instead.

What the anonymised police.uk points cannot show
-----------------------------------------------
police.uk moves every record to the nearest point on a national list of anonymous map points (the centre of a
street, a public place or a commercial premise with at least eight postal addresses in its catchment) and names it
"On or near <street>"; the LSOA is the LSOA of that point, not of the true location (strategy reference §3.4). So:

* Repeat locations are repeats at a *map point*, not at an address: a point collects every record from the streets
  around it, and a point with no premises can show a pile of records (41 shoplifting offences at a residential point
  in Gloucester). They cannot show a repeat victim, a repeat address or a single premises.
* Nothing finer than the spacing of the map points is meaningful, so hot spots are tested on LSOAs, never on a fine
  grid (grid cells smaller than the point spacing make artificial hot cells on single map points).
* Records with no location are in no LSOA and in no hot spot; how many there are is declared beside the figures.
* Forces geocode differently (60% to 97% accuracy before anonymisation), so compare hot spots within one force.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Count, Max, Min, QuerySet
from django.http import Http404

from safer.core.models import Partnership
from safer.geography import selectors as geography
from safer.intelligence import rates as rate_selectors
from safer.intelligence.categories import ASB
from safer.intelligence.models import PartnerRecord, RunStatus, Source, StopSearch, StreetRecord
from safer.intelligence.rates import RateRow, RateTable, format_number, round1
from safer.intelligence.selectors import Dataset, Flag, is_partner

PERMUTATIONS = 9_999  # fine enough for the false discovery rate check, whose first cut-off is 0.05 / LSOAs
SEED = 20_261_123  # fixed, so the same data always gives the same pseudo p-values
CONFIDENCE = ((99, 0.01), (95, 0.05), (90, 0.10))
FDR_ALPHA = 0.05
MIN_AREAS = 8  # fewer LSOAs with boundaries than this: no test
MIN_RECORDS = 50  # fewer records than this, or fewer than PER_AREA per LSOA on average: no test
PER_AREA = 2
TOP_LOCATIONS = 20

HOT, COLD = "hot", "cold"


@dataclass(frozen=True)
class GiClass:
    key: str
    label: str
    colour: str  # the map's fill; the table and the key always say the class in words too


# A diverging red-blue scale (ColorBrewer RdBu, 7 classes); "not significant" is white.
CLASSES = [
    GiClass("hot-99", "Hot spot, 99% confidence", "#b2182b"),
    GiClass("hot-95", "Hot spot, 95% confidence", "#ef8a62"),
    GiClass("hot-90", "Hot spot, 90% confidence", "#fddbc7"),
    GiClass("none", "Not significant", "#ffffff"),
    GiClass("cold-90", "Cold spot, 90% confidence", "#d1e5f0"),
    GiClass("cold-95", "Cold spot, 95% confidence", "#67a9cf"),
    GiClass("cold-99", "Cold spot, 99% confidence", "#2166ac"),
]
CLASS_BY_KEY = {c.key: c for c in CLASSES}


# ---- the statistics ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GiStat:
    z: float  # standardised Gi* (normal approximation)
    p: float  # two-sided pseudo p-value from the permutations
    direction: str | None  # HOT, COLD or None (not significant at 90%)
    confidence: int | None  # 99, 95, 90 or None

    @property
    def key(self) -> str:
        return f"{self.direction}-{self.confidence}" if self.direction else "none"


def classify(z: float, p: float) -> tuple[str | None, int | None]:
    """Hot or cold by the sign of z, at the highest confidence whose cut-off the pseudo p-value meets."""
    for confidence, cutoff in CONFIDENCE:
        if p <= cutoff and z != 0 and not math.isnan(z):
            return (HOT if z > 0 else COLD), confidence
    return None, None


@dataclass
class Weights:
    """Queen contiguity between areas, in the order of ``ids``; islands joined to their nearest area."""

    ids: list[str]
    w: Any  # libpysal.weights.W (binary)
    islands: list[str]  # areas that touched no other and were joined to the nearest one
    components: int  # separate groups of touching areas (after joining islands)

    def neighbours(self, area: str) -> list[str]:
        return sorted(str(n) for n in self.w.neighbors[area])


def contiguity(geometries: Sequence[tuple[str, dict[str, Any]]]) -> Weights:
    """Queen contiguity weights from GeoJSON polygons ``(code, geometry)``, built with shapely and libpysal."""
    from libpysal.weights import KNN, W, attach_islands
    from libpysal.weights import Queen as QueenWeights
    from shapely.geometry import shape

    ids = [code for code, _ in geometries]
    shapes = [shape(geometry) for _, geometry in geometries]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "not fully connected" / "islands": handled and reported below
        w = QueenWeights.from_iterable(shapes, ids=ids)
        islands = [str(i) for i in w.islands]
        if islands and len(ids) > 1:
            # Nearest by centroid, on longitude scaled by cos(latitude) so east-west distances are not stretched.
            centroids = [s.centroid for s in shapes]
            mean_lat = sum(c.y for c in centroids) / len(centroids)
            points = np.array([[c.x * math.cos(math.radians(mean_lat)), c.y] for c in centroids])
            nearest = KNN.from_array(points, k=1, ids=ids)
            w = attach_islands(w, nearest)
            w = W(w.neighbors, ids=ids, id_order=ids)
        components = int(w.n_components)
    w.transform = "B"
    return Weights(ids=ids, w=w, islands=islands, components=components)


def gi_star(
    values: Sequence[float], weights: Weights, permutations: int = PERMUTATIONS, seed: int = SEED
) -> list[GiStat]:
    """Getis-Ord Gi* for each area (in ``weights.ids`` order) with two-sided pseudo p-values from ``permutations``."""
    from esda.getisord import G_Local

    y = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = G_Local(
            y,
            weights.w,
            transform="B",
            permutations=permutations,
            star=True,
            keep_simulations=False,
            n_jobs=1,
            seed=seed,
            alternative="two-sided",
        )
    stats = []
    for z, p in zip(result.Zs, result.p_sim, strict=True):
        direction, confidence = classify(float(z), round(float(p), 6))  # p_sim is float32
        stats.append(GiStat(z=float(z), p=round(float(p), 6), direction=direction, confidence=confidence))
    return stats


@dataclass(frozen=True)
class GlobalG:
    """Getis-Ord General G over the whole area: are high counts clustered at all?"""

    observed: float
    expected: float
    z: float
    p: float  # two-sided pseudo p-value from the permutations

    @property
    def clustered(self) -> bool:
        return self.p <= 0.05 and self.observed > self.expected


def general_g(values: Sequence[float], weights: Weights, permutations: int = PERMUTATIONS, seed: int = SEED) -> GlobalG:
    from esda.getisord import G

    state = np.random.get_state()  # G draws from numpy's global generator: seed it, then put it back
    try:
        np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = G(np.asarray(values, dtype=float), weights.w, permutations=permutations)
    finally:
        np.random.set_state(state)
    larger = float(np.sum(result.sim >= result.G))
    extreme = min(larger, permutations - larger)
    return GlobalG(
        observed=float(result.G),
        expected=float(result.EG),
        z=float(result.z_norm),
        p=min(1.0, (2 * extreme + 1) / (permutations + 1)),
    )


def fdr_cutoff(pvalues: Sequence[float], alpha: float = FDR_ALPHA) -> float:
    """The false discovery rate cut-off (Benjamini-Hochberg style, ``esda.fdr``): p at or under it passes."""
    from esda import fdr

    return float(fdr(np.asarray(pvalues, dtype=float), alpha)) if len(pvalues) else 0.0


# ---- the partnership's hot spots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotspotRow:
    code: str
    name: str
    ward: str
    count: int
    population: int | None
    rate: float | None  # per 1,000 residents in the period
    imd_decile: int | None
    z: float
    p: float
    direction: str | None
    confidence: int | None
    passes_fdr: bool
    neighbours: int

    @property
    def key(self) -> str:
        return f"{self.direction}-{self.confidence}" if self.direction else "none"

    @property
    def label(self) -> str:
        return CLASS_BY_KEY[self.key].label

    @property
    def colour(self) -> str:
        return CLASS_BY_KEY[self.key].colour


@dataclass(frozen=True)
class RepeatLocation:
    location: str
    latitude: float | None
    longitude: float | None
    lsoa_code: str
    lsoa_name: str
    count: int
    months_with_records: int
    first: date
    last: date

    @property
    def span_months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1


@dataclass
class Hotspots:
    dataset: Dataset
    table: RateTable  # counts, residents and rates per LSOA (rates.py), and its flags
    rows: list[HotspotRow]  # every LSOA tested, hot spots first (strongest first), then the rest, cold spots last
    not_tested: list[RateRow]  # LSOAs with no boundary loaded
    weights: Weights | None
    reason: str | None  # why no test was run (not enough data), or None
    general: GlobalG | None
    fdr: float | None
    repeats: list[RepeatLocation]
    flags: list[Flag] = field(default_factory=list)
    permutations: int = PERMUTATIONS
    seed: int = SEED

    @property
    def tested(self) -> bool:
        return self.reason is None

    @property
    def significant(self) -> list[HotspotRow]:
        return [r for r in self.rows if r.direction is not None]

    @property
    def hot(self) -> list[HotspotRow]:
        return [r for r in self.rows if r.direction == HOT]

    @property
    def cold(self) -> list[HotspotRow]:
        return [r for r in self.rows if r.direction == COLD]

    @property
    def class_counts(self) -> list[tuple[GiClass, int]]:
        counts = {c.key: 0 for c in CLASSES}
        for row in self.rows:
            counts[row.key] += 1
        return [(c, counts[c.key]) for c in CLASSES]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def start(self) -> date:
        return self.table.start

    @property
    def end(self) -> date:
        return self.table.end

    @property
    def period_label(self) -> str:
        return self.table.period_label

    @property
    def noun(self) -> str:
        return self.table.noun


def _order(row: HotspotRow) -> tuple[int, float, str]:
    group = 0 if row.direction == HOT else 2 if row.direction == COLD else 1
    return group, -row.z if group != 2 else row.z, row.code


def hotspots(
    partnership: Partnership, chosen: Dataset, start: date, end: date, top: int = TOP_LOCATIONS
) -> Hotspots | None:
    """Gi* hot and cold spots among the partnership's LSOAs for one dataset and period, and the top repeat locations.

    None when no month of the period is loaded. When there is too little data for a reliable test, ``reason`` says
    so and every LSOA is listed as not significant, with its count and rate.
    """
    table = rate_selectors.rates(partnership, chosen, start, end, "lsoa")
    if table is None:
        return None
    by_code = {row.code: row for row in table.rows}
    boundaries = [(code, geometry) for code, geometry in geography.lsoa_boundaries(partnership) if code in by_code]
    drawn = {code for code, _ in boundaries}
    not_tested = [row for row in table.rows if row.code not in drawn]
    counts = [by_code[code].count for code, _ in boundaries]
    total = sum(counts)
    reason = _not_enough(len(boundaries), total, counts, table.noun)
    weights = contiguity(boundaries) if len(boundaries) >= 2 else None
    stats: list[GiStat] | None = None
    general = None
    cutoff = None
    if reason is None and weights is not None:
        stats = gi_star(counts, weights)
        general = general_g(counts, weights)
        cutoff = fdr_cutoff([s.p for s in stats])
    rows = []
    for index, (code, _geometry) in enumerate(boundaries):
        rate_row = by_code[code]
        stat = stats[index] if stats else None
        rows.append(
            HotspotRow(
                code=code,
                name=rate_row.name,
                ward=rate_row.parent,
                count=rate_row.count,
                population=rate_row.population,
                rate=rate_row.rate,
                imd_decile=rate_row.imd_decile,
                z=stat.z if stat else math.nan,
                p=stat.p if stat else math.nan,
                direction=stat.direction if stat else None,
                confidence=stat.confidence if stat else None,
                passes_fdr=bool(stat and stat.direction and cutoff is not None and stat.p <= cutoff),
                neighbours=len(weights.w.neighbors[code]) if weights else 0,
            )
        )
    rows.sort(key=_order if stats else lambda r: (-r.count, r.code))
    result = Hotspots(
        dataset=chosen,
        table=table,
        rows=rows,
        not_tested=not_tested,
        weights=weights,
        reason=reason,
        general=general,
        fdr=cutoff,
        repeats=repeat_locations(partnership, chosen, table.start, table.end, top),
    )
    result.flags = [*table.flags, *_flags(result)]
    return result


def _not_enough(areas: int, total: int, counts: list[int], noun: str) -> str | None:
    if areas < MIN_AREAS:
        return (
            f"Only {areas} LSOA{'s have' if areas != 1 else ' has'} a boundary loaded: not enough areas for a reliable "
            f"test (at least {MIN_AREAS} are needed). Load the LSOA boundaries with manage.py import_geography."
        )
    needed = max(MIN_RECORDS, PER_AREA * areas)
    if total < needed:
        return (
            f"Only {total:,} {noun} were placed in the {areas} LSOAs in this period: not enough data for a reliable "
            f"test (at least {needed:,} are needed, and at least {PER_AREA} per LSOA on average). Choose a longer "
            "period or a broader category."
        )
    if len(set(counts)) == 1:
        return f"Every LSOA has the same count ({counts[0]:,}), so there is no pattern to test."
    return None


def _flags(result: Hotspots) -> list[Flag]:
    flags = []
    if result.not_tested:
        names = ", ".join(f"{r.name} ({r.code})" for r in result.not_tested[:6])
        more = " and more" if len(result.not_tested) > 6 else ""
        placed = sum(r.count for r in result.not_tested)
        flags.append(
            Flag(
                "warning",
                f"{len(result.not_tested)} LSOA{'s have' if len(result.not_tested) != 1 else ' has'} no boundary "
                f"loaded, so {'they are' if len(result.not_tested) != 1 else 'it is'} not in the test or the map: "
                f"{names}{more} ({placed:,} {result.noun}).",
            )
        )
    weights = result.weights
    if weights is not None and weights.islands:
        flags.append(
            Flag(
                "info",
                f"{len(weights.islands)} LSOA{'s touch' if len(weights.islands) != 1 else ' touches'} no other LSOA "
                f"in the boundaries ({', '.join(weights.islands[:6])}) and "
                f"{'were' if len(weights.islands) != 1 else 'was'} joined to the nearest LSOA for the test.",
            )
        )
    if weights is not None and weights.components > 1:
        flags.append(
            Flag(
                "info",
                f"The LSOAs form {weights.components} separate groups that do not touch (for example, districts "
                "apart from each other); each LSOA is compared with its own neighbours only.",
            )
        )
    return flags


# ---- repeat locations ----------------------------------------------------------------------------------------------


def _records(partnership: Partnership, chosen: Dataset, start: date, end: date) -> QuerySet[StreetRecord]:
    qs = StreetRecord.objects.filter(
        partnership=partnership,
        month__gte=start,
        month__lte=end,
        run__status=RunStatus.LIVE,
        lsoa__isnull=False,
    )
    return qs.exclude(category=ASB) if chosen.categories is None else qs.filter(category__in=chosen.categories)


def partner_records_behind(
    partnership: Partnership, chosen: Dataset, start: date, end: date, lsoa_code: str
) -> QuerySet[PartnerRecord]:
    """The live partner rows behind an LSOA's count (partner data has no map points)."""
    _check_lsoa(partnership, lsoa_code)
    return (
        PartnerRecord.objects.filter(
            partnership=partnership,
            source__partnership=partnership,
            run__source=chosen.source,
            run__status=RunStatus.LIVE,
            month__gte=start,
            month__lte=end,
            lsoa__code=lsoa_code,
        )
        .select_related("lsoa", "run")
        .order_by("month", "category", "line")
    )


def _searches(partnership: Partnership, start: date, end: date) -> QuerySet[StopSearch]:
    return StopSearch.objects.filter(
        partnership=partnership, month__gte=start, month__lte=end, run__status=RunStatus.LIVE, lsoa__isnull=False
    )


def repeat_locations(
    partnership: Partnership, chosen: Dataset, start: date, end: date, top: int = TOP_LOCATIONS
) -> list[RepeatLocation]:
    """The anonymous map points with the most records in the period (street name and point), most first.

    Partner data is placed by LSOA or ward, not at map points, so it has no repeat locations."""
    if is_partner(chosen.source):
        return []
    qs: QuerySet[Any]
    if chosen.source == Source.POLICEUK_STOP_SEARCH:
        qs = _searches(partnership, start, end).values("latitude", "longitude", "lsoa__code", "lsoa__name")
    else:
        qs = _records(partnership, chosen, start, end).values(
            "location", "latitude", "longitude", "lsoa__code", "lsoa__name"
        )
    grouped = qs.annotate(
        n=Count("id"), first=Min("month"), last=Max("month"), months=Count("month", distinct=True)
    ).order_by("-n", "lsoa__code", "latitude", "longitude")[:top]
    found = []
    for item in grouped:
        location = str(item.get("location") or "") or (
            "Map point with no street name in the file"
            if item["latitude"] is None
            else f"Map point {item['latitude']:.6f}, {item['longitude']:.6f}"
        )
        found.append(
            RepeatLocation(
                location=location,
                latitude=item["latitude"],
                longitude=item["longitude"],
                lsoa_code=item["lsoa__code"],
                lsoa_name=item["lsoa__name"],
                count=int(item["n"]),
                months_with_records=int(item["months"]),
                first=item["first"],
                last=item["last"],
            )
        )
    return [r for r in found if r.count > 1]


# ---- the rows behind a figure --------------------------------------------------------------------------------------


def _check_lsoa(partnership: Partnership, lsoa_code: str | None) -> None:
    if lsoa_code is not None and not geography.lsoas_in(partnership).filter(code=lsoa_code).exists():
        raise Http404("No such LSOA in this partnership")


def records_behind(
    partnership: Partnership,
    chosen: Dataset,
    start: date,
    end: date,
    lsoa_code: str | None = None,
    point: tuple[str, float | None, float | None] | None = None,
) -> QuerySet[StreetRecord]:
    """The live rows behind an LSOA's count or a repeat location's (street name and point) count.

    An LSOA that is not the partnership's is a 404."""
    _check_lsoa(partnership, lsoa_code)
    records = _records(partnership, chosen, start, end).select_related("lsoa", "run")
    if is_partner(chosen.source):
        raise Http404("Partner data has no map points")
    if lsoa_code is not None:
        records = records.filter(lsoa__code=lsoa_code)
    if point is not None:
        location, latitude, longitude = point
        records = records.filter(location=location, latitude=latitude, longitude=longitude)
    return records.order_by("month", "category", "line")


def searches_behind(
    partnership: Partnership,
    start: date,
    end: date,
    lsoa_code: str | None = None,
    point: tuple[float | None, float | None] | None = None,
) -> QuerySet[StopSearch]:
    """The live stop-and-search rows behind an LSOA's count or a map point's count."""
    _check_lsoa(partnership, lsoa_code)
    searches = _searches(partnership, start, end).select_related("lsoa", "run")
    if lsoa_code is not None:
        searches = searches.filter(lsoa__code=lsoa_code)
    if point is not None:
        searches = searches.filter(latitude=point[0], longitude=point[1])
    return searches.order_by("searched_at", "line")


# ---- the map and the exports ---------------------------------------------------------------------------------------


def map_features(partnership: Partnership, result: Hotspots) -> dict[str, Any]:
    """LSOA boundaries as GeoJSON, each with its Gi* class colour and the figures the tooltip shows."""
    by_code = {row.code: row for row in result.rows}
    features = []
    for feature in geography.boundaries_geojson(partnership, "lsoa")["features"]:
        row = by_code.get(feature["properties"]["code"])
        if row is None:
            continue
        lines = [row.label if result.tested else "Not tested", f"Count: {row.count:,}"]
        lines.append(f"Per 1,000 residents in the period: {format_number(row.rate)}")
        if result.tested:
            lines.append(f"Gi* z-score: {row.z:.2f}; p-value: {row.p:.3f}")
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": row.code,
                    "name": row.name,
                    "band": 0,
                    "colour": row.colour,
                    "gi": row.key,
                    "lines": lines,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def export_rows(result: Hotspots) -> tuple[list[str], list[list[str | int | float | None]]]:
    """Every LSOA tested, as on the page (z to two places, p to three), then the LSOAs with no boundary."""
    year = result.table.population.year_used
    header = [
        "LSOA code",
        "LSOA name",
        "Ward",
        "Count",
        f"Residents (mid-{year})" if year else "Residents",
        "Rate per 1,000 in the period",
        "Gi* z-score",
        "Pseudo p-value (two-sided)",
        "Class",
        f"Passes the false discovery rate cut-off ({FDR_ALPHA:.0%})",
        "Neighbours",
    ]
    rows: list[list[str | int | float | None]] = []
    for r in result.rows:
        rows.append(
            [
                r.code,
                r.name,
                r.ward,
                r.count,
                r.population,
                round1(r.rate),
                None if math.isnan(r.z) else round(r.z, 2),
                None if math.isnan(r.p) else round(r.p, 4),
                r.label if result.tested else "Not tested",
                ("Yes" if r.passes_fdr else "No") if r.direction else "",
                r.neighbours,
            ]
        )
    for n in result.not_tested:
        rows.append([n.code, n.name, n.parent, n.count, n.population, round1(n.rate), None, None, "No boundary", "", 0])
    return header, rows


def export_locations(result: Hotspots) -> tuple[list[str], list[list[str | int | float | None]]]:
    header = [
        "Location (police.uk map point)",
        "Latitude",
        "Longitude",
        "LSOA code",
        "LSOA name",
        "Count",
        "Months with records",
        "First month",
        "Last month",
        "Months in the span",
    ]
    rows: list[list[str | int | float | None]] = [
        [
            r.location,
            r.latitude,
            r.longitude,
            r.lsoa_code,
            r.lsoa_name,
            r.count,
            r.months_with_records,
            f"{r.first:%Y-%m}",
            f"{r.last:%Y-%m}",
            r.span_months,
        ]
        for r in result.repeats
    ]
    return header, rows


def export_notes(result: Hotspots, partnership_name: str) -> list[str]:
    notes = [
        f"{result.dataset.name}, {result.period_label}, {partnership_name}: Getis-Ord Gi* hot spots by LSOA.",
        f"Queen contiguity from the ONS LSOA boundaries; {result.permutations:,} conditional permutations with seed "
        f"{result.seed}; classes at 99/95/90% confidence from the two-sided pseudo p-value (0.01/0.05/0.10).",
    ]
    if result.reason:
        notes.append(result.reason)
    if result.general is not None:
        notes.append(
            f"Global General G: observed {result.general.observed:.5f}, expected {result.general.expected:.5f}, "
            f"pseudo p-value {result.general.p:.4f}."
        )
    notes += [flag.text for flag in result.flags]
    notes.append(
        "Source: police.uk data (Open Government Licence v3.0). Locations are anonymised map points, not addresses."
    )
    return notes


def latest(partnership: Partnership, chosen: Dataset) -> Hotspots | None:
    """Hot spots in the latest 12 months loaded (fewer when less is loaded): for summaries on other pages."""
    period = rate_selectors.default_period(partnership, chosen.source)
    return hotspots(partnership, chosen, *period) if period else None
