"""The demo's analysis content: a priority neighbourhood with a real gap, and a partner source of deliberate fires
that says it is invented; loading twice adds nothing."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from django.urls import reverse

from safer.core.demo import OADBY
from safer.intelligence import demo, selectors
from safer.intelligence.models import ImportRun, PartnerRecord, PartnerSource, PriorityArea, RunStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def oadby(geography, partnership, council):
    from safer.core.models import Agency, AgencyKind

    Agency.objects.create(partnership=partnership, name="Leicestershire Fire and Rescue Service", kind=AgencyKind.FIRE)
    partnership.name = OADBY
    partnership.save(update_fields=["name"])
    return partnership


def test_the_demo_has_a_priority_neighbourhood_and_invented_fires_once(oadby, client, sign_in, analyst, tmp_path):
    out = io.StringIO()
    demo.load_demo_content(out)
    demo.load_demo_content(io.StringIO())
    assert "priority neighbourhood South Wigston and Wigston All Saints" in out.getvalue()

    area = PriorityArea.objects.get(partnership=oadby)
    assert sorted({lsoa.ward.code if lsoa.ward else "" for lsoa in area.lsoas.all()}) == list(demo.PRIORITY_WARDS)
    assert area.lsoas.count() == 9  # South Wigston's 5 LSOAs and Wigston All Saints' 4

    source = PartnerSource.objects.get(partnership=oadby)
    assert source.name == "Deliberate fires (invented for the demo)" and "invented" in source.counted
    assert source.agency is not None and source.agency.name == "Leicestershire Fire and Rescue Service"
    run = ImportRun.objects.get(source=source.key)
    assert run.status == RunStatus.LIVE and run.rows_rejected == 0 and run.rows_outside_area == 0
    # The same rows as the generator writes: every one imported and traceable to its line.
    expected = tmp_path / "fires.csv"
    written = demo.write_fires(expected, oadby)
    assert run.rows_imported == written == PartnerRecord.objects.filter(run=run).count()
    with expected.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    summer = sum(1 for r in rows if r["Date"][3:5] in ("05", "06"))
    winter = sum(1 for r in rows if r["Date"][3:5] in ("01", "02"))
    assert summer > 1.5 * winter  # the seasonal shape fire services report

    sign_in(client, analyst)
    page = client.get(reverse("intelligence:priority-area", args=[area.pk])).text
    assert "South Wigston and Wigston All Saints" in page
    heat = client.get(reverse("intelligence:heat-map") + f"?dataset=partner-{source.pk}").text
    assert "Deliberate fires (invented for the demo)" in heat
    # A partner's figures are called its records and sourced to its files, not to police.uk as crimes.
    assert "Counts of the partner&#39;s records in" in heat and "Source: the partner&#39;s files as imported" in heat
    assert "police.uk street-level data" not in heat and "Anti-social behaviour is not recorded crime" not in heat
    rates = client.get(reverse("intelligence:rates") + f"?dataset=partner-{source.pk}&level=ward").text
    assert "Source: the partner&#39;s files as imported" in rates and "police.uk street-level data" not in rates
    assert "a few records move its rate a lot" in rates
    # Its trend ranks its own categories (the file's fire types), not police.uk's crimes.
    trend = selectors.trend(oadby, selectors.dataset(f"partner-{source.pk}", oadby))
    assert trend is not None
    last_12 = [r for r in rows if (r["Date"][6:], r["Date"][3:5]) >= ("2021", "08")]  # August 2021 to July 2022
    expected_ranking = Counter(r["Fire type"] for r in last_12)
    assert dict(trend.ranking) == expected_ranking
    assert [n for _name, n in trend.ranking] == sorted(expected_ranking.values(), reverse=True)
    page = client.get(reverse("intelligence:trends") + f"?dataset=partner-{source.pk}").text
    assert "The partner&#39;s categories ranked by count" in page
    assert '<td class="govuk-table__cell">Deliberate secondary fire: refuse</td>' in page
    assert '<td class="govuk-table__cell">Violence and sexual offences</td>' not in page
    hotspots = client.get(reverse("intelligence:hotspots") + f"?dataset=partner-{source.pk}").text
    assert "Source: the partner&#39;s files as imported" in hotspots
    assert "police.uk moves every record" not in hotspots  # its anonymised map points are not the partner's
