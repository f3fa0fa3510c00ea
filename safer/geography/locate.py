"""Placing a point (latitude, longitude) in one of a partnership's LSOAs, by their boundary polygons: stop-and-search
rows, partner rows, case places with coordinates, and postcodes.

Stop-and-search files carry coordinates but no LSOA. Ray casting over GeoJSON Polygon/MultiPolygon rings (holes
respected), with a bounding-box test first; a few hundred LSOAs and a few thousand points a month need nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Ring = Sequence[Sequence[float]]


def _inside_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


class LsoaLocator:
    def __init__(self, features: list[tuple[str, dict[str, Any]]]) -> None:
        """``features``: (LSOA code, GeoJSON geometry in WGS84, longitude first)."""
        self._areas: list[tuple[str, tuple[float, float, float, float], list[list[Ring]]]] = []
        for code, geometry in features:
            polygons = _polygons(geometry)
            points = [p for polygon in polygons for p in polygon[0]]
            if not points:
                continue
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            self._areas.append((code, (min(xs), min(ys), max(xs), max(ys)), polygons))

    def __len__(self) -> int:
        return len(self._areas)

    def locate(self, latitude: float, longitude: float) -> str | None:
        x, y = longitude, latitude
        for code, (x0, y0, x1, y1), polygons in self._areas:
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                continue
            for polygon in polygons:
                if _inside_ring(x, y, polygon[0]) and not any(_inside_ring(x, y, hole) for hole in polygon[1:]):
                    return code
        return None
