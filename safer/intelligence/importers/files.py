"""Finding data files in what people give us: one CSV, a folder, a zip of the monthly archive, gzip files.

Nothing here reads a whole file into memory: each file is opened as a stream when it is imported.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


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


def _gzip_opener(path: Path) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        return gzip.open(path, "rb")  # type: ignore[return-value]

    return opener


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _zip_opener(path: Path, member: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        archive = zipfile.ZipFile(path)
        handle = archive.open(member)
        # Close the archive with the member.
        original_close = handle.close

        def close() -> None:
            original_close()
            archive.close()

        handle.close = close  # type: ignore[method-assign]
        return handle

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
            yield _single(path)
        else:
            raise ImportRefused(
                f"{path.name}: not a CSV, ZIP or GZ file. Give the {_names(suffix)} files from data.police.uk, a "
                "folder of them, or the monthly archive .zip."
            )


def _matches(name: str, suffix: str | tuple[str, ...]) -> bool:
    lower = name.lower()
    suffixes = (suffix,) if isinstance(suffix, str) else suffix
    return any(lower.endswith(s) or lower.endswith(s + ".gz") for s in suffixes)


def _single(path: Path) -> DataFile:
    if path.suffix.lower() == ".gz":
        return DataFile(name=path.name, open_bytes=_gzip_opener(path))
    return DataFile(name=path.name, open_bytes=_file_opener(path))


def _discover_zip(path: Path, suffix: str | tuple[str, ...]) -> Iterator[DataFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                info.filename for info in archive.infolist() if not info.is_dir() and _matches(info.filename, suffix)
            )
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"{path.name}: this is not a readable zip archive ({exc}). Download it again.") from exc
    if not members:
        raise ImportRefused(f"{path.name}: the archive holds no files ending in {_names(suffix)}.")
    for member in members:
        yield DataFile(name=f"{path.name}:{member}", open_bytes=_zip_opener(path, member))


def _names(suffix: str | tuple[str, ...]) -> str:
    return suffix if isinstance(suffix, str) else " or ".join(suffix)
