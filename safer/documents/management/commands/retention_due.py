"""How many closed cases of a partnership are due for a retention review (for an operator's cron): counts only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safer.core.models import Partnership
from safer.documents import retention


class Command(BaseCommand):
    help = "Print how many closed cases are due for a retention review, and how many come due in the next 90 days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", required=True, help="The partnership's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["partnership"]
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            raise CommandError(f"No partnership with the slug {slug!r}")
        today = timezone.localdate()
        due = retention.due_cases(partnership, today).count()
        coming = retention.coming_due_count(partnership, today)
        self.stdout.write(
            f"{partnership.slug}: {due} case{'' if due == 1 else 's'} due for retention review on {today.isoformat()}; "
            f"{coming} more in the next {retention.COMING_DUE_DAYS} days"
        )
