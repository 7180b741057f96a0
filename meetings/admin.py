from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from .models import AuditEvent, Notification
from .notifications import message_of
from .reminders import parse_moment, sweep


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the application writes and nobody edits: no add, change or delete."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log, read-only: who exported or read what, and when."""

    list_display = ["created_at", "actor", "branch", "action", "target_label"]
    list_filter = ["action", "branch", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor__name", "target_label"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "branch"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Every notification and its email, read-only; and what the next sweep would send."""

    list_display = ["created_at", "recipient", "kind", "channel", "subject_key", "read_at", "queued_at", "sent_at"]
    list_filter = ["channel", "kind", ("sent_at", admin.EmptyFieldListFilter), ("created_at", admin.DateFieldListFilter)]
    search_fields = ["recipient__name", "subject_key"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    change_list_template = "meetings/notifications/admin_change_list.html"

    def get_urls(self):
        preview = path("next-sweep/", self.admin_site.admin_view(self.next_sweep), name="meetings_notification_next_sweep")
        return [preview, *super().get_urls()]

    def next_sweep(self, request):
        """A dry run of the sweep (now, or at ?at=): what it would insert and send; nothing is kept."""
        moment, error = None, ""
        if request.GET.get("at"):
            moment = parse_moment(request.GET["at"])
            if moment is None:
                error = _("Enter a date and time such as 2026-05-01T09:00.")
        result = sweep(moment, dry_run=True)
        items = [
            {"recipient": name, "channel": row.get_channel_display(), "kind": row.kind, "message": message_of(row)}
            for name, row in result.listing()
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("What the next reminder sweep would send"),
            "result": result,
            "items": items,
            "at": request.GET.get("at", ""),
            "error": error,
        }
        return TemplateResponse(request, "meetings/notifications/admin_next_sweep.html", context)
