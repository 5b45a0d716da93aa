"""Back office (/intern/): department inboxes and item details for staff with TOTP.

Every object comes through ``access``; everything foreign is a 404. State
changes are POSTs (CSRF-protected) that redirect back to the item.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kammerpost.accounts.adapter import client_ip
from kammerpost.correspondence import selectors as correspondence_selectors
from kammerpost.correspondence import services as correspondence_services
from kammerpost.correspondence.exceptions import CorrespondenceError
from kammerpost.correspondence.replies import THREAD
from kammerpost.intake import access
from kammerpost.intake.downloads import document_download_response
from kammerpost.intake.models import InboundItem

from . import selectors, services
from .exceptions import BackofficeError
from .forms import AssignForm, InboxFilterForm, ReplyForm, StatusForm

ITEMS_PER_PAGE = 25


@never_cache
@login_required
@require_GET
def department_list(request: HttpRequest) -> HttpResponse:
    departments = list(access.departments_for_staff(request.user))
    if not departments:
        raise Http404
    if len(departments) == 1:
        return redirect("backoffice:inbox", slug=departments[0].slug)
    return render(request, "backoffice/department_list.html", {"departments": departments})


@never_cache
@login_required
@require_GET
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    department = access.department_for_staff(user=request.user, slug=slug)
    form = InboxFilterForm(
        request.GET or None, procedures=selectors.department_procedures(department=department)
    )
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "status": form.cleaned_data["status"],
            "channel": form.cleaned_data["channel"],
            "procedure": form.cleaned_data["procedure"],
            "query": form.cleaned_data["q"],
        }
    items = selectors.inbox_items(department=department, viewer=request.user, **filters)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "backoffice/inbox.html",
        {
            "department": department,
            "departments": access.departments_for_staff(request.user),
            "form": form,
            "page": page,
            "rows": selectors.inbox_rows(list(page.object_list)),
            "query_without_page": query.urlencode(),
            "filtered": any(filters.values()),
        },
    )


def _detail(
    request: HttpRequest, item: InboundItem, *, status: int = 200, **forms: Any
) -> HttpResponse:
    clerks = selectors.department_clerks(department=item.department)
    documents = [selectors.document_badges(d) for d in item.documents.all()]
    ways = correspondence_selectors.reply_ways(item)
    thread = list(correspondence_selectors.item_thread(item=item))
    context = {
        "item": item,
        "documents": documents,
        "preference": selectors.communication_preference_text(item.sender),
        "reply_warnings": selectors.reply_warnings(item),
        "procedure_form": selectors.item_form(item),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"clerk": item.assigned_to_id}, clerks=clerks),
        "status_form": forms.get("status_form") or StatusForm(initial={"status": item.status}),
        "reply_form": forms.get("reply_form") or ReplyForm(ways=ways),
        "reply_in_thread": bool(thread) or any(way.method == THREAD for way in ways),
        "messages_thread": thread,
        "form": forms.get("assign_form") or forms.get("status_form") or forms.get("reply_form"),
    }
    return render(request, "backoffice/item_detail.html", context, status=status)


@never_cache
@login_required
@require_GET
def item_detail(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_staff(user=request.user, reference=reference)
    return _detail(request, item)


@never_cache
@login_required
@require_POST
def item_assign(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_staff(user=request.user, reference=reference)
    form = AssignForm(request.POST, clerks=selectors.department_clerks(department=item.department))
    if form.is_valid():
        try:
            services.item_assign(actor=request.user, item=item, clerk=form.cleaned_data["clerk"])
        except BackofficeError as error:
            form.add_error("clerk", error.message)
        else:
            messages.success(request, _("Die Zuständigkeit ist gespeichert."))
            return redirect("backoffice:item-detail", reference=item.reference)
    return _detail(request, item, assign_form=form, status=400)


@never_cache
@login_required
@require_POST
def item_status(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_staff(user=request.user, reference=reference)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.item_status_set(actor=request.user, item=item, status=form.cleaned_data["status"])
        messages.success(request, _("Der Status ist gespeichert."))
        return redirect("backoffice:item-detail", reference=item.reference)
    return _detail(request, item, status_form=form, status=400)


@never_cache
@login_required
@require_POST
def item_reply(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_staff(user=request.user, reference=reference)
    form = ReplyForm(request.POST, ways=correspondence_selectors.reply_ways(item))
    if form.is_valid():
        try:
            correspondence_services.item_reply(
                actor=request.user,
                item=item,
                method=form.cleaned_data["way"],
                text=form.cleaned_data["text"],
                ip_address=client_ip(request),
            )
        except CorrespondenceError as refused:
            form.add_error(None, refused.text)
        else:
            messages.success(request, _("Die Antwort ist verschickt."))
            return redirect("backoffice:item-detail", reference=item.reference)
    return _detail(request, item, reply_form=form, status=400)


@never_cache
@login_required
@require_GET
def document_download(request: HttpRequest, reference: str, position: int) -> HttpResponse:
    document = access.document_for_staff(user=request.user, reference=reference, position=position)
    return document_download_response(
        actor=request.user, document=document, ip_address=client_ip(request)
    )
