"""Forms built from a procedure definition: only its declared fields are accepted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.models import User
from kammerpost.accounts.selectors import memberships_of
from kammerpost.chamber.models import Department
from kammerpost.chamber.procedures import FieldDefinition, Procedure

DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]


def _form_field(definition: FieldDefinition) -> forms.Field:
    common: dict[str, Any] = {"label": definition.label, "required": definition.required}
    if definition.type == "date":
        return forms.DateField(
            input_formats=DATE_FORMATS,
            error_messages={"invalid": _("Geben Sie ein Datum im Format TT.MM.JJJJ ein.")},
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            **common,
        )
    if definition.type == "email":
        return forms.EmailField(max_length=254, **common)
    if definition.type == "textarea":
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), **common)
    if definition.type == "choice":
        return forms.ChoiceField(
            choices=[("", _("Bitte wählen"))] + [(c.value, c.label) for c in definition.choices],
            **common,
        )
    if definition.type == "department":
        return forms.ChoiceField(
            choices=[("", _("Bitte wählen"))]
            + [(d.slug, d.name) for d in Department.objects.filter(is_active=True)],
            **common,
        )
    return forms.CharField(max_length=200, **common)


class ProcedureForm(forms.Form):
    """The fields step of a procedure; ``cleaned_values`` are plain strings for the session."""

    def __init__(self, *args: Any, procedure: Procedure, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        for definition in procedure.fields:
            self.fields[definition.name] = _form_field(definition)
            self.fields[definition.name].error_messages["required"] = _(
                "Geben Sie „%(label)s“ an."
            ) % {"label": definition.label}
        memberships = memberships_of(user)
        if memberships:
            self.fields["on_behalf"] = forms.ChoiceField(
                label=_("Sie senden für"),
                choices=[(str(m.business_id), m.business.name) for m in memberships]
                + [("", _("mich als Privatperson"))],
                required=False,
            )

    def cleaned_values(self) -> dict[str, str]:
        values = {}
        for name, value in self.cleaned_data.items():
            if hasattr(value, "strftime"):
                values[name] = value.strftime("%d.%m.%Y")
            else:
                values[name] = str(value or "").strip()
        return values


class UploadForm(forms.Form):
    slot = forms.CharField(max_length=64)
    file = forms.FileField(
        label=_("Datei"),
        allow_empty_file=True,  # the engine refuses empty files with its own reason
        error_messages={"required": _("Wählen Sie eine Datei aus.")},
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Nachricht"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = forms.FileField(label=_("Datei (optional)"), required=False, allow_empty_file=True)
