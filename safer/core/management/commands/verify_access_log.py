"""Walk the access log's hash chains and report the first break in each (for an operator's cron, or by hand).

Exits with status 1 when any chain is broken. Each chain's check is recorded; the DPO's access log page shows the last.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safer.core.access_chain import verify_chain
from safer.core.models import Partnership


class Command(BaseCommand):
    help = (
        "Check that the access log has not been cut or changed: walk each partnership's chain of events (and the "
        "chain of events with no partnership) and report the first break. Exits with status 1 on a break."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", help="Check only this partnership's chain (its slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["partnership"]
        chains: list[Partnership | None]
        if slug:
            partnership = Partnership.objects.filter(slug=slug).first()
            if partnership is None:
                known = ", ".join(Partnership.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
                raise CommandError(f"No partnership with the slug {slug!r} (known: {known}).")
            chains = [partnership]
        else:
            chains = [*Partnership.objects.order_by("slug"), None]
        broken = []
        for partnership in chains:
            name = partnership.slug if partnership is not None else "(no partnership)"
            report, _check = verify_chain(partnership)
            self.stdout.write(f"{name}: {report.summary()}")
            if not report.intact:
                broken.append(name)
        if broken:
            raise CommandError(
                f"The access log is broken in {len(broken)} chain{'' if len(broken) == 1 else 's'}: "
                f"{', '.join(broken)}. Keep the database as it is and tell your data protection officer.",
                returncode=1,
            )
