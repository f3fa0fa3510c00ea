"""For tests that personal data stays out of URLs: the addresses a page links, posts or loads, and a check that none
of them (nor a redirect's Location) carries a search's words, however the URL encodes them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import unquote_plus

ADDRESS = re.compile(r"""\b(?:href|action|src|formaction)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def addresses_in(page: str) -> list[str]:
    """Every address in a page's links, forms, images and scripts."""
    return [html.unescape(found) for found in ADDRESS.findall(page)]


def carrying(urls: Iterable[str], *words: str) -> list[str]:
    """The URLs that carry any of ``words`` (case ignored, percent and plus encoding undone)."""
    lowered = [w.lower() for w in words]
    return [url for url in urls if any(w in unquote_plus(url).lower() for w in lowered)]


__all__ = ["addresses_in", "carrying"]
