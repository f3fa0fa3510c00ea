"""The access log's hash chain: appending an event to its chain, and walking a chain to find the first break.

Each partnership's events form one chain, and the events of no partnership (unknown account names at sign-in)
another. An event's ``seq`` is its place in its chain (from 1), ``prev_hash`` the ``hash`` of the event before it
(``GENESIS`` for the first), and ``hash`` the SHA-256 of a canonical serialisation of its own fields and
``prev_hash``. So an event changed after it was written, one cut out of the middle, two swapped, or the chain's
end cut off (caught against the last intact check) shows when the chain is walked.

Appending takes a per-chain lock inside the caller's transaction, so concurrent writers keep one chain: on
PostgreSQL a transaction-scoped advisory lock; SQLite's ``BEGIN IMMEDIATE`` transactions (``transaction_mode`` in
settings) already let one writer in at a time. The lock is held until the enclosing transaction ends, so record
access events late in long transactions.

The chain shows tampering; it does not by itself stop someone who can write to the database from recomputing every
later hash. Against that: the run-time database role cannot change or delete events (README, "Run in production"),
and each intact check records the chain's head, which a later rewrite no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from safer.core.models import AccessEvent, AccessLogVerification, ChainBreakKind, Partnership, User

# The tables the database itself keeps append-only (triggers, migration 0006) and the run-time role may only read
# and add to (manage.py grant_runtime_role).
APPEND_ONLY_TABLES = (AccessEvent._meta.db_table, AccessLogVerification._meta.db_table)

GENESIS = "0" * 64
VERSION = 1
# pg_advisory_xact_lock(key1, key2): key1 names the access log's chains, key2 the chain (the partnership's id).
_LOCK_NAMESPACE = 0x5AFE_AC

# The stored fields the hash covers, by column name (the id is not among them: it is not known before the insert).
CHAINED_FIELDS = (
    "partnership_id",
    "seq",
    "prev_hash",
    "at",
    "actor_id",
    "actor_agency_id",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "detail",
    "ip_address",
    "request_id",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, int | str):
        return value
    return str(value)  # a UUID


def event_hash(values: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of an event's chained fields, given by column name (a model's or a ``.values()`` row)."""
    payload = {"v": VERSION, **{name: _canonical(values[name]) for name in CHAINED_FIELDS}}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_of(partnership_id: int | None) -> Q:
    return Q(partnership_id=partnership_id) if partnership_id is not None else Q(partnership__isnull=True)


def _chain_head(partnership_id: int | None) -> tuple[int, str] | None:
    """Lock the chain (PostgreSQL) and read its last event's number and hash: raw SQL on the partial unique index,
    as this runs on every page view (the ORM's cost here was several times the query's)."""
    table = AccessEvent._meta.db_table
    where = "partnership_id = %s" if partnership_id is not None else "partnership_id IS NULL"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, (partnership_id or 0) & 0x7FFF_FFFF]
            )
        cursor.execute(
            f"SELECT seq, hash FROM {table} WHERE {where} ORDER BY seq DESC LIMIT 1",  # noqa: S608
            [partnership_id] if partnership_id is not None else [],
        )
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


def append(event: AccessEvent) -> AccessEvent:
    """Chain a new, unsaved event to the end of its partnership's chain and save it."""
    with transaction.atomic(savepoint=False):
        head = _chain_head(event.partnership_id)
        event.seq, event.prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
        event.at = timezone.now()  # under the lock, so a chain's times run in its order
        event.ip_address = _stored_ip(event)
        event.hash = event_hash({name: getattr(event, name) for name in CHAINED_FIELDS})
        event.save(force_insert=True)
    return event


def _stored_ip(event: AccessEvent) -> str | None:
    """The address as the database gives it back (IPv6 in its cleaned form), so the hash matches on reading."""
    value = AccessEvent._meta.get_field("ip_address").get_prep_value(event.ip_address)
    return str(value) if value else None


# Walking a chain -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    kind: ChainBreakKind
    event_id: int | None
    message: str


@dataclass(frozen=True)
class ChainReport:
    partnership_id: int | None
    events: int
    last_event_id: int | None
    last_seq: int | None
    last_hash: str
    last_at: datetime | None
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def sentence(self) -> str:
        """For the person who asked (the job page)."""
        walked = f"{self.events:,} event{'' if self.events == 1 else 's'} checked"
        if self.broken is not None:
            return f"The access log's chain is broken: {self.broken.message}. {walked} before it, intact."
        if self.last_event_id is None or self.last_at is None:
            return "The access log has no events yet."
        return f"The access log is intact: {walked}, up to event #{self.last_event_id} of {_when(self.last_at)}."

    def summary(self) -> str:
        if self.broken is not None:
            return f"BROKEN: {self.broken.message}"
        if self.last_event_id is None:
            return "OK: no events yet"
        return (
            f"OK: {self.events:,} event{'' if self.events == 1 else 's'}, chain intact up to "
            f"#{self.last_event_id} at {self.last_at:%Y-%m-%d %H:%M:%S %Z}"
        )


def chain_length(partnership_id: int | None) -> int:
    """How many events the chain has had (its head's number): one indexed read."""
    head = AccessEvent.objects.filter(chain_of(partnership_id)).order_by("-seq").values_list("seq", flat=True).first()
    return head or 0


def _when(at: datetime) -> str:
    return f"{timezone.localtime(at):%-d %b %Y %H:%M:%S}"


def walk_chain(
    partnership_id: int | None,
    *,
    anchor: AccessLogVerification | None = None,
    on_event: Callable[[], None] | None = None,
    chunk_size: int = 5000,
) -> ChainReport:
    """Walk one chain in order, streaming, up to its head when the walk starts; stop at the first break.

    ``anchor`` is the last intact check of this chain: the event it ended at must still be there, unchanged.
    ``on_event`` is called once per event walked (progress; it may raise to stop the walk).
    """
    chain = AccessEvent.objects.filter(chain_of(partnership_id))
    head = chain_length(partnership_id)
    rows = chain.filter(seq__lte=head).order_by("seq").values("id", *CHAINED_FIELDS, "hash")
    count, prev = 0, None

    def report(broken: ChainBreak | None) -> ChainReport:
        return ChainReport(
            partnership_id=partnership_id,
            events=count,
            last_event_id=prev["id"] if prev else None,
            last_seq=prev["seq"] if prev else None,
            last_hash=prev["hash"] if prev else "",
            last_at=prev["at"] if prev else None,
            broken=broken,
        )

    for row in rows.iterator(chunk_size=chunk_size):
        broken = _check(row, prev, anchor)
        if broken is not None:
            return report(broken)
        prev = row
        count += 1
        if on_event is not None:
            on_event()
    if anchor is not None and anchor.last_seq is not None and (prev is None or prev["seq"] < anchor.last_seq):
        last = prev["seq"] if prev else 0
        missing = anchor.last_seq - last
        return report(
            ChainBreak(
                ChainBreakKind.MISSING,
                None,
                f"the last {missing:,} event{'' if missing == 1 else 's'} (numbers {last + 1:,} to "
                f"{anchor.last_seq:,} in the chain, up to #{anchor.last_event_id}) are missing: the log now ends "
                + (f"at #{prev['id']}" if prev else "with no events")
                + f", but the check of {_when(anchor.finished_at)} saw it reach #{anchor.last_event_id}",
            )
        )
    return report(None)


def _check(row: dict[str, Any], prev: dict[str, Any] | None, anchor: AccessLogVerification | None) -> ChainBreak | None:
    """What is wrong with this event, given the one walked before it, or None."""
    event, number = f"#{row['id']}", f"number {row['seq']:,} in the chain, written {_when(row['at'])}"
    if event_hash(row) != row["hash"]:
        return ChainBreak(
            ChainBreakKind.ALTERED, row["id"], f"event {event} ({number}) was changed after it was written"
        )
    expected = prev["seq"] + 1 if prev else 1
    if row["seq"] > expected:
        gone = row["seq"] - expected
        return ChainBreak(
            ChainBreakKind.MISSING,
            row["id"],
            f"{gone:,} event{'' if gone == 1 else 's'} (number{'' if gone == 1 else 's'} {expected:,}"
            + (f" to {row['seq'] - 1:,}" if gone > 1 else "")
            + f" in the chain) {'is' if gone == 1 else 'are'} missing before event {event} ({number})",
        )
    if prev is not None and row["id"] < prev["id"]:
        return ChainBreak(
            ChainBreakKind.REORDERED,
            row["id"],
            f"event {event} ({number}) is stored before event #{prev['id']}, which was written before it: "
            "the log has been reordered",
        )
    if row["prev_hash"] != (prev["hash"] if prev else GENESIS):
        return ChainBreak(
            ChainBreakKind.REPLACED,
            row["id"],
            f"event {event} ({number}) was chained to a different event from "
            + (f"#{prev['id']}, the one before it now: that event was replaced" if prev else "the start of the chain"),
        )
    if anchor is not None and row["seq"] == anchor.last_seq and row["hash"] != anchor.last_hash:
        return ChainBreak(
            ChainBreakKind.REPLACED,
            row["id"],
            f"event {event} ({number}) is not the event the check of {_when(anchor.finished_at)} ended at: "
            "the chain has been rewritten since",
        )
    return None


# Recording a check ------------------------------------------------------------------------------------------------


def last_intact_check(partnership_id: int | None) -> AccessLogVerification | None:
    return (
        AccessLogVerification.objects.filter(chain_of(partnership_id), intact=True, last_seq__isnull=False)
        .order_by("-finished_at", "-id")
        .first()
    )


def verify_chain(
    partnership: Partnership | None,
    *,
    started_by: User | None = None,
    on_event: Callable[[], None] | None = None,
) -> tuple[ChainReport, AccessLogVerification]:
    """Walk a partnership's chain (or the chain of no partnership) and record the check."""
    partnership_id = partnership.pk if partnership is not None else None
    started_at = timezone.now()
    report = walk_chain(partnership_id, anchor=last_intact_check(partnership_id), on_event=on_event)
    with transaction.atomic():
        check = AccessLogVerification.objects.create(
            partnership_id=partnership_id,
            started_by=started_by,
            started_at=started_at,
            events=report.events,
            intact=report.intact,
            last_event_id=report.last_event_id,
            last_seq=report.last_seq,
            last_hash=report.last_hash,
            last_at=report.last_at,
            break_event_id=report.broken.event_id if report.broken else None,
            break_kind=report.broken.kind if report.broken else "",
            message=report.broken.message[:500] if report.broken else "",
        )
    return report, check
