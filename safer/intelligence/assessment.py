"""The statutory Strategic Assessment, generated from the data the partnership holds, as PDF and Word.

The Crime and Disorder (Formulation and Implementation of Strategy) Regulations 2007 ask each partnership for an
annual analysis of the levels and patterns of crime, disorder and substance misuse, the changes since the last
assessment, re-offending, the views of the community, and (since 2023) serious violence; and for the priorities it
should adopt. This module assembles the parts the data can answer (police.uk crime and ASB, ONS population and the
Indices of Deprivation, the analyst's priority neighbourhoods) into one :class:`Assessment`, and renders it twice:

- ``render_pdf``: HTML (``intelligence/assessment_document.html``) drawn by WeasyPrint as a tagged PDF (PDF/UA-1),
  with the SVG charts and a table of the same numbers under each;
- ``render_docx``: the same sections, paragraphs and tables in Word (python-docx), charts given as their tables.

Parts the data cannot answer (re-offending, substance misuse, the community's views, partners' own data) are named
in a closing section, so the strategy group knows what to add rather than reading silence as "nothing to report".
Suggested priorities are rules applied to the figures, worded as matters for the strategy group to consider.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import timezone

from safer.core.models import Partnership
from safer.geography import selectors as geo
from safer.intelligence import priority as priority_selectors
from safer.intelligence import rates as rate_selectors
from safer.intelligence import serious_violence
from safer.intelligence.categories import ASB, label
from safer.intelligence.charts import line_chart
from safer.intelligence.models import PartnerSource
from safer.intelligence.selectors import (
    Dataset,
    add_months,
    category_ranking,
    dataset,
    heat_map,
    live_months,
    monthly_series,
    partner_dataset,
    quality_flags,
    trend,
)

# A category is "rising" when its last 12 months are at least this much above the 12 before, on at least this many.
RISING_PCT = 10.0
RISING_MIN = 50
# A ward is a "high-rate" ward when its rate is at least this many times the partnership's.
HIGH_RATE_RATIO = 1.5

# The sections built from data, in order (the progress bar counts them).
STEPS = (
    "About this assessment",
    "Community profile",
    "Crime",
    "Anti-social behaviour",
    "Changes by category",
    "Where: rates by ward",
    "Priority neighbourhoods",
    "Serious violence",
    "Partner data",
    "Delivery of the partnership plan",
    "Suggested priorities",
)


# Parts of the assessment that come from apps above this one (the delivery plan's quarterly returns): each is
# registered in its app's ``AppConfig.ready`` under a key of CANNOT_SHOW, so a part that has data takes that item
# off the list of what the assessment cannot show.
Part = Callable[[Partnership, date, date], "Section | None"]
_PARTS: dict[str, Part] = {}


def register_part(key: str, build: Part) -> None:
    _PARTS[key] = build


# What the regulations ask for that the system may not hold, by key; each is listed only while it is not held.
CANNOT_SHOW = {
    "reoffending": "Re-offending levels and patterns (probation and youth justice data).",
    "substance": "Substance misuse, including alcohol (treatment services, hospital admissions).",
    "views": "The views of people who live and work in the area (the community safety survey and consultation).",
    "delivery": "How far the previous partnership plan was delivered (the delivery plan's quarterly returns).",
    "partner": "Partners' own data: council ASB reports, fire service deliberate fires, hospital assault data.",
}


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)  # right-align these columns

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [False] + [True] * (len(self.headers) - 1)


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # SVG; each has a Table with the same numbers
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    partnership: str
    title: str
    period_label: str
    generated_at: datetime
    sections: list[Section]
    has_data: bool

    @property
    def file_stem(self) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in self.partnership.lower()).strip("-")
        return f"strategic-assessment-{slug}-{self.generated_at:%Y%m%d}"


def n(value: float | int | None, places: int = 0) -> str:
    if value is None:
        return "no data"
    return f"{value:,.{places}f}"


def pct(value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value:+.1f}%"


def _sum(series: dict[date, int], start: date, end: date) -> int | None:
    months = [m for m in series if start <= m <= end]
    expected = (end.year - start.year) * 12 + end.month - start.month + 1
    return sum(series[m] for m in months) if len(months) == expected else None


def build(partnership: Partnership, on_step: Callable[[str], None] | None = None) -> Assessment:
    """Everything the assessment says, computed now from the live data. ``on_step`` reports each section."""

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    months = live_months(partnership)
    now = timezone.now()
    if not months:
        return Assessment(
            partnership=partnership.name,
            title="Strategic Assessment: no police.uk data loaded",
            period_label="No police.uk data loaded",
            generated_at=now,
            sections=[
                Section(
                    "No data to assess",
                    [
                        "No police.uk street-level crime and ASB data has been imported for this partnership, so "
                        "there are no levels, patterns or changes to report. Import the monthly police.uk files "
                        "on the Data and analysis page, then build the assessment again."
                    ],
                ),
                _cannot_show(set()),
            ],
            has_data=False,
        )
    last = months[-1]
    start_12 = add_months(last, -11)
    previous_start, previous_end = add_months(last, -23), add_months(last, -12)
    period = f"{start_12:%B %Y} to {last:%B %Y}"
    title = f"Strategic Assessment: {period}"  # named for the period it covers, not the year it was built in
    sections: list[Section] = []
    held: set[str] = set()

    step("About this assessment")
    sections.append(_about(partnership, months, period))
    step("Community profile")
    sections.append(_community(partnership))
    step("Crime")
    all_crime = dataset("all-crime")
    sections.append(_levels(partnership, all_crime, "Levels and patterns of recorded crime", "crimes"))
    step("Anti-social behaviour")
    sections.append(_levels(partnership, dataset("asb"), "Anti-social behaviour", "incidents"))
    step("Changes by category")
    changes = _changes(partnership, start_12, last, previous_start, previous_end)
    sections.append(changes.section)
    step("Where: rates by ward")
    wards = rate_selectors.rates(partnership, all_crime, start_12, last, "ward")
    sections.append(_wards(wards, period))
    step("Priority neighbourhoods")
    sections.append(_priority(partnership))
    step("Serious violence")
    sections.append(_serious_violence(partnership))
    step("Partner data")
    partner = _partner_data(partnership, start_12, last)
    if partner is not None:
        sections.append(partner)
        held.add("partner")
    step("Delivery of the partnership plan")
    for key, build_part in _PARTS.items():
        part = build_part(partnership, start_12, last)
        if part is not None:
            sections.append(part)
            held.add(key)
    step("Suggested priorities")
    sections.append(_suggestions(partnership, changes, wards, start_12, last))
    sections.append(_cannot_show(held))
    return Assessment(
        partnership=partnership.name,
        title=title,
        period_label=period,
        generated_at=now,
        sections=sections,
        has_data=True,
    )


def _about(partnership: Partnership, months: list[date], period: str) -> Section:
    flags = quality_flags(partnership)
    section = Section(
        "About this assessment",
        [
            f"This assessment covers {partnership.name}. Its main period is the latest 12 months of police.uk data, "
            f"{period}; comparisons use the 12 months before and whole financial years (April to March) back to "
            f"{months[0]:%B %Y}, the first month loaded.",
            "Sources: police.uk street-level crime and anti-social behaviour (Open Government Licence v3.0); ONS "
            "mid-year population estimates and LSOA, ward and district lookups; the English Indices of Deprivation "
            "2019. police.uk locations are anonymised to nearby map points and a small share of records has no "
            "location: counts by area are of located records only.",
            f"Generated by Safer Communities on {timezone.localtime():%d %B %Y at %H:%M}.",
        ],
    )
    section.bullets = [f.text for f in flags]
    if flags:
        section.paragraphs.append("Data-quality notes that affect the figures:")
    return section


def _community(partnership: Partnership) -> Section:
    profile = geo.community_profile(partnership)
    summary = profile.summary
    section = Section("Community profile")
    if profile.ward_totals is None:
        section.paragraphs.append("No population figures are loaded for this area.")
        return section
    section.paragraphs.append(
        f"The area has {n(profile.ward_totals.latest_total)} residents ({profile.latest_source}) in "
        f"{len(profile.wards)} wards and {len(profile.lsoas)} LSOAs."
    )
    rows = [
        [w.name, n(w.aged_0_15), n(w.aged_16_59), n(w.aged_60_plus), n(w.total), n(w.latest_total)]
        for w in profile.wards
    ]
    t = profile.ward_totals
    rows.append(["All wards", n(t.aged_0_15), n(t.aged_16_59), n(t.aged_60_plus), n(t.total), n(t.latest_total)])
    section.tables.append(
        Table(
            f"Residents by ward and age band ({profile.band_source}; latest total {profile.latest_source})",
            ["Ward", "Aged 0 to 15", "Aged 16 to 59", "Aged 60 and over", "All ages", "All ages (latest)"],
            rows,
        )
    )
    if any(count for _decile, count in profile.decile_counts):
        section.tables.append(
            Table(
                f"LSOAs by national deprivation decile ({profile.deprivation_source}; 1 = most deprived 10%)",
                ["IMD decile", "LSOAs"],
                [[str(d), n(c)] for d, c in profile.decile_counts],
            )
        )
    del summary
    return section


def _levels(partnership: Partnership, chosen: Dataset, title: str, noun: str) -> Section:
    section = Section(title)
    shown = trend(partnership, chosen)
    table = heat_map(partnership, chosen)
    if shown is None or table is None:
        section.paragraphs.append(f"No {noun} are recorded in the data loaded.")
        return section
    line = f"{shown.period_label}: {n(shown.current)} {noun}."
    for comparison in shown.comparisons:
        if comparison.value is not None:
            line += f" {comparison.label}: {n(comparison.value)} ({pct(comparison.change_pct)} since)."
    section.paragraphs.append(line)
    # The flags the heat map page shows beside these figures (a month far from its usual level, months missing).
    section.bullets = [flag.text for flag in quality_flags(partnership, chosen)]
    series = monthly_series(partnership, chosen)
    first, final = min(series), max(series)
    points: list[tuple[date, float | None]] = []
    month = first
    while month <= final:
        count = series.get(month)
        points.append((month, float(count) if count is not None else None))
        month = add_months(month, 1)
    # The same monthly figures as the table below (months with no data break the line).
    section.charts.append(
        line_chart(
            f"{chosen.name} recorded each month, {first:%B %Y} to {final:%B %Y}",
            [("Monthly count", points)],
            y_label=f"{noun.capitalize()} per month",
            x_label="Month (labels mark April, the start of each financial year)",
        )
    )
    headers = ["Month", *table.year_labels]
    rows = [[row.month_name, *[n(c.count) for c in row.cells]] for row in table.rows]
    rows.append(["Total", *[n(t) for t in table.totals]])
    rows.append(["Months loaded", *[str(m) for m in table.months_present]])
    section.tables.append(Table(f"{chosen.name} by month and financial year", headers, rows))
    return section


@dataclass
class Changes:
    section: Section
    ranked: list[tuple[str, int, int | None, float | None]]  # category, last 12, previous 12, change %


def _changes(partnership: Partnership, start: date, end: date, previous_start: date, previous_end: date) -> Changes:
    months = live_months(partnership)
    has_previous = previous_start >= months[0]
    current = category_ranking(partnership, start, end)
    before = dict(category_ranking(partnership, previous_start, previous_end)) if has_previous else {}
    ranked: list[tuple[str, int, int | None, float | None]] = []
    for name, count in current:
        prior = before.get(name) if has_previous else None
        change = (count - prior) / prior * 100 if prior else None
        ranked.append((name, count, prior, change))
    section = Section("Most prevalent categories and changes since last year")
    period = f"{start:%B %Y} to {end:%B %Y}"
    if has_previous:
        section.paragraphs.append(
            f"Categories ranked by volume in {period}, with the 12 months before ({previous_start:%B %Y} to "
            f"{previous_end:%B %Y}) for comparison. Anti-social behaviour is included in the ranking."
        )
    else:
        section.paragraphs.append(
            f"Categories ranked by volume in {period}. Fewer than 24 months are loaded, so there is no "
            "comparison with the year before."
        )
    section.tables.append(
        Table(
            "Records by category",
            ["Category", "Last 12 months", "12 months before", "Change"],
            [[name, n(count), n(prior), pct(change)] for name, count, prior, change in ranked],
        )
    )
    return Changes(section, ranked)


def _wards(table: rate_selectors.RateTable | None, period: str) -> Section:
    section = Section("Where: crime rates by ward")
    if table is None or not table.rows or table.overall_rate is None:
        section.paragraphs.append(
            "Rates per 1,000 residents cannot be shown: no population figures are loaded for the area's wards. "
            "Import the ONS mid-year estimates (manage.py import_geography) and build the assessment again."
        )
        return section
    section.paragraphs.append(
        f"Recorded crime (excluding ASB) per 1,000 residents, {period}. The partnership's rate is "
        f"{n(table.overall_rate, 1)} per 1,000. The deprivation column gives each ward's most deprived LSOA."
    )
    rows = sorted(table.rows, key=lambda r: -(r.rate or 0))
    section.tables.append(
        Table(
            f"Crime per 1,000 residents by ward ({table.population.source})",
            ["Ward", "Crimes", "Residents", "Rate per 1,000", "Times the area's rate", "Deprivation"],
            [[r.name, n(r.count), n(r.population), n(r.rate, 1), n(r.ratio, 2), r.imd_text] for r in rows],
            numeric=[False, True, True, True, True, False],
        )
    )
    return section


def _priority(partnership: Partnership) -> Section:
    section = Section("Priority neighbourhoods")
    areas = list(priority_selectors.areas_of(partnership))
    if not areas:
        section.paragraphs.append(
            "No priority neighbourhoods are defined. Analysts can define them on the Priority neighbourhoods page; "
            "the gap between their rate and the rest of the borough is then reported here."
        )
        return section
    for area in areas:
        chosen = dataset("all-crime")
        series = priority_selectors.gap_series(partnership, area, chosen, "fy")
        if series is None or not series.rows:
            section.paragraphs.append(f"{area.name}: no data for its areas yet.")
            continue
        compare = "rest"
        rows = [
            [
                row.label + ("" if row.complete else " (part year)"),
                n(row.priority_rate, 1),
                n(row.baseline(compare), 1),
                pct(row.gap_pct(compare)),
            ]
            for row in series.rows
        ]
        other = "whole borough" if compare == "borough" else "rest of the borough"
        section.tables.append(
            Table(
                f"{area.name}: {chosen.name.lower()} per 1,000 residents against the {other}, by financial year",
                ["Financial year", "Priority areas", other.capitalize(), "Gap"],
                rows,
            )
        )
    return section


def _serious_violence(partnership: Partnership) -> Section:
    section = Section("Serious violence")
    found = serious_violence.profile(partnership)
    if found is None:
        section.paragraphs.append("No serious violence records are in the data loaded.")
        return section
    section.paragraphs.append(
        "police.uk has no category for the Home Office definition of serious violence (homicide, violence with "
        "injury, knife and offensive-weapon offences, robbery). The nearest it offers are the categories below; "
        "violence and sexual offences includes lower-harm violence, so treat the totals as an upper bound and read "
        "them with the force's own serious violence data."
    )
    if found.peak_month:
        section.paragraphs.append(f"On average, these offences peak in {found.peak_month}.")
    section.tables.append(
        Table(
            "Serious violence proxy categories by financial year",
            ["Category", *found.year_labels],
            [[name, *[n(v) for v in values]] for name, values in found.by_category],
        )
    )
    section.tables.append(
        Table(
            "Time of year: average per calendar month (all proxy categories)",
            ["Month", "Average", "Years averaged"],
            [[month, n(mean, 1), str(years)] for month, mean, years in found.seasonal],
        )
    )
    return section


def _suggestions(
    partnership: Partnership,
    changes: Changes,
    wards: rate_selectors.RateTable | None,
    start: date,
    end: date,
) -> Section:
    section = Section(
        "Matters for the strategy group to consider",
        [
            "These are drawn from the figures by fixed rules (the highest volumes, categories rising by at least "
            f"{RISING_PCT:.0f}% on at least {RISING_MIN} records, wards with a rate at least {HIGH_RATE_RATIO} "
            "times the area's). They are a starting point for the partnership's priorities, not a decision."
        ],
    )
    crime_only = [c for c in changes.ranked if c[0] != label(ASB)]
    for name, count, _prior, _change in crime_only[:3]:
        section.bullets.append(f"High volume: {name}, {n(count)} records in the last 12 months.")
    for name, count, prior, change in changes.ranked:
        if change is not None and prior is not None and change >= RISING_PCT and count >= RISING_MIN:
            section.bullets.append(f"Rising: {name}, {n(prior)} → {n(count)} ({pct(change)}).")
    if wards is not None:
        for row in sorted(wards.rows, key=lambda r: -(r.ratio or 0)):
            if row.ratio is not None and row.ratio >= HIGH_RATE_RATIO:
                section.bullets.append(
                    f"High-rate ward: {row.name}, {n(row.rate, 1)} crimes per 1,000 residents "
                    f"({n(row.ratio, 1)} times the area's rate; {row.imd_text})."
                )
    if not section.bullets:
        section.bullets.append("No category or ward meets the rules above in this period.")
    del partnership, start, end
    return section


def _cannot_show(held: set[str]) -> Section:
    """What the regulations ask for that this system does not hold for the partnership now (``held``: the keys of
    CANNOT_SHOW it does hold, shown in their own sections)."""
    missing = [text for key, text in CANNOT_SHOW.items() if key not in held]
    return Section(
        "What this assessment cannot show yet",
        [
            "The regulations also ask for the following. They are not in the data this system holds for the "
            "partnership, so the partnership should add them from its partners before the assessment is agreed:"
        ],
        bullets=missing,
    )


def _partner_data(partnership: Partnership, start: date, end: date) -> Section | None:
    """Each partner source with data: what it counts, its months loaded, its total in the main period, its flags."""
    sources = [
        (source, partner_dataset(source))
        for source in PartnerSource.objects.filter(partnership=partnership).order_by("name")
        if live_months(partnership, source.key)
    ]
    if not sources:
        return None
    section = Section(
        "Partner data",
        [
            f"Partners' own records loaded into the system, {start:%B %Y} to {end:%B %Y}. A partner's records "
            "count what that partner recorded, not crimes: read them beside the police figures, not added to them."
        ],
    )
    rows = []
    for source, chosen in sources:
        series = monthly_series(partnership, chosen)
        months = sorted(series)
        in_period = [m for m in months if start <= m <= end]
        total = sum(series[m] for m in in_period)
        rows.append(
            [
                source.name,
                source.counted,
                f"{months[0]:%b %Y} to {months[-1]:%b %Y}",
                f"{len(in_period)} of 12",
                n(total) if len(in_period) == 12 else f"{n(total)} (part year)",
            ]
        )
        section.bullets += [f"{source.name}: {flag.text}" for flag in quality_flags(partnership, chosen)]
    section.tables.append(
        Table(
            "Partner records in the main period",
            ["Source", "One record is", "Months loaded", "Months in the period", "Records in the period"],
            rows,
            numeric=[False, False, False, True, True],
        )
    )
    return section


# ---- rendering --------------------------------------------------------------------------------------------------


def render_html(assessment: Assessment) -> str:
    return render_to_string("intelligence/assessment_document.html", {"doc": assessment})


def render_pdf(assessment: Assessment) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(assessment)).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def render_docx(assessment: Assessment) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = f"{assessment.title}: {assessment.partnership}"
    document.core_properties.author = assessment.partnership
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    document.add_heading(assessment.title, level=0)
    document.add_paragraph(f"{assessment.partnership}. Main period: {assessment.period_label}.")
    for section in assessment.sections:
        document.add_heading(section.title, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for text in section.bullets:
            document.add_paragraph(text, style="List Bullet")
        if section.charts:
            document.add_paragraph("The chart in the PDF edition shows the figures in the table below.")
        for table in section.tables:
            caption = document.add_paragraph(table.caption)
            caption.runs[0].bold = True
            grid = document.add_table(rows=1, cols=len(table.headers))
            grid.style = "Table Grid"
            for i, header in enumerate(table.headers):
                cell = grid.rows[0].cells[i]
                cell.text = header
                cell.paragraphs[0].runs[0].bold = True
            for values in table.rows:
                cells = grid.add_row().cells
                for i, value in enumerate(values):
                    cells[i].text = value
                    if table.numeric[i]:
                        cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
