"""Fixtures for the documents tests: files kept in a temporary VAR_DIR, a case owned by the council with a victim
and a subject, another agency's and another partnership's cases, and small real files of each allowed kind."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from safer.cases.models import Address, Case, CaseAgency, CaseParty, ConsentStatus, Gateway, PartyRole, Person
from safer.core.models import Agency, Partnership, User


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


def make_case(partnership: Partnership, agency: Agency, reference: str, officer: User | None = None) -> Case:
    return Case.objects.create(
        partnership=partnership, reference=reference, owning_agency=agency, officer=officer, summary="Noise and abuse"
    )


def make_person(partnership: Partnership, given: str, family: str, **extra: Any) -> Person:
    from safer.cases.models import name_key

    return Person.objects.create(
        partnership=partnership, given_name=given, family_name=family, name_key=name_key(given, family), **extra
    )


@pytest.fixture
def case(partnership: Partnership, council: Agency, caseworker_a: User) -> Case:
    return make_case(partnership, council, "ASB-2026-00001", officer=caseworker_a)


@pytest.fixture
def subject(case: Case, partnership: Partnership) -> CaseParty:
    address = Address.objects.create(
        partnership=partnership, line1="12 Long Street", town="Wigston", postcode="LE18 2AA"
    )
    person = make_person(partnership, "Dan", "Shouter", address=address, date_of_birth=date(1990, 5, 4))
    return CaseParty.objects.create(case=case, person=person, role=PartyRole.SUBJECT)


@pytest.fixture
def victim(case: Case, partnership: Partnership) -> CaseParty:
    address = Address.objects.create(
        partnership=partnership, line1="14 Long Street", town="Wigston", postcode="LE18 2AA"
    )
    person = make_person(partnership, "Vera", "Quiet", address=address, date_of_birth=date(1950, 1, 31))
    return CaseParty.objects.create(case=case, person=person, role=PartyRole.VICTIM)


@pytest.fixture
def share_with() -> Callable[[Case, Agency], CaseAgency]:
    def share(case: Case, agency: Agency) -> CaseAgency:
        return CaseAgency.objects.create(
            case=case,
            agency=agency,
            gateway=Gateway.S115,
            consent_status=ConsentStatus.NOT_REQUIRED,
            reason="Joint problem-solving",
        )

    return share


@pytest.fixture
def signed_in(client: Client, sign_in: Callable[[Client, User], Client]) -> Callable[[User], Client]:
    def as_(user: User) -> Client:
        fresh = Client()
        return sign_in(fresh, user)

    return as_


# --- small real files ---------------------------------------------------------------------------------------------


def pdf_bytes(text: str = "Photo log") -> bytes:
    from weasyprint import HTML

    data: bytes = HTML(string=f"<p>{text}</p>").write_pdf()
    return data


def docx_bytes(text: str = "Statement") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"  # poppler-utils


def pdf_text(path: Path | str) -> str:
    """The text of a PDF, read back with pdftotext."""
    result = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return result.stdout
