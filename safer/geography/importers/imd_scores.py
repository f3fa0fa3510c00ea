"""IMD scores per LSOA from mySociety's Composite UK IMD (``UK_IMD_E.csv``).

Its ``overall_local_score`` is the published IoD2019 IMD score (MHCLG File 5), higher = more deprived;
``original_decile`` is the official IMD decile. The other columns are mySociety's own measures and are not read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safer.geography.importers.base import CsvFile

EXPECTED = "mySociety's UK_IMD_E.csv (columns lsoa, overall_local_score, original_decile)"
COLUMNS = ("lsoa", "overall_local_score", "original_decile")


@dataclass(frozen=True)
class ScoreRow:
    line: int
    lsoa_code: str
    score: float
    decile: int


@contextmanager
def open_imd_scores(path: Path) -> Iterator[Iterator[ScoreRow]]:
    with CsvFile.open(path) as csv_file:
        csv_file.require(COLUMNS, EXPECTED)
        yield _rows(csv_file)


def _rows(csv_file: CsvFile) -> Iterator[ScoreRow]:
    for row in csv_file:
        lsoa_code = row.code("lsoa", "LSOA")
        raw = row.text("overall_local_score")
        try:
            score = float(raw)
        except ValueError:
            score = math.nan
        if not math.isfinite(score) or not 0 <= score <= 100:
            raise row.error("overall_local_score", f"{raw!r} is not an IMD score", "A score is a number from 0 to 100")
        decile = row.whole_number("original_decile", minimum=1, maximum=10, what="decile")
        yield ScoreRow(row.line, lsoa_code, score, decile)
