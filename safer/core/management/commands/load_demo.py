"""Load the demo partnerships and people, their geography and 32 months of real police.uk data (safe to rerun)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from safer.core.demo import DEMO_PASSWORD, load_demo
from safer.core.models import Partnership

FIXTURES = Path(settings.BASE_DIR) / "safer" / "intelligence" / "fixtures" / "policeuk"
STREET = FIXTURES / "leicestershire-csp"
STOP_SEARCH = FIXTURES / "gmp-stop-and-search"


DEMO_CONTENT = (
    "safer.intelligence.demo",
    "safer.cases.demo",
    "safer.interventions.demo",
    "safer.plans.demo",
    "safer.delivery.demo",
    "safer.documents.demo",
)


class Command(BaseCommand):
    help = "Create the demo partnerships (Oadby and Wigston, North West Leicestershire) with people and data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people-only", action="store_true", help="Skip geography and police.uk data")

    def handle(self, *args: Any, **options: Any) -> None:
        people = load_demo()
        if not options["people_only"]:
            self.load_data()
        for module_name in DEMO_CONTENT:
            # Each domain app may offer demo content (cases, plans…): safer/<app>/demo.py, load_demo_content(stdout).
            if importlib.util.find_spec(module_name) is not None:
                importlib.import_module(module_name).load_demo_content(self.stdout)
        seen = set()
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for person in people:
            if person.email in seen:
                continue
            seen.add(person.email)
            self.stdout.write(f"  {person.email:38} {', '.join(person.roles)}")

    def load_data(self) -> None:
        from safer.intelligence.selectors import live_months

        self.stdout.write("Loading geography (ONS lookups, boundaries, population, deprivation)…")
        call_command("import_geography", verbosity=0, stdout=self.stdout)
        for partnership in Partnership.objects.all():
            if "E08000010" in partnership.lad_codes:
                if not live_months(partnership, "policeuk_stop_search"):
                    self.stdout.write(f"Loading a month of Greater Manchester stop and search for {partnership.name}…")
                    call_command(
                        "import_policeuk", str(STOP_SEARCH), "--partnership", partnership.slug, stdout=_Quiet()
                    )
                continue
            if live_months(partnership):
                continue
            self.stdout.write(f"Loading 32 months of police.uk data for {partnership.name}…")
            call_command("import_policeuk", str(STREET), "--partnership", partnership.slug, stdout=_Quiet())


class _Quiet:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None
