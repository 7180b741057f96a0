from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: who exported or read what, and when."""

    list_display = ["created_at", "actor", "branch", "action", "target_label"]
    list_filter = ["action", "branch", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor__name", "target_label"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "branch"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
