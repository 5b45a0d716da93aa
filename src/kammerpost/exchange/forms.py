"""Forms of the cloud area: only declared fields (security.md 10)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department


class ExchangeOpenForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Bereich"), queryset=Department.objects.none(), empty_label=None
    )
    guest_name = forms.CharField(label=_("Name der Person"), max_length=200)
    guest_email = forms.EmailField(
        label=_("E-Mail-Adresse der Person"),
        help_text=_("Dorthin gehen die Einladung und der Einmalcode."),
    )
    purpose = forms.CharField(
        label=_("Zweck"),
        max_length=500,
        required=False,
        help_text=_("Sieht nur die Kammer; er steht in keiner E-Mail."),
    )
    item_reference = forms.CharField(
        label=_("Eingangsnummer (optional)"), max_length=20, required=False
    )
    file_reference = forms.CharField(
        label=_("Aktenzeichen (optional)"), max_length=64, required=False
    )
    days = forms.IntegerField(
        label=_("Offen für (Tage)"),
        min_value=1,
        max_value=settings.EXCHANGE_MAX_DAYS,
        initial=settings.EXCHANGE_DEFAULT_DAYS,
    )
    quota_gb = forms.IntegerField(
        label=_("Speicherplatz (GB)"),
        min_value=1,
        max_value=settings.EXCHANGE_MAX_QUOTA_BYTES // 1000**3,
        initial=settings.EXCHANGE_DEFAULT_QUOTA_BYTES // 1000**3,
    )
    policy_name = forms.ChoiceField(label=_("Erlaubte Formate"))
    deputies = forms.ModelMultipleChoiceField(
        label=_("Vertretungen (optional)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sie können wie Sie öffnen, was ankommt."),
    )

    def __init__(
        self,
        *args: Any,
        departments: Any,
        colleagues: Any,
        policies: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["deputies"].queryset = colleagues  # type: ignore[attr-defined]
        self.fields["deputies"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: f"{user.get_full_name() or user.email} ({user.email})"
        )
        self.fields["policy_name"].choices = [(name, name) for name in policies]  # type: ignore[attr-defined]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Einmalcode"),
        max_length=12,
        help_text=_("Die Ziffern aus der E-Mail, die wir Ihnen eben geschickt haben."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
