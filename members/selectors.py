"""Reads of the party organisation, scoped to the person asking.

Anything outside the person's branch is answered with 404 (not 403), so that
nothing is learnt of another branch, not even that an object exists.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Branch, Member, PartyGroup
from .roles import member_of


def branches_for(user) -> QuerySet[Branch]:
    if user.is_authenticated and user.is_active and user.is_staff:
        return Branch.objects.all()
    member = member_of(user)
    if member is None:
        return Branch.objects.none()
    return Branch.objects.filter(pk=member.branch_id)


def members_for(user) -> QuerySet[Member]:
    """Active members the person may see in the directory."""
    return (
        Member.objects.filter(branch__in=branches_for(user), user__is_active=True)
        .select_related("group", "branch", "user")
    )


def groups_for(user) -> QuerySet[PartyGroup]:
    return PartyGroup.objects.filter(branch__in=branches_for(user)).select_related("branch", "leader")


def group_get_for(user, pk: int) -> PartyGroup:
    return get_object_or_404(groups_for(user), pk=pk)


def member_get_for(user, pk: int) -> Member:
    queryset = Member.objects.filter(branch__in=branches_for(user)).select_related("group__leader", "branch", "user")
    return get_object_or_404(queryset, pk=pk)


def own_member_or_404(user) -> Member:
    member = member_of(user)
    if member is None:
        raise Http404
    return member
