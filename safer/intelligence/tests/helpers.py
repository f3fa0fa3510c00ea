"""Test helpers: real fixture files, and files written on the fly."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from safer.intelligence.importers.files import DataFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policeuk"
CSP = FIXTURES / "leicestershire-csp"
FULL = FIXTURES / "leicestershire-full"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context\r\n"
)
CRIME_ID = "9e1a5720a9165395b28d3a9768c2546ddaed48b849d54fe23dfd31e82feb3b4b"


def row(
    *,
    crime_id: str = CRIME_ID,
    month: str = "2019-12",
    lsoa: str = "E01025980",
    crime_type: str = "Burglary",
    lon: str = "-1.1",
    lat: str = "52.6",
) -> str:
    return (
        f"{crime_id},{month},Leicestershire Police,Leicestershire Police,{lon},{lat},On or near High Street,{lsoa},"
        f"Oadby and Wigston 009D,{crime_type},Under investigation,\r\n"
    )


def memory_file(name: str, content: bytes) -> DataFile:
    return DataFile(name=name, open_bytes=lambda: io.BytesIO(content))


def real_month(month: str) -> bytes:
    with gzip.open(CSP / f"{month}-leicestershire-street.csv.gz", "rb") as fh:
        return fh.read()
