"""Tidy work whose process was killed before it finished: for a scheduled job (every few minutes, or at start-up).

    manage.py recover_interrupted

An import, report build or export whose process has ended (on this machine), or that nothing has been heard from for
SAFER_INTERRUPTED_AFTER_MINUTES (from any machine), is marked failed with a message on its page, and what it left is
removed: staged rows, part-written files, uploaded files. Work still under way is left alone. The same sweep also
runs at the start of every job and import, and when a job page or the data page is viewed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safer.core.jobs import recover_interrupted


class Command(BaseCommand):
    help = "Mark work whose process was killed as failed, and remove what it left (staged rows, part-written files)."

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = recover_interrupted()
        total = sum(recovered.values())
        if not total:
            self.stdout.write("Nothing was interrupted.")
            return
        for what, count in recovered.items():
            if count:
                self.stdout.write(f"{what}: {count} interrupted, marked failed and tidied")
