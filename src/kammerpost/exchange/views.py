"""The cloud area's pages (/cloud/): the invited person's, and the clerk's under /cloud/intern/.

Every object comes through ``access`` (foreign, closed or unbound -> 404).
The invitation token leaves the URL for the session at once; the link alone
opens nothing: the code sent to the invited address (or the portal account
of that address) binds the session to that one exchange.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kammerpost.accounts.adapter import client_ip
from kammerpost.accounts.models import User
from kammerpost.chamber.selectors import departments_of_staff
from kammerpost.intake import access as intake_access
from kammerpost.intake.downloads import content_disposition, download_name

from . import access, selectors, services
from .exceptions import ExchangeError
from .forms import CodeForm, ExchangeOpenForm
from .models import Exchange, PlacedFile
from .target import ExchangeTarget
from .tus import default_uploads, tus_dispatch

# --- the invited person ----------------------------------------------------------------------


@never_cache
@require_GET
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: its token moves into the session, the URL forgets it (security.md 19)."""
    request.session[access.INVITATION_SESSION_KEY] = token[:100]
    return redirect("exchange:invitation-start")


def _invitation_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/invitation_invalid.html", status=404)


def _account_matches(request: HttpRequest, exchange: Exchange) -> bool:
    user = request.user
    return bool(
        user.is_authenticated
        and user.is_active
        and str(user.email).strip().lower() == exchange.guest_email
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_start(request: HttpRequest) -> HttpResponse:
    token = request.session.get(access.INVITATION_SESSION_KEY)
    found = services.invitation_find(token) if isinstance(token, str) else None
    if found is None:
        return _invitation_invalid(request)
    exchange = found.exchange
    account_exists = User.objects.filter(
        email__iexact=exchange.guest_email, is_active=True
    ).exists()
    if request.method == "POST":
        ip = client_ip(request)
        with_account = request.POST.get("action") == "account"
        if with_account and not _account_matches(request, exchange):
            raise Http404
        redeemed = services.invitation_redeem(token=str(token), ip_address=ip)
        request.session.pop(access.INVITATION_SESSION_KEY, None)
        if redeemed is None:
            return _invitation_invalid(request)
        if with_account:
            _bind(request, redeemed, how="account")
            return redirect("exchange:home")
        request.session[access.PENDING_SESSION_KEY] = redeemed.pk
        if not services.access_code_send(exchange=redeemed, ip_address=ip):
            messages.error(request, _too_many_mails_text())
        return redirect("exchange:code")
    return render(
        request,
        "exchange/invitation.html",
        {
            "exchange": exchange,
            "account_exists": account_exists,
            "account_matches": _account_matches(request, exchange),
            "login_url": reverse("account_login") + "?next=" + reverse("exchange:invitation-start"),
        },
    )


def _too_many_mails_text() -> str:
    return _(
        "Es wurden in der letzten Stunde schon mehrere Codes verschickt. "
        "Nehmen Sie den Code aus der letzten E-Mail oder versuchen Sie es in einer Stunde erneut."
    )


def _bind(request: HttpRequest, exchange: Exchange, *, how: str) -> None:
    """Bind this session to the one exchange: a new session id, no other exchange in it."""
    request.session.cycle_key()
    request.session.pop(access.PENDING_SESSION_KEY, None)
    request.session[access.GUEST_SESSION_KEY] = exchange.pk
    services.guest_entered(exchange=exchange, how=how, ip_address=client_ip(request))


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    exchange = access.pending_exchange(request)
    if exchange is None:
        raise Http404
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = services.access_code_check(
            exchange=exchange, code=form.cleaned_data["code"], ip_address=client_ip(request)
        )
        if result == services.CodeResult.OK:
            _bind(request, exchange, how="code")
            return redirect("exchange:home")
        if result == services.CodeResult.LIMITED:
            form.add_error(
                "code",
                _(
                    "Zu viele Versuche. Warten Sie %(minutes)s Minuten und geben Sie dann "
                    "den Code aus der letzten E-Mail ein."
                )
                % {"minutes": settings.EXCHANGE_CODE_WINDOW_SECONDS // 60},
            )
            status = 429
        else:
            form.add_error(
                "code",
                _(
                    "Der Code stimmt nicht oder ist abgelaufen. Prüfen Sie die Ziffern "
                    "oder fordern Sie einen neuen Code an."
                ),
            )
    return render(
        request,
        "exchange/code.html",
        {"form": form, "exchange": exchange, "minutes": _code_minutes()},
        status=status,
    )


def _code_minutes() -> int:
    return int(settings.EXCHANGE_CODE_SECONDS // 60)


@never_cache
@require_POST
def code_resend(request: HttpRequest) -> HttpResponse:
    exchange = access.pending_exchange(request)
    if exchange is None:
        raise Http404
    if services.access_code_send(exchange=exchange, ip_address=client_ip(request)):
        messages.success(request, _("Wir haben Ihnen einen neuen Code geschickt."))
    else:
        messages.error(request, _too_many_mails_text())
    return redirect("exchange:code")


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    exchange = access.exchange_for_guest(request)
    return render(request, "exchange/home.html", _guest_context(exchange))


def _guest_context(exchange: Exchange) -> dict[str, Any]:
    return {
        "exchange": exchange,
        "uploads": selectors.exchange_uploads(exchange),
        "placed_files": list(exchange.placed_files.all()),
        "formats": selectors.allowed_formats_text(exchange),
        "room": services.upload_room(exchange),
        "tus_endpoint": reverse("exchange:files"),
        "fallback_action": reverse("exchange:upload"),
    }


@never_cache
@require_http_methods(["OPTIONS", "POST", "HEAD", "PATCH", "DELETE"])
def files(request: HttpRequest, upload_id: str | None = None) -> HttpResponse:
    """The tus endpoint of the session's exchange (tus.py answers the protocol)."""
    exchange = access.exchange_for_guest(request)
    return tus_dispatch(
        request,
        target=ExchangeTarget(exchange, ip_address=client_ip(request)),
        uploads=default_uploads(),
        upload_id=upload_id,
        base_url=reverse("exchange:files"),
    )


@never_cache
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """The plain form for small files (no JavaScript); the size is checked before reading."""
    exchange = access.exchange_for_guest(request)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    limit = min(settings.EXCHANGE_FORM_UPLOAD_MAX_BYTES, services.upload_room(exchange))
    if declared > limit:
        messages.error(
            request,
            _(
                "Die Dateien sind zu groß für das einfache Formular (höchstens %(mb)s MB). "
                "Schalten Sie JavaScript ein: dann werden große Dateien in Teilen gesendet."
            )
            % {"mb": limit // (1024 * 1024)},
        )
        return redirect("exchange:home")
    received = request.FILES.getlist("file")
    if not received:
        messages.error(request, _("Wählen Sie zuerst eine Datei aus."))
        return redirect("exchange:home")
    for item in received:
        if item.size == 0:
            messages.error(
                request,
                _("%(name)s ist leer und wurde nicht angenommen.") % {"name": item.name},
            )
            continue
        try:
            services.upload_receive(
                exchange=exchange,
                name=item.name or "datei",
                source=item,
                ip_address=client_ip(request),
            )
        except ExchangeError as refused:
            messages.error(request, refused.text)
            break
    else:
        messages.success(request, _("Hochgeladen. Die Dateien werden jetzt geprüft."))
    return redirect("exchange:home")


def _placed_response(placed: PlacedFile, reader: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(reader, content_type="application/octet-stream")
    response["Content-Length"] = str(placed.size)
    response["Content-Disposition"] = content_disposition(download_name(placed.name, ""))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
    )
    return response


@never_cache
@require_GET
def placed_download(request: HttpRequest, file_pk: int) -> StreamingHttpResponse:
    placed = access.placed_file_for_guest(request, file_pk=file_pk)
    reader = services.placed_file_open(placed=placed, actor=None, ip_address=client_ip(request))
    return _placed_response(placed, reader)


@never_cache
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(access.GUEST_SESSION_KEY, None)
    request.session.cycle_key()
    messages.success(request, _("Sie haben den Cloud-Austausch verlassen."))
    return redirect("pages:start")


# --- staff ------------------------------------------------------------------------------------


def _staff_departments(request: HttpRequest) -> Any:
    departments = departments_of_staff(request.user)
    if not departments.exists():
        raise Http404
    return departments


@never_cache
@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    _staff_departments(request)
    exchanges = list(access.exchanges_for_staff(request.user))
    return render(request, "exchange/staff_list.html", {"exchanges": exchanges})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    departments = _staff_departments(request)
    user: User = request.user  # type: ignore[assignment]
    initial: dict[str, Any] = {}
    slug = request.GET.get("department", "")
    if slug:
        initial["department"] = departments.filter(slug=slug).first()
    reference = request.GET.get("item", "")
    if reference:
        item = intake_access.item_for_staff(user=user, reference=reference)
        initial.update(
            department=item.department,
            item_reference=item.reference,
            file_reference=item.file_reference,
            guest_email=item.sender.email,
            guest_name=item.sender.display_name,
        )
    form = ExchangeOpenForm(
        request.POST or None,
        initial=initial,
        departments=departments,
        colleagues=selectors.colleagues_of(user, departments),
        policies=services.policies_allowed(),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            linked = None
            if data["item_reference"]:
                try:
                    linked = intake_access.item_for_staff(
                        user=user, reference=data["item_reference"].strip()
                    )
                except Http404:
                    form.add_error(
                        "item_reference",
                        _(
                            "Diesen Eingang gibt es in Ihren Bereichen nicht. "
                            "Prüfen Sie die Nummer."
                        ),
                    )
            if not form.errors:
                try:
                    opened = services.exchange_open(
                        actor=user,
                        department=data["department"],
                        guest_name=data["guest_name"],
                        guest_email=data["guest_email"],
                        purpose=data["purpose"],
                        file_reference=data["file_reference"],
                        linked_item=linked,
                        days=data["days"],
                        quota_bytes=data["quota_gb"] * 1000**3,
                        policy_name=data["policy_name"],
                        deputies=data["deputies"],
                        ip_address=client_ip(request),
                    )
                except ExchangeError as refused:
                    form.add_error(None, refused.text)
                else:
                    messages.success(
                        request,
                        _(
                            "Der Austausch ist eingerichtet; "
                            "die Einladung ist an %(email)s unterwegs."
                        )
                        % {"email": opened.exchange.guest_email},
                    )
                    return redirect("exchange:staff-detail", pk=opened.exchange.pk)
    return render(request, "exchange/staff_new.html", {"form": form}, status=status)


@never_cache
@login_required
@require_GET
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = access.exchange_for_staff(user=request.user, pk=pk)
    return render(
        request,
        "exchange/staff_detail.html",
        {
            "exchange": exchange,
            "is_open": exchange.is_open(),
            "uploads": selectors.exchange_uploads(exchange),
            "placed_files": list(exchange.placed_files.all()),
            "deputies": list(exchange.deputies.all()),
            "formats": selectors.allowed_formats_text(exchange),
            "used": services.quota_used(exchange),
            "retention_due": services.retention_due_at(exchange),
        },
    )


def _staff_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    exchange = access.exchange_for_staff(user=request.user, pk=pk)
    try:
        action(exchange)
    except ExchangeError as refused:
        messages.error(request, refused.text)
    else:
        messages.success(request, done)
    return redirect("exchange:staff-detail", pk=exchange.pk)


@never_cache
@login_required
@require_POST
def staff_resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        lambda exchange: services.exchange_invitation_resend(
            actor=request.user, exchange=exchange, ip_address=client_ip(request)
        ),
        _("Eine neue Einladung ist unterwegs; frühere Links gelten nicht mehr."),
    )


@never_cache
@login_required
@require_POST
def staff_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        lambda exchange: services.exchange_close(
            exchange=exchange, actor=request.user, reason="closed_by_clerk"
        ),
        _("Der Austausch ist geschlossen."),
    )


@never_cache
@login_required
@require_POST
def staff_take_over(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        lambda exchange: services.exchange_take_over(
            actor=request.user, exchange=exchange, ip_address=client_ip(request)
        ),
        _("Übernommen: Die Dateien bleiben im Eingang, wenn der Austausch gelöscht wird."),
    )


@never_cache
@login_required
@require_POST
def staff_place(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = access.open_exchange_for_staff(user=request.user, pk=pk)
    received = request.FILES.getlist("file")
    if not received:
        messages.error(request, _("Wählen Sie zuerst eine Datei aus."))
        return redirect("exchange:staff-detail", pk=exchange.pk)
    try:
        for index, item in enumerate(received):
            services.placed_file_add(
                actor=request.user,  # type: ignore[arg-type]
                exchange=exchange,
                name=item.name or "datei",
                source=item,
                # One fresh link for the whole batch.
                notify=index == len(received) - 1,
                ip_address=client_ip(request),
            )
    except ExchangeError as refused:
        messages.error(request, refused.text)
    else:
        messages.success(
            request, _("Bereitgestellt. Die Person erhält eine E-Mail mit einem neuen Link.")
        )
    return redirect("exchange:staff-detail", pk=exchange.pk)


@never_cache
@login_required
@require_GET
def staff_placed_download(request: HttpRequest, pk: int, file_pk: int) -> StreamingHttpResponse:
    placed = access.placed_file_for_staff(user=request.user, pk=pk, file_pk=file_pk)
    reader = services.placed_file_open(
        placed=placed,
        actor=request.user,  # type: ignore[arg-type]
        ip_address=client_ip(request),
    )
    return _placed_response(placed, reader)
