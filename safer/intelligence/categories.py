"""police.uk crime categories: the CSV labels, their slugs, and the sets in use over time.

Source: police.uk "About" and changelog (see ../shared/reference/strategy-and-performance.md §3.3). From May 2013 there
are 14 categories; earlier months used older sets, which are accepted so that old archives load, and kept apart.
"""

from __future__ import annotations

ASB = "anti-social-behaviour"
STOP_SEARCH = "stop-and-search"  # the one category of the stop-and-search counts
# The police.uk stand-in for serious violence (see safer/intelligence/serious_violence.py for what it cannot show).
SERIOUS_VIOLENCE = ["violent-crime", "robbery", "possession-of-weapons"]

# CSV label → slug, current set (May 2013 onwards).
CURRENT: dict[str, str] = {
    "Anti-social behaviour": ASB,
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
    "Other crime": "other-crime",
}

# Labels used before May 2013.
HISTORIC: dict[str, str] = {
    "Violent crime": "violent-crime-pre-2013",
    "Public disorder and weapons": "public-disorder-weapons",
}

SLUG_FOR_LABEL: dict[str, str] = {**CURRENT, **HISTORIC}
LABEL_FOR_SLUG: dict[str, str] = {slug: label for label, slug in SLUG_FOR_LABEL.items()}

CRIME_SLUGS: list[str] = [slug for slug in CURRENT.values() if slug != ASB]


def label(slug: str) -> str:
    return LABEL_FOR_SLUG.get(slug, slug)
