"""Account pages beyond allauth's: Mein Konto, businesses, invitations, activation codes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kammerpost.chamber.selectors import departments_of_staff

from . import access, selectors, services
from .adapter import client_ip
from .exceptions import AccountsError
from .forms import ActivationCodeIssueForm, BusinessLinkForm, InvitationForm
from .letters import activation_letter_pdf
from .ratelimits import attempt_allowed

INVITATION_SESSION_KEY = "accounts.invitation_token"


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": selectors.memberships_of(user),
            "departments": departments_of_staff(user),
            "has_totp": selectors.user_has_totp(user),
            "may_issue_codes": user.has_perm("accounts.add_activationcode"),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def business_detail(request: HttpRequest, business_id: int) -> HttpResponse:
    business = access.business_for_member(user=request.user, business_id=business_id)
    is_admin = selectors.business_is_administered_by(business=business, user=request.user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        # Only administrators invite: a member posting here learns nothing more than a 404.
        business = access.business_for_member(
            user=request.user, business_id=business_id, administrator=True
        )
        if not attempt_allowed(
            scope="invite",
            key=str(request.user.pk),
            limit=settings.ACCOUNTS_INVITATION_ATTEMPTS,
            window_seconds=3600,
        ):
            form.add_error(None, _("Zu viele Einladungen in kurzer Zeit. Versuchen Sie es später."))
        elif form.is_valid():
            services.invitation_create(
                actor=request.user,
                business=business,
                email=form.cleaned_data["email"],
                ip_address=client_ip(request),
            )
            messages.success(
                request,
                _("Die Einladung an %(email)s ist verschickt.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:business-detail", business_id=business.pk)
    return render(
        request,
        "accounts/business_detail.html",
        {
            "business": business,
            "members": selectors.business_members(business=business),
            "is_admin": is_admin,
            "form": form,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def business_link(request: HttpRequest, business_id: int) -> HttpResponse:
    business = access.business_for_member(
        user=request.user, business_id=business_id, administrator=True
    )
    form = BusinessLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        window = settings.ACCOUNTS_ACTIVATION_WINDOW_SECONDS
        limit = settings.ACCOUNTS_ACTIVATION_ATTEMPTS
        allowed = attempt_allowed(
            scope="activation-business", key=str(business.pk), limit=limit, window_seconds=window
        ) and attempt_allowed(
            scope="activation-ip",
            key=client_ip(request) or "-",
            limit=limit * 4,
            window_seconds=window,
        )
        if not allowed:
            form.add_error(
                None,
                _("Zu viele Versuche. Versuchen Sie es in einer Stunde wieder."),
            )
        else:
            try:
                services.business_link(
                    actor=request.user,
                    business=business,
                    betriebsnummer=form.cleaned_data["betriebsnummer"],
                    code=form.cleaned_data["code"],
                    ip_address=client_ip(request),
                )
            except AccountsError as error:
                form.add_error("code", error.message)
            else:
                messages.success(
                    request, _("Ihr Betrieb ist jetzt mit der Handwerksrolle verknüpft.")
                )
                return redirect("accounts:business-detail", business_id=business.pk)
    return render(request, "accounts/business_link.html", {"business": business, "form": form})


@never_cache
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: the token moves into the session at once (security.md 19)."""
    request.session[INVITATION_SESSION_KEY] = token
    return HttpResponseRedirect(reverse("accounts:invitation"))


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest) -> HttpResponse:
    token = request.session.get(INVITATION_SESSION_KEY, "")
    error = None
    invitation = None
    try:
        invitation = services.invitation_pending(token=token)
    except AccountsError as exc:
        error = exc.message
    if request.method == "POST" and invitation is not None and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(
                actor=request.user, token=token, ip_address=client_ip(request)
            )
        except AccountsError as exc:
            error = exc.message
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(
                request,
                _("Sie gehören jetzt zum Betrieb %(name)s.") % {"name": membership.business.name},
            )
            return redirect("accounts:business-detail", business_id=membership.business_id)
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "error": error, "next": reverse("accounts:invitation")},
        status=404 if invitation is None and error is None else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def activation_code_issue(request: HttpRequest) -> HttpResponse:
    """Staff issue a code and get the letter as a PDF to print."""
    if not (request.user.is_staff and request.user.has_perm("accounts.add_activationcode")):
        raise Http404
    form = ActivationCodeIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = services.activation_code_issue(
            business_number=form.cleaned_data["betriebsnummer"],
            actor=request.user,
            ip_address=client_ip(request),
        )
        pdf = activation_letter_pdf(
            betriebsnummer=issued.activation_code.betriebsnummer,
            code=issued.code,
            recipient=form.cleaned_data["recipient"],
            expires_at=issued.activation_code.expires_at,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"aktivierungscode-{issued.activation_code.pk}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "accounts/activation_code_issue.html", {"form": form})
