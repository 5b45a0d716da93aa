from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from kammerpost.chamber.models import StaffMembership

from . import services
from .models import ActivationCode, Business, Invitation, Membership, User


class StaffMembershipInline(admin.TabularInline[StaffMembership, User]):
    model = StaffMembership
    extra = 0


@admin.register(User)
class KammerpostUserAdmin(UserAdmin):
    list_display = ("email", "is_staff", "is_active", "last_login")
    search_fields = ("email",)
    ordering = ("email",)
    inlines = (StaffMembershipInline,)
    actions = ("deactivate",)

    @admin.action(description="Deaktivieren und alle Sitzungen beenden")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        ended = sum(
            services.user_deactivate(actor=request.user, user=user, ip_address=None)
            for user in queryset
        )
        self.message_user(request, f"{queryset.count()} deaktiviert, {ended} Sitzungen beendet.")


class MembershipInline(admin.TabularInline[Membership, Business]):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin[Business]):
    list_display = ("name", "betriebsnummer", "linked_at", "created_at")
    search_fields = ("name", "betriebsnummer")
    inlines = (MembershipInline,)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("email", "business", "created_at", "expires_at", "accepted_at")
    exclude = ("token_hash",)
    readonly_fields = (
        "business",
        "email",
        "invited_by",
        "expires_at",
        "accepted_at",
        "accepted_by",
    )


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin[ActivationCode]):
    """Read-only: codes are issued on the staff page, which prints the letter."""

    list_display = ("betriebsnummer", "created_at", "expires_at", "used_at", "issued_by")
    exclude = ("code_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ActivationCode | None = None
    ) -> bool:
        return False
