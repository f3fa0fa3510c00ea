"""police.uk months from June 2023 carry 2021 LSOA codes (reference F1). Unchanged LSOAs keep their code and match
as they are; new codes (splits, merges) are counted in 2011 LSOAs once the ONS LSOA (2011) to LSOA (2021) lookup is
loaded; until then they count as outside the area and the pages say why.

The lookup below follows the ONS file's layout but its splits and merges are invented for the test: no 2011 → 2021
lookup for the Leicestershire districts is bundled (see safer/geography/fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from safer.geography.models import LsoaSuccessor
from safer.intelligence import services
from safer.intelligence.models import MonthlyCount
from safer.intelligence.tests.helpers import HEADER, memory_file, row

pytestmark = pytest.mark.django_db(transaction=True)

# Oadby and Wigston 2011 LSOAs from the bundled ONS lookup.
SPLIT, MERGED_A, MERGED_B, UNCHANGED = "E01025980", "E01025981", "E01025982", "E01025983"
HALF_1, HALF_2, MERGED = "E01035001", "E01035002", "E01035003"
NAME = "2023-07-leicestershire-street.csv"
FLAG = "police.uk months from June 2023 use 2021 LSOA codes"


def july_2023() -> bytes:
    codes = [HALF_1, HALF_1, HALF_2, MERGED, MERGED, UNCHANGED, UNCHANGED, UNCHANGED, "E01000001"]
    return (HEADER + "".join(row(month="2023-07", lsoa=code) for code in codes)).encode()


def lookup(tmp_path: Path, *, lower: bool = False, change: str = "M") -> Path:
    header = "LSOA11CD,LSOA11NM,CHGIND,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM,LAD22NMW"
    rows = [
        f"{SPLIT},Oadby and Wigston 009D,S,{HALF_1},Oadby and Wigston 009J,E07000135,Oadby and Wigston,",
        f"{SPLIT},Oadby and Wigston 009D,S,{HALF_2},Oadby and Wigston 009K,E07000135,Oadby and Wigston,",
        f"{MERGED_B},Oadby and Wigston 009G,{change},{MERGED},Oadby and Wigston 009L,E07000135,Oadby and Wigston,",
        f"{MERGED_A},Oadby and Wigston 009F,M,{MERGED},Oadby and Wigston 009L,E07000135,Oadby and Wigston,",
        f"{UNCHANGED},Oadby and Wigston 009H,U,{UNCHANGED},Oadby and Wigston 009H,E07000135,Oadby and Wigston,",
        "E01000001,City of London 001A,U,E01000001,City of London 001A,E09000001,City of London,",
    ]
    path = tmp_path / "LSOA_(2011)_to_LSOA_(2021)_to_LAD_(2022)_Exact_Fit_Lookup.csv"
    path.write_text((header.lower() if lower else header) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def counts_by_lsoa(partnership) -> dict[str, int]:
    return dict(
        MonthlyCount.objects.filter(partnership=partnership, lsoa__isnull=False).values_list("lsoa__code", "count")
    )


def test_new_2021_codes_count_outside_until_the_lookup_is_loaded_then_in_their_2011_lsoas(
    geography, partnership, analyst, client, sign_in, tmp_path, capsys
):
    first = services.import_street_file(partnership=partnership, data_file=memory_file(NAME, july_2023()), actor=None)
    assert (first.run.rows_imported, first.run.rows_outside_area) == (3, 6)
    assert counts_by_lsoa(partnership) == {UNCHANGED: 3}
    sign_in(client, analyst)
    assert FLAG in client.get(reverse("intelligence:overview")).content.decode()

    call_command("import_geography", "--partnership", partnership.slug, "--lsoa-changes", str(lookup(tmp_path)))
    out = capsys.readouterr().out
    assert "1 2021 LSOA spans several 2011 LSOAs" in out
    assert LsoaSuccessor.objects.count() == 5  # the City of London row is outside the partnership's districts

    again = services.import_street_file(partnership=partnership, data_file=memory_file(NAME, july_2023()), actor=None)
    assert (again.run.rows_imported, again.run.rows_outside_area) == (8, 1)
    # Both halves of the split count in their 2011 LSOA; the merged one in the first 2011 LSOA of the pair by code.
    assert counts_by_lsoa(partnership) == {SPLIT: 3, MERGED_A: 2, UNCHANGED: 3}
    assert FLAG not in client.get(reverse("intelligence:overview")).content.decode()


def test_a_2011_coded_month_is_unchanged_by_the_lookup(geography, partnership, tmp_path):
    call_command("import_geography", "--partnership", partnership.slug, "--lsoa-changes", str(lookup(tmp_path)))
    content = (HEADER + row(lsoa=SPLIT) + row(lsoa=MERGED_B) + row(lsoa=HALF_1)).encode()
    run = services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-leicestershire-street.csv", content), actor=None
    ).run
    assert run.rows_imported == 3
    assert counts_by_lsoa(partnership) == {SPLIT: 2, MERGED_B: 1}


def test_lower_case_columns_are_read(geography, partnership, tmp_path):
    call_command(
        "import_geography", "--partnership", partnership.slug, "--lsoa-changes", str(lookup(tmp_path, lower=True))
    )
    assert LsoaSuccessor.objects.filter(counted_in=True).count() == 4


def test_a_bad_change_indicator_names_file_line_and_column_and_writes_nothing(geography, partnership, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_geography", "--partnership", partnership.slug, "--lsoa-changes", str(lookup(tmp_path, change="Q"))
        )
    message = str(caught.value)
    assert "LSOA_(2011)_to_LSOA_(2021)" in message and "line 4" in message and "CHGIND" in message
    assert "'Q' is not an ONS change indicator" in message
    assert LsoaSuccessor.objects.count() == 0


def test_a_missing_column_is_named(geography, partnership, tmp_path):
    path = tmp_path / "changes.csv"
    path.write_text("LSOA11CD,CHGIND\nE01025980,U\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_geography", "--partnership", partnership.slug, "--lsoa-changes", str(path))
    assert 'no column named "LSOA21CD"' in str(caught.value)


def test_the_lookup_needs_the_2011_lsoas_first(partnership, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("import_geography", "--partnership", partnership.slug, "--lsoa-changes", str(lookup(tmp_path)))
    assert "no 2011 LSOAs are loaded yet for E07000135" in str(caught.value)


def test_a_month_of_only_new_codes_is_refused_with_the_way_to_match_them(geography, partnership):
    content = (HEADER + row(month="2023-07", lsoa=HALF_1) + row(month="2023-07", lsoa=MERGED)).encode()
    outcome = services.import_street_file(partnership=partnership, data_file=memory_file(NAME, content), actor=None)
    assert outcome.wrong_area
    assert "2021 LSOA codes" in outcome.refused and "--lsoa-changes FILE" in outcome.refused
    assert not MonthlyCount.objects.exists()


def test_partner_rows_with_2021_codes_count_in_their_2011_lsoa(geography, partnership, analyst, tmp_path):
    from safer.intelligence import partner_services
    from safer.intelligence.tests.test_partner import LSOA_MAPPING, run_import, write

    call_command("import_geography", "--partnership", partnership.slug, "--lsoa-changes", str(lookup(tmp_path)))
    source = partner_services.create_source(
        partnership=partnership, name="Council ASB", counted="one report", agency=None, actor=analyst
    )
    source = partner_services.save_mapping(source=source, mapping=LSOA_MAPPING)
    text = f"Ref,Date reported,Type,LSOA\nR1,03/07/2024,Noise,{HALF_2}\nR2,04/07/2024,Noise,{UNCHANGED}\n"
    run = run_import(partnership, source, write(tmp_path, "asb-july-2024.csv", text), analyst).run
    assert (run.rows_imported, run.rows_outside_area) == (2, 0)
    assert counts_by_lsoa(partnership) == {SPLIT: 1, UNCHANGED: 1}


def test_mid_2022_population_on_2021_lsoas_counts_like_the_crimes(geography, partnership, tmp_path, capsys):
    from safer.geography.models import Population

    path = tmp_path / "sapelsoa_mid2022.csv"
    path.write_text(
        f"LSOA21CD,pop\n{HALF_1},700\n{HALF_2},850\n{MERGED},1900\n{UNCHANGED},1400\nE01000001,1500\n", encoding="utf-8"
    )
    args = ["import_geography", "--partnership", partnership.slug]
    call_command(*args, "--population", f"2022={path}")
    assert dict(Population.objects.filter(year=2022).values_list("lsoa__code", "total")) == {UNCHANGED: 1400}
    call_command(*args, "--lsoa-changes", str(lookup(tmp_path)))
    call_command(*args, "--population", f"2022={path}")
    assert "3 rows with a new 2021 LSOA code counted in the 2011 LSOA" in capsys.readouterr().out
    assert dict(Population.objects.filter(year=2022).values_list("lsoa__code", "total")) == {
        SPLIT: 1550,  # the two halves added up
        MERGED_A: 1900,  # the merged LSOA, in the first 2011 LSOA of the pair, as its crimes are
        UNCHANGED: 1400,
    }
