from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings import audit
from meetings.models import AuditEvent

from . import accounts, history, roster, services
from .decorators import login_required
from .filters import MemberDirectoryFilter
from .forms import (
    GroupLeaderForm,
    MemberTransferForm,
    PasswordChangeMustDifferForm,
    RosterConfirmForm,
    RosterUploadForm,
    SignInForm,
)
from .models import RosterImport
from .roles import member_of, ordered, roles_for
from .selectors import branches_for, group_get_for, groups_for, member_get_for, members_for, own_member_or_404

DIRECTORY_PAGE_SIZE = 20


class SignInView(auth_views.LoginView):
    template_name = "members/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "members/password_change.html"
    form_class = PasswordChangeMustDifferForm
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "forced": accounts.must_change_password(self.request)}

    def form_valid(self, form):
        response = super().form_valid(form)
        services.member_password_chosen(user=self.request.user)
        accounts.password_chosen(self.request)
        return response


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    if not branches_for(request.user).exists():
        raise PermissionDenied
    members = members_for(request.user).order_by("group__position", "group__name", "name", "number")
    member_filter = MemberDirectoryFilter(request.GET, queryset=members, groups=groups_for(request.user))
    page = Paginator(member_filter.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": member_filter,
        "page": page,
        "query": query.urlencode(),
        "can_export": request.user.has_perm("members.export_roster", member_of(request.user)),
    }
    if request.htmx:
        return render(request, "members/directory.html#results", context)
    return render(request, "members/directory.html", context)


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_get_for(request.user, pk)
    # The leader first, then everyone by name.
    members = (
        group.members.filter(user__is_active=True)
        .annotate(is_leader=Case(When(pk=group.leader_id, then=Value(0)), default=Value(1)))
        .order_by("is_leader", "name")
    )
    context = {
        "group": group,
        "members": members,
        "can_manage": request.user.has_perm("members.manage_roster", group),
        "can_view_history": request.user.has_perm("members.view_history", group),
    }
    return render(request, "members/group_detail.html", context)


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for(request.user, pk)
    return render(request, "members/member_detail.html", _profile_context(request, member))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    member = own_member_or_404(request.user)
    return render(request, "members/member_detail.html", _profile_context(request, member))


def _profile_context(request: HttpRequest, member) -> dict:
    return {
        "person": member,
        "person_roles": ordered(roles_for(member.user, branch=member.branch)),
        "show_private": request.user.has_perm("members.view_member_private", member),
        "is_own": member_of(request.user) == member,
        "can_manage": request.user.has_perm("members.manage_roster", member),
        "can_view_history": request.user.has_perm("members.view_history", member),
    }


# The roster: import, export, template; one-time passwords.

PREVIEW_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    response["Cache-Control"] = "no-store"
    return response


def _managed_branch(request: HttpRequest, branch_pk: int):
    """The branch, 404 outside the person's own (staff: any); 403 unless they manage its roster."""
    branch = get_object_or_404(branches_for(request.user), pk=branch_pk)
    if not request.user.has_perm("members.manage_roster", branch):
        raise PermissionDenied
    return branch


@login_required
def roster_home(request: HttpRequest) -> HttpResponse:
    """The secretary's roster page; staff choose a branch first."""
    member = member_of(request.user)
    if member is not None and request.user.has_perm("members.manage_roster", member.branch):
        return redirect("roster_branch", branch_pk=member.branch_id)
    if not request.user.is_staff:
        raise PermissionDenied
    return render(request, "members/roster_branches.html", {"branches": branches_for(request.user)})


@login_required
def roster_branch(request: HttpRequest, branch_pk: int) -> HttpResponse:
    branch = _managed_branch(request, branch_pk)
    return render(request, "members/roster.html", _roster_context(request, branch, RosterUploadForm()))


def _roster_context(request: HttpRequest, branch, form) -> dict:
    return {
        "branch": branch,
        "form": form,
        "departed": branch.members.filter(user__is_active=False).select_related("group").order_by("-left_on", "name"),
        "imports": branch.roster_imports.exclude(applied_at=None).select_related("created_by__member")[:10],
        "pending_passwords": len(accounts.issued_passwords(request.session)),
    }


@login_required
def roster_template(request: HttpRequest, branch_pk: int) -> HttpResponse:
    branch = _managed_branch(request, branch_pk)
    return _xlsx_response(roster.template_workbook(branch), _("roster-template.xlsx"))


@login_required
def roster_import(request: HttpRequest, branch_pk: int) -> HttpResponse:
    branch = _managed_branch(request, branch_pk)
    if request.method != "POST":
        return redirect("roster_branch", branch_pk=branch.pk)
    form = RosterUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            roster_import = services.roster_import_create(
                branch=branch,
                by=request.user,
                data=upload.read(),
                file_name=upload.name,
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except roster.RosterFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("roster_preview", branch_pk=branch.pk, pk=roster_import.pk)
    return render(request, "members/roster.html", _roster_context(request, branch, form), status=400)


@login_required
def roster_preview(request: HttpRequest, branch_pk: int, pk: int) -> HttpResponse:
    """Every row with what importing it would do; the secretary confirms here."""
    branch = _managed_branch(request, branch_pk)
    upload = get_object_or_404(RosterImport, pk=pk, branch=branch)
    if upload.applied_at is not None:
        messages.info(request, _("This file was imported already."))
        return redirect("roster_branch", branch_pk=branch.pk)
    if request.method == "POST":
        form = RosterConfirmForm(request.POST)
        if form.is_valid():
            try:
                result = services.roster_import_apply(
                    upload=upload,
                    by=request.user,
                    fingerprint=form.cleaned_data["fingerprint"],
                    all_or_nothing=form.cleaned_data["all_or_nothing"],
                )
            except services.RosterError as error:
                messages.error(request, str(error))
                return redirect("roster_preview", branch_pk=branch.pk, pk=upload.pk)
            except IntegrityError:
                messages.error(request, _("The roster changed since this preview was made. Read the preview again, then confirm."))
                return redirect("roster_preview", branch_pk=branch.pk, pk=upload.pk)
            messages.success(request, _(
                "Roster imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d rows with errors left out."
            ) % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged, "errors": result.errors})
            if result.passwords:
                accounts.issued_passwords_add(request.session, result.passwords)
                return redirect("roster_passwords")
            return redirect("roster_branch", branch_pk=branch.pk)
        return redirect("roster_preview", branch_pk=branch.pk, pk=upload.pk)

    plan = roster.plan_for(branch, upload.rows)
    form = RosterConfirmForm(initial={"fingerprint": plan.fingerprint, "all_or_nothing": upload.all_or_nothing})
    show = request.GET.get("show", "")
    rows = plan.of(show) if show in roster.ACTION_LABELS else plan.rows
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "branch": branch,
        "upload": upload,
        "plan": plan,
        "counts": plan.counts,
        "filters": [(key, label, plan.counts[key]) for key, label in roster.ACTION_LABELS.items()],
        "show": show,
        "page": page,
        "form": form,
    }
    return render(request, "members/roster_preview.html", context)


@login_required
def roster_export(request: HttpRequest) -> HttpResponse:
    """The directory as it is filtered, with the import's columns (secretary, committee, staff)."""
    if not request.user.has_perm("members.export_roster", member_of(request.user)):
        raise PermissionDenied
    members = members_for(request.user).order_by("group__position", "group__name", "name", "number")
    member_filter = MemberDirectoryFilter(request.GET, queryset=members, groups=groups_for(request.user))
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = _xlsx_response(roster.roster_workbook(member_filter.qs), _("roster-%(date)s.xlsx") % {"date": stamp})
    # Personal data leave the system: the audit log keeps who took which part of the roster.
    exporter = member_of(request.user)
    audit.record(actor=exporter, action=AuditEvent.Action.EXPORT_ROSTER, target=exporter.branch if exporter else request.user,
                 filters={key: request.GET.getlist(key) for key in request.GET})
    return response


@login_required
def roster_passwords(request: HttpRequest) -> HttpResponse:
    """The one-time passwords issued in this session, until downloaded or discarded."""
    rows = accounts.issued_passwords(request.session)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "download" and rows:
            rows = accounts.issued_passwords_pop(request.session)
            stamp = timezone.localdate().strftime("%Y%m%d")
            return _xlsx_response(roster.passwords_workbook(rows), _("initial-passwords-%(date)s.xlsx") % {"date": stamp})
        if action == "discard":
            accounts.issued_passwords_pop(request.session)
            messages.info(request, _("The list of initial passwords was discarded."))
        return redirect("roster_passwords")
    branch = member_of(request.user).branch if member_of(request.user) else None
    return render(request, "members/roster_passwords.html", {"rows": rows, "branch": branch})


# One member: password reset, departure, transfer, history.


@login_required
@require_POST
def member_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for(request.user, pk)
    try:
        issued = services.member_password_reset(member=member, by=request.user)
    except services.RosterError as error:
        messages.error(request, str(error))
        return redirect("member_detail", pk=member.pk)
    accounts.issued_passwords_add(request.session, [issued])
    messages.success(request, _("%(name)s has a new one-time password.") % {"name": member.name})
    return redirect("roster_passwords")


@login_required
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for(request.user, pk)
    if not request.user.has_perm("members.manage_roster", member):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.member_deactivate(member=member, by=request.user)
        except services.RosterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s has left the branch; the account can no longer sign in.") % {"name": member.name})
        return redirect("member_detail", pk=member.pk)
    return render(request, "members/member_deactivate.html", {"person": member})


@login_required
@require_POST
def member_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for(request.user, pk)
    services.member_reactivate(member=member, by=request.user)
    messages.success(request, _("%(name)s is a member of the branch again.") % {"name": member.name})
    return redirect("member_detail", pk=member.pk)


@login_required
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for(request.user, pk)
    if not request.user.has_perm("members.manage_roster", member):
        raise PermissionDenied
    form = MemberTransferForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_transfer(member=member, group=form.cleaned_data["group"], by=request.user)
        except services.RosterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s now belongs to %(group)s.") % {
                "name": member.name, "group": form.cleaned_data["group"].name})
            return redirect("member_detail", pk=member.pk)
    return render(request, "members/member_transfer.html", {"person": member, "form": form})


@login_required
def member_history(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for(request.user, pk)
    if not request.user.has_perm("members.view_history", member):
        raise PermissionDenied
    return render(request, "members/history.html", {"person": member, "events": history.member_timeline(member)})


@login_required
def group_leader(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_get_for(request.user, pk)
    if not request.user.has_perm("members.manage_roster", group):
        raise PermissionDenied
    form = GroupLeaderForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        leader = form.cleaned_data["leader"]
        try:
            services.group_leader_appoint(group=group, leader=leader, by=request.user)
        except services.RosterError as error:
            form.add_error("leader", str(error))
        else:
            if leader:
                messages.success(request, _("%(name)s leads %(group)s from now on.") % {"name": leader.name, "group": group.name})
            else:
                messages.success(request, _("%(group)s has no leader now.") % {"group": group.name})
            return redirect("group_detail", pk=group.pk)
    return render(request, "members/group_leader.html", {"group": group, "form": form})


@login_required
def group_history(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_get_for(request.user, pk)
    if not request.user.has_perm("members.view_history", group):
        raise PermissionDenied
    return render(request, "members/history.html", {"group": group, "events": history.group_timeline(group)})
