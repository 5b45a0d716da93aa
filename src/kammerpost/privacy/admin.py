from __future__ import annotations

from django.contrib import admin

from .models import CommunicationPreference, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """The retention periods: the privacy notice shows them, the deletion applies them."""

    list_display = ("label_de", "department", "procedure", "channel", "months", "starts")
    list_filter = ("department", "channel")


@admin.register(CommunicationPreference)
class CommunicationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("sender", "electronic", "since", "via", "opted_out_at")
    search_fields = ("sender__email",)
    readonly_fields = ("sender", "electronic", "since", "via", "opted_out_at", "updated_at")

    # Changed only by the person (portal, opt-out link) or by writing to us.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
