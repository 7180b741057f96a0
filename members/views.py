from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from .decorators import login_required
from .filters import MemberDirectoryFilter
from .forms import PasswordChangeWithHelperForm, SignInForm
from .roles import member_of, ordered, roles_for
from .selectors import branches_for, group_get_for, groups_for, member_get_for, members_for, own_member_or_404

DIRECTORY_PAGE_SIZE = 20


class SignInView(auth_views.LoginView):
    template_name = "members/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "members/password_change.html"
    form_class = PasswordChangeWithHelperForm
    success_url = reverse_lazy("password_change_done")


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    if not branches_for(request.user).exists():
        raise PermissionDenied
    members = members_for(request.user).order_by("group__position", "group__name", "name", "number")
    member_filter = MemberDirectoryFilter(request.GET, queryset=members, groups=groups_for(request.user))
    page = Paginator(member_filter.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": member_filter, "page": page, "query": query.urlencode()}
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
    return render(request, "members/group_detail.html", {"group": group, "members": members})


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
    }
