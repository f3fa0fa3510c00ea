"""Import police.uk street-level files for scripted monthly loads.

    manage.py import_policeuk 2022-07-leicestershire-street.csv
    manage.py import_policeuk archive/2022-07.zip --partnership oadby-and-wigston-community-safety-partnership
    manage.py import_policeuk data/ --partnership a-slug --partnership another-slug

A file is imported into every partnership named (default: every partnership on the installation); rows outside a
partnership's area are skipped for it. Each file is all-or-nothing; a re-import of a month replaces it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safer.core.jobs import recover_interrupted
from safer.core.models import Partnership
from safer.intelligence import selectors, services
from safer.intelligence.importers.files import ImportRefused, discover
from safer.intelligence.models import ImportRun


class Command(BaseCommand):
    help = "Import police.uk street-level and stop-and-search CSV files (a file, a folder, or the monthly archive zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--partnership",
            action="append",
            dest="partnerships",
            metavar="SLUG",
            help="Partnership to import into (repeatable; default: all)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["partnerships"]
        partnerships = list(Partnership.objects.filter(slug__in=slugs) if slugs else Partnership.objects.all())
        if slugs and len(partnerships) != len(set(slugs)):
            known = {p.slug for p in partnerships}
            unknown = ", ".join(s for s in slugs if s not in known)
            raise CommandError(
                f"--partnership: no partnership with the slug {unknown}. "
                f"Known: {', '.join(Partnership.objects.values_list('slug', flat=True))}"
            )
        if not partnerships:
            raise CommandError("There is no partnership yet. Create one with manage.py create_partnership.")
        try:
            files = list(discover(options["paths"], services.POLICEUK_SUFFIXES))
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        # An earlier import killed part way (its staged rows, a run shown as being imported) is tidied first.
        recover_interrupted()
        refused = 0
        with services.importing():  # the next file read while one goes live; SQLite checkpointed after them
            for number, data_file in enumerate(files):
                # With one partnership, the next import is the next file's (with several, the same file's, elsewhere).
                upcoming = files[number + 1] if len(partnerships) == 1 and number + 1 < len(files) else None
                for partnership in partnerships:
                    outcome = services.import_policeuk_file(
                        partnership=partnership, data_file=data_file, actor=None, next_file=upcoming
                    )
                    run = outcome.run
                    if outcome.refused and outcome.wrong_area and not slugs:
                        # Every partnership was offered the file: not being one's own is no failure, but say why.
                        self.stdout.write(f"{partnership.slug}: not imported: {outcome.refused}")
                    elif outcome.refused:
                        refused += 1
                        self.stderr.write(f"{partnership.slug}: REFUSED {outcome.refused}{_not_kept(run)}")
                    else:
                        self.stdout.write(
                            f"{partnership.slug}: {data_file.name}: {run.month:%Y-%m} read {run.rows_read:,}, imported "
                            f"{run.rows_imported:,}, outside the area "
                            f"{run.rows_outside_area:,}, rejected {run.rows_rejected:,}{_not_kept(run)}; no location "
                            f"{run.rows_no_location:,} (the force's, kept once for it, in no area's figures)"
                        )
        if refused:
            raise CommandError(f"{refused} import(s) refused; the reasons are above. Nothing from those was kept.")


def _not_kept(run: ImportRun) -> str:
    """How many rejected rows the import report does not list, if any (only the first ones are kept)."""
    more = selectors.rejections_not_kept(run)
    return f" (… and {more:,} more rejected rows not kept; the report lists the first ones)" if more else ""
