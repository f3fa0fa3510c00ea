"""The serious violence profile: which police.uk categories stand in for the Home Office definition, and what they
cannot show. police.uk gives categories, not offence codes, so this is a proxy and says so wherever it is used."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from safer.core.models import Partnership
from safer.intelligence.categories import SERIOUS_VIOLENCE, label
from safer.intelligence.selectors import MONTH_NAMES, Dataset, fy_label, fy_of, monthly_series
from safer.intelligence.selectors import dataset as find_dataset

SLUG = "serious-violence"
CATEGORIES = SERIOUS_VIOLENCE


@dataclass(frozen=True)
class Mapping:
    category: str
    included: bool
    definition: str
    cannot_show: str


# Home Office Serious Violence Strategy (2018): homicide, violence against the person including knife and gun crime,
# and areas where serious violence or its threat is inherent, such as gangs and county lines. Local definitions add
# robbery, weapons possession, sexual offences and arson endangering life (Norfolk), or domestic abuse and sexual
# violence (London). See ../shared/reference/strategy-and-performance.md §1.8.
MAPPINGS = [
    Mapping(
        "Violence and sexual offences",
        True,
        "Violence against the person (homicide, wounding, assault) and sexual offences",
        "Cannot separate homicide, knife or gun crime, or serious from minor violence (it includes common assault, "
        "harassment and stalking); no domestic-abuse flag; no victim age, so under-25s cannot be picked out.",
    ),
    Mapping(
        "Robbery",
        True,
        "Robbery, a core serious violence measure where a knife is used",
        "Cannot tell knife-enabled or business from personal robbery.",
    ),
    Mapping(
        "Possession of weapons",
        True,
        "Weapons possession (knives, firearms and other offensive weapons)",
        "Cannot tell knives from firearms; mostly reflects police activity such as stop and search, not prevalence.",
    ),
    Mapping(
        "Criminal damage and arson",
        False,
        "Arson endangering life is in some local definitions",
        "Arson is not separated from criminal damage, so the category is left out.",
    ),
    Mapping(
        "Public order",
        False,
        "Some local definitions include selected public order offences",
        "The serious offences (riot, violent disorder) are not separated, so the category is left out.",
    ),
    Mapping(
        "Drugs",
        False,
        "Context: county lines and drug markets drive serious violence",
        "Records police activity, not violence; shown on its own heat map, not counted here.",
    ),
]


def dataset() -> Dataset:
    return find_dataset(SLUG)


@dataclass
class Profile:
    by_category: list[tuple[str, list[int | None]]]  # category label → count per financial year
    years: list[int]
    months_present: list[int]
    seasonal: list[tuple[str, float | None, int]]  # calendar month, mean count, years averaged
    peak_month: str | None

    @property
    def year_labels(self) -> list[str]:
        return [fy_label(y) for y in self.years]


def profile(partnership: Partnership) -> Profile | None:
    per_category = {slug: monthly_series(partnership, Dataset(slug, label(slug), [slug])) for slug in CATEGORIES}
    months = sorted(next(iter(per_category.values())).keys())
    if not months:
        return None
    years = list(range(fy_of(months[0]), fy_of(months[-1]) + 1))
    months_present = [sum(1 for m in months if fy_of(m) == y) for y in years]
    by_category = [
        (
            label(slug),
            [
                sum(v for m, v in series.items() if fy_of(m) == y) if n else None
                for y, n in zip(years, months_present, strict=True)
            ],
        )
        for slug, series in per_category.items()
    ]
    total = {m: sum(series[m] for series in per_category.values()) for m in months}
    seasonal = []
    for number in range(1, 13):
        values = [v for m, v in total.items() if m.month == number]
        seasonal.append((MONTH_NAMES[number - 1], statistics.fmean(values) if values else None, len(values)))
    peak = max((s for s in seasonal if s[1] is not None), key=lambda s: s[1] or 0, default=None)
    return Profile(by_category, years, months_present, seasonal, peak[0] if peak else None)
