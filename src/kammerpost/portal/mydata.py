"""The person's own data: download an export, ask for deletion (privacy.subject_rights)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kammerpost.accounts.adapter import client_ip
from kammerpost.privacy.subject_rights import deletion_request_submit, person_data_export


class DeletionRequestForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Anmerkung (freiwillig)"),
        help_text=gettext_lazy("Zum Beispiel, welche Vorgänge Sie meinen."),
        required=False,
        max_length=settings.PRIVACY_REQUEST_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Ja, ich beantrage die Löschung meiner Daten und meines Kontos."),
        error_messages={
            "required": gettext_lazy(
                "Bestätigen Sie den Antrag. Hinweis: Setzen Sie das Häkchen, wenn Sie die "
                "Löschung wirklich wünschen."
            )
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    form = DeletionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        deletion = deletion_request_submit(
            user=request.user,  # type: ignore[arg-type]
            text=form.cleaned_data["text"],
            ip_address=client_ip(request),
        )
        messages.success(
            request,
            _(
                "Ihr Löschantrag ist eingegangen (Nummer %(reference)s). Wir prüfen, ob "
                "Gesetze eine Aufbewahrung verlangen, und melden uns."
            )
            % {"reference": deletion.item.reference},
        )
        return redirect("portal:my-data")
    return render(request, "portal/my_data.html", {"form": form})


@never_cache
@login_required
@require_GET
def my_data_export(request: HttpRequest) -> HttpResponse:
    archive = person_data_export(user=request.user, ip_address=client_ip(request))  # type: ignore[arg-type]
    name = f"kammerpost-daten-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
