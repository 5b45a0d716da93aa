"""Back-office forms: each accepts only its declared fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kammerpost.correspondence.replies import ReplyBackend
from kammerpost.intake.models import Channel, ItemStatus

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
    """The ways correspondence offers for this item; the chosen backend says if text is needed."""

    way = forms.ChoiceField(
        label=_("Wie soll die Antwort den Absender erreichen?"), widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Antwort"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=MAX_REPLY_CHARS,
    )

    def __init__(self, *args: Any, ways: list[ReplyBackend], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ways = {way.method: way for way in ways}
        field = self.fields["way"]
        field.choices = [(way.method, way.label) for way in ways]  # type: ignore[attr-defined]
        if len(ways) == 1:
            # One way only (portal items: their message thread): nothing to choose.
            field.widget = forms.HiddenInput()
            field.initial = ways[0].method
            self.fields["text"].help_text = ways[0].help_text
        else:
            self.fields["text"].help_text = " ".join(
                str(way.help_text) for way in ways if way.needs_text
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        way = self.ways.get(cleaned.get("way", ""))
        if way is not None and way.needs_text and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Geben Sie den Text der Antwort ein."))
        return cleaned
