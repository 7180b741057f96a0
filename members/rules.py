"""Every "may this person see or do this" of the party organisation.

Predicates take (user, obj) where obj is a Branch, a PartyGroup or a Member; views
ask through `user.has_perm`, templates through `{% has_perm %}`.
"""

import rules

from .models import Branch, Member, PartyGroup
from .roles import member_of


def branch_id_of(obj) -> int | None:
    if isinstance(obj, Branch):
        return obj.pk
    if isinstance(obj, (PartyGroup, Member)):
        return obj.branch_id
    return None


@rules.predicate
def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def is_in_branch(user, obj) -> bool:
    member = member_of(user)
    return member is not None and branch_id_of(obj) == member.branch_id


@rules.predicate
def is_branch_committee(user, obj) -> bool:
    """Secretary or committee member of the branch `obj` belongs to."""
    member = member_of(user)
    return member is not None and member.is_branch_committee and branch_id_of(obj) == member.branch_id


@rules.predicate
def is_branch_secretary(user, obj) -> bool:
    member = member_of(user)
    return (
        member is not None
        and member.branch_role == Member.BranchRole.SECRETARY
        and branch_id_of(obj) == member.branch_id
    )


@rules.predicate
def is_group_leader(user, obj) -> bool:
    """Leader of the group `obj` is, or of the group the member `obj` belongs to."""
    member = member_of(user)
    if member is None:
        return False
    if isinstance(obj, PartyGroup):
        return obj.leader_id == member.pk
    if isinstance(obj, Member):
        return obj.group_id is not None and obj.group.leader_id == member.pk
    return False


@rules.predicate
def is_self(user, obj) -> bool:
    member = member_of(user)
    return member is not None and isinstance(obj, Member) and obj.pk == member.pk


can_view_branch = is_in_branch | is_staff
can_view_private_details = is_self | is_group_leader | is_branch_committee | is_staff

rules.add_perm("members.view_directory", can_view_branch)
rules.add_perm("members.view_partygroup", can_view_branch)
rules.add_perm("members.view_member", can_view_branch)
rules.add_perm("members.view_member_private", can_view_private_details)

# The roster and accounts: the secretary (and staff) import, reset, deactivate, transfer
# and appoint; the committee may also export, as they already see every member's details.
can_manage_roster = is_branch_secretary | is_staff
can_export_roster = is_branch_committee | is_staff
can_view_history = is_self | is_group_leader | is_branch_committee | is_staff

rules.add_perm("members.manage_roster", can_manage_roster)
rules.add_perm("members.export_roster", can_export_roster)
rules.add_perm("members.view_history", can_view_history)
