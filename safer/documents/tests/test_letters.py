"""Letters from the partnership's templates: placeholders filled in a sandbox, unknown ones refused by name, versions
kept, and the PDF and Word read back."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from safer.cases.models import ChronologyEntry
from safer.core.models import AccessAction, AccessEvent
from safer.documents import letters
from safer.documents.models import CaseDocument, DocumentSource, LetterKind, LetterTemplate
from safer.documents.tests.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def cpw(partnership, admin) -> LetterTemplate:
    return letters.save_template(
        partnership=partnership,
        actor=admin,
        name="CPW (Oadby)",
        kind=LetterKind.CPW,
        subject="Community Protection Warning {{ case.reference }}",
        body="Dear {{ recipient.name }},\n\nOf {{ recipient.address }}.\n\n"
        "Signed {{ officer.name }} for {{ agency.name }} on {{ today }}.",
    )


def test_placeholders_are_filled_in(case, subject, caseworker_a, cpw):
    context = letters.letter_context(case=case, recipient=subject, officer=caseworker_a)
    letter = letters.build_letter(cpw.current, context)
    assert letter.heading == "Community Protection Warning ASB-2026-00001"
    assert letter.paragraphs == [
        "Dear Dan Shouter,",
        "Of 12 Long Street, Wigston, LE18 2AA.",
        f"Signed Casey Council for Oadby and Wigston Borough Council on {timezone.localdate():%-d %B %Y}.",
    ]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("Dear {{ victim.name }}", "{{ victim.name }}"),
        ("Ref {{ case.colour }} and {{ recipient.phone }}", "{{ case.colour }}, {{ recipient.phone }}"),
        ("{{ case }}", "{{ case }}"),
        ("{{ case['secret'] }}", "{{ case.secret }}"),
        ("{{ case.__class__ }}", "{{ case.__class__ }}"),
    ],
)
def test_unknown_placeholders_are_refused_by_name(body, named):
    with pytest.raises(letters.LetterError) as refused:
        letters.check_wording(body)
    assert f"The wording uses placeholders that do not exist: {named}." in str(refused.value)


def test_a_syntax_mistake_names_its_line():
    with pytest.raises(letters.LetterError) as refused:
        letters.check_wording("Dear {{ recipient.name }},\n\nWe {{ case.reference }\n")
    assert "The wording has a mistake on line 3" in str(refused.value)


def test_the_sandbox_calls_nothing(case, subject, caseworker_a):
    context = letters.letter_context(case=case, recipient=subject, officer=caseworker_a)
    with pytest.raises(letters.LetterError):
        letters.render_text("{{ case.reference.__class__.__mro__ }}", context)


def test_editing_a_template_keeps_the_old_version(partnership, admin, cpw):
    letters.save_template(
        partnership=partnership,
        actor=admin,
        name="CPW (Oadby)",
        kind=LetterKind.CPW,
        subject="",
        body="New wording for {{ recipient.name }}",
        template=cpw,
    )
    assert [v.number for v in cpw.versions.all()] == [2, 1]
    assert cpw.current.body == "New wording for {{ recipient.name }}"
    assert cpw.versions.get(number=1).body.startswith("Dear {{ recipient.name }}")


def test_a_pdf_letter_is_stored_on_the_case_and_reads_back(case, subject, caseworker_a, cpw):
    document = letters.generate_letter(case=case, template=cpw, recipient=subject, fmt="pdf", actor=caseworker_a)
    assert document.source == DocumentSource.LETTER
    assert document.content_type == "application/pdf"
    assert document.original_name == "CPW (Oadby) ASB-2026-00001.pdf"
    assert document.letter_template_version == cpw.current
    text = pdf_text(document.path)
    assert "Community Protection Warning ASB-2026-00001" in text
    assert "Dear Dan Shouter," in text
    assert "Our reference: ASB-2026-00001" in text
    assert "Signed Casey Council for Oadby and Wigston Borough Council" in text
    entry = ChronologyEntry.objects.get(case=case, kind="document")
    assert entry.summary == "Letter made: CPW (Oadby) (version 1) to the subject or perpetrator, as PDF"
    events = AccessEvent.objects.filter(action=AccessAction.PRINT)
    assert events.count() == 1
    assert events[0].object_id == str(document.pk)


def test_a_word_letter_reads_back(case, subject, caseworker_a, cpw):
    document = letters.generate_letter(case=case, template=cpw, recipient=subject, fmt="docx", actor=caseworker_a)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(document.path.read_bytes())).paragraphs]
    assert "Dear Dan Shouter," in paragraphs
    assert "Community Protection Warning ASB-2026-00001" in paragraphs
    assert "Our reference: ASB-2026-00001" in paragraphs


def test_defaults_are_local_examples_and_render(partnership, case, subject, caseworker_a):
    assert letters.ensure_default_templates(partnership) == 3
    assert letters.ensure_default_templates(partnership) == 0
    for template in LetterTemplate.objects.filter(partnership=partnership):
        assert template.is_local_example
        document = letters.generate_letter(
            case=case, template=template, recipient=subject, fmt="pdf", actor=caseworker_a
        )
        assert "Dan Shouter" in pdf_text(document.path)


def test_the_case_page_makes_a_letter(signed_in, caseworker_a, case, subject, victim):
    client = signed_in(caseworker_a)
    page = client.get(reverse("documents:case", args=[case.pk]))
    assert "Community Protection Warning" in page.content.decode()
    template = LetterTemplate.objects.get(partnership=case.partnership, kind=LetterKind.CPW)
    response = client.post(
        reverse("documents:letter", args=[case.pk]),
        {"letter-template": template.pk, "letter-recipient": subject.pk, "letter-format": "docx"},
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    assert document.original_name == "Community Protection Warning ASB-2026-00001.docx"
    assert document.recipient == subject


def test_the_letter_form_names_what_is_missing(signed_in, caseworker_a, case, subject):
    response = signed_in(caseworker_a).post(reverse("documents:letter", args=[case.pk]), {"letter-format": "pdf"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose a letter" in text
    assert "Choose who the letter is to" in text
    assert not CaseDocument.objects.exists()


def test_a_broken_template_refuses_the_letter_and_keeps_nothing(case, subject, caseworker_a, cpw):
    version = cpw.current
    type(version).objects.filter(pk=version.pk).update(body="Dear {{ victim.name }}")
    with pytest.raises(letters.LetterError):
        letters.generate_letter(case=case, template=cpw, recipient=subject, fmt="pdf", actor=caseworker_a)
    assert not CaseDocument.objects.exists()
    assert not ChronologyEntry.objects.exists()


def test_only_partnership_admins_edit_templates(signed_in, admin, caseworker_a, partnership):
    assert signed_in(caseworker_a).get(reverse("documents:templates")).status_code == 200
    assert signed_in(caseworker_a).get(reverse("documents:template-new")).status_code == 403
    client = signed_in(admin)
    refused = client.post(
        reverse("documents:template-new"),
        {
            "name": "Noise letter",
            "kind": "other",
            "subject": "",
            "body": "Dear {{ neighbour.name }}",
            "is_active": "on",
        },
    )
    assert refused.status_code == 400
    assert "The wording uses placeholders that do not exist: {{ neighbour.name }}" in refused.content.decode()
    assert not LetterTemplate.objects.filter(name="Noise letter").exists()
    saved = client.post(
        reverse("documents:template-new"),
        {
            "name": "Noise letter",
            "kind": "other",
            "subject": "",
            "body": "Dear {{ recipient.name }}",
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    assert LetterTemplate.objects.get(name="Noise letter").current.number == 1


def test_another_partnership_cannot_open_a_template(signed_in, outsider, cpw):
    assert signed_in(outsider).get(reverse("documents:template-edit", args=[cpw.pk])).status_code == 404


def test_two_admins_editing_at_once_the_second_is_told(signed_in, admin, partnership, cpw):
    client = signed_in(admin)
    url = reverse("documents:template-edit", args=[cpw.pk])
    form = {"name": "CPW (Oadby)", "kind": "cpw", "subject": "", "is_active": "on", "based_on": "1"}
    first = client.post(url, {**form, "body": "First admin's wording {{ case.reference }}"})
    assert first.status_code == 302
    second = client.post(url, {**form, "body": "Second admin's wording {{ case.reference }}"})
    assert second.status_code == 400
    text = second.content.decode()
    assert "Someone saved version 2 of this letter while you were editing version 1" in text
    assert "Second admin" in text  # their wording is kept in the box
    assert cpw.current.body == "First admin's wording {{ case.reference }}"
    assert cpw.versions.count() == 2
