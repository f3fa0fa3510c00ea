"""Boundary polygons from a GeoJSON FeatureCollection (WGS84 longitude/latitude), one feature at a time.

The features array is decoded feature by feature from a buffered stream, so a national file (the ONS LSOA file is
about 32 MB) is never held whole. Only each feature's code and geometry are kept; other properties are dropped.
The code is taken from the first property named like ``LSOA11CD`` / ``WD19CD`` (any case), else ``area_code`` or
``code``; the two digits give the edition (``WD19CD`` → 2019).
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safer.geography.importers.base import GeographyImportError, code_problem, display_name, open_binary

CHUNK = 1 << 20
MAX_FEATURE_CHARS = 64 << 20  # one polygon larger than this is not a boundary file we can use
_FEATURES = re.compile(r'"features"\s*:\s*\[')
_SPACE = " \t\r\n"
PREFIXES = {"lsoa": "LSOA", "ward": "WD", "lad": "LAD"}
CODE_KINDS = {"lsoa": "LSOA", "ward": "ward", "lad": "local authority district"}
GEOMETRY_DEPTH = {"Polygon": 3, "MultiPolygon": 4}


@dataclass(frozen=True)
class BoundaryFeature:
    index: int  # 1-based position in the features array
    code: str
    edition: str | None  # from the code property's name (WD19CD → 2019), if it says
    geometry: dict[str, Any]


class _Stream:
    """Text read in chunks, with a cursor; consumed text is dropped."""

    def __init__(self, handle: io.BufferedIOBase, name: str) -> None:
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.name = name
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0

    def more(self) -> bool:
        if self.eof:
            return False
        try:
            data = self.handle.read(CHUNK)
            chunk = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise GeographyImportError(
                self.name,
                f"the text is not UTF-8 (at byte {self.bytes_read + exc.start + 1:,})",
                fix="Save the file as UTF-8 GeoJSON and import it again",
            ) from exc
        except (OSError, EOFError) as exc:
            raise GeographyImportError(self.name, f"the file cannot be read ({exc})") from exc
        self.bytes_read += len(data)
        if not data:
            self.eof = True
            if chunk:
                self.buffer = self.buffer[self.pos :] + chunk
                self.pos = 0
            return bool(chunk)
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def next_char(self) -> str | None:
        """The next character that is not white space, without consuming it; None at the end of the file."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return None


def _features(stream: _Stream) -> Iterator[tuple[int, Any]]:
    name = stream.name
    while True:
        match = _FEATURES.search(stream.buffer)
        if match:
            stream.pos = match.end()
            break
        if not stream.more():
            if not stream.buffer.strip():
                raise GeographyImportError(name, "the file is empty", fix="Choose the full GeoJSON file")
            raise GeographyImportError(
                name,
                'this is not a GeoJSON FeatureCollection (there is no "features" list)',
                fix="Export the boundaries as a GeoJSON FeatureCollection in WGS84 (EPSG:4326)",
            )
    decoder = json.JSONDecoder()
    index = 0
    while True:
        char = stream.next_char()
        if char is None:
            raise GeographyImportError(
                name, "the file ends inside the features list", feature=index + 1, fix="The file is cut short"
            )
        if char == "]":
            if index == 0:
                raise GeographyImportError(name, "the features list is empty", fix="Choose a file with boundaries")
            return
        if index > 0:
            if char != ",":
                raise GeographyImportError(
                    name, f"expected a comma before this feature, found {char!r}", feature=index + 1
                )
            stream.pos += 1
            if stream.next_char() is None:
                continue  # reported above on the next turn
        while True:
            try:
                value, end = decoder.raw_decode(stream.buffer, stream.pos)
            except json.JSONDecodeError as exc:
                too_big = len(stream.buffer) - stream.pos > MAX_FEATURE_CHARS
                if too_big or not stream.more():
                    raise GeographyImportError(
                        name,
                        f"the feature is not valid JSON ({exc.msg})",
                        feature=index + 1,
                        fix="Check the file was not cut short or edited by hand; export it again",
                    ) from exc
                continue
            break
        index += 1
        stream.pos = end
        yield index, value


def _code_property(properties: dict[str, Any], level: str) -> tuple[str, str | None] | None:
    prefix = PREFIXES[level]
    for key in properties:
        match = re.fullmatch(rf"{prefix}(\d\d)CD", key, flags=re.IGNORECASE)
        if match:
            return key, f"20{match.group(1)}"
    for key in ("area_code", "code", "CODE"):
        if key in properties:
            return key, None
    return None


def _positions_ok(coordinates: Any, depth: int) -> bool:
    if depth == 1:
        return (
            isinstance(coordinates, list)
            and len(coordinates) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
        )
    return isinstance(coordinates, list) and bool(coordinates) and all(_positions_ok(c, depth - 1) for c in coordinates)


def _first_position(coordinates: Any) -> list[float]:
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return list(coordinates)


def _check(name: str, index: int, value: Any, level: str) -> BoundaryFeature:
    def error(problem: str, fix: str = "") -> GeographyImportError:
        return GeographyImportError(name, problem, feature=index, fix=fix)

    if not isinstance(value, dict) or value.get("type") != "Feature":
        raise error('this is not a GeoJSON Feature (its "type" is not "Feature")')
    properties = value.get("properties")
    if not isinstance(properties, dict):
        raise error('the feature has no "properties"', "Each boundary needs its ONS code as a property")
    found = _code_property(properties, level)
    if found is None:
        example = {"lsoa": "LSOA11CD", "ward": "WD19CD", "lad": "LAD19CD"}[level]
        raise error(
            f"the feature has no {CODE_KINDS[level]} code property (looked for {example}, area_code, code)",
            "Use the ONS boundary file with its properties unchanged",
        )
    key, edition = found
    code = str(properties[key]).strip()
    problem = code_problem(CODE_KINDS[level], code)
    if problem:
        raise error(f'property "{key}": {problem}', "Check that this is a file of the right level")
    geometry = value.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_DEPTH:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        raise error(f"the geometry of {code} is {kind or 'missing'}, not a Polygon or MultiPolygon")
    coordinates = geometry.get("coordinates")
    if not _positions_ok(coordinates, GEOMETRY_DEPTH[geometry["type"]]):
        raise error(f"the coordinates of {code} are not a valid {geometry['type']}")
    lon, lat = _first_position(coordinates)[:2]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise error(
            f"the coordinates of {code} ({lon}, {lat}) are not longitude and latitude",
            "They look like British National Grid metres: export the file in WGS84 (EPSG:4326)",
        )
    return BoundaryFeature(
        index=index,
        code=code,
        edition=edition,
        geometry={"type": geometry["type"], "coordinates": coordinates},
    )


@contextmanager
def open_boundaries(path: Path, level: str) -> Iterator[Iterator[BoundaryFeature]]:
    name = display_name(path)
    with open_binary(path) as handle:
        stream = _Stream(handle, name)
        yield (_check(name, index, value, level) for index, value in _features(stream))
