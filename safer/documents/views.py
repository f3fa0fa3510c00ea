"""Pages for a case's documents and letters, the download, and the partnership's letter templates."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safer.cases import selectors as case_selectors
from safer.cases.models import Case
from safer.cases.views import purpose_redirect
from safer.core.audit import record_access
from safer.core.http import PartnershipRequest
from safer.core.models import AccessAction, Role
from safer.core.permissions import require_area
from safer.documents import letters, selectors, services
from safer.documents.forms import LetterForm, TemplateForm, UploadForm
from safer.documents.models import LetterTemplate

TEMPLATE_EDITORS = frozenset({Role.PARTNERSHIP_ADMIN})
TEMPLATE_READERS = frozenset({Role.PARTNERSHIP_ADMIN, Role.CASEWORKER, Role.MEETING_CHAIR})


def case_page_url(case: Case) -> str | None:
    """The cases app's page for a case, when it has one (its URL name is theirs to choose)."""
    for name in ("cases:case", "cases:detail", "cases:case-detail"):
        try:
            return reverse(name, args=[case.pk])
        except NoReverseMatch:
            continue
    return None


PURPOSES_KEY = "case_purposes"  # where the cases app keeps the purpose given for a shared case, per session


def _needs_purpose(request: PartnershipRequest, case: Case) -> HttpResponse | None:
    """A case shared with the person's agency asks for the purpose once per session, as the case page does."""
    if any(a.pk == case.owning_agency_id for a in request.agencies):
        return None
    if str(case.pk) in request.session.get(PURPOSES_KEY, {}):
        return None
    return purpose_redirect(request, case.pk)


def _purpose(request: PartnershipRequest, case: Case) -> str:
    return str(request.session.get(PURPOSES_KEY, {}).get(str(case.pk), ""))


def _documents_page(
    request: PartnershipRequest,
    case: Case,
    upload_form: UploadForm,
    letter_form: LetterForm,
    status: int = 200,
) -> HttpResponse:
    documents, hidden = selectors.documents_for(request, case)
    return render(
        request,
        "documents/case_documents.html",
        {
            "case": case,
            "documents": documents,
            "hidden": hidden,
            "upload_form": upload_form,
            "letter_form": letter_form,
            "case_url": case_page_url(case),
            "max_size": services.max_document_label(),
            "human_size": services.human_size,
            "can_edit_templates": bool(request.roles & TEMPLATE_EDITORS),
        },
        status=status,
    )


def _templates(request: PartnershipRequest) -> list[LetterTemplate]:
    letters.ensure_default_templates(request.partnership)
    return list(selectors.letter_templates(request.partnership, active_only=True))


@require_area("cases")
@require_http_methods(["GET", "POST"])
def case_documents(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = case_selectors.case_for(request, case_id)
    templates = _templates(request)
    letter_form = LetterForm(case=case, templates=templates)
    if request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            document = services.attach_document(
                case=case,
                actor=request.user,
                upload=services.NewFile(name=upload.name, data=upload_form.data_bytes),
                description=upload_form.cleaned_data["description"],
                sensitivity=upload_form.cleaned_data["sensitivity"],
                request=request,
            )
            messages.success(request, f"{document.original_name} attached to {case.reference}")
            return HttpResponseRedirect(reverse("documents:case", args=[case.pk]))
        return _documents_page(request, case, upload_form, letter_form, status=400)
    asked = _needs_purpose(request, case)
    if asked is not None:
        return asked
    record_access(
        action=AccessAction.VIEW,
        actor=request.user,
        object_type="case",
        object_id=case.pk,
        purpose=_purpose(request, case),
        detail="documents list",
        request=request,
    )
    return _documents_page(request, case, UploadForm(), letter_form)


@require_area("cases")
@require_POST
def generate_letter(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = case_selectors.case_for(request, case_id)
    templates = _templates(request)
    letter_form = LetterForm(request.POST, case=case, templates=templates)
    if letter_form.is_valid():
        template = next(t for t in templates if str(t.pk) == letter_form.cleaned_data["template"])
        recipient = case.parties.select_related("person__address").get(pk=letter_form.cleaned_data["recipient"])
        try:
            document = letters.generate_letter(
                case=case,
                template=template,
                recipient=recipient,
                fmt=letter_form.cleaned_data["format"],
                actor=request.user,
                request=request,
            )
        except letters.LetterError as exc:
            letter_form.add_error("template", f"{template.name}: {exc}")
        else:
            messages.success(request, f"Letter made: {document.original_name}. It is listed below, ready to download.")
            return HttpResponseRedirect(reverse("documents:case", args=[case.pk]) + f"#document-{document.pk}")
    return _documents_page(request, case, UploadForm(), letter_form, status=400)


@require_area("cases")
@require_GET
def download(request: PartnershipRequest, case_id: int, document_id: int) -> HttpResponse:
    document = selectors.document_for(request, case_id, document_id)
    asked = _needs_purpose(request, document.case)
    if asked is not None:
        return asked
    try:
        handle = document.path.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing") from exc
    services.record_download(
        document=document, actor=request.user, purpose=_purpose(request, document.case), request=request
    )
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return cast(HttpResponse, response)  # a streamed file: require_area passes it through as it is


# --- letter templates ---------------------------------------------------------------------------------------------


def _require(request: PartnershipRequest, roles: frozenset[str]) -> None:
    if not request.roles & roles:
        raise PermissionDenied(f"This needs one of these roles: {', '.join(sorted(roles))}")


@require_GET
def templates(request: PartnershipRequest) -> HttpResponse:
    _require(request, TEMPLATE_READERS)
    letters.ensure_default_templates(request.partnership)
    return render(
        request,
        "documents/templates.html",
        {
            "templates": selectors.letter_templates(request.partnership).prefetch_related("versions"),
            "can_edit": bool(request.roles & TEMPLATE_EDITORS),
        },
    )


@require_http_methods(["GET", "POST"])
def template_edit(request: PartnershipRequest, template_id: int | None = None) -> HttpResponse:
    _require(request, TEMPLATE_EDITORS)
    template = selectors.letter_template_for(request.partnership, template_id) if template_id else None
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            clash = selectors.letter_templates(request.partnership).filter(name=data["name"])
            if template is not None:
                clash = clash.exclude(pk=template.pk)
            if clash.exists():
                form.add_error("name", "There is already a letter with this name: choose another")
            else:
                try:
                    saved = letters.save_template(
                        partnership=request.partnership,
                        actor=request.user,
                        name=data["name"],
                        kind=data["kind"],
                        subject=data["subject"],
                        body=data["body"],
                        is_active=data["is_active"],
                        template=template,
                        based_on=data["based_on"],
                    )
                except letters.TemplateConflictError as exc:
                    form.add_error(None, str(exc))
                    data_now = request.POST.copy()  # the next save is based on the version just found
                    data_now["based_on"] = str(template.current.number) if template else ""
                    form.data = data_now
                except letters.LetterError as exc:
                    form.add_error("body", str(exc))
                else:
                    messages.success(request, f"{saved.name} saved as version {saved.current.number}")
                    return HttpResponseRedirect(reverse("documents:templates"))
        status = 400
    else:
        status = 200
        if template is not None:
            current = template.current
            form = TemplateForm(
                initial={
                    "name": template.name,
                    "kind": template.kind,
                    "subject": current.subject,
                    "body": current.body,
                    "is_active": template.is_active,
                    "based_on": current.number,
                }
            )
        else:
            form = TemplateForm()
    versions = list(template.versions.select_related("created_by")) if template is not None else []
    return render(
        request,
        "documents/template_edit.html",
        {"form": form, "template": template, "versions": versions, "placeholders": letters.placeholder_list()},
        status=status,
    )
