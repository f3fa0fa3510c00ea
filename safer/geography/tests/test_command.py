"""manage.py import_geography: the bundled files by default, chosen files, the area options, errors."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from safer.geography.models import Boundary, Deprivation, Lsoa, Population, Ward
from safer.geography.tests.conftest import IMD_FILE_1, LOOKUP, NWL, OW, POPULATION_2015, POPULATION_2019, WIGAN


def run(*args, capsys=None):
    call_command("import_geography", *args)
    return capsys.readouterr().out if capsys else ""


@pytest.mark.django_db
def test_default_loads_the_bundled_files_for_every_partnership(partnership, other_partnership, capsys):
    out = run(capsys=capsys)

    assert "Districts: E07000134, E07000135" in out
    assert "Bundled open data (see safer/geography/fixtures/README.md):" in out
    assert (
        "LSOA (2011) to ward (2019) lookup from lsoa11_wd19_lad19_csp_subset.csv: 294 read, 94 imported "
        "(94 new, 0 updated) [E07000134: 58, E07000135: 36], 200 skipped outside the area"
    ) in out
    assert "Ward boundaries (2019) from wards_dec2019_bgc_nwl_oadby_wigston.geojson: 48 read, 47 imported" in out
    assert "Population mid-2015 with age bands from File_6" in out
    assert "IoD2019 IMD and 7 domains from File_2" in out
    assert "postcodes (OS Code-Point Open) from codepoint_open_2025.4.0__E07000134_E07000135.csv: 3,880 read" in out
    assert "Imported 9 files." in out
    assert Lsoa.objects.count() == 94
    assert Boundary.objects.filter(level="lsoa").count() == 94
    assert Population.objects.count() == 188
    assert Deprivation.objects.filter(imd_score__isnull=False).count() == 94

    again = run(capsys=capsys)
    assert "294 read, 94 imported (0 new, 94 updated)" in again
    assert Lsoa.objects.count() == 94
    assert Population.objects.count() == 188


@pytest.mark.django_db
def test_verbosity_0_is_quiet(partnership, capsys):
    call_command("import_geography", verbosity=0)
    assert capsys.readouterr().out == ""
    assert Lsoa.objects.count() == 36


@pytest.mark.django_db
def test_one_partnership(partnership, other_partnership, capsys):
    out = run("--partnership", "oadby-wigston", capsys=capsys)
    assert "Districts: E07000135" in out
    assert set(Lsoa.objects.values_list("lad__code", flat=True)) == {OW}


@pytest.mark.django_db
def test_wigan_by_district_code_has_no_ward_boundaries(capsys):
    out = run("--lad", WIGAN, capsys=capsys)
    assert "note: E08000010: nothing for this district in the file" in out
    assert Lsoa.objects.count() == 200
    assert Ward.objects.count() == 25
    assert not Boundary.objects.filter(level="ward").exists()


@pytest.mark.django_db
def test_chosen_files_only(tmp_path, capsys):
    out = run(
        "--lad",
        OW,
        "--lad",
        NWL,
        "--lookup",
        str(LOOKUP),
        "--population",
        f"2019={POPULATION_2019}",
        "--population",
        f"2015={POPULATION_2015}",
        "--imd",
        str(IMD_FILE_1),
        capsys=capsys,
    )
    assert "Imported 4 files." in out
    assert sorted(Population.objects.values_list("year", flat=True).distinct()) == [2015, 2019]
    assert not Boundary.objects.exists()
    assert Deprivation.objects.count() == 94


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "There is no partnership on this installation yet"),
        (["--partnership", "nowhere"], "There is no partnership with the slug 'nowhere'"),
        (["--lad", "E0102"], "--lad: 'E0102' is not a local authority district code"),
        (["--lad", "E06000016"], "The bundled files cover only E07000134, E07000135, E08000010"),
        (["--lad", OW, "--population", "2019"], "--population '2019': write it as YEAR=PATH"),
        (["--lad", OW, "--population", "19=x.csv"], "write it as YEAR=PATH"),
        (["--lad", OW, "--imd", str(IMD_FILE_1)], "no LSOAs (2011) are loaded yet for E07000135"),
        (
            ["--lad", OW, "--lookup", "/nonexistent/lookup.csv"],
            "lookup.csv: there is no file at /nonexistent/lookup.csv",
        ),
    ],
)
def test_errors_become_command_errors(args, message):
    with pytest.raises(CommandError) as caught:
        call_command("import_geography", *args)
    assert message in str(caught.value)


@pytest.mark.django_db
def test_a_bad_file_stops_the_run_and_changes_nothing_of_that_file(tmp_path, capsys):
    bad = tmp_path / "pop.csv"
    bad.write_text("lsoa,pop\nE01025997,lots\n")
    with pytest.raises(CommandError, match=r'pop.csv, line 2, column "pop": \'lots\' is not a whole number'):
        call_command("import_geography", "--lad", OW, "--lookup", str(LOOKUP), "--population", f"2019={bad}")
    assert Lsoa.objects.count() == 36  # the lookup, a good file before it, stays
    assert not Population.objects.exists()
