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
from collections.abc import Callable, Iterator

_DONE = object()
_WAIT = 0.05  # seconds between looks at whether the consumer has gone


class ReadAhead[T]:
    """The items of ``make()``, produced in a background thread up to ``depth`` ahead of the caller.

    The iterator is made, advanced and closed in that thread. If the caller stops early (an error while writing, a
    cancelled job), ``close()`` has the thread close the iterator and waits for it to end."""

    def __init__(self, make: Callable[[], Iterator[T]], depth: int) -> None:
        self._make = make
        self._handover: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._produce, name="import-read-ahead", daemon=True)
        self._worker.start()

    def _put(self, item: object, error: BaseException | None = None) -> bool:
        while not self._stop.is_set():
            try:
                self._handover.put((item, error), timeout=_WAIT)
            except queue.Full:
                continue
            return True
        return False

    def _produce(self) -> None:
        try:
            items = self._make()
            try:
                for item in items:
                    if not self._put(item):
                        return
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()
        except BaseException as error:
            self._put(None, error)
            return
        self._put(_DONE)

    def __iter__(self) -> ReadAhead[T]:
        return self

    def __next__(self) -> T:
        if self._stop.is_set():
            raise StopIteration
        item, error = self._handover.get()
        if error is not None:
            self.close()
            raise error
        if item is _DONE:
            self.close()
            raise StopIteration
        return item  # type: ignore[return-value]

    def ready(self) -> bool:
        """Whether the next item (or the end) is already waiting, so taking it will not wait for the thread."""
        return not self._handover.empty()

    def close(self) -> None:
        self._stop.set()
        self._worker.join()


def read_ahead[T](make: Callable[[], Iterator[T]], depth: int = 4) -> ReadAhead[T]:
    """The items of ``make()``, produced in a background thread up to ``depth`` ahead of the caller."""
    return ReadAhead(make, depth)
