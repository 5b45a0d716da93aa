"""The contact form and the small forms of the communication preference."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kammerpost.chamber.models import Department

from .selectors import contact_departments


class ContactForm(forms.Form):
    """Only these fields count; anything else posted is ignored (security.md 10)."""

    name = forms.CharField(label=_("Ihr Name"), max_length=200)
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        max_length=254,
        help_text=_("Damit wir Ihnen antworten können."),
    )
    topic = forms.ModelChoiceField(
        label=_("Thema"),
        queryset=Department.objects.none(),
        empty_label=_("Bitte wählen"),
        help_text=_("Wir leiten Ihre Frage an diesen Bereich."),
    )
    message = forms.CharField(
        label=_("Ihre Nachricht"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.PAGES_CONTACT_MESSAGE_MAX_CHARS,
        help_text=_("Bitte keine vertraulichen Angaben: Unterlagen senden Sie im Kundenportal."),
    )
    # The honeypot: hidden from people by the stylesheet, filled in by bots.
    website = forms.CharField(label=_("Website"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic: forms.ModelChoiceField = self.fields["topic"]  # type: ignore[assignment]
        topic.queryset = Department.objects.filter(pk__in=[d.pk for d in contact_departments()])
        topic.label_from_instance = lambda department: department.name  # type: ignore[method-assign]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        for name in ("name", "email", "topic", "message"):
            self.fields[name].error_messages["required"] = {
                "name": _("Geben Sie Ihren Namen an."),
                "email": _("Geben Sie Ihre E-Mail-Adresse an, damit wir antworten können."),
                "topic": _(
                    "Wählen Sie ein Thema, damit Ihre Frage den richtigen Bereich erreicht."
                ),
                "message": _("Schreiben Sie Ihre Frage in das Feld „Ihre Nachricht“."),
            }[name]
        self.fields["email"].error_messages["invalid"] = _(
            "Geben Sie eine E-Mail-Adresse in der Form name@beispiel.de an."
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class PreferenceForm(forms.Form):
    """The portal setting: electronic communication, yes or no."""

    electronic = forms.TypedChoiceField(
        label=_("Wie sollen wir mit Ihnen kommunizieren?"),
        choices=[
            ("1", _("Elektronisch (E-Mail und Kundenportal)")),
            ("0", _("Nur per Post (Widerspruch gegen elektronische Kommunikation)")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
