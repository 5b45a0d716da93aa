"""Portal pages: parse input, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kammerpost.accounts.access import business_for_member
from kammerpost.accounts.adapter import client_ip
from kammerpost.chamber.procedures import Procedure, procedure_named, procedures_all
from kammerpost.chamber.selectors import procedure_answers
from kammerpost.correspondence import selectors as correspondence_selectors
from kammerpost.correspondence import services as correspondence_services
from kammerpost.correspondence.exceptions import CorrespondenceError
from kammerpost.inspection import policy_named
from kammerpost.intake import access
from kammerpost.intake.receipts import receipt_html, receipt_pdf
from kammerpost.intake.selectors import reasons_localised
from kammerpost.intake.services import IncomingFile
from kammerpost.languages import active_language

from . import selectors, services
from .exceptions import PortalError
from .forms import MessageForm, ProcedureForm, UploadForm
from .middleware import upload_limited


def _draft_policies(request: HttpRequest, draft_id: str) -> set[str]:
    _, procedure = _draft(request, draft_id)
    return {slot.policy for slot in procedure.slots}


def _item_policies(request: HttpRequest, reference: str) -> set[str]:
    return {access.item_for_customer(user=request.user, reference=reference).policy_name}


def _procedure(slug: str) -> Procedure:
    procedure = procedure_named(slug)
    if procedure is None:
        raise Http404
    return procedure


def _draft(request: HttpRequest, draft_id: str) -> tuple[dict[str, Any], Procedure]:
    """A draft of this session only; anything else is a 404."""
    draft = request.session.get(services.SESSION_KEY, {}).get(draft_id)
    if draft is None:
        raise Http404
    return draft, _procedure(draft["procedure"])


@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/index.html", {"procedures": procedures_all().values()})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def procedure_start(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(slug)
    form = ProcedureForm(request.POST or None, procedure=procedure, user=request.user)
    if request.method == "POST" and form.is_valid():
        draft_id = services.draft_start(
            session=request.session, procedure=procedure, values=form.cleaned_values()
        )
        return redirect("portal:draft-files", draft_id=draft_id)
    return render(request, "portal/fields.html", {"procedure": procedure, "form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def draft_fields(request: HttpRequest, draft_id: str) -> HttpResponse:
    draft, procedure = _draft(request, draft_id)
    if draft["submitted"]:
        return redirect("portal:item-receipt", reference=draft["submitted"])
    form = ProcedureForm(
        request.POST if request.method == "POST" else None,
        initial=draft["values"],
        procedure=procedure,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        services.draft_values_set(
            session=request.session, draft=draft, values=form.cleaned_values()
        )
        return redirect("portal:draft-check", draft_id=draft_id)
    return render(
        request, "portal/fields.html", {"procedure": procedure, "form": form, "draft_id": draft_id}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@upload_limited(_draft_policies)
def draft_files(request: HttpRequest, draft_id: str) -> HttpResponse:
    draft, procedure = _draft(request, draft_id)
    if draft["submitted"]:
        return redirect("portal:item-receipt", reference=draft["submitted"])
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "remove":
            services.draft_file_remove(
                session=request.session,
                draft_id=draft_id,
                draft=draft,
                file_id=request.POST.get("file", ""),
            )
            return redirect("portal:draft-files", draft_id=draft_id)
        if action == "continue":
            errors = services.draft_files_problems(procedure=procedure, draft=draft)
            if not errors:
                return redirect("portal:draft-check", draft_id=draft_id)
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid() and procedure.slot(form.cleaned_data["slot"]) is not None:
                upload = form.cleaned_data["file"]
                services.draft_file_add(
                    session=request.session,
                    draft_id=draft_id,
                    draft=draft,
                    procedure=procedure,
                    slot_name=form.cleaned_data["slot"],
                    name=upload.name,
                    chunks=upload.chunks(),
                )
                return redirect("portal:draft-files", draft_id=draft_id)
            slot = request.POST.get("slot", "")
            errors = [(slot, _("Wählen Sie eine Datei aus."))]
    slots = []
    for slot in procedure.slots:
        files = [
            {**f, "reasons_shown": reasons_localised(f["reasons"])}
            for f in draft["files"]
            if f["slot"] == slot.name
        ]
        slots.append(
            {
                "slot": slot,
                "files": files,
                "error": next((m for s, m in errors if s == slot.name), ""),
                "allowed": _allowed(slot.policy),
            }
        )
    return render(
        request,
        "portal/files.html",
        {"procedure": procedure, "draft_id": draft_id, "slots": slots, "errors": errors},
        status=200,
    )


def _allowed(policy_name: str) -> str:
    policy = policy_named(policy_name)
    return _("%(formats)s, höchstens %(mb)s MB je Datei") % {
        "formats": policy.allowed_list(active_language()),
        "mb": policy.limits.max_file_size // (1024 * 1024),
    }


@never_cache
@login_required
@require_http_methods(["GET"])
def draft_check(request: HttpRequest, draft_id: str) -> HttpResponse:
    draft, procedure = _draft(request, draft_id)
    if draft["submitted"]:
        return redirect("portal:item-receipt", reference=draft["submitted"])
    if services.draft_files_problems(procedure=procedure, draft=draft):
        return redirect("portal:draft-files", draft_id=draft_id)
    services.draft_check(session=request.session, draft=draft)
    files = [
        {**f, "slot_label": (procedure.slot(f["slot"]) or procedure.slots[0]).label}
        for f in draft["files"]
    ]
    return render(
        request,
        "portal/check.html",
        {
            "procedure": procedure,
            "draft_id": draft_id,
            "answers": procedure_answers(procedure=procedure, values=draft["values"]),
            "files": files,
        },
    )


@never_cache
@login_required
@require_POST
def draft_send(request: HttpRequest, draft_id: str) -> HttpResponse:
    draft, procedure = _draft(request, draft_id)
    if draft["submitted"]:  # a replayed send: no second item (security 10)
        return redirect("portal:item-receipt", reference=draft["submitted"])
    if not draft["checked"]:
        return redirect("portal:draft-check", draft_id=draft_id)
    on_behalf = draft["values"].get("on_behalf", "")
    # One the person belongs to, or none (a private person); a foreign one is a 404.
    business = (
        business_for_member(user=request.user, business_id=int(on_behalf))
        if on_behalf.isdigit()
        else None
    )
    try:
        item = services.draft_submit(
            session=request.session,
            draft_id=draft_id,
            draft=draft,
            procedure=procedure,
            actor=request.user,
            business=business,
            ip_address=client_ip(request),
        )
    except PortalError as exc:
        messages.error(request, str(exc))
        return redirect("portal:draft-check", draft_id=draft_id)
    return redirect("portal:item-receipt", reference=item.reference)


@never_cache
@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/item_list.html", {"items": selectors.my_items(request.user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@upload_limited(_item_policies)
def item_detail(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_customer(user=request.user, reference=reference)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        files = [IncomingFile(upload.name, upload)] if upload else []
        try:
            correspondence_services.message_post(
                actor=request.user,
                item=item,
                text=form.cleaned_data["text"],
                files=files,
                ip_address=client_ip(request),
            )
        except CorrespondenceError as refused:
            form.add_error("text", refused.message)
        else:
            messages.success(request, _("Ihre Nachricht ist gesendet."))
            return redirect("portal:item-detail", reference=item.reference)
    return render(
        request,
        "portal/item_detail.html",
        {
            "item": item,
            "documents": selectors.item_documents(item),
            "thread": correspondence_selectors.item_thread(item=item),
            "form": form,
        },
    )


@never_cache
@login_required
def item_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_customer(user=request.user, reference=reference)
    # receipt_html renders a template with autoescaping: safe to embed.
    return render(
        request,
        "portal/receipt.html",
        {"item": item, "receipt": mark_safe(receipt_html(item))},  # noqa: S308
    )


@never_cache
@login_required
def item_receipt_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_customer(user=request.user, reference=reference)
    response = HttpResponse(receipt_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="Eingangsbestaetigung-{item.reference}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
