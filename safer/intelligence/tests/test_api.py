"""The analysis API on real police.uk months: the pages' numbers, as JSON and as CSV, for whoever may open the pages.

Three months of the Leicestershire fixture (August to October 2021) are loaded for Oadby and Wigston; each answer is
checked against the fixture files read with ``csv`` or against the selector the page reads.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safer.api.tests.conftest import CallApi, TokenFor
from safer.core.models import Partnership, Role, User
from safer.core.tests.factories import make_member
from safer.geography import services as geography_services
from safer.intelligence import hotspots, priority, priority_services, rates, selectors, services
from safer.intelligence.importers.files import discover
from safer.intelligence.models import ImportRun, PriorityArea
from safer.intelligence.tests.helpers import CSP

pytestmark = pytest.mark.django_db(transaction=True)

MONTHS = ("2021-08", "2021-09", "2021-10")
PRIORITY = ["E01025987", "E01025989", "E01025992"]


def load(partnership: Partnership, months: tuple[str, ...] = MONTHS) -> None:
    for data_file in discover([CSP], "-street.csv"):
        if data_file.name[:7] in months:
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


@pytest.fixture
def loaded(geography: None, partnership: Partnership) -> None:
    load(partnership)


@pytest.fixture
def area(geography: None, partnership: Partnership) -> None:
    """Boundaries, population and IoD2019 as well, for rates, gaps and hot spots."""
    geography_services.import_bundled(["E07000135", "E07000134"])
    load(partnership)


def file_counts() -> dict[str, int]:
    """All crime (not ASB) per month in Oadby and Wigston, counted from the files themselves."""
    counts = {}
    for month in MONTHS:
        with gzip.open(CSP / f"{month}-leicestershire-street.csv.gz", "rt", encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["LSOA name"].startswith("Oadby and Wigston")]
        counts[f"{month}-01"] = sum(1 for r in rows if r["Crime type"] != "Anti-social behaviour")
    return counts


def get(call: Any, token: str, path: str, status: int = 200, **extra: Any) -> Any:
    response = call(path, token, **extra)
    assert response.status_code == status, response.content[:500]
    return response.json() if "json" in response["Content-Type"] else response


def csv_of(response: Any) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# ---- heat map and trends ---------------------------------------------------------------------------------------------


def test_the_heat_map_counts_each_month_as_the_files_do(
    analyst: User, loaded: None, partnership: Partnership, token_for: TokenFor, call_api: CallApi
) -> None:
    body = get(call_api, token_for(analyst), "/api/intelligence/heat-map?dataset=all-crime")

    counted = {item["month"]: item["count"] for item in body["items"] if item["count"] is not None}
    assert counted == file_counts()
    # The rest of 2021/22 is "no data", not zero: April to July 2021 and November 2021 to March 2022.
    assert body["count"] == 12
    assert [i["month"] for i in body["items"] if i["count"] is None] == [
        "2021-04-01", "2021-05-01", "2021-06-01", "2021-07-01",
        "2021-11-01", "2021-12-01", "2022-01-01", "2022-02-01", "2022-03-01",
    ]  # fmt: skip
    assert body["years"] == [
        {"financial_year": "2021/22", "start_year": 2021, "total": sum(file_counts().values()), "months_with_data": 3}
    ]
    # The flags the page shows beside it (the newest month is years old).
    page_flags = [f.text for f in selectors.quality_flags(partnership, selectors.dataset("all-crime"))]
    assert [f["text"] for f in body["flags"]] == page_flags
    assert any("The newest month loaded is October 2021" in f for f in page_flags)


def test_the_heat_map_as_csv_has_the_same_rows(
    analyst: User, loaded: None, token_for: TokenFor, call_api: CallApi
) -> None:
    token = token_for(analyst)
    body = get(call_api, token, "/api/intelligence/heat-map?page_size=5&page=2")
    response = get(call_api, token, "/api/intelligence/heat-map?page_size=5&page=2", HTTP_ACCEPT="text/csv")

    rows = csv_of(response)
    assert response["X-Total-Count"] == "12"
    assert [(r["month"], r["count"]) for r in rows] == [
        (i["month"], "" if i["count"] is None else str(i["count"])) for i in body["items"]
    ]
    assert [r["month"] for r in rows] == ["2021-09-01", "2021-10-01", "2021-11-01", "2021-12-01", "2022-01-01"]


def test_one_financial_year_and_a_year_not_loaded(
    analyst: User, loaded: None, token_for: TokenFor, call_api: CallApi
) -> None:
    token = token_for(analyst)

    assert get(call_api, token, "/api/intelligence/heat-map?financial_year=2021")["count"] == 12
    empty = get(call_api, token, "/api/intelligence/heat-map?financial_year=2019")
    assert (empty["count"], empty["items"], empty["years"]) == (0, [], [])


def test_trends_give_the_monthly_series_and_comparisons_of_the_page(
    analyst: User, loaded: None, partnership: Partnership, token_for: TokenFor, call_api: CallApi
) -> None:
    body = get(call_api, token_for(analyst), "/api/intelligence/trends?dataset=asb")

    trend = selectors.trend(partnership, selectors.dataset("asb"))
    assert trend is not None
    assert [(i["month"], i["count"], i["rolling_12_months"]) for i in body["items"]] == [
        (f"{m:%Y-%m-%d}", c, None) for m, c in trend.points
    ]
    assert body["dataset"] == {"slug": "asb", "name": "Anti-social behaviour incidents"}
    assert body["period_label"] == trend.period_label
    assert body["current"] == trend.current
    assert [c["label"] for c in body["comparisons"]] == [c.label for c in trend.comparisons]


def test_an_unknown_dataset_is_404(analyst: User, token_for: TokenFor, call_api: CallApi) -> None:
    body = get(call_api, token_for(analyst), "/api/intelligence/trends?dataset=no-such-thing", 404)

    assert body == {"detail": "Not Found"}  # as for anything else missing or not yours


# ---- rates, gaps, hot spots ---------------------------------------------------------------------------------------


def test_rates_are_the_rates_pages(
    analyst: User, area: None, partnership: Partnership, token_for: TokenFor, call_api: CallApi
) -> None:
    body = get(call_api, token_for(analyst), "/api/intelligence/rates?level=ward&start=2021-08&end=2021-10")

    table = rates.rates(partnership, selectors.dataset("all-crime"), date(2021, 8, 1), date(2021, 10, 1), "ward")
    assert table is not None
    assert [(i["code"], i["count"], i["population"], i["rate"]) for i in body["items"]] == [
        (r.code, r.count, r.population, r.rate) for r in table.rows
    ]
    assert (body["start"], body["end"], body["months_with_data"]) == ("2021-08-01", "2021-10-01", 3)
    assert body["total_count"] == sum(file_counts().values()) == sum(i["count"] for i in body["items"])
    assert body["population_year"] == table.population.year_used


def test_rates_by_default_cover_the_latest_months_loaded(
    analyst: User, area: None, token_for: TokenFor, call_api: CallApi
) -> None:
    body = get(call_api, token_for(analyst), "/api/intelligence/rates")

    assert (body["start"], body["end"], body["level"]) == ("2021-08-01", "2021-10-01", "lsoa")


def test_an_end_before_the_start_is_422_naming_end(analyst: User, token_for: TokenFor, call_api: CallApi) -> None:
    body = get(call_api, token_for(analyst), "/api/intelligence/rates?start=2021-10&end=2021-08", 422)

    assert body["errors"] == [
        {
            "loc": ["query", "end"],
            "msg": "The last month must be the same as or after the first month",
            "type": "value_error",
        }
    ]


@pytest.fixture
def wigston(area: None, partnership: Partnership, analyst: User) -> PriorityArea:
    return priority_services.create_priority_area(
        partnership=partnership, name="Wigston priority neighbourhoods", lsoa_codes=PRIORITY, actor=analyst
    )


def test_a_priority_areas_gap_is_the_gap_pages(
    analyst: User, wigston: PriorityArea, partnership: Partnership, token_for: TokenFor, call_api: CallApi
) -> None:
    token = token_for(analyst)
    listed = get(call_api, token, "/api/intelligence/priority-areas")
    assert listed["items"] == [
        {"id": wigston.pk, "name": "Wigston priority neighbourhoods", "description": "", "lsoas": 3}
    ]

    body = get(call_api, token, f"/api/intelligence/priority-areas/{wigston.pk}/gaps?compare=borough")

    series = priority.gap_series(partnership, wigston, selectors.dataset("all-crime"), "fy")
    assert series is not None
    (row,) = series.rows
    (item,) = body["items"]
    assert item["label"] == "2021/22" and item["complete"] is False  # 3 of 12 months
    assert (item["priority_count"], item["priority_rate"], item["borough_rate"]) == (
        row.priority_count, row.priority_rate, row.borough_rate
    )  # fmt: skip
    assert item["gap_pct"] == pytest.approx(row.gap_pct("borough"))
    assert body["priority_lsoas"] == 3 and body["compare"] == "borough"


def test_another_partnerships_priority_area_is_404(
    analyst: User, outsider: User, wigston: PriorityArea, token_for: TokenFor, call_api: CallApi
) -> None:
    theirs = PriorityArea.objects.create(partnership=outsider.partnerships().get(), name="Coalville")
    path = "/api/intelligence/priority-areas/{}/gaps"

    assert get(call_api, token_for(analyst), path.format(theirs.pk), 404) == {"detail": "Not Found"}
    assert get(call_api, token_for(outsider), path.format(wigston.pk), 404) == {"detail": "Not Found"}


def test_hot_spots_are_the_hot_spots_pages(
    analyst: User, area: None, partnership: Partnership, token_for: TokenFor, call_api: CallApi
) -> None:
    token = token_for(analyst)
    body = get(call_api, token, "/api/intelligence/hotspots?start=2021-08&end=2021-10&page_size=1000")

    result = hotspots.hotspots(partnership, selectors.dataset("all-crime"), date(2021, 8, 1), date(2021, 10, 1))
    assert result is not None and result.tested
    assert body["tested"] is True and body["reason"] is None
    assert [(i["code"], i["gi_class"], i["z"], i["passes_fdr"]) for i in body["items"]] == [
        (r.code, r.key, r.z, r.passes_fdr) for r in result.rows
    ]
    assert body["general_g"]["p"] == result.general.p  # type: ignore[union-attr]
    assert Counter(i["gi_class"] for i in body["items"])["none"] < len(body["items"])  # some are significant

    listed = get(call_api, token, "/api/intelligence/hotspots/repeat-locations?financial_year=2021")
    repeats = hotspots.repeat_locations(partnership, selectors.dataset("all-crime"), date(2021, 4, 1), date(2022, 3, 1))
    assert [(i["location"], i["count"]) for i in listed["items"]] == [(r.location, r.count) for r in repeats]
    assert listed["items"][0]["count"] > 1


def test_too_little_data_for_a_test_says_why_and_gives_no_z(
    analyst: User, area: None, token_for: TokenFor, call_api: CallApi
) -> None:
    body = get(call_api, token_for(analyst), "/api/intelligence/hotspots?dataset=bicycle-theft")

    assert body["tested"] is False
    assert "not enough data for a reliable test" in body["reason"]
    assert {(i["z"], i["p"], i["gi_class"]) for i in body["items"]} == {(None, None, "none")}


# ---- imports ------------------------------------------------------------------------------------------------------


def test_import_runs_are_listed_and_one_has_its_rejections_counted(
    analyst: User, loaded: None, partnership: Partnership, token_for: TokenFor, call_api: CallApi
) -> None:
    token = token_for(analyst)
    body = get(call_api, token, "/api/intelligence/imports")

    assert body["count"] == 3
    assert {i["file_name"] for i in body["items"]} == {f"{m}-leicestershire-street.csv.gz" for m in MONTHS}
    run = ImportRun.objects.get(partnership=partnership, month=date(2021, 8, 1))
    one = get(call_api, token, f"/api/intelligence/imports/{run.pk}")
    assert (one["status"], one["rows_imported"], one["rows_rejected"]) == ("live", run.rows_imported, 0)
    assert (one["rejections_kept"], one["rejections_not_kept"]) == (0, 0)
    assert get(call_api, token, "/api/intelligence/imports?status=refused")["count"] == 0


def test_another_partnerships_import_is_404(
    analyst: User, outsider: User, other_partnership: Partnership, token_for: TokenFor, call_api: CallApi
) -> None:
    theirs = ImportRun.objects.create(partnership=other_partnership, source="policeuk_street", file_name="x.csv")

    assert get(call_api, token_for(analyst), f"/api/intelligence/imports/{theirs.pk}", 404) == {"detail": "Not Found"}


def upload(name: str, content: bytes) -> dict[str, Any]:
    return {"upload": SimpleUploadedFile(name, content, content_type="application/octet-stream")}


@pytest.fixture
def uploads_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def test_an_uploaded_month_is_imported_and_followed_by_its_status_url(
    analyst: User,
    geography: None,
    partnership: Partnership,
    uploads_in_tmp: None,
    token_for: TokenFor,
    call_api: CallApi,
) -> None:
    token = token_for(analyst)
    content = (CSP / "2021-08-leicestershire-street.csv.gz").read_bytes()

    response = call_api(
        "/api/intelligence/imports", token, method="post", data=upload("2021-08-leicestershire-street.csv.gz", content)
    )

    assert response.status_code == 202, response.content
    started = response.json()
    assert started["status_url"] == f"/api/intelligence/imports/jobs/{started['job_id']}"
    followed = get(call_api, token, started["status_url"])
    assert followed["status"] == "succeeded"  # the test settings run tasks at once
    (run,) = followed["runs"]
    assert (run["file_name"], run["status"], run["month"]) == (
        "2021-08-leicestershire-street.csv.gz",
        "live",
        "2021-08-01",
    )
    assert selectors.live_months(partnership) == [date(2021, 8, 1)]


def test_an_upload_the_page_would_refuse_is_422_naming_the_file(
    analyst: User, partnership: Partnership, uploads_in_tmp: None, token_for: TokenFor, call_api: CallApi
) -> None:
    response = call_api(
        "/api/intelligence/imports", token_for(analyst), method="post", data=upload("crimes.xlsx", b"PK\x03\x04")
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "upload"],
            "msg": "crimes.xlsx is not a CSV, ZIP or GZ file. Select the *-street.csv files or the archive .zip",
            "type": "value_error",
        }
    ]
    assert not ImportRun.objects.exists()


def test_an_upload_over_the_size_limit_is_422(
    analyst: User, settings: Any, uploads_in_tmp: None, token_for: TokenFor, call_api: CallApi
) -> None:
    settings.SAFER_MAX_UPLOAD_MB = 1
    big = b"x" * (1024 * 1024 + 1)

    response = call_api("/api/intelligence/imports", token_for(analyst), method="post", data=upload("a.csv", big))

    assert response.status_code == 422
    assert "larger than 1 MB" in response.json()["errors"][0]["msg"]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASEWORKER])
def test_who_may_not_import_gets_403(
    role: str, council: Any, uploads_in_tmp: None, token_for: TokenFor, call_api: CallApi
) -> None:
    """A manager sees the analysis but may not import, as on the page; a caseworker sees neither."""
    person = make_member(council, role, email="someone@oadby.example")

    response = call_api("/api/intelligence/imports", token_for(person), method="post", data=upload("a.csv", b"x"))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This needs one of these roles in the partnership: analyst, partnership_admin."
    }


def test_a_job_is_seen_only_by_who_started_it(
    analyst: User,
    admin: User,
    geography: None,
    uploads_in_tmp: None,
    token_for: TokenFor,
    call_api: CallApi,
    client: Client,
) -> None:
    response = call_api("/api/intelligence/imports", token_for(analyst), method="post", data=upload("a.csv", b"x"))
    status_url = response.json()["status_url"]

    assert get(call_api, token_for(admin), status_url, 404) == {"detail": "Not Found"}
