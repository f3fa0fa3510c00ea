"""Every write to case documents: attach a file (checked, stored outside the web root), with the case's chronology
and the access log. Letters and subject access have their own modules (``letters``, ``subject_access``)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safer.cases.models import Case, CaseParty, ChronologyKind, Sensitivity
from safer.cases.services import actor_agency, add_chronology_entry
from safer.core.audit import record_access
from safer.core.models import AccessAction, User
from safer.documents.filetypes import FileKind, FileRefused, classify, safe_name
from safer.documents.models import CaseDocument, DocumentSource, LetterTemplateVersion, documents_root

DEFAULT_MAX_DOCUMENT_MB = 20


def max_document_bytes() -> int:
    return int(getattr(settings, "SAFER_MAX_DOCUMENT_MB", DEFAULT_MAX_DOCUMENT_MB)) * 1024 * 1024


def max_document_label() -> str:
    return f"{max_document_bytes() // (1024 * 1024)} MB"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def check_file(name: str, data: bytes) -> FileKind:
    """The file's kind, or ``FileRefused`` with the reason (size first: it is the cheapest to tell)."""
    if not data:
        raise FileRefused("The selected file is empty. Choose the file again.")
    if len(data) > max_document_bytes():
        raise FileRefused(
            f"The selected file is {human_size(len(data))}: it must be {max_document_label()} or smaller. "
            "Reduce it (for a scan, a lower resolution) or split it into parts."
        )
    return classify(name, data)


@dataclass
class NewFile:
    name: str
    data: bytes


def _write(case: Case, data: bytes) -> str:
    """Write the bytes under a random name in the partnership's folder; return the stored name."""
    folder = documents_root() / str(case.partnership_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{case.partnership_id}/{secrets.token_hex(20)}"
    target = documents_root() / stored
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    return stored


def _store(
    *,
    case: Case,
    actor: User,
    name: str,
    data: bytes,
    kind: FileKind,
    description: str,
    sensitivity: str,
    source: str,
    letter_version: LetterTemplateVersion | None = None,
    recipient: CaseParty | None = None,
    then: Callable[[CaseDocument], None] | None = None,
) -> CaseDocument:
    """Write the file, then its row and ``then`` (the chronology line and the access log) in one transaction; if
    any of that fails, the file is removed too: nothing is half-saved."""
    stored = _write(case, data)
    try:
        with transaction.atomic():
            document = CaseDocument.objects.create(
                partnership_id=case.partnership_id,
                case=case,
                source=source,
                stored_name=stored,
                original_name=safe_name(name),
                content_type=kind.content_type,
                kind_label=kind.label,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                description=description.strip()[:300],
                sensitivity=sensitivity,
                uploaded_by=actor,
                uploaded_by_agency=actor_agency(actor, case),
                letter_template_version=letter_version,
                recipient=recipient,
            )
            if then is not None:
                then(document)
    except Exception:
        (documents_root() / stored).unlink(missing_ok=True)  # nothing half-saved
        raise
    return document


DOUBLE_SUBMIT_SECONDS = 30


def recent_duplicate(case: Case, actor: User, name: str, sha256: str) -> CaseDocument | None:
    """The same file from the same person on the same case moments ago: a double click, not a second document."""
    since = timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
    return (
        CaseDocument.objects.filter(
            case=case, uploaded_by=actor, original_name=safe_name(name), sha256=sha256, uploaded_at__gte=since
        )
        .order_by("-uploaded_at")
        .first()
    )


def attach_document(
    *,
    case: Case,
    actor: User,
    upload: NewFile,
    description: str = "",
    sensitivity: str = Sensitivity.NORMAL,
    request: HttpRequest | None = None,
) -> CaseDocument:
    """Check and store one uploaded file on a case; one chronology line and one AccessEvent (create). The same file
    sent again by a double click within 30 seconds returns the first document."""
    kind = check_file(upload.name, upload.data)
    duplicate = recent_duplicate(case, actor, upload.name, hashlib.sha256(upload.data).hexdigest())
    if duplicate is not None:
        return duplicate

    def log(document: CaseDocument) -> None:
        add_chronology_entry(
            case,
            ChronologyKind.DOCUMENT,
            f"Document attached: {document.original_name}"
            + (f" ({document.description})" if document.description else "")
            + (" [sensitive]" if sensitivity == Sensitivity.SENSITIVE else ""),
            actor,
            source=document,
        )
        record_access(
            action=AccessAction.CREATE,
            actor=actor,
            partnership=case.partnership,
            agency=document.uploaded_by_agency,
            object_type="case_document",
            object_id=document.pk,
            detail=f"attached to case {case.pk}",
            request=request,
        )

    return _store(
        case=case,
        actor=actor,
        name=upload.name,
        data=upload.data,
        kind=kind,
        description=description,
        sensitivity=sensitivity,
        source=DocumentSource.UPLOAD,
        then=log,
    )


def record_download(*, document: CaseDocument, actor: User, request: HttpRequest | None, purpose: str = "") -> None:
    record_access(
        purpose=purpose,
        action=AccessAction.EXPORT,
        actor=actor,
        partnership=document.case.partnership,
        object_type="case_document",
        object_id=document.pk,
        detail=f"downloaded from case {document.case_id}",
        request=request,
    )
