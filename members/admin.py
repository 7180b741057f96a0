from django.contrib import admin

from .models import Branch, Member, PartyGroup


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
class PartyGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "leader", "position"]
    list_filter = ["branch"]
    search_fields = ["name", "branch__name"]
    autocomplete_fields = ["leader"]
    list_select_related = ["branch", "leader"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "branch", "group", "department", "status", "branch_role"]
    list_filter = ["branch", "status", "branch_role", "group"]
    search_fields = ["name", "number", "department", "user__username"]
    autocomplete_fields = ["user", "group"]
    list_select_related = ["branch", "group"]
