from __future__ import annotations

import csv
import json

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .models import AuditEvent, CommunicationPreference, RetentionApplied, RetentionRule
from .services import audit_record


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
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RetentionApplied)
class RetentionAppliedAdmin(admin.ModelAdmin):
    """What retention deleted, when, by which rule; nothing of the content."""

    list_display = ("item", "rule", "applied_at", "documents_shredded")
    readonly_fields = ("item", "rule", "applied_at", "documents_shredded")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log for administrators: filter by person, document, staff member, time; CSV.

    Read only: nobody changes or deletes the trail through the admin.
    """

    list_display = ("created_at", "actor_label", "action", "item", "document", "ip_address")
    list_filter = ("action", ("created_at", admin.DateFieldListFilter))
    search_fields = (
        "actor_label",
        "action",
        "item__reference",
        "item__sender__email",
        "ip_address",
    )
    date_hierarchy = "created_at"
    list_select_related = ("item", "document", "document__item")
    actions = ("csv_export",)
    readonly_fields = tuple(f.name for f in AuditEvent._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Ausgewählte Einträge als CSV exportieren", permissions=["view"])
    def csv_export(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kammerpost-protokoll.csv"'
        writer = csv.writer(response)
        writer.writerow(["zeit_utc", "wer", "aktion", "eingang", "dokument", "ip", "details"])
        for event in queryset.select_related("item", "document").order_by("created_at", "id"):
            writer.writerow(
                [
                    event.created_at.isoformat(),
                    _csv_safe(event.actor_label),
                    _csv_safe(event.action),
                    event.item.reference if event.item else "",
                    event.document_id or "",
                    event.ip_address or "",
                    _csv_safe(json.dumps(event.detail, ensure_ascii=False, sort_keys=True)),
                ]
            )
        audit_record(action="audit.exported", actor=request.user, detail={"rows": queryset.count()})  # type: ignore[arg-type]
        return response


def _csv_safe(value: str) -> str:
    # A value starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value
