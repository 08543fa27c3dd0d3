"""The Django admin site (for the operator, behind is_staff): people and roles
can be looked at and corrected; the security log is read-only; nobody is
deleted (deactivate instead)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import RoleGrant, SecurityEvent, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "granted_at", "granted_by")
    readonly_fields = ("granted_at", "granted_by")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("full_name",)
    list_display = ("full_name", "email", "is_active", "is_staff", "mfa_exempt", "last_login")
    list_filter = ("is_active", "is_staff", "mfa_exempt", "role_grants__role")
    search_fields = ("full_name", "email")
    readonly_fields = ("last_login", "date_joined", "deactivated_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("full_name", "short_name")}),
        ("Status", {"fields": ("is_active", "deactivated_at", "mfa_exempt", "last_login", "date_joined")}),
        ("Django admin site", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    inlines = [RoleGrantInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "granted_at", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__full_name", "user__email")
    list_select_related = ("user", "granted_by")
    readonly_fields = ("granted_at",)
    raw_id_fields = ("user", "granted_by")


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "user", "attempted_email", "actor", "ip_address", "detail")
    list_filter = ("kind",)
    search_fields = ("attempted_email", "user__email")
    list_select_related = ("user", "actor")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
