"""The Django admin site (for the operator, behind is_staff): people and roles
can be looked at and corrected; the security log is read-only; nobody is
deleted (deactivate instead)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from django.utils import timezone

from .models import RoleGrant, SecurityEvent, User
from .services import security_event_record


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

    # Changes made here are logged like those made on the People pages.

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:
            obj.deactivated_at = None if obj.is_active else timezone.now()
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            kind = SecurityEvent.Kind.REACTIVATED if obj.is_active else SecurityEvent.Kind.DEACTIVATED
            security_event_record(kind=kind, user=obj, actor=request.user, request=request, detail="In the admin site")

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for grant in formset.deleted_objects:
            _log_role(request, grant, SecurityEvent.Kind.ROLE_REVOKED)
            grant.delete()
        for grant in instances:
            is_new = grant.pk is None
            if is_new:
                grant.granted_by = request.user
            grant.save()
            if is_new:
                _log_role(request, grant, SecurityEvent.Kind.ROLE_GRANTED)
        formset.save_m2m()


def _log_role(request, grant, kind):
    security_event_record(
        kind=kind, user=grant.user, actor=request.user, request=request, detail=f"{grant.get_role_display()} (in the admin site)"
    )


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "granted_at", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__full_name", "user__email")
    list_select_related = ("user", "granted_by")
    readonly_fields = ("granted_at", "granted_by")
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        if change and "role" in form.changed_data:
            old = RoleGrant.objects.get(pk=obj.pk)
            _log_role(request, old, SecurityEvent.Kind.ROLE_REVOKED)
        if not change or "role" in form.changed_data:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        if not change or "role" in form.changed_data:
            _log_role(request, obj, SecurityEvent.Kind.ROLE_GRANTED)

    def delete_model(self, request, obj):
        _log_role(request, obj, SecurityEvent.Kind.ROLE_REVOKED)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("user"):
            self.delete_model(request, grant)


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
