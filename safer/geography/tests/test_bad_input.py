"""Every kind of bad file gives one GeographyImportError naming file, line (or feature) and column, saying what to do,
and leaves the database exactly as it was — even when earlier rows of the same file were good and different."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from safer.geography import services
from safer.geography.importers.base import GeographyImportError
from safer.geography.tests.conftest import (
    ALL_THREE,
    IMD_FILE_1,
    IMD_FILE_2,
    IMD_SCORES,
    LOOKUP,
    LSOA_BOUNDARIES,
    OW,
    POPULATION_2015,
    POPULATION_2019,
    WARD_BOUNDARIES,
    snapshot,
)

NOTHING = "Nothing was imported from this file."


def edit(path: Path, line: int, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` on one physical line (1-based) of a file."""
    lines = path.read_bytes().splitlines(keepends=True)
    assert old in lines[line - 1], (line, lines[line - 1][:120])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes(b"".join(lines))


def lookup(path: Path) -> object:
    return services.import_lookup(path, ALL_THREE)


def population_2019(path: Path) -> object:
    return services.import_population(path, ALL_THREE, year=2019)


def population_2015(path: Path) -> object:
    return services.import_population(path, ALL_THREE, year=2015)


def imd(path: Path) -> object:
    return services.import_deprivation(path, ALL_THREE)


def scores(path: Path) -> object:
    return services.import_imd_scores(path, ALL_THREE)


def lsoa_boundaries(path: Path) -> object:
    return services.import_boundaries(path, ALL_THREE, level="lsoa")


def ward_boundaries(path: Path) -> object:
    return services.import_boundaries(path, ALL_THREE, level="ward")


@dataclass(frozen=True)
class Case:
    id: str
    source: Path
    spoil: Callable[[Path], None]
    run: Callable[[Path], object]
    expected: tuple[str, ...]


def _first_row_changed_then(line: int, old: bytes, new: bytes) -> Callable[[Path], None]:
    """A good change on an early row (which must not land) and a bad value further down."""

    def spoil(path: Path) -> None:
        edit(path, 2, b"Oadby Uplands", b"Oadby Uplands Renamed")
        edit(path, line, old, new)

    return spoil


def _two_edits(*edits: tuple[int, bytes, bytes]) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        for line, old, new in edits:
            edit(path, line, old, new)

    return spoil


def _truncate(at_fraction: float) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * at_fraction)])

    return spoil


def _replace_all(old: bytes, new: bytes) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        data = path.read_bytes()
        assert old in data
        path.write_bytes(data.replace(old, new))

    return spoil


def _write(data: bytes) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        path.write_bytes(data)

    return spoil


def _feature(index: int, change: Callable[[dict[str, object]], None]) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        collection = json.loads(path.read_text())
        change(collection["features"][index - 1])
        path.write_text(json.dumps(collection))

    return spoil


CASES = [
    # ---- the lookup
    Case(
        "lookup-bad-code",
        LOOKUP,
        _first_row_changed_then(34, b"E01025997", b"E0102"),
        lookup,
        (
            "lsoa11_wd19_lad19_csp_subset.csv, line 34, column \"LSOA11CD\": 'E0102' is not an LSOA code.",
            "An LSOA code has 9 characters, like E01025980; correct the row.",
            NOTHING,
        ),
    ),
    Case(
        "lookup-renamed-column",
        LOOKUP,
        lambda p: edit(p, 1, b"LSOA11NM", b"LSOA_NAME"),
        lookup,
        (
            'line 1, column "LSOA11NM": there is no column named "LSOA11NM" '
            '(this file\'s columns are "FID", "LSOA11CD"',
            "Use the ONS \u201cLSOA (2011) to Ward (2019) Lookup in England and Wales\u201d CSV, "
            "with its header unchanged.",
        ),
    ),
    Case(
        "lookup-missing-district-column",
        LOOKUP,
        lambda p: edit(p, 1, b"LAD19CD", b"LADCODE"),
        lookup,
        ('line 1, column "LAD19CD": there is no column named "LAD19CD"',),
    ),
    Case(
        "lookup-not-utf8",
        LOOKUP,
        _first_row_changed_then(34, b"Wigston Fields", b"Wigston F\xe9elds"),
        lookup,
        (
            "lsoa11_wd19_lad19_csp_subset.csv, line 34: the text is not UTF-8 (byte 0xe9 at position 59 of the line).",
            'Save the file as UTF-8 ("CSV UTF-8" in Excel) and import it again.',
            NOTHING,
        ),
    ),
    Case("lookup-empty", LOOKUP, _write(b""), lookup, ("lsoa11_wd19_lad19_csp_subset.csv: the file is empty.",)),
    Case(
        "lookup-header-only",
        LOOKUP,
        _write(b"\xef\xbb\xbfFID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM\n"),
        lookup,
        ("the file has a header but no data rows. Choose the full file and try again.",),
    ),
    Case(
        "lookup-duplicate-lsoa",
        LOOKUP,
        lambda p: edit(p, 35, p.read_bytes().splitlines()[34].split(b",")[1], b"E01025997"),
        lookup,
        ('line 35, column "LSOA11CD": LSOA E01025997 is listed twice (lines 34 and 35).',),
    ),
    Case(
        "lookup-extra-comma",
        LOOKUP,
        _first_row_changed_then(50, b",E07", b",,E07"),
        lookup,
        ("line 50: the row has 8 values but the header has 7 columns.",),
    ),
    Case(
        "lookup-bad-ward-code",
        LOOKUP,
        lambda p: edit(p, 34, b"E05005538", b"E5005538"),
        lookup,
        ("line 34, column \"WD19CD\": 'E5005538' is not a ward code. A ward code has 9 characters, like E05005534",),
    ),
    # ---- population
    Case(
        "population-not-a-number",
        POPULATION_2019,
        _two_edits((2, b'"2,472"', b'"2,500"'), (86, b'"1,523"', b'"about 1500"')),
        population_2019,
        (
            "2019_population__csp_subset.csv, line 86, column \"pop\": 'about 1500' is not a whole number.",
            "Write the population as digits, like 1438 or 1,438.",
            NOTHING,
        ),
    ),
    Case(
        "population-negative",
        POPULATION_2019,
        lambda p: edit(p, 86, b'"1,523"', b"-5"),
        population_2019,
        ("line 86, column \"pop\": '-5' is not a whole number.",),
    ),
    Case(
        "population-bad-separators",
        POPULATION_2019,
        lambda p: edit(p, 86, b'"1,523"', b'"15,23"'),
        population_2019,
        ("line 86, column \"pop\": '15,23' is not a whole number.",),
    ),
    Case(
        "population-renamed-column",
        POPULATION_2019,
        lambda p: edit(p, 1, b"pop", b"population"),
        population_2019,
        ('line 1, column "pop": there is no column named "pop" (this file\'s columns are "lsoa", "population").',),
    ),
    Case(
        "population-wrong-year",
        POPULATION_2015,
        lambda p: None,
        population_2019,
        (
            'line 1, column "Total population: mid 2015 (excluding prisoners)": the header says mid-2015 '
            "but the import was asked for mid-2019. "
            "Import it as 2015=File_6_-_IoD2019_Population_Denominators__csp_subset.csv.",
        ),
    ),
    Case(
        "population-bands-do-not-add-up",
        POPULATION_2015,
        lambda p: edit(p, 284, b"Oadby and Wigston,", b"Oadby and Wigston,9"),
        population_2015,
        ('line 284, column "Total population: mid 2015 (excluding prisoners)": the age bands add up to',),
    ),
    Case(
        "population-fractional",
        POPULATION_2015,
        lambda p: edit(p, 2, b"1438.00", b"1438.50"),
        population_2015,
        ("line 2, column \"Total population: mid 2015 (excluding prisoners)\": '1438.50' is not a whole number.",),
    ),
    # ---- deprivation
    Case(
        "imd-decile-11",
        IMD_FILE_1,
        lambda p: edit(p, 284, b'"6,709",3', b'"6,709",11'),
        imd,
        (
            "File_1_-_IMD2019_Index_of_Multiple_Deprivation__csp_subset.csv, line 284, "
            'column "Index of Multiple Deprivation (IMD) Decile": 11 is out of range for a decile. '
            "It must be from 1 to 10.",
            NOTHING,
        ),
    ),
    Case(
        "imd-rank-beyond-england",
        IMD_FILE_1,
        lambda p: edit(p, 284, b'"6,709"', b'"40,000"'),
        imd,
        (
            'column "Index of Multiple Deprivation (IMD) Rank": 40,000 is out of range for a rank. '
            "It must be from 1 to 32,844.",
        ),
    ),
    Case(
        "imd-bad-lsoa-code",
        IMD_FILE_1,
        lambda p: edit(p, 284, b"E01025997", b"E0102"),
        imd,
        ("line 284, column \"LSOA code (2011)\": 'E0102' is not an LSOA code.",),
    ),
    Case(
        "imd-unknown-lsoa-of-the-area",
        IMD_FILE_1,
        lambda p: edit(p, 284, b"E01025997", b"E01099999"),
        imd,
        (
            'line 284, column "LSOA code (2011)": LSOA E01099999 of E07000135 is not in the lookup loaded for this '
            "district. Import the lookup of the same LSOA vintage first, or check the code.",
        ),
    ),
    Case(
        "domains-decile-missing",
        IMD_FILE_2,
        lambda p: edit(p, 1, b"Crime Decile", b"Crime Decyle"),
        imd,
        (
            'line 1, column "Crime Decile": there is a "Crime Rank (where 1 is most deprived)" column but no Crime '
            "Decile column.",
        ),
    ),
    Case(
        "domains-crime-decile-0",
        IMD_FILE_2,
        lambda p: edit(p, 2, b",9141,3,", b",9141,0,"),
        imd,
        ('line 2, column "Crime Decile (where 1 is most deprived 10% of LSOAs)": 0 is out of range for a decile.',),
    ),
    Case(
        "imd-missing-imd-column",
        IMD_FILE_1,
        lambda p: edit(p, 1, b"(IMD) Rank", b"(IMD) Position"),
        imd,
        ('line 1, column "Index of Multiple Deprivation (IMD) Rank": there is no column named',),
    ),
    Case(
        "scores-not-a-number",
        IMD_SCORES,
        lambda p: edit(p, 73, b"32.894", b"n/a"),
        scores,
        ("UK_IMD_E__csp_subset.csv, line 73, column \"overall_local_score\": 'n/a' is not an IMD score.",),
    ),
    Case(
        "scores-of-another-edition",
        IMD_SCORES,
        lambda p: edit(p, 73, b",3,3,", b",4,3,"),
        scores,
        ('line 73, column "original_decile": LSOA E01025997 has IMD decile 4 here but 3 in IoD2019.',),
    ),
    # ---- boundaries
    Case(
        "geojson-broken",
        LSOA_BOUNDARIES,
        _truncate(0.5),
        lsoa_boundaries,
        (
            "LSOA_Dec_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3__csp_subset.geojson, feature 154: "
            "the feature is not valid JSON",
            "export it again.",
            NOTHING,
        ),
    ),
    Case(
        "geojson-missing-comma",
        WARD_BOUNDARIES,
        _replace_all(b"] ] ] ] } },\n", b"] ] ] ] } }\n"),
        ward_boundaries,
        ("wards_dec2019_bgc_nwl_oadby_wigston.geojson, feature 2: expected a comma before this feature, found '{'.",),
    ),
    Case(
        "geojson-not-a-collection",
        WARD_BOUNDARIES,
        _write(b'{"type": "Feature", "geometry": null}'),
        ward_boundaries,
        (
            'this is not a GeoJSON FeatureCollection (there is no "features" list). Export the boundaries as a GeoJSON '
            "FeatureCollection in WGS84 (EPSG:4326).",
        ),
    ),
    Case("geojson-empty", WARD_BOUNDARIES, _write(b""), ward_boundaries, ("the file is empty",)),
    Case(
        "geojson-no-features",
        WARD_BOUNDARIES,
        _write(b'{"type": "FeatureCollection", "features": [ ]}'),
        ward_boundaries,
        ("wards_dec2019_bgc_nwl_oadby_wigston.geojson: the features list is empty.",),
    ),
    Case(
        "geojson-not-utf8",
        WARD_BOUNDARIES,
        _replace_all(b"Oadby Brocks Hill", b"Oadby Br\xf6cks Hill"),
        ward_boundaries,
        ("wards_dec2019_bgc_nwl_oadby_wigston.geojson: the text is not UTF-8 (at byte",),
    ),
    Case(
        "geojson-british-national-grid",
        WARD_BOUNDARIES,
        _feature(3, lambda f: f["geometry"].update(coordinates=[[[[461000.5, 300000.0], [461001, 300001]]]])),  # type: ignore[attr-defined]
        ward_boundaries,
        (
            "feature 3: the coordinates of E05005533 (461000.5, 300000.0) are not longitude and latitude.",
            "They look like British National Grid metres: export the file in WGS84 (EPSG:4326).",
        ),
    ),
    Case(
        "geojson-point",
        WARD_BOUNDARIES,
        _feature(2, lambda f: f.update(geometry={"type": "Point", "coordinates": [-1.1, 52.6]})),
        ward_boundaries,
        ("feature 2: the geometry of E05005532 is Point, not a Polygon or MultiPolygon.",),
    ),
    Case(
        "geojson-bad-coordinates",
        WARD_BOUNDARIES,
        _feature(2, lambda f: f["geometry"].update(coordinates=[[["a", "b"]]])),  # type: ignore[attr-defined]
        ward_boundaries,
        ("feature 2: the coordinates of E05005532 are not a valid MultiPolygon.",),
    ),
    Case(
        "geojson-no-code-property",
        WARD_BOUNDARIES,
        _feature(5, lambda f: f.update(properties={"name": "Somewhere"})),
        ward_boundaries,
        ("feature 5: the feature has no ward code property (looked for WD19CD, area_code, code).",),
    ),
    Case(
        "geojson-bad-code",
        LSOA_BOUNDARIES,
        _feature(7, lambda f: f["properties"].update(LSOA11CD="E0102")),  # type: ignore[attr-defined]
        lsoa_boundaries,
        ("feature 7: property \"LSOA11CD\": 'E0102' is not an LSOA code.",),
    ),
    Case(
        "geojson-duplicate",
        WARD_BOUNDARIES,
        _feature(2, lambda f: f["properties"].update(wd19cd="E05005531")),  # type: ignore[attr-defined]
        ward_boundaries,
        ("feature 2: E05005531 appears twice (features 1 and 2).",),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_file_is_refused_with_a_precise_message_and_changes_nothing(case, tmp_path):
    services.import_bundled(ALL_THREE)
    before = snapshot()
    path = tmp_path / case.source.name
    path.write_bytes(case.source.read_bytes())
    case.spoil(path)

    with pytest.raises(GeographyImportError) as caught:
        case.run(path)

    message = str(caught.value)
    for part in case.expected:
        assert part in message
    assert message.endswith(NOTHING)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_bad_row_after_good_changed_rows_rolls_all_of_them_back(tmp_path):
    """Values the file would change on earlier rows stay as they were."""
    services.import_bundled(ALL_THREE)
    path = tmp_path / POPULATION_2019.name
    path.write_bytes(POPULATION_2019.read_bytes().replace(b'"2,472"', b'"9,999"').replace(b'"1,523"', b"lots"))
    before = snapshot()

    with pytest.raises(GeographyImportError, match="line 86"):
        services.import_population(path, ALL_THREE, year=2019)

    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("run", "source"),
    [
        (population_2019, POPULATION_2019),
        (imd, IMD_FILE_1),
        (lsoa_boundaries, LSOA_BOUNDARIES),
        (ward_boundaries, WARD_BOUNDARIES),
        (scores, IMD_SCORES),
    ],
)
def test_files_that_need_the_lookup_say_so(run, source):
    with pytest.raises(GeographyImportError) as caught:
        run(source)
    assert "no " in str(caught.value)
    assert "are loaded yet for E07000134, E07000135, E08000010" in str(caught.value)
    assert "Import the LSOA to ward lookup for these districts first (manage.py import_geography --lookup FILE)" in (
        str(caught.value)
    )


@pytest.mark.django_db
def test_scores_before_any_rank_say_which_file_comes_first(lookup_loaded):
    with pytest.raises(GeographyImportError) as caught:
        scores(IMD_SCORES)
    assert 'line 2, column "lsoa": LSOA E01006386 has no IoD2019 rank yet' in str(caught.value)
    assert "Import IoD2019 File 1 or File 2 first (--imd or --domains)" in str(caught.value)


@pytest.mark.django_db
def test_a_damaged_gzip_file(tmp_path):
    path = tmp_path / "lookup.csv.gz"
    path.write_bytes(gzip.compress(LOOKUP.read_bytes())[:500])
    with pytest.raises(GeographyImportError, match=r"lookup\.csv\.gz: the file cannot be read"):
        lookup(path)


@pytest.mark.django_db
def test_a_missing_file(tmp_path):
    with pytest.raises(GeographyImportError, match=r"nope\.csv: there is no file at .*nope\.csv\. Check the path"):
        services.import_lookup(tmp_path / "nope.csv", [OW])


@pytest.mark.parametrize("codes", [[], ["E0102"], ["E05005538"], ["bogus"]])
def test_district_codes_are_checked(codes):
    with pytest.raises(ValueError, match="local authority district code"):
        services.clean_lad_codes(codes)


@pytest.mark.django_db
def test_population_year_must_be_a_year(lookup_loaded):
    with pytest.raises(GeographyImportError, match=r"19 is not a mid-year\. Give the year as four digits"):
        services.import_population(POPULATION_2019, [OW], year=19)
