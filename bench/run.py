"""`make bench`: each figure beside a baseline measured in the same process, so numbers compare across machines.

Foundation figures:
* access-log writes: ``record_access()`` (what every read of personal data costs) vs a raw INSERT of the same
  columns through the same connection;
* the DPO's access-log page query (filtered, first page) over 200,000 events vs a bare COUNT(*) of the table.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="safer-bench-")
    os.environ.setdefault("SAFER_VAR_DIR", workdir)
    os.environ.setdefault("SAFER_MODE", "demo")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from safer.core import selectors
    from safer.core.audit import record_access
    from safer.core.demo import load_demo
    from safer.core.models import AccessAction, AccessEvent, Partnership, User

    call_command("migrate", verbosity=0)
    load_demo()
    partnership = Partnership.objects.order_by("name").last()
    assert partnership is not None
    actor = User.objects.get(email="caseworker@oadby-wigston.example")
    n = 2000
    print(f"Database: {connection.vendor}")

    def ours() -> None:
        with transaction.atomic():
            for i in range(n):
                record_access(
                    action=AccessAction.VIEW,
                    actor=actor,
                    partnership=partnership,
                    object_type="case",
                    object_id=i,
                    purpose="bench",
                )

    table = AccessEvent._meta.db_table

    def raw() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for i in range(n):
                cursor.execute(
                    f"INSERT INTO {table} (at, actor_id, partnership_id, action, object_type, object_id, purpose, "
                    "detail) VALUES (CURRENT_TIMESTAMP, %s, %s, 'view', 'case', %s, 'bench', '')",
                    [actor.pk, partnership.pk, str(i)],
                )

    t_ours, t_raw = timed(ours, 3), timed(raw, 3)
    print(
        f"access-log write     ours {n / t_ours:10,.0f} events/s   raw INSERT {n / t_raw:10,.0f} events/s   "
        f"ratio {t_raw / t_ours:5.2f}"
    )

    # Grow the log to 200k rows with the raw path, then time the DPO page query.
    while AccessEvent.objects.count() < 200_000:
        raw()
    flt = selectors.AccessLogFilter(action="view", actor_id=actor.pk)

    def page_query() -> None:
        qs = selectors.access_events(partnership, flt)
        list(qs[:50])
        qs.count()

    def bare_count() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            cursor.fetchone()

    t_page, t_count = timed(page_query), timed(bare_count)
    print(
        f"access-log page      ours {t_page * 1000:8.1f} ms (first 50 + count of {AccessEvent.objects.count():,})"
        f"   bare COUNT(*) {t_count * 1000:8.1f} ms   ratio {t_page / t_count:5.2f}"
    )


if __name__ == "__main__":
    main()
