"""Django admin for installation operators. The access log is read-only there."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from safer.core.models import AccessEvent, Agency, Membership, Partnership, RoleGrant, User


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "slug", "created_at")


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "kind", "partnership")
    list_filter = ("partnership", "kind")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("email", "full_name", "is_active", "last_login")
    search_fields = ("email", "full_name")
    exclude = ("password",)


admin.site.register(Membership, SimpleHistoryAdmin)
admin.site.register(RoleGrant, SimpleHistoryAdmin)


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "action", "actor", "object_type", "object_id", "ip_address")
    list_filter = ("action", "partnership")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
