"""What a file is, decided from its bytes and its name together (the browser's content type is not trusted).

Allowed: PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), JPEG, PNG, plain text, CSV, e-mails (.eml, .msg).
Refused with a reason: programs and scripts, web pages and SVG images (they can run script in a browser), archives
(their contents cannot be checked), and any file whose bytes do not match its name.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


ALLOWED: dict[str, FileKind] = {
    kind.extension: kind
    for kind in (
        FileKind("pdf", "application/pdf", "PDF"),
        FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
        FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet"),
        FileKind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text"),
        FileKind("jpg", "image/jpeg", "JPEG image"),
        FileKind("jpeg", "image/jpeg", "JPEG image"),
        FileKind("png", "image/png", "PNG image"),
        FileKind("txt", "text/plain", "Text"),
        FileKind("csv", "text/csv", "CSV"),
        FileKind("eml", "message/rfc822", "E-mail"),
        FileKind("msg", "application/vnd.ms-outlook", "Outlook e-mail"),
    )
}
ALLOWED_LIST = (
    "PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), JPEG, PNG, text, CSV, or an e-mail (.eml, .msg)"
)

PROGRAM_EXTENSIONS = frozenset(
    [
        "exe",
        "dll",
        "com",
        "bat",
        "cmd",
        "ps1",
        "psm1",
        "vbs",
        "vbe",
        "js",
        "jse",
        "wsf",
        "wsh",
        "msi",
        "msp",
        "scr",
        "pif",
        "cpl",
        "hta",
        "jar",
        "sh",
        "bash",
        "zsh",
        "py",
        "pl",
        "rb",
        "php",
        "apk",
        "app",
        "dmg",
        "deb",
        "rpm",
        "lnk",
        "reg",
        "iso",
        "bin",
        "elf",
        "so",
        "dylib",
    ]
)
WEB_EXTENSIONS = frozenset(["html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl"])
ARCHIVE_EXTENSIONS = frozenset(["zip", "7z", "rar", "tar", "gz", "tgz", "bz2", "xz", "zst", "cab", "arj", "lz", "lzh"])
MACRO_EXTENSIONS = frozenset(["docm", "xlsm", "pptm", "dotm", "xltm"])
OLD_OFFICE = frozenset(["doc", "xls", "ppt", "rtf"])

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PROGRAM_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
ARCHIVE_MAGIC = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
WEB_MARKERS = (b"<!doctype html", b"<html", b"<svg", b"<script", b"<?xml", b"<head", b"<body", b"<iframe")


class FileRefused(ValueError):  # noqa: N818 - reads as what happened to the file
    """A file that may not be attached; the message says why and what to do."""


def _extension(name: str) -> str:
    suffix = PurePath(name).suffix.lower().lstrip(".")
    return suffix


def _refuse_by_extension(ext: str) -> None:
    if ext in PROGRAM_EXTENSIONS:
        raise FileRefused(f"“.{ext}” files are programs or scripts and cannot be attached. Attach {ALLOWED_LIST}.")
    if ext in WEB_EXTENSIONS:
        raise FileRefused(
            f"Web pages and SVG images (“.{ext}”) cannot be attached, as they can run code when opened. "
            "Save it as a PDF and attach that."
        )
    if ext in ARCHIVE_EXTENSIONS:
        raise FileRefused(
            f"Archives (“.{ext}”) cannot be attached, as what is inside cannot be checked. Attach each file on its own."
        )
    if ext in MACRO_EXTENSIONS:
        raise FileRefused(f"Office files with macros (“.{ext}”) cannot be attached. Save it as .docx, .xlsx or PDF.")
    if ext in OLD_OFFICE:
        raise FileRefused(f"Older Office files (“.{ext}”) cannot be attached. Save it as .docx, .xlsx or PDF.")
    if ext not in ALLOWED:
        shown = f"“.{ext}” files" if ext else "Files without an extension"
        raise FileRefused(f"{shown} cannot be attached. Attach {ALLOWED_LIST}.")


def _zip_kind(head: bytes, data: bytes) -> str | None:
    """docx, xlsx, odt, or None for any other zip (an archive)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise FileRefused("Office files with macros cannot be attached. Save it as .docx, .xlsx or PDF.")
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
    except zipfile.BadZipFile as exc:
        raise FileRefused(
            "The file is damaged: it could not be opened. Save it again and attach the new copy."
        ) from exc
    return None


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    sample = data[:65536]
    for encoding in ("utf-8", "cp1252"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _sniff(data: bytes) -> str | None:
    """The type the bytes say, as an extension (``"pdf"``, ``"zip"``, ``"text"``…), or None if unknown."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head, data) or "zip"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(OLE2):
        return "ole2"
    if any(head.startswith(m) for m in PROGRAM_MAGIC):
        return "program"
    if any(head.startswith(m) for m in ARCHIVE_MAGIC):
        return "zip"
    if _looks_like_text(data):
        lowered = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if any(lowered.startswith(m) for m in WEB_MARKERS) or b"<script" in data[:65536].lower():
            return "html"
        return "text"
    return None


def classify(name: str, data: bytes) -> FileKind:
    """The allowed kind of this file, or ``FileRefused`` saying why not."""
    ext = _extension(name)
    _refuse_by_extension(ext)
    sniffed = _sniff(data)
    if sniffed == "program":
        raise FileRefused("This file is a program, whatever its name says, and cannot be attached.")
    if sniffed == "html":
        raise FileRefused(
            "This file is a web page or contains script, whatever its name says, and cannot be attached. "
            "Save it as a PDF and attach that."
        )
    if sniffed == "zip":
        raise FileRefused("This file is an archive, whatever its name says. Attach each file inside it on its own.")
    expected = {
        "pdf": {"pdf"},
        "docx": {"docx"},
        "xlsx": {"xlsx"},
        "odt": {"odt"},
        "jpg": {"jpeg"},
        "jpeg": {"jpeg"},
        "png": {"png"},
        "txt": {"text"},
        "csv": {"text"},
        "eml": {"text"},
        "msg": {"ole2"},
    }[ext]
    if sniffed not in expected:
        raise FileRefused(
            f"The file is called “.{ext}” but its contents are not a {ALLOWED[ext].label}. "
            "Check it is the right file, or save it again in that format."
        )
    return ALLOWED[ext]


def safe_name(name: str) -> str:
    """The file's own name without folders or control characters, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip() or "document"
    if len(cleaned) > 200:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: 190 - len(ext)] + dot + ext) if dot else cleaned[:200]
    return cleaned
