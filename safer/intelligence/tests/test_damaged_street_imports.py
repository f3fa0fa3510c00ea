"""Property test through the whole import and the real database: a damaged police.uk street file is either refused
with nothing live and a message naming the file, or goes live whole, its counts adding up to its rows.

It found that a NUL byte (a file cut from a binary or a disk error) in a header or value made the refusal itself
fail on PostgreSQL, whose text cannot hold NUL; such text is now kept as ``\\x00``."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safer.intelligence import services
from safer.intelligence.models import ImportRun, MonthlyCount, Rejection, RunStatus, StreetRecord
from safer.intelligence.tests.helpers import HEADER, memory_file, real_month, row

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "2019-12-leicestershire-street.csv"
SAMPLE = real_month("2019-12")[:6000]
NOISE = st.sampled_from(
    [b"", b" ", b",", b"\n", b"\r\n", b'"', b"\xe9", b"\x00", b"-", b"1e5", b"Burglarly", b"E01", b"2019-11"]
) | st.binary(max_size=12)


def import_and_check(partnership, content: bytes) -> ImportRun:
    outcome = services.import_street_file(partnership=partnership, data_file=memory_file(NAME, content), actor=None)
    run = ImportRun.objects.get(pk=outcome.run.pk)
    records = StreetRecord.objects.filter(run=run).count()
    if outcome.refused:
        assert outcome.refused.startswith(NAME)
        assert run.status == RunStatus.REFUSED and "\x00" not in run.refusal
        assert records == 0 and not MonthlyCount.objects.exists()
    else:
        assert run.status == RunStatus.LIVE
        assert run.rows_read == run.rows_imported + run.rows_outside_area + run.rows_rejected
        assert records == run.rows_imported == sum(MonthlyCount.objects.values_list("count", flat=True))
        assert Rejection.objects.filter(run=run).count() == min(
            run.rows_rejected, django_settings.SAFER_MAX_REJECTIONS_KEPT
        )
    return run


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0, max_value=6000), noise=NOISE, at=st.integers(min_value=0, max_value=6000))
def test_a_damaged_file_is_refused_whole_or_lands_whole(geography, partnership, cut, noise, at):
    import_and_check(partnership, SAMPLE[:at] + noise + SAMPLE[at:cut])
    StreetRecord.objects.all().delete()
    MonthlyCount.objects.all().delete()
    ImportRun.objects.all().delete()


def test_a_nul_in_the_header_is_refused_with_a_message_that_can_be_kept(geography, partnership):
    run = import_and_check(partnership, (HEADER.replace("Context", "Con\x00text") + row()).encode())
    assert "'Con\\x00text'" in run.refusal and "not a police.uk street-level file" in run.refusal


def test_a_nul_in_a_value_rejects_the_row_naming_line_and_column(geography, partnership):
    run = import_and_check(partnership, (HEADER + row() + row().replace("High Street", "High\x00Street")).encode())
    assert run.status == RunStatus.LIVE and (run.rows_imported, run.rows_rejected) == (1, 1)
    rejection = Rejection.objects.get(run=run)
    assert (rejection.line, rejection.column, rejection.value) == (3, "Location", "On or near High\\x00Street")
    assert "NUL byte" in rejection.reason
