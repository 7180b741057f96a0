"""Who a person is in the party organisation, the one source every rule asks."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .models import Branch, Member, PartyGroup


class Role(StrEnum):
    MEMBER = "member"
    LEADER = "leader"
    SECRETARY = "secretary"
    COMMITTEE = "committee"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.MEMBER: _("party member"),
    Role.LEADER: _("group leader"),
    Role.SECRETARY: _("branch secretary"),
    Role.COMMITTEE: _("committee member"),
    Role.STAFF: _("administrator"),
}


def member_of(user) -> Member | None:
    """The active member linked to a signed-in user, or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "member", None)


def roles_for(user, *, branch: Branch | None = None, group: PartyGroup | None = None) -> frozenset[Role]:
    """The roles `user` holds, in `branch` or `group` when one is given.

    Without a branch or group, the roles the person holds in their own branch.
    Someone of another branch holds no role here (staff excepted).
    """
    roles: set[Role] = set()
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_staff:
        roles.add(Role.STAFF)
    member = member_of(user)
    if member is None:
        return frozenset(roles)
    branch_id = group.branch_id if group is not None else (branch.pk if branch is not None else member.branch_id)
    if branch_id != member.branch_id:
        return frozenset(roles)
    if group is None or member.group_id == group.pk:
        roles.add(Role.MEMBER)
    if group is not None:
        if group.leader_id == member.pk:
            roles.add(Role.LEADER)
    elif member.led_groups.exists():
        roles.add(Role.LEADER)
    if member.branch_role == Member.BranchRole.SECRETARY:
        roles.add(Role.SECRETARY)
    elif member.branch_role == Member.BranchRole.COMMITTEE:
        roles.add(Role.COMMITTEE)
    return frozenset(roles)


def ordered(roles) -> list[Role]:
    """Roles in a fixed order for display (member first, staff last)."""
    order = list(Role)
    return sorted(roles, key=order.index)
