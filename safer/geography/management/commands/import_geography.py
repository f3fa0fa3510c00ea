"""Load ONS/MHCLG geography for the districts of the installation's partnerships.

    manage.py import_geography                         # bundled files, every partnership's districts
    manage.py import_geography --partnership oadby-wigston
    manage.py import_geography --lad E08000010         # Wigan, from the bundled files
    manage.py import_geography --lad E06000016 --lookup Lower_Layer_Super_Output_Area_(2011)_to_Ward_(2019)_….csv \
        --population 2019=2019_population.csv --imd File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz

With no file options it loads the bundled open-data files (North West Leicestershire, Oadby and Wigston, Wigan).
    manage.py import_geography --partnership oadby-wigston --lsoa-changes LSOA_(2011)_to_LSOA_(2021)_….csv

With file options it loads only those files, in the order lookup, LSOA changes, boundaries, population, deprivation,
scores;
each file is all-or-nothing and the first bad file stops the run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safer.geography import selectors, services


def _population_spec(value: str) -> tuple[int, str]:
    year, sep, path = value.partition("=")
    if not sep or not year.strip().isdigit() or len(year.strip()) != 4 or not path.strip():
        raise CommandError(f"--population {value!r}: write it as YEAR=PATH, e.g. 2019=2019_population.csv")
    return int(year), path.strip()


class Command(BaseCommand):
    help = "Import LSOAs, wards, boundaries, population and deprivation for the partnerships' districts."
    verbosity = 1

    def add_arguments(self, parser: CommandParser) -> None:
        area = parser.add_mutually_exclusive_group()
        area.add_argument(
            "--lad",
            action="append",
            dest="lads",
            metavar="CODE",
            help="A local authority district code (repeat for several), e.g. E07000135",
        )
        area.add_argument("--partnership", metavar="SLUG", help="The districts of one partnership")
        area.add_argument(
            "--all-partnerships",
            action="store_true",
            help="The districts of every partnership on this installation (the default)",
        )
        parser.add_argument("--lookup", metavar="PATH", help="ONS LSOA to ward lookup CSV")
        parser.add_argument(
            "--lsoa-changes",
            metavar="PATH",
            help="ONS LSOA (2011) to LSOA (2021) exact-fit lookup CSV: police.uk months from June 2023 use 2021 codes",
        )
        parser.add_argument("--lsoa-boundaries", metavar="PATH", help="LSOA boundaries, GeoJSON in WGS84")
        parser.add_argument("--ward-boundaries", metavar="PATH", help="Ward boundaries, GeoJSON in WGS84")
        parser.add_argument(
            "--population",
            action="append",
            default=[],
            metavar="YEAR=PATH",
            help="Mid-year LSOA population CSV for YEAR (repeat for several years)",
        )
        parser.add_argument("--imd", metavar="PATH", help="IoD2019 File 1 (IMD rank and decile), CSV or .csv.gz")
        parser.add_argument("--domains", metavar="PATH", help="IoD2019 File 2 (IMD and domains), CSV or .csv.gz")
        parser.add_argument("--imd-scores", metavar="PATH", help="mySociety UK_IMD_E.csv (IMD scores)")
        parser.add_argument(
            "--postcodes",
            metavar="PATH",
            help="OS Code-Point Open CSV(s) or the ONS Postcode Directory: places given by postcode are placed in "
            "their LSOA and ward (load the lookup and LSOA boundaries first)",
        )

    def lad_codes(self, options: dict[str, Any]) -> list[str]:
        codes: list[str] | None
        if options["lads"]:
            codes = list(options["lads"])
        elif options["partnership"]:
            found = selectors.partnership_lad_codes(options["partnership"])
            if found is None:
                raise CommandError(f"There is no partnership with the slug {options['partnership']!r}")
            codes = found
        else:
            codes = selectors.partnership_lad_codes()
            if not codes:
                raise CommandError(
                    "There is no partnership on this installation yet: create one (create_partnership, load_demo)"
                    " or say which districts with --lad CODE"
                )
        try:
            return services.clean_lad_codes(codes)
        except ValueError as exc:
            raise CommandError(f"--lad: {exc}") from exc

    def say(self, text: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(text)

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        lads = self.lad_codes(options)
        files: list[tuple[str, str, int | None]] = []
        for kind in ("lookup", "lsoa_changes", "lsoa_boundaries", "ward_boundaries"):
            if options[kind]:
                files.append((kind.replace("_", "-"), options[kind], None))
        for spec in options["population"]:
            population_year, path = _population_spec(spec)
            files.append(("population", path, population_year))
        for kind in ("imd", "domains", "imd_scores", "postcodes"):
            if options[kind]:
                files.append((kind.replace("_", "-"), options[kind], None))
        self.say(f"Districts: {', '.join(lads)}")
        try:
            if files:
                reports = []
                for kind, path, year in files:
                    report = services.import_file(kind, path, lads, year=year)
                    self.say(report.summary())
                    reports.append(report)
            else:
                outside = [code for code in lads if code not in services.BUNDLED_LADS]
                if len(outside) == len(lads):
                    raise CommandError(
                        f"The bundled files cover only {', '.join(sorted(services.BUNDLED_LADS))}. For "
                        f"{', '.join(outside)} give the national files: --lookup, --population YEAR=PATH, --imd …"
                    )
                reports = services.import_bundled(lads)
                self.say("Bundled open data (see safer/geography/fixtures/README.md):")
                for report in reports:
                    self.say(report.summary())
        except services.GeographyImportError as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.say(self.style.SUCCESS(f"Imported {len(reports)} file{'s' if len(reports) != 1 else ''}."))
