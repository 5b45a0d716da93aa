"""The public pages, the contact form and the communication preference: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kammerpost.accounts.adapter import client_ip
from kammerpost.intake.services import sender_for_account
from kammerpost.privacy import selectors as privacy_selectors
from kammerpost.privacy import services as privacy_services
from kammerpost.privacy.exceptions import OptOutLinkError
from kammerpost.privacy.subject_rights import person_data_collect

from . import selectors, services
from .exceptions import ContactRefusedError
from .forms import ContactForm, PreferenceForm

_CONTACT_SENT = "kp-contact-sent"
_OPT_OUT_TOKEN = "kp-opt-out-token"  # noqa: S105 - a session key, not a secret


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/page.html", {"page": selectors.public_page("start")})


@require_GET
def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "pages/page.html", {"page": selectors.public_page(slug)})


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.get_full_name(), "email": request.user.email}
    form = ContactForm(request.POST or None, initial=initial)
    # Fields to correct answer 200, like every form of ours (the browser logs a 4xx as an
    # error); a refusal of the request itself is a 400 (honeypot) or 429 (rate limit).
    status = 200
    if request.method == "POST":
        if form.is_bot:
            status = 400
            form.add_error(
                None,
                _(
                    "Ihre Nachricht wurde nicht angenommen: Ein Feld, das nur Programme "
                    "ausfüllen, war ausgefüllt. Laden Sie die Seite neu und senden Sie erneut."
                ),
            )
        elif form.is_valid():
            try:
                item, mailed = services.contact_request_send(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    department=form.cleaned_data["topic"],
                    message=form.cleaned_data["message"],
                    ip_address=client_ip(request),
                )
            except ContactRefusedError as error:
                form.add_error(None, f"{error.message} {error.hint}")
                status = 429
            else:
                request.session[_CONTACT_SENT] = {
                    "reference": item.reference,
                    "department": item.department.name,
                    "mailed": mailed,
                }
                return redirect("pages:contact-sent")
    return render(
        request,
        "pages/contact.html",
        {"page": selectors.public_page("kontakt"), "form": form},
        status=status,
    )


@require_GET
def contact_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(_CONTACT_SENT)
    if not sent:
        return redirect("pages:contact")
    return render(request, "pages/contact_sent.html", {"sent": sent})


@never_cache
@require_GET
def opt_out_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from a mail: the token moves into the session at once, out of the URL."""
    request.session[_OPT_OUT_TOKEN] = token
    return redirect("pages:opt-out")


@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest) -> HttpResponse:
    """Confirm the opt-out (a POST: mail scanners that open links change nothing)."""
    token = request.session.get(_OPT_OUT_TOKEN, "")
    error: OptOutLinkError | None = None
    if not token:
        error = OptOutLinkError(
            _("Hier fehlt der Link aus Ihrer E-Mail."),
            _("Öffnen Sie den Link „Keine E-Mails mehr“ aus einer E-Mail von uns."),
        )
    elif request.method == "POST":
        try:
            privacy_services.opt_out_link_redeem(token=token, ip_address=client_ip(request))
        except OptOutLinkError as refused:
            error = refused
        else:
            del request.session[_OPT_OUT_TOKEN]
            return render(request, "pages/opt_out_done.html")
    else:
        try:
            privacy_services.opt_out_link_check(token=token)
        except OptOutLinkError as refused:
            error = refused
    return render(
        request, "pages/opt_out.html", {"error": error}, status=400 if error is not None else 200
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preference(request: HttpRequest) -> HttpResponse:
    """The portal setting: the account's communication preference, and changing it."""
    sender = sender_for_account(user=request.user)
    opted_out = privacy_selectors.communication_opted_out(sender)
    form = PreferenceForm(request.POST or None, initial={"electronic": "0" if opted_out else "1"})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["electronic"]:
            privacy_services.communication_preference_opt_in(
                sender=sender, actor=request.user, via="portal"
            )
        else:
            privacy_services.communication_preference_opt_out(sender=sender, actor=request.user)
        messages.success(request, _("Ihre Einstellung ist gespeichert."))
        return redirect("pages:preference")
    return render(
        request,
        "pages/preference.html",
        {
            "form": form,
            "current": privacy_selectors.communication_preference_text(sender),
        },
    )


@never_cache
@login_required
@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    """The person's own data as a JSON download (GDPR Art. 15 and 20); the export is audited."""
    # The same data as the portal's ZIP export, without the files (privacy.subject_rights).
    data, _files = person_data_collect(user=request.user)  # type: ignore[arg-type]
    privacy_services.audit_record(
        action="privacy.exported", actor=request.user, ip_address=client_ip(request)
    )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="kammerpost-meine-daten.json"'
    return response
