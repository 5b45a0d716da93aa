from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import PublicPage
from .selectors import BLOCKS, VALUES

_HELP = (
    "Markdown ohne HTML: ## Überschrift, **fett**, - Liste, [Text](/pfad/). "
    "Platzhalter aus der Konfiguration, allein in einem Absatz: "
    + ", ".join(f"{{{{ {name} }}}}" for name in sorted(BLOCKS))
    + "; im Satz: "
    + ", ".join(f"{{{{ {name} }}}}" for name in sorted(VALUES))
    + "."
)


@admin.register(PublicPage)
class PublicPageAdmin(admin.ModelAdmin):
    list_display = ("title_de", "slug", "updated_at")
    readonly_fields = ("slug", "updated_at")
    fields = ("slug", "title_de", "body_de", "title_en", "body_en", "updated_at")

    def get_form(self, request: HttpRequest, obj: PublicPage | None = None, **kwargs: object):  # type: ignore[no-untyped-def,override]
        form = super().get_form(request, obj, **kwargs)  # type: ignore[arg-type]
        for name in ("body_de", "body_en"):
            form.base_fields[name].help_text = _HELP
        return form

    # The pages and their addresses are fixed; only their texts change.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PublicPage | None = None) -> bool:
        return False
