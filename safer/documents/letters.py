"""Letters from the partnership's templates: placeholders checked and filled in a sandbox, drawn as PDF and Word.

The wording is Jinja2 text rendered by ``jinja2.sandbox.SandboxedEnvironment`` over plain dictionaries of strings
(never model objects), so a template can read only the placeholders below and call nothing. Any other name or
part (``{{ case.colour }}``, ``{{ victim.name }}``) is refused when the template is saved and again when a letter
is made, with the unknown ones named.

Who edits templates: partnership admins (the wording is the partnership's agreed, often legally checked, text);
caseworkers and meeting chairs use them, and change one letter by choosing Word.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from safer.cases.models import Case, CaseParty, ChronologyKind, Sensitivity
from safer.cases.services import actor_agency, add_chronology_entry
from safer.core.audit import record_access
from safer.core.models import AccessAction, Partnership, User
from safer.documents.defaults import DEFAULT_TEMPLATES
from safer.documents.filetypes import ALLOWED
from safer.documents.models import CaseDocument, DocumentSource, LetterTemplate, LetterTemplateVersion
from safer.documents.services import DOUBLE_SUBMIT_SECONDS, _store

# Every placeholder a template may use, with what it gives.
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "case": {
        "reference": "The case reference, e.g. ASB-2026-00042",
        "type": "The kind of case, e.g. Anti-social behaviour",
        "opened_on": "The date the case was opened",
    },
    "recipient": {
        "name": "The name of the person the letter is to",
        "address": "Their address, on one line",
        "role": "Their role on the case, e.g. subject or perpetrator",
    },
    "officer": {"name": "The officer sending the letter", "email": "Their e-mail address"},
    "agency": {"name": "The officer's agency on the case"},
    "partnership": {"name": "The partnership's name"},
}
TODAY = "today"
TODAY_HELP = "Today's date, e.g. 23 November 2026"


def placeholder_list() -> list[tuple[str, str]]:
    rows = [
        (f"{{{{ {group}.{part} }}}}", text) for group, parts in PLACEHOLDERS.items() for part, text in parts.items()
    ]
    return [*rows, ("{{ today }}", TODAY_HELP)]


class LetterError(ValueError):
    """A template that cannot be used; the message says which placeholders or line, and what to do."""


class TemplateConflictError(LetterError):
    """Another admin saved a version since this edit started: nothing was saved."""


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _chain(node: nodes.Node) -> tuple[nodes.Name | None, list[str]]:
    """``case.reference`` -> (Name case, ["reference"]); ``case["x"].y`` -> (Name case, ["x", "y"])."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        else:
            parts.append(str(node.arg.value) if isinstance(node.arg, nodes.Const) else "?")
        node = node.node
    return (node if isinstance(node, nodes.Name) else None), parts[::-1]


def _unknown_placeholders(ast: nodes.Template) -> list[str]:
    unknown: list[str] = []
    assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    longest: dict[int, list[str]] = {}
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        root, parts = _chain(node)
        if root is not None and len(parts) > len(longest.get(id(root), [])):
            longest[id(root)] = parts
    for name in ast.find_all(nodes.Name):
        if name.ctx != "load" or name.name in assigned or name.name == TODAY:
            continue
        parts = longest.get(id(name), [])
        allowed = PLACEHOLDERS.get(name.name)
        if allowed is not None and parts and parts[0] in allowed:
            if len(parts) > 1:
                unknown.append(".".join([name.name, *parts]))  # a placeholder is text: it has no parts
            continue
        unknown.append(".".join([name.name, *parts]))
    return list(dict.fromkeys(unknown))


def check_wording(*texts: str) -> None:
    """Refuse wording with a syntax error or an unknown placeholder, naming them."""
    env = _environment()
    unknown: list[str] = []
    for text in texts:
        try:
            ast = env.parse(text)
        except TemplateSyntaxError as exc:
            raise LetterError(
                f"The wording has a mistake on line {exc.lineno}: {exc.message}. "
                "Placeholders are written like {{ case.reference }}."
            ) from exc
        unknown.extend(_unknown_placeholders(ast))
    if unknown:
        names = ", ".join(f"{{{{ {u} }}}}" for u in dict.fromkeys(unknown))
        raise LetterError(
            f"The wording uses placeholders that do not exist: {names}. "
            "Use only the placeholders listed on this page, or remove them."
        )


def render_text(text: str, context: dict[str, object]) -> str:
    check_wording(text)
    try:
        return _environment().from_string(text).render(**context)
    except (UndefinedError, SecurityError, TemplateSyntaxError) as exc:
        raise LetterError(f"The wording could not be filled in ({exc}). Check its placeholders.") from exc


# --- what the placeholders hold -----------------------------------------------------------------------------------


def letter_context(*, case: Case, recipient: CaseParty, officer: User, today: date | None = None) -> dict[str, object]:
    person = recipient.person
    address = person.address.one_line if person.address else ""
    agency = actor_agency(officer, case) or case.owning_agency
    return {
        "case": {
            "reference": case.reference,
            "type": case.get_case_type_display(),
            "opened_on": f"{timezone.localtime(case.opened_at):%-d %B %Y}",
        },
        "recipient": {"name": person.display_name, "address": address, "role": recipient.get_role_display().lower()},
        "officer": {"name": officer.full_name or officer.email, "email": officer.email},
        "agency": {"name": agency.name},
        "partnership": {"name": case.partnership.name},
        TODAY: f"{today or timezone.localdate():%-d %B %Y}",
    }


@dataclass
class Letter:
    heading: str
    paragraphs: list[str]
    sender: str
    date_line: str
    recipient_name: str
    recipient_address: str
    reference: str
    officer: str


def build_letter(version: LetterTemplateVersion, context: dict[str, object]) -> Letter:
    body = render_text(version.body, context)
    heading = render_text(version.subject, context) if version.subject else ""
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    agency = context["agency"]
    recipient = context["recipient"]
    case = context["case"]
    officer = context["officer"]
    assert isinstance(agency, dict)
    assert isinstance(recipient, dict)
    assert isinstance(case, dict)
    assert isinstance(officer, dict)
    return Letter(
        heading=heading,
        paragraphs=paragraphs,
        sender=str(agency["name"]),
        date_line=str(context[TODAY]),
        recipient_name=str(recipient["name"]),
        recipient_address=str(recipient["address"]),
        reference=str(case["reference"]),
        officer=str(officer["name"]),
    )


LETTER_CSS = """
@page { size: A4; margin: 25mm 22mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; line-height: 1.45; color: #0b0c0c; }
.sender { text-align: right; font-weight: bold; }
.date { text-align: right; margin-bottom: 12mm; }
.address { margin-bottom: 10mm; }
.reference { margin-bottom: 6mm; }
h1 { font-size: 13pt; margin: 0 0 6mm; }
p { margin: 0 0 4mm; }
"""


def render_pdf(letter: Letter) -> bytes:
    from weasyprint import HTML

    def para(text: str) -> str:
        return "<p>" + "<br>".join(escape(line) for line in text.split("\n")) + "</p>"

    address = "<br>".join(escape(part.strip()) for part in letter.recipient_address.split(",") if part.strip())
    html = (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(letter.heading or "Letter")}'
        f"</title><style>{LETTER_CSS}</style></head><body>"
        f'<p class="sender">{escape(letter.sender)}</p><p class="date">{escape(letter.date_line)}</p>'
        f'<p class="address">{escape(letter.recipient_name)}<br>{address}</p>'
        f'<p class="reference">Our reference: {escape(letter.reference)}</p>'
        + (f"<h1>{escape(letter.heading)}</h1>" if letter.heading else "")
        + "".join(para(p) for p in letter.paragraphs)
        + "</body></html>"
    )
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def render_docx(letter: Letter) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = letter.heading or "Letter"
    document.core_properties.author = letter.sender
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    for text in (letter.sender, letter.date_line):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    address = document.add_paragraph(letter.recipient_name)
    for part in letter.recipient_address.split(","):
        if part.strip():
            address.add_run().add_break()
            address.add_run(part.strip())
    document.add_paragraph(f"Our reference: {letter.reference}")
    if letter.heading:
        document.add_heading(letter.heading, level=1)
    for text in letter.paragraphs:
        paragraph = document.add_paragraph()
        for i, line in enumerate(text.split("\n")):
            if i:
                paragraph.add_run().add_break()
            paragraph.add_run(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- writes -------------------------------------------------------------------------------------------------------


def generate_letter(
    *,
    case: Case,
    template: LetterTemplate,
    recipient: CaseParty,
    fmt: str,
    actor: User,
    request: HttpRequest | None = None,
) -> CaseDocument:
    """Make a letter from the template's current version; store it on the case; one chronology line; one AccessEvent
    (print)."""
    if template.partnership_id != case.partnership_id or recipient.case_id != case.pk:
        raise LetterError("That letter or person does not belong to this case.")
    version = template.current
    since = timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
    kind = ALLOWED["docx" if fmt == "docx" else "pdf"]
    duplicate = (
        CaseDocument.objects.filter(
            case=case,
            uploaded_by=actor,
            letter_template_version=version,
            recipient=recipient,
            content_type=kind.content_type,
            uploaded_at__gte=since,
        )
        .order_by("-uploaded_at")
        .first()
    )
    if duplicate is not None:  # a double click: the letter made moments ago
        return duplicate
    letter = build_letter(version, letter_context(case=case, recipient=recipient, officer=actor))
    content = render_docx(letter) if fmt == "docx" else render_pdf(letter)
    name = f"{template.name} {case.reference}.{kind.extension}"

    def log(document: CaseDocument) -> None:
        add_chronology_entry(
            case,
            ChronologyKind.DOCUMENT,
            f"Letter made: {template.name} (version {version.number}) to the "
            f"{recipient.get_role_display().lower()}, as {kind.label}",
            actor,
            source=document,
        )
        record_access(
            action=AccessAction.PRINT,
            actor=actor,
            partnership=case.partnership,
            agency=document.uploaded_by_agency,
            object_type="case_document",
            object_id=document.pk,
            detail=f"letter from template {template.pk} v{version.number} on case {case.pk}",
            request=request,
        )

    return _store(
        case=case,
        actor=actor,
        name=name,
        data=content,
        kind=kind,
        description=f"{template.name} (version {version.number}) to the {recipient.get_role_display().lower()}",
        sensitivity=Sensitivity.NORMAL,
        source=DocumentSource.LETTER,
        letter_version=version,
        recipient=recipient,
        then=log,
    )


@transaction.atomic
def save_template(
    *,
    partnership: Partnership,
    actor: User,
    name: str,
    kind: str,
    subject: str,
    body: str,
    is_active: bool = True,
    template: LetterTemplate | None = None,
    based_on: int | None = None,
) -> LetterTemplate:
    """Create a template, or add a version to one (earlier versions are kept, and the letters made from them)."""
    check_wording(subject, body)
    if template is None:
        template = LetterTemplate.objects.create(partnership=partnership, name=name, kind=kind, is_active=is_active)
        number = 1
    else:
        template = LetterTemplate.objects.select_for_update().get(pk=template.pk, partnership=partnership)
        template.name, template.kind, template.is_active = name, kind, is_active
        template.is_local_example = False  # edited: now the partnership's own wording
        template.save(update_fields=["name", "kind", "is_active", "is_local_example"])
        last = template.versions.order_by("-number").first()
        if based_on is not None and last is not None and last.number != based_on:
            raise TemplateConflictError(
                f"Someone saved version {last.number} of this letter while you were editing version {based_on}. "
                "Your wording is still in the box: compare it with theirs (listed under Versions), then save again."
            )
        number = (last.number if last else 0) + 1
    LetterTemplateVersion.objects.create(template=template, number=number, subject=subject, body=body, created_by=actor)
    record_access(
        action=AccessAction.CHANGE if number > 1 else AccessAction.CREATE,
        actor=actor,
        partnership=partnership,
        object_type="letter_template",
        object_id=template.pk,
        detail=f"version {number}",
    )
    return template


# --- the defaults every partnership starts with -------------------------------------------------------------------


def ensure_default_templates(partnership: Partnership, actor: User | None = None) -> int:
    """Give a partnership with no templates at all the defaults, marked as local examples (once: a partnership that
    renamed or retired them is not given them again)."""
    if LetterTemplate.objects.filter(partnership=partnership).exists():
        return 0
    made = 0
    for name, kind, subject, body in DEFAULT_TEMPLATES:
        with transaction.atomic():
            template = LetterTemplate.objects.create(
                partnership=partnership, name=name, kind=kind, is_local_example=True
            )
            LetterTemplateVersion.objects.create(
                template=template, number=1, subject=subject, body=body, created_by=actor
            )
        made += 1
    return made
