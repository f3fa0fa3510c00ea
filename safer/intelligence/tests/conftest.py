"""Geography for the two Leicestershire districts, loaded from the bundled ONS fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from safer.core.models import Partnership
from safer.geography import services as geography_services

LOOKUP = Path(__file__).resolve().parents[2] / "geography" / "fixtures" / "lsoa11_wd19_lad19_csp_subset.csv"


@pytest.fixture
def geography(partnership: Partnership, other_partnership: Partnership) -> None:
    # partnership = Oadby and Wigston (E07000135), other_partnership = North West Leicestershire (E07000134)
    geography_services.import_lookup(LOOKUP, ["E07000135", "E07000134"])
