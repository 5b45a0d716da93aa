"""The public texts, editable by administrators without a deployment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .markup import placeholders_in

# The pages the site has; each has a fixed address and a place in the navigation.
PAGE_CHOICES = [
    ("start", "Startseite"),
    ("formate", "Dateiformate"),
    ("fragen", "Häufige Fragen"),
    ("kontakt", "Kontakt"),
    ("datenschutz", "Datenschutzhinweise"),
    ("impressum", "Impressum"),
    ("barrierefreiheit", "Erklärung zur Barrierefreiheit"),
]


class PublicPage(models.Model):
    """One public page's title and text, German and English, in Markdown (no HTML).

    Without a row the page shows the shipped default (``pages.defaults``);
    a data migration creates the rows so that administrators find them.
    """

    slug = models.SlugField(unique=True, choices=PAGE_CHOICES)
    title_de = models.CharField("Titel (deutsch)", max_length=200)
    title_en = models.CharField("Titel (englisch)", max_length=200)
    body_de = models.TextField("Text (deutsch)")
    body_en = models.TextField("Text (englisch)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "Öffentliche Seite"
        verbose_name_plural = "Öffentliche Seiten"

    def __str__(self) -> str:
        return self.title_de

    def clean(self) -> None:
        # A misspelt placeholder would show as {{ formte }} on the public page.
        from .selectors import PLACEHOLDER_NAMES  # noqa: PLC0415 - selectors import this module

        for field in ("body_de", "body_en"):
            unknown = placeholders_in(getattr(self, field)) - PLACEHOLDER_NAMES
            if unknown:
                raise ValidationError(
                    {
                        field: _("Unbekannter Platzhalter: %(names)s. Erlaubt sind: %(allowed)s.")
                        % {
                            "names": ", ".join(sorted(unknown)),
                            "allowed": ", ".join(sorted(PLACEHOLDER_NAMES)),
                        }
                    }
                )
