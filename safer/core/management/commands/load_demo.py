"""Load the demo partnerships and people (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safer.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create the demo partnerships (Oadby and Wigston, North West Leicestershire) and their people."

    def handle(self, *args: Any, **options: Any) -> None:
        people = load_demo()
        seen = set()
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for person in people:
            if person.email in seen:
                continue
            seen.add(person.email)
            self.stdout.write(f"  {person.email:38} {', '.join(person.roles)}")
