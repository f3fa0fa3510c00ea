"""Property tests: damaged stop-and-search, outcomes and partner files never crash the readers, and a partner import
of a damaged file either goes live whole (its counts equal its rows) or leaves the database exactly as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safer.intelligence import partner_services
from safer.intelligence.importers.files import ImportRefused
from safer.intelligence.importers.outcomes import OutcomeRow, read_outcomes_file
from safer.intelligence.importers.outcomes import facts_from_name as outcome_facts
from safer.intelligence.importers.partner import Mapping, PartnerRow, Reader
from safer.intelligence.importers.policeuk import RowProblem
from safer.intelligence.importers.stopsearch import SearchRow, read_stop_search_file
from safer.intelligence.importers.stopsearch import facts_from_name as search_facts
from safer.intelligence.models import ImportRun, MonthlyCount, PartnerRecord, RunStatus
from safer.intelligence.tests.helpers import FIXTURES, memory_file
from safer.intelligence.tests.test_outcomes import outcomes_for

DAMAGE = {
    "cut": st.integers(min_value=0, max_value=3000),
    "noise": st.binary(max_size=40),
    "at": st.integers(min_value=0, max_value=3000),
}
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def damage(original: bytes, cut: int, noise: bytes, at: int) -> bytes:
    return original[:at] + noise + original[at:cut]


SEARCHES = (FIXTURES / "gmp-stop-and-search" / "2019-06-greater-manchester-stop-and-search.csv").read_bytes()[:3000]


@PROPERTY
@given(**DAMAGE)
def test_damaged_stop_and_search_files_never_crash(cut, noise, at):
    data_file = memory_file("2019-06-greater-manchester-stop-and-search.csv", damage(SEARCHES, cut, noise, at))
    try:
        items = list(read_stop_search_file(data_file, search_facts(data_file)))
    except ImportRefused as exc:
        assert str(exc).startswith("2019-06-greater-manchester-stop-and-search.csv")
        return
    assert all(isinstance(item, SearchRow | RowProblem) for item in items)
    for item in items:
        if isinstance(item, RowProblem):
            assert item.line >= 2 and item.reason


def test_a_stop_and_search_or_outcomes_file_that_is_not_utf8_is_named_by_the_bad_bytes_line_and_column():
    searches = SEARCHES.split(b"\n")
    searches[5] = searches[5].replace(b"Person search", b"Person s\xe9arch", 1)
    assert b"\xe9" in searches[5]
    data_file = memory_file("2019-06-greater-manchester-stop-and-search.csv", b"\n".join(searches))
    with pytest.raises(ImportRefused, match=r"line 6, column 'Type': the file is not UTF-8 text \(byte 0xe9"):
        list(read_stop_search_file(data_file, search_facts(data_file)))
    outcomes = OUTCOMES.split(b"\n")
    outcomes[3] = outcomes[3].replace(b"Investigation", b"Investigati\xf6n", 1)
    data_file = memory_file("2020-02-leicestershire-outcomes.csv", b"\n".join(outcomes))
    with pytest.raises(ImportRefused, match=r"line 4, column 'Outcome type': the file is not UTF-8 text \(byte 0xf6"):
        list(read_outcomes_file(data_file, outcome_facts(data_file)))


OUTCOMES = outcomes_for("2020-02", "2019-12", "Investigation complete; no suspect identified", 40)[0][:3000]


@PROPERTY
@given(**DAMAGE)
def test_damaged_outcomes_files_never_crash(cut, noise, at):
    data_file = memory_file("2020-02-leicestershire-outcomes.csv", damage(OUTCOMES, cut, noise, at))
    try:
        items = list(read_outcomes_file(data_file, outcome_facts(data_file)))
    except ImportRefused as exc:
        assert str(exc).startswith("2020-02-leicestershire-outcomes.csv")
        return
    assert all(isinstance(item, OutcomeRow | RowProblem) for item in items)


PARTNER = (
    "Ref,Date reported,Type,LSOA\n"
    + "".join(f"R{i},{1 + i % 28:02d}/{1 + i % 12:02d}/2021,Noise,E01025980\n" for i in range(60))
).encode()
MAPPING = Mapping(
    date="Date reported", location="lsoa", columns={"lsoa": "LSOA", "category": "Type", "reference": "Ref"}
)


@PROPERTY
@given(**DAMAGE)
def test_damaged_partner_files_never_crash_the_reader(tmp_path_factory, cut, noise, at):
    path = tmp_path_factory.mktemp("partner") / "asb.csv"
    path.write_bytes(damage(PARTNER, cut, noise, at))
    try:
        reader = Reader(path, "asb.csv", MAPPING, date(2026, 11, 23))
        reader.check_columns()
        items = list(reader.rows())
    except ImportRefused as exc:
        assert str(exc).startswith("asb.csv")
        return
    assert all(isinstance(item, PartnerRow | RowProblem) for item in items)


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(**DAMAGE)
def test_a_damaged_partner_file_goes_live_whole_or_changes_nothing(
    geography, partnership, analyst, tmp_path_factory, cut, noise, at
):
    source = partner_services.create_source(
        partnership=partnership, name=f"ASB {cut}-{at}-{len(noise)}", counted="one report", agency=None, actor=analyst
    )
    partner_services.save_mapping(source=source, mapping=MAPPING)
    before = (PartnerRecord.objects.count(), MonthlyCount.objects.count())
    path = Path(tmp_path_factory.mktemp("partner")) / "asb.csv"
    path.write_bytes(damage(PARTNER, cut, noise, at))
    outcome = partner_services.import_partner_file(
        partnership=partnership, source=source, path=path, name="asb.csv", actor=analyst, today=date(2026, 11, 23)
    )
    run = ImportRun.objects.get(pk=outcome.run.pk)
    mine = PartnerRecord.objects.filter(source=source)
    if outcome.refused:
        assert run.status == RunStatus.REFUSED
        assert (PartnerRecord.objects.count(), MonthlyCount.objects.count()) == before
    else:
        assert run.status == RunStatus.LIVE
        assert mine.count() == run.rows_imported
        counted = sum(MonthlyCount.objects.filter(source=source.key).values_list("count", flat=True))
        assert counted == run.rows_imported
        assert run.rows_read == run.rows_imported + run.rows_rejected + run.rows_outside_area


@pytest.mark.django_db(transaction=True)
def test_a_partner_row_holding_a_nul_byte_is_rejected_by_name_and_the_rest_lands(
    geography, partnership, analyst, tmp_path
):
    """Found by the test above on PostgreSQL, whose text cannot hold NUL: the row is rejected, not the database."""
    source = partner_services.create_source(
        partnership=partnership, name="ASB with a NUL", counted="one report", agency=None, actor=analyst
    )
    partner_services.save_mapping(source=source, mapping=MAPPING)
    lines = PARTNER.decode("utf-8").splitlines(keepends=True)
    damaged = lines[0] + lines[1].replace("Noise", "No\x00ise") + "".join(lines[2:])
    path = tmp_path / "asb.csv"
    path.write_bytes(damaged.encode("utf-8"))
    outcome = partner_services.import_partner_file(
        partnership=partnership, source=source, path=path, name="asb.csv", actor=analyst, today=date(2026, 11, 23)
    )
    assert not outcome.refused, outcome.refused
    run = ImportRun.objects.get(pk=outcome.run.pk)
    assert (run.rows_rejected, run.rows_imported) == (1, len(lines) - 2)
    assert run.rejections.get().reason == "holds a NUL byte, so the file is damaged: export it again"
