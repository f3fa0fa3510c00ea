"""Reading ahead: a file's next blocks are read and checked in a second thread while the rows before are written.

Arrow's CSV reader and compute kernels, SQLite's statements and PostgreSQL's COPY all let go of Python's interpreter
lock while they work, so reading and writing run side by side on two cores instead of taking turns. The reading
thread never touches the database; it hands each item over through a small queue (at most ``depth`` items wait, so
memory does not grow with the file), and an exception it meets is raised again in the caller, at the point where
the item would have been.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator

_DONE = object()
_WAIT = 0.05  # seconds between looks at whether the consumer has gone


def read_ahead[T](make: Callable[[], Iterator[T]], depth: int = 4) -> Generator[T]:
    """The items of ``make()``, produced in a background thread up to ``depth`` ahead of the caller.

    The iterator is made, advanced and closed in that thread. If the caller stops early (an error while writing, a
    cancelled job), the thread closes the iterator and ends before this generator returns."""
    handover: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object, error: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                handover.put((item, error), timeout=_WAIT)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            items = make()
            try:
                for item in items:
                    if not put(item):
                        return
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()
        except BaseException as error:
            put(None, error)
            return
        put(_DONE)

    worker = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = handover.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
