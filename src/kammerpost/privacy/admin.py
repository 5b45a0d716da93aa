from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.adapter import client_ip
from kammerpost.accounts.models import User

from .models import AuditEvent, CommunicationPreference, DeletionRequest, ItemErasure, RetentionRule
from .retention import retention_due
from .services import audit_record
from .subject_rights import deletion_request_approve


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """The retention periods: the privacy notice shows them, the deletion applies them."""

    list_display = ("label_de", "department", "procedure", "channel", "months", "starts")
    list_filter = ("department", "channel")
    change_list_template = "admin/privacy/retentionrule/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "vorschau/",
            self.admin_site.admin_view(self.preview_view),
            name="privacy_retentionrule_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The dry run: what the next retention sweep would erase, before anything goes."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        moment = request.GET.get("am", "")
        if moment:
            try:
                now = timezone.make_aware(datetime.fromisoformat(moment))
            except ValueError:
                messages.error(
                    request,
                    _("Das Datum ist ungültig. Hinweis: Schreiben Sie es als JJJJ-MM-TT."),
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Aufbewahrung: was gelöscht würde"),
            "opts": self.model._meta,
            "due": list(retention_due(now=now)),
            "now": now,
        }
        return TemplateResponse(request, "admin/privacy/retentionrule/preview.html", context)


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


class _TextFilter(admin.SimpleListFilter):
    """A free-text filter in the admin's side bar (one GET parameter)."""

    template = "admin/privacy/text_filter.html"

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        # The other filters stay when this one's form is sent.
        self.other_params = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in {self.parameter_name, "p"}
            for value in values
        ]

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def matching(self, value: str) -> Q:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = (self.value() or "").strip()
        return queryset.filter(self.matching(value)) if value else queryset


class PersonFilter(_TextFilter):
    title = _("Person (E-Mail-Adresse)")
    parameter_name = "person"

    def matching(self, value: str) -> Q:
        return (
            Q(item__sender__email__iexact=value)
            | Q(actor__email__iexact=value)
            | Q(actor_label__iexact=value)
            | Q(detail__email__iexact=value)
        )


class DocumentFilter(_TextFilter):
    title = _("Dokument (Nummer oder Eingang/Position)")
    parameter_name = "dokument"

    def matching(self, value: str) -> Q:
        reference, _slash, position = value.partition("/")
        if position.isdigit():
            return Q(document__item__reference=reference, document__position=int(position))
        return Q(document_id=int(value)) if value.isdigit() else Q(pk__in=[])


class SinceFilter(_TextFilter):
    title = _("ab (JJJJ-MM-TT)")
    parameter_name = "ab"

    def matching(self, value: str) -> Q:
        try:
            return Q(created_at__date__gte=datetime.fromisoformat(value).date())
        except ValueError:
            return Q(pk__in=[])


class UntilFilter(_TextFilter):
    title = _("bis (JJJJ-MM-TT)")
    parameter_name = "bis"

    def matching(self, value: str) -> Q:
        try:
            return Q(created_at__date__lte=datetime.fromisoformat(value).date())
        except ValueError:
            return Q(pk__in=[])


class StaffFilter(admin.SimpleListFilter):
    title = _("Mitarbeiter/in")
    parameter_name = "mitarbeiter"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(u.pk), u.email or u.username) for u in User.objects.filter(is_staff=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(actor_id=self.value()) if self.value() else queryset


def _cell(value: object) -> str:
    # A spreadsheet must not run what an attacker typed into a label (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log viewer: read only, filtered by person, document, staff member and time."""

    list_display = ("created_at", "actor_label", "action", "item", "document", "ip_address")
    list_filter = (
        PersonFilter,
        DocumentFilter,
        StaffFilter,
        SinceFilter,
        UntilFilter,
        ("action", admin.AllValuesFieldListFilter),
    )
    date_hierarchy = "created_at"
    list_select_related = ("item", "document__item")
    ordering = ("-created_at", "-id")
    change_list_template = "admin/privacy/auditevent/change_list.html"
    actions = None
    list_per_page = 100
    CSV_COLUMNS = (
        "created_at",
        "actor_label",
        "action",
        "item",
        "document",
        "ip_address",
        "detail",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # append-only: the database refuses it anyway

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_view),
            name="privacy_auditevent_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The events the viewer's current filters select, as CSV (UTF-8 with BOM, for Excel)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        events = self.get_changelist_instance(request).get_queryset(request)
        audit_record(
            action="audit.exported",
            actor=request.user,  # type: ignore[arg-type]
            ip_address=client_ip(request),
            detail={"filters": {k: v[:100] for k, v in request.GET.items()}},
        )
        writer = csv.writer(_Echo())

        def rows() -> Iterator[str]:
            yield "\ufeff" + writer.writerow(self.CSV_COLUMNS)
            for event in events.iterator(chunk_size=1000):
                yield writer.writerow(
                    [
                        event.created_at.isoformat(),
                        _cell(event.actor_label),
                        _cell(event.action),
                        event.item.reference if event.item else "",
                        f"{event.document.item.reference}/{event.document.position}"
                        if event.document
                        else "",
                        event.ip_address or "",
                        _cell(event.detail),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="protokoll.csv"'
        return response


@admin.register(ItemErasure)
class ItemErasureAdmin(admin.ModelAdmin):
    list_display = ("item", "erased_at", "reason", "rule", "documents")
    list_filter = ("reason",)
    search_fields = ("item__reference",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    """Deletion requests from the portal; approving one anonymises the person (audited)."""

    list_display = ("item", "requested_at", "state", "approved_by", "done_at")
    list_filter = ("state",)
    readonly_fields = ("item", "user", "requested_at", "state", "approved_by", "done_at", "outcome")
    actions = ("approve",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Genehmigen und anonymisieren"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[DeletionRequest]) -> None:
        done = 0
        for deletion in queryset.filter(state=DeletionRequest.State.OPEN):
            deletion_request_approve(
                actor=request.user,  # type: ignore[arg-type]
                deletion_request=deletion,
                ip_address=client_ip(request),
            )
            done += 1
        self.message_user(
            request, _("%(count)d Löschanträge durchgeführt.") % {"count": done}, messages.SUCCESS
        )
