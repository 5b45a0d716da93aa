"""Account forms: only declared fields are read (security.md 10)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User

EMAIL_INVALID = _(
    "Geben Sie eine E-Mail-Adresse im richtigen Format ein, zum Beispiel name@example.de."
)
PASSWORD_HINT = _(
    "Mindestens 12 Zeichen, gern viel mehr. Alle Zeichen sind erlaubt, auch Leerzeichen. "
    "Ein Satz aus mehreren Wörtern ist sicher und leicht zu merken."
)


class SignupForm(AllauthSignupForm):
    """allauth's registration plus "a person or a business"."""

    PERSON = "person"
    BUSINESS = "business"

    account_type = forms.ChoiceField(
        label=_("Sie registrieren sich als"),
        choices=[(PERSON, _("Privatperson")), (BUSINESS, _("Betrieb"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Wählen Sie, ob Sie sich als Privatperson oder Betrieb registrieren.")
        },
    )
    business_name = forms.CharField(
        label=_("Name des Betriebs"),
        max_length=200,
        required=False,
        help_text=_("Nur für Betriebe: so, wie er in der Handwerksrolle steht."),
    )

    field_order = ("account_type", "business_name", "email", "password1", "password2")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-Mail-Adresse")
        self.fields["email"].help_text = _(
            "Damit melden Sie sich an. Wir senden Ihnen einen Bestätigungslink."
        )
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["email"].error_messages["required"] = _("Geben Sie Ihre E-Mail-Adresse ein.")
        self.fields["email"].error_messages["invalid"] = EMAIL_INVALID
        self.fields["password1"].label = _("Passwort")
        self.fields["password1"].help_text = PASSWORD_HINT
        self.fields["password1"].error_messages["required"] = _("Geben Sie ein Passwort ein.")
        self.fields["password2"].label = _("Passwort wiederholen")
        self.fields["password2"].error_messages["required"] = _("Wiederholen Sie das Passwort.")
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        honeypot = settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD
        if honeypot in self.fields:
            # The CSP forbids inline styles: the stylesheet hides it (class kp-hp).
            self.fields[honeypot].widget.attrs.pop("style", None)
            self.fields[honeypot].widget.attrs["autocomplete"] = "off"
            self.fields[honeypot].label = _("Bitte leer lassen")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("account_type") == self.BUSINESS
            and not (cleaned.get("business_name") or "").strip()
        ):
            self.add_error("business_name", _("Geben Sie den Namen des Betriebs ein."))
        return cleaned

    def custom_signup(self, request: HttpRequest, user: User) -> None:  # type: ignore[override]
        if self.cleaned_data["account_type"] == self.BUSINESS:
            services.business_register(actor=user, name=self.cleaned_data["business_name"].strip())


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse der Kollegin oder des Kollegen"),
        error_messages={
            "required": _("Geben Sie die E-Mail-Adresse ein."),
            "invalid": EMAIL_INVALID,
        },
    )


class BusinessLinkForm(forms.Form):
    betriebsnummer = forms.CharField(
        label=_("Betriebsnummer"),
        max_length=20,
        help_text=_("Steht oben rechts im Brief der Kammer."),
        error_messages={"required": _("Geben Sie die Betriebsnummer ein.")},
    )
    code = forms.CharField(
        label=_("Aktivierungscode"),
        max_length=40,
        help_text=_("12 Zeichen, zum Beispiel ABCD-EFGH-JKMN. Bindestriche sind egal."),
        error_messages={"required": _("Geben Sie den Aktivierungscode ein.")},
    )


class ActivationCodeIssueForm(forms.Form):
    betriebsnummer = forms.CharField(
        label=_("Betriebsnummer"),
        max_length=20,
        error_messages={"required": _("Geben Sie die Betriebsnummer ein.")},
    )
    recipient = forms.CharField(
        label=_("Anschrift für den Brief"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Name und Anschrift des Betriebs, eine Angabe je Zeile. Wird nicht gespeichert."
        ),
        error_messages={"required": _("Geben Sie die Anschrift für den Brief ein.")},
    )
