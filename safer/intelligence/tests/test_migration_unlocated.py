"""An installation upgraded with police.uk rows with no location kept under each district gets them moved to their
force, counted once (migration 0007), and its runs' force written as police.uk keys it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intelligence", "0006_importrun_lease")]
AFTER = [("intelligence", "0007_force_unlocated_home_force")]
DECEMBER = date(2019, 12, 1)


def test_rows_with_no_location_move_from_each_district_to_their_force(geography, partnership, other_partnership):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    run_model, record, count = (
        old.get_model("intelligence", name) for name in ("ImportRun", "StreetRecord", "MonthlyCount")
    )
    lsoa = old.get_model("geography", "Lsoa").objects.filter(lad__code="E07000135").first()
    for district in (partnership, other_partnership):  # the same force file imported into both districts
        run = run_model.objects.create(
            partnership_id=district.pk,
            source="policeuk_street",
            file_name="2019-12-leicestershire-street.csv",
            force="Leicestershire Police",  # as a file whose name gave no force was keyed
            month=DECEMBER,
            status="live",
            rows_read=10,
            rows_imported=5,
            rows_no_location=2,
            rows_outside_area=5,
        )
        for line, (place, category) in enumerate(
            [(lsoa.pk, "burglary"), (lsoa.pk, "burglary"), (lsoa.pk, "drugs"), (None, "burglary"), (None, "drugs")]
        ):
            record.objects.create(
                run_id=run.pk, partnership_id=district.pk, month=DECEMBER, category=category, lsoa_id=place, line=line
            )
        count.objects.create(
            partnership_id=district.pk,
            source="policeuk_street",
            month=DECEMBER,
            lsoa_id=None,
            category="drugs",
            count=2,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    unlocated = new.get_model("intelligence", "ForceUnlocated").objects.all()
    assert sorted(unlocated.values_list("force", "month", "category", "count")) == [
        ("leicestershire", DECEMBER, "burglary", 1),
        ("leicestershire", DECEMBER, "drugs", 1),
    ]  # once for the force, not once per district
    runs = new.get_model("intelligence", "ImportRun").objects.all()
    assert set(runs.values_list("force", "rows_imported", "rows_no_location")) == {("leicestershire", 3, 2)}
    assert not new.get_model("intelligence", "StreetRecord").objects.filter(lsoa=None).exists()
    assert new.get_model("intelligence", "StreetRecord").objects.count() == 6
    assert not new.get_model("intelligence", "MonthlyCount").objects.filter(lsoa=None).exists()
