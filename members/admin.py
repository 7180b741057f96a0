from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Branch, Member, PartyGroup, RosterImport


class PartyGroupInline(admin.TabularInline):
    model = PartyGroup
    extra = 0
    fields = ["name", "leader", "position"]
    autocomplete_fields = ["leader"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]
    inlines = [PartyGroupInline]


@admin.register(PartyGroup)
class PartyGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "branch", "leader", "position"]
    list_filter = ["branch"]
    search_fields = ["name", "branch__name"]
    autocomplete_fields = ["leader"]
    list_select_related = ["branch", "leader"]


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["name", "number", "branch", "group", "department", "status", "branch_role", "left_on"]
    list_filter = ["branch", "status", "branch_role", "group", "must_change_password"]
    search_fields = ["name", "number", "department", "user__username"]
    autocomplete_fields = ["user", "group"]
    list_select_related = ["branch", "group"]


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    """Who imported which file when, and what it did; the rows are read-only."""

    list_display = ["file_name", "branch", "created_by", "created_at", "applied_at", "summary"]
    list_filter = ["branch"]
    readonly_fields = ["branch", "created_by", "created_at", "file_name", "all_or_nothing", "rows", "applied_at", "summary"]

    def has_add_permission(self, request):
        return False
