"""Create a real partnership, its agencies and its first admin, who gets a one-time invitation link.

    manage.py create_partnership "Oadby and Wigston CSP" --lad E07000135 \
        --agency "Oadby and Wigston Borough Council=council" --agency "Leicestershire Police=police" \
        --admin-email jo.bloggs@oadby-wigston.gov.uk --admin-name "Jo Bloggs" \
        --admin-agency "Oadby and Wigston Borough Council" --admin-role partnership_admin --admin-role dpo
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safer.core import services
from safer.core.models import AgencyKind, Role


class Command(BaseCommand):
    help = "Create a partnership with its agencies and invite its first partnership admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The partnership's name, as people know it")
        parser.add_argument(
            "--lad",
            action="append",
            required=True,
            dest="lads",
            metavar="CODE",
            help="ONS local authority district code (repeat for several), e.g. E07000135",
        )
        parser.add_argument(
            "--agency",
            action="append",
            required=True,
            dest="agencies",
            metavar="NAME=KIND",
            help=f"A member agency and its type ({', '.join(AgencyKind.values)}); repeat for each",
        )
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--admin-agency", help="Which of the agencies the admin works for (default: the first)")
        parser.add_argument(
            "--admin-role",
            action="append",
            dest="roles",
            metavar="ROLE",
            help=f"Roles for the admin ({', '.join(Role.values)}); partnership_admin is always given",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        roles = ["partnership_admin", *(options["roles"] or [])]
        unknown = [r for r in roles if r not in Role.values]
        if unknown:
            raise CommandError(f"--admin-role: unknown role {unknown[0]!r}. Use one of: {', '.join(Role.values)}")
        parsed: list[tuple[str, str]] = []
        for spec in options["agencies"]:
            name, sep, kind = spec.rpartition("=")
            if not sep or not name.strip():
                raise CommandError(f'--agency {spec!r}: write it as NAME=KIND, e.g. "Leicestershire Police=police"')
            if kind not in AgencyKind.values:
                raise CommandError(
                    f"--agency {spec!r}: unknown kind {kind!r}. Use one of: {', '.join(AgencyKind.values)}"
                )
            parsed.append((name.strip(), kind))
        admin_agency = options["admin_agency"] or parsed[0][0]
        if admin_agency not in [n for n, _ in parsed]:
            raise CommandError(f"--admin-agency {admin_agency!r} is not one of the --agency names given")
        try:
            with transaction.atomic():
                partnership = services.create_partnership(name=options["name"], lad_codes=options["lads"])
                agencies = {n: services.add_agency(partnership=partnership, name=n, kind=k) for n, k in parsed}
                _invitation, link = services.invite_user(
                    partnership=partnership,
                    agency=agencies[admin_agency],
                    email=options["admin_email"],
                    full_name=options["admin_name"],
                    roles=roles,
                    invited_by=None,
                )
        except ValidationError as exc:
            raise CommandError(f"--lad: {' '.join(exc.messages)}") from exc
        except services.ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {partnership.name} with {len(agencies)} agencies."))
        self.stdout.write(f"Invitation e-mailed to {options['admin_email']}. The link (works once) is:\n{link}")
