"""Back-office forms: each accepts only its declared fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kammerpost.intake.models import Channel, ItemStatus

from .services import REPLY_BY_EMAIL, REPLY_IN_THREAD, REPLY_INVITE_TO_PORTAL

MAX_REPLY_CHARS = 20_000  # a letter, not a book; the mail gateway has its own limits


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Eingangsweg"), required=False)
    procedure = forms.ChoiceField(label=_("Verfahren"), required=False)
    q = forms.CharField(
        label=_("Suche"),
        help_text=_("Eingangsnummer, Aktenzeichen oder E-Mail-Adresse des Absenders"),
        required=False,
        max_length=254,
    )

    def __init__(self, *args: Any, procedures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("alle"))]
        self.fields["status"].choices = every + list(ItemStatus.choices)
        self.fields["channel"].choices = every + list(Channel.choices)
        self.fields["procedure"].choices = every + procedures


class AssignForm(forms.Form):
    clerk = forms.ModelChoiceField(
        label=_("Zuständig"), queryset=None, required=False, empty_label=_("niemand")
    )

    def __init__(self, *args: Any, clerks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clerk"]
        field.queryset = clerks  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.email  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)


class ReplyForm(forms.Form):
    way = forms.ChoiceField(
        label=_("Wie soll die Antwort den Absender erreichen?"),
        widget=forms.RadioSelect,
        choices=[
            (
                REPLY_INVITE_TO_PORTAL,
                _(
                    "Hinweis per E-Mail, dass die Antwort im Kundenportal bereitliegt "
                    "(der Text steht nicht in der E-Mail)"
                ),
            ),
            (REPLY_BY_EMAIL, _("Antwort als E-Mail (unverschlüsselt)")),
        ],
    )
    text = forms.CharField(
        label=_("Antwort"),
        help_text=_(
            "Für die Antwort als E-Mail. Die E-Mail ist unverschlüsselt: "
            "schreiben Sie keine vertraulichen Angaben hinein."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=MAX_REPLY_CHARS,
    )

    def __init__(self, *args: Any, ways: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ways == [REPLY_IN_THREAD]:
            # Portal items: the answer goes into the item's message thread, nothing to choose.
            self.fields["way"] = forms.ChoiceField(
                choices=[(REPLY_IN_THREAD, REPLY_IN_THREAD)],
                initial=REPLY_IN_THREAD,
                widget=forms.HiddenInput,
            )
            self.fields["text"].help_text = _(
                "Die Antwort erscheint im Nachrichtenverlauf des Kundenportals; der Absender "
                "erhält eine E-Mail ohne Inhalt, dass eine Nachricht bereitliegt."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needs_text = cleaned.get("way") in {REPLY_BY_EMAIL, REPLY_IN_THREAD}
        if needs_text and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Geben Sie den Text der Antwort ein."))
        return cleaned
