"""The demo's analysis content for Oadby and Wigston, on top of its real police.uk months and geography.

- A priority neighbourhood: South Wigston and Wigston All Saints, neighbouring wards with three of the borough's five
  most deprived LSOAs (IMD 2019) and rates of recorded crime above the rest of the borough, so the gap page has a
  real gap to follow.
- A partner source of deliberate fires, invented for the demo and named so (no open data of fire incidents by LSOA
  is bundled): generated here from a fixed seed, with the seasonal shape fire services report (grass fires in spring
  and summer, a peak around Bonfire Night), imported through the same service as an analyst's upload.

Loading twice adds nothing.
"""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from safer.core.demo import OADBY
from safer.core.models import Agency, Partnership, User
from safer.geography.models import Lsoa
from safer.intelligence import partner_services, priority_services
from safer.intelligence.importers.partner import Mapping
from safer.intelligence.models import PartnerSource, PriorityArea

PRIORITY_NAME = "South Wigston and Wigston All Saints"
PRIORITY_WARDS = ("E05005536", "E05005537")
PRIORITY_DESCRIPTION = (
    "Neighbouring wards in Wigston with three of the borough's five most deprived LSOAs (IMD 2019). The partnership's "
    "aim: keep the gap between their rate of recorded crime and the rest of the borough's to no more than 33%."
)
FIRES_NAME = "Deliberate fires (invented for the demo)"
FIRES_FILE = "deliberate-fires-2019-12-to-2022-07-demo.csv"
FIRE_TYPES = (
    ("Deliberate secondary fire: refuse", 5),
    ("Deliberate secondary fire: grassland", 3),
    ("Deliberate primary fire: vehicle", 2),
    ("Deliberate primary fire: building", 1),
)
# Fires a month by calendar month (January first): spring and summer grass fires, and Bonfire Night.
MONTHLY = (6, 7, 10, 14, 16, 15, 14, 12, 9, 10, 13, 7)


def load_demo_content(stdout: Any) -> None:
    oadby = Partnership.objects.filter(name=OADBY).first()
    if oadby is None or not Lsoa.objects.filter(lad__code__in=oadby.lad_codes).exists():
        return  # people only (load_demo --people-only): no geography to place anything in
    actor = User.objects.filter(email="analyst@oadby-wigston.example").first()
    if not PriorityArea.objects.filter(partnership=oadby, name=PRIORITY_NAME).exists():
        priority_services.create_priority_area(
            partnership=oadby,
            name=PRIORITY_NAME,
            description=PRIORITY_DESCRIPTION,
            ward_codes=PRIORITY_WARDS,
            actor=actor,
        )
        stdout.write(f"Intelligence: priority neighbourhood {PRIORITY_NAME}\n")
    if not PartnerSource.objects.filter(partnership=oadby, name=FIRES_NAME).exists():
        _fires(oadby, actor)
        stdout.write(f"Intelligence: partner source {FIRES_NAME}\n")


def _fires(partnership: Partnership, actor: User | None) -> None:
    fire_service = Agency.objects.filter(partnership=partnership, kind="fire").first()
    source = partner_services.create_source(
        partnership=partnership,
        name=FIRES_NAME,
        counted="one deliberate fire attended (rows invented for the demo, not real incidents)",
        agency=fire_service,
        actor=actor,
    )
    partner_services.save_mapping(
        source=source,
        mapping=Mapping(
            date="Date",
            location="lsoa",
            columns={"lsoa": "LSOA code", "category": "Fire type", "reference": "Incident"},
        ),
    )
    with tempfile.TemporaryDirectory(prefix="safer-demo-fires-") as folder:
        path = Path(folder) / FIRES_FILE
        write_fires(path, partnership)
        outcome = partner_services.import_partner_file(
            partnership=partnership, source=source, path=path, name=FIRES_FILE, actor=actor
        )
    if outcome.refused:
        raise RuntimeError(f"The demo's fires did not import: {outcome.refused}")


def write_fires(path: Path, partnership: Partnership) -> int:
    """The invented incidents, December 2019 to July 2022 (the demo's police.uk months), more of them in the
    priority wards; returns how many."""
    rng = random.Random(20191201)  # noqa: S311 - demo data, not security
    lsoas = list(
        Lsoa.objects.filter(lad__code__in=partnership.lad_codes, vintage="2011")
        .order_by("code")
        .values_list("code", "ward__code")
    )
    weights = [3 if ward in PRIORITY_WARDS else 1 for _code, ward in lsoas]
    types = [name for name, _weight in FIRE_TYPES]
    type_weights = [weight for _name, weight in FIRE_TYPES]
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Incident", "Date", "Fire type", "LSOA code"])
        year, month = 2019, 12
        while (year, month) <= (2022, 7):
            for _ in range(max(0, MONTHLY[month - 1] + rng.randint(-3, 3))):
                written += 1
                day = rng.randint(1, 28)
                fire_type = "Deliberate secondary fire: refuse" if month in (10, 11) and rng.random() < 0.5 else None
                writer.writerow(
                    [
                        f"DEMO-F{written:05d}",
                        date(year, month, day).strftime("%d/%m/%Y"),
                        fire_type or rng.choices(types, type_weights)[0],
                        rng.choices(lsoas, weights)[0][0],
                    ]
                )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return written
