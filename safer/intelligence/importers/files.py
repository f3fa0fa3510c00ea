"""Finding data files in what people give us: one CSV, a folder, a zip of the monthly archive, gzip files.

Nothing here reads a whole file into memory: each file is opened as a stream when it is imported.

Archives are held to limits (settings SAFER_MAX_ARCHIVE_MB, SAFER_MAX_ARCHIVE_MEMBERS, SAFER_MAX_EXPANDED_MB and
SAFER_MAX_COMPRESSION_RATIO) before any row is read: a zip by its directory (its files and their declared sizes), a
.gz, which declares no size to trust, by reading it through once. Every stream opened afterwards is counted too, as a
zip's directory can lie, so a file that expands beyond its limits is refused the moment it does.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Buffer, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from safer.intelligence.importers.forces import original_name


def storable(text: str) -> str:
    """Text from a damaged file, safe to keep: PostgreSQL text cannot hold NUL, so it is shown as ``\\x00``."""
    return text.replace("\x00", "\\x00")


class ImportRefused(Exception):  # noqa: N818 - a refusal, read as a sentence
    """The whole file is refused; the message names the file (and line and column where there is one)."""


class WrongArea(ImportRefused):
    """No located row of the file lies in the partnership's area."""


@dataclass(frozen=True)
class BadByte:
    """The first byte of a file that is not UTF-8: its line, the CSV column it falls in, and its value."""

    line: int
    column: str  # the column's heading; "" where it cannot be told (the header row itself, a very long line)
    byte: int

    def where(self) -> str:
        return f"line {self.line}" + (f", column '{self.column}'" if self.column else "")

    def describe(self) -> str:
        return f"{self.where()}: the file is not UTF-8 text (byte 0x{self.byte:02x} cannot be read)"


LONGEST_LINE_READ = 1 << 20  # a line is looked at in pieces of this size, so a file with no line breaks stays small


def first_bad_byte(open_bytes: Callable[[], IO[bytes]]) -> BadByte | None:
    """Where a file stops being UTF-8, read again a line at a time once decoding it has failed.

    A text reader decodes a file in large blocks, so the error it raises says neither the line nor the column: an
    error in a block is raised before the lines before it in that block are read. None if every byte decodes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    header: list[str] | None = None
    number, line_start = 1, True
    with open_bytes() as raw:
        while piece := raw.readline(LONGEST_LINE_READ):
            try:
                text = decoder.decode(piece)
            except UnicodeDecodeError as exc:
                position = max(0, exc.start - (len(exc.object) - len(piece)))
                column = ""
                whole_line = line_start and (piece.endswith(b"\n") or len(piece) < LONGEST_LINE_READ)
                if whole_line and number > 1 and header is not None:
                    column = _column_of_bad_byte(piece, header)
                return BadByte(line=number, column=column, byte=piece[min(position, len(piece) - 1)])
            if number == 1 and line_start and piece.endswith(b"\n"):
                header = _values(text.removeprefix("\ufeff"))
            line_start = piece.endswith(b"\n")
            if line_start:
                number += 1
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:  # the file ends inside a character
            return BadByte(line=number if not line_start else number - 1, column="", byte=exc.object[exc.start])
    return None


def _values(line: str) -> list[str] | None:
    """A line's values as the csv module reads them, or None if it cannot read the line alone (a lone CR)."""
    try:
        return [value.strip() for value in next(csv.reader([line]), [])]
    except csv.Error:
        return None


def _column_of_bad_byte(line: bytes, header: list[str]) -> str:
    """The heading of the column whose value holds the line's first byte that is not UTF-8 ("" if not told)."""
    for index, value in enumerate(_values(line.decode("utf-8", "surrogateescape")) or []):
        if any("\udc80" <= char <= "\udcff" for char in value):
            return header[index] if index < len(header) else f"column {index + 1}"
    return ""


def not_utf8(open_bytes: Callable[[], IO[bytes]], error: UnicodeDecodeError) -> str:
    """The message for a file a text reader could not decode: where the first bad byte is, if it can be found."""
    found = first_bad_byte(open_bytes)
    return found.describe() if found else f"the file is not UTF-8 text ({error.reason})"


@dataclass(frozen=True)
class DataFile:
    """A file to import: its name as the person knows it, and how to open it as bytes."""

    name: str
    open_bytes: Callable[[], IO[bytes]]

    def open_text(self) -> io.TextIOWrapper:
        # utf-8-sig drops the byte-order mark some exports carry; errors are strict so bad bytes are reported.
        return io.TextIOWrapper(self.open_bytes(), encoding="utf-8-sig", errors="strict", newline="")

    def count_lines(self) -> int:
        """Count lines cheaply (for the progress bar), streaming in 1 MB blocks."""
        total = 0
        with self.open_bytes() as fh:
            while block := fh.read(1 << 20):
                total += block.count(b"\n")
        return total


MB = 1 << 20
# A file that expands to less than this is not held to the compression ratio: a short or header-only file, or one of
# repeated text, may compress far, and so little cannot tie anything up.
RATIO_FLOOR = MB


@dataclass(frozen=True)
class ArchiveLimits:
    """How large an archive may be, how many files it may hold, how far it (or a .gz) may expand, in all and for
    its compressed size. Read from the settings of the same names when a file is found, so a test may lower them."""

    archive_mb: int
    members: int
    expanded_mb: int
    ratio: int

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        return cls(
            archive_mb=settings.SAFER_MAX_ARCHIVE_MB,
            members=settings.SAFER_MAX_ARCHIVE_MEMBERS,
            expanded_mb=settings.SAFER_MAX_EXPANDED_MB,
            ratio=settings.SAFER_MAX_COMPRESSION_RATIO,
        )

    def ratio_allows(self, compressed: int) -> int:
        """The most ``compressed`` bytes may expand to by the ratio."""
        return max(self.ratio * compressed, RATIO_FLOOR)

    def too_large(self, name: str, what: str, size: int) -> str:
        return (
            f"{name}: {what} is {size / MB:,.0f} MB, more than {self.archive_mb:,} MB (the limit, "
            f"SAFER_MAX_ARCHIVE_MB); nothing from it was imported. Split it into smaller files, or ask your "
            "administrator to raise the limit."
        )

    def too_many(self, name: str, count: int) -> str:
        return (
            f"{name}: the archive holds {count:,} files, more than {self.members:,} (the limit, "
            "SAFER_MAX_ARCHIVE_MEMBERS); nothing from it was imported. Split the archive, or ask your administrator "
            "to raise the limit."
        )

    def too_expanded(self, name: str, what: str) -> str:
        return (
            f"{name}: {what} expands to more than {self.expanded_mb:,} MB (the limit, SAFER_MAX_EXPANDED_MB); "
            f"nothing from it was imported. Split {what}, or ask your administrator to raise the limit."
        )

    def too_compressed(self, name: str, what: str) -> str:
        return (
            f"{name}: {what} expands to more than {self.ratio:,} times its compressed size (the limit, "
            "SAFER_MAX_COMPRESSION_RATIO), far more than police.uk or partner data ever compresses, so "
            "it is refused as a possible zip bomb; nothing from it was imported. Check where the file came from; "
            "if it is genuine, ask your administrator to raise the limit."
        )


def check_zip(path: Path, name: str, what: str = "the archive") -> list[zipfile.ZipInfo]:
    """A zip's members (a police.uk archive, an Excel .xlsx), once its size and directory are within the limits,
    before anything in it is read: its number of files, and what they declare they expand to, in all and for their
    compressed size. Raises zipfile.BadZipFile for a file that is not a zip."""
    limits = ArchiveLimits.from_settings()
    size = path.stat().st_size
    if size > limits.archive_mb * MB:
        raise ImportRefused(limits.too_large(name, what, size))
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > limits.members:
        raise ImportRefused(limits.too_many(name, len(members)))
    expanded = sum(info.file_size for info in members)
    if expanded > limits.expanded_mb * MB:
        raise ImportRefused(limits.too_expanded(name, what))
    for info in members:
        if info.file_size > limits.ratio_allows(info.compress_size):
            raise ImportRefused(limits.too_compressed(name, f"{info.filename} in {what}"))
    if expanded > limits.ratio_allows(size):
        raise ImportRefused(limits.too_compressed(name, what))
    return members


class _Bounded(io.RawIOBase):
    """A decompressing stream, counted as it is read: refused once it passes ``most`` bytes (``why`` says which
    limit that is), and refused too if it cannot be expanded (``damaged`` says what to do)."""

    def __init__(self, inner: IO[bytes], most: int, why: str, damaged: Callable[[Exception], str]) -> None:
        super().__init__()
        self._inner, self._most, self._why, self._damaged = inner, most, why, damaged
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        with memoryview(buffer) as view, view.cast("B") as target:
            try:
                data = self._inner.read(len(target))
            except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
                raise ImportRefused(self._damaged(exc)) from exc
            self._read += len(data)
            if self._read > self._most:
                raise ImportRefused(self._why)
            target[: len(data)] = data
            return len(data)

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()


def _bounded(inner: IO[bytes], most: int, why: str, damaged: Callable[[Exception], str]) -> IO[bytes]:
    return io.BufferedReader(_Bounded(inner, most, why, damaged), buffer_size=1 << 16)


def _gzip_opener(path: Path, limits: ArchiveLimits) -> Callable[[], IO[bytes]]:
    by_ratio = limits.ratio_allows(path.stat().st_size)
    if by_ratio < limits.expanded_mb * MB:
        most, why = by_ratio, limits.too_compressed(path.name, "the file")
    else:
        most, why = limits.expanded_mb * MB, limits.too_expanded(path.name, "the file")

    def damaged(exc: Exception) -> str:
        return f"{path.name}: the .gz file is damaged ({exc}); nothing from it was imported. Download it again."

    def opener() -> IO[bytes]:
        return _bounded(gzip.open(path, "rb"), most, why, damaged)  # type: ignore[arg-type]

    return opener


def _check_gzip(path: Path, limits: ArchiveLimits) -> Callable[[], IO[bytes]]:
    """A .gz's opener, once the file has been read through within its limits: a .gz declares no size to trust
    (only the last 4 bytes, modulo 4 GB), so it is expanded once, and thrown away, before any row is read."""
    size = path.stat().st_size
    if size > limits.archive_mb * MB:
        raise ImportRefused(limits.too_large(path.name, "the file", size))
    opener = _gzip_opener(path, limits)
    with opener() as stream:
        while stream.read(MB):
            pass
    return opener


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _zip_opener(path: Path, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    """A member's stream, never longer than its directory entry declares, whose sizes ``check_zip`` held to the
    limits: a member that holds more is refused as the damaged archive it is. (Python's zipfile stops at the declared
    size itself, then finds the checksum wrong: refused the same way, by _Bounded.)"""
    name = f"{path.name}:{info.filename}"
    why = (
        f"{name}: the file holds more than the archive's directory declares ({info.file_size:,} bytes); nothing "
        "from it was imported. Download the archive again."
    )

    def damaged(exc: Exception) -> str:
        return (
            f"{name}: the archive is damaged, or its directory does not match what it holds ({exc}); nothing from it "
            "was imported. Download the archive again."
        )

    def opener() -> IO[bytes]:
        archive = zipfile.ZipFile(path)
        handle = archive.open(info.filename)
        # Close the archive with the member.
        original_close = handle.close

        def close() -> None:
            original_close()
            archive.close()

        handle.close = close  # type: ignore[method-assign]
        return _bounded(handle, info.file_size, why, damaged)

    return opener


def discover(paths: list[Path], suffix: str | tuple[str, ...]) -> Iterator[DataFile]:
    """Every file ending in ``suffix`` (e.g. "-street.csv") in the given files, folders and zip archives,
    in name order. ``.gz`` versions are accepted too."""
    for path in paths:
        if not path.exists():
            raise ImportRefused(f"{path}: no such file or folder. Check the path.")
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file())
            matched = [p for p in children if _matches(p.name, suffix) or p.suffix.lower() == ".zip"]
            if not matched:
                raise ImportRefused(f"{path}: the folder holds no files ending in {_names(suffix)}.")
            yield from discover(matched, suffix)
        elif path.suffix.lower() == ".zip":
            yield from _discover_zip(path, suffix)
        elif path.suffix.lower() in (".csv", ".gz"):
            yield _single(path, ArchiveLimits.from_settings())
        else:
            raise ImportRefused(
                f"{path.name}: not a CSV, ZIP or GZ file. Give the {_names(suffix)} files from data.police.uk, a "
                "folder of them, or the monthly archive .zip."
            )


def _matches(name: str, suffix: str | tuple[str, ...]) -> bool:
    lower = original_name(name.lower())
    suffixes = (suffix,) if isinstance(suffix, str) else suffix
    return any(lower.endswith(s) or lower.endswith(s + ".gz") for s in suffixes)


def _single(path: Path, limits: ArchiveLimits) -> DataFile:
    if path.suffix.lower() == ".gz":
        return DataFile(name=path.name, open_bytes=_check_gzip(path, limits))
    return DataFile(name=path.name, open_bytes=_file_opener(path))


def _discover_zip(path: Path, suffix: str | tuple[str, ...]) -> Iterator[DataFile]:
    try:
        members = sorted(
            (info for info in check_zip(path, path.name) if not info.is_dir() and _matches(info.filename, suffix)),
            key=lambda info: info.filename,
        )
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"{path.name}: this is not a readable zip archive ({exc}). Download it again.") from exc
    if not members:
        raise ImportRefused(f"{path.name}: the archive holds no files ending in {_names(suffix)}.")
    for info in members:
        yield DataFile(name=f"{path.name}:{info.filename}", open_bytes=_zip_opener(path, info))


def _names(suffix: str | tuple[str, ...]) -> str:
    return suffix if isinstance(suffix, str) else " or ".join(suffix)
