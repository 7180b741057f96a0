"""Writes to the party organisation: one function per action.

The roster and account actions (import, password reset, deactivation, transfer,
leader appointment) check the person acting (PermissionDenied), write in one
transaction and leave a history row with the person and the date (simple-history).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import roster
from .accounts import initial_password_generate, initial_password_hash
from .models import Branch, Member, PartyGroup, RosterImport

User = get_user_model()
BATCH = 500


class RosterError(Exception):
    """An import or account action that cannot be done; the message is for the user."""


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def member_upsert(
    *,
    branch: Branch,
    number: str,
    name: str,
    username: str,
    group: PartyGroup | None = None,
    password: str | None = None,
    email: str = "",
    **fields,
) -> tuple[Member, bool]:
    """Create the member identified by `number`, or bring it up to date.

    Creates the sign-in account on first sight (with `password`, or unusable until
    one is set); an existing account keeps its password. Returns (member, created).
    """
    member = Member.objects.select_related("user").filter(number=number).first()
    created = member is None
    if created:
        user = User(username=username, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        member = Member(user=user, number=number)
    elif email and member.user.email != email:
        member.user.email = email
        member.user.save(update_fields=["email"])
    values = {"branch": branch, "group": group, "name": name, **fields}
    changed = list(values) if created else [key for key, value in values.items() if getattr(member, key) != value]
    for key in changed:
        setattr(member, key, values[key])
    member.full_clean(exclude=["user"])
    if created or changed:
        member.save()
    return member, created


@transaction.atomic
def group_leader_set(*, group: PartyGroup, leader: Member | None, by=None) -> PartyGroup:
    """Appoint `leader` (a member of the group) as its leader, or clear it. No
    permission check: for seed data and group_leader_appoint, which checks."""
    group = PartyGroup.objects.select_for_update().get(pk=group.pk)
    if group.leader_id != (leader.pk if leader else None):
        outgoing_id = group.leader_id
        group.leader = leader
        if by is not None:
            group._history_user = by
        group.full_clean()
        group.save(update_fields=["leader"])
        if outgoing_id is not None and leader is not None:
            _hand_over_chair(group=group, outgoing_id=outgoing_id, leader=leader, by=by)
    return group


def _hand_over_chair(*, group: PartyGroup, outgoing_id: int, leader: Member, by) -> None:
    """The group's meetings not yet over and chaired by the outgoing leader (to come, or
    in progress on the console) pass to the new one, so that the outgoing leader's right
    to run them ends with the appointment (the next request). A meeting that is over
    keeps who chaired it: the record must say who did. Saved one by one: each keeps a
    history row."""
    from meetings.models import Meeting

    to_come = [Meeting.State.DRAFT, Meeting.State.SCHEDULED, Meeting.State.IN_PROGRESS]
    for meeting in Meeting.objects.select_for_update().filter(group=group, chair_id=outgoing_id, state__in=to_come):
        meeting.chair = leader
        meeting.version += 1  # an edit form open on the old chair is refused, not applied over this
        if by is not None:
            meeting._history_user = by
        meeting.save(update_fields=["chair", "version", "updated_at"])


# The roster: upload, then confirm the previewed plan.


def roster_import_create(*, branch: Branch, by, data: bytes, file_name: str, all_or_nothing: bool) -> RosterImport:
    """Read an uploaded roster and keep its rows for the preview. Writes only the
    RosterImport row; raises RosterFileError when the file cannot be read."""
    require(by.has_perm("members.manage_roster", branch))
    table = roster.table_read(data)
    # Previews nobody confirmed are of no use after a day.
    RosterImport.objects.filter(applied_at=None, created_at__lt=timezone.now() - timezone.timedelta(days=1)).delete()
    return RosterImport.objects.create(
        branch=branch,
        created_by=by,
        file_name=file_name[:255],
        all_or_nothing=all_or_nothing,
        rows=table.rows,
        summary={"ignored_columns": table.ignored_columns},
    )


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: int
    passwords: list[dict]


@transaction.atomic
def roster_import_apply(*, upload: RosterImport, by, fingerprint: str, all_or_nothing: bool) -> ImportResult:
    """Apply the rows of `upload`, as previewed, in one transaction: create members and
    their accounts (each with a one-time password, returned, never stored), update the
    changed ones, leave the unchanged and the erroneous alone. With `all_or_nothing`,
    any error row means nothing is written.

    Raises RosterError when the upload was applied already, when the roster changed
    since the preview (the fingerprint differs) or when all-or-nothing meets an error.
    The number of queries does not depend on the number of rows (batches of 500).
    """
    require(by.has_perm("members.manage_roster", upload.branch))
    upload = RosterImport.objects.select_for_update().select_related("branch").get(pk=upload.pk)
    if upload.applied_at is not None:
        raise RosterError(_("This file was imported already."))
    plan = roster.plan_for(upload.branch, upload.rows)
    if plan.fingerprint != fingerprint:
        raise RosterError(_("The roster changed since this preview was made. Read the preview again, then confirm."))
    if all_or_nothing and plan.has_errors:
        raise RosterError(_("Nothing was imported: some rows have errors and you asked for all or nothing. Correct the file and upload it again."))

    now = timezone.now()
    branch = upload.branch
    passwords = []
    users, members = [], []
    for row in plan.of(roster.Action.CREATE):
        password = initial_password_generate()
        values = row.values
        users.append(User(username=row.number, email=values["email"], password=initial_password_hash(password),
                          date_joined=now))
        members.append(Member(branch=branch, number=row.number, must_change_password=True,
                              **{name: values[name] for name in roster.MEMBER_FIELDS}))
        passwords.append({"number": row.number, "name": values["name"], "username": row.number, "password": password})
    users = User.objects.bulk_create(users, batch_size=BATCH)
    for user, member in zip(users, members, strict=True):
        member.user = user
    bulk_create_with_history(members, Member, batch_size=BATCH, default_user=by, default_date=now,
                             default_change_reason="roster import")

    changed_members, changed_users, fields = [], [], set()
    groups_losing_leader = {}
    for row in plan.of(roster.Action.UPDATE):
        member, values = row.member, row.values
        for name in roster.MEMBER_FIELDS:
            if getattr(member, name) != values[name]:
                fields.add(name)
                setattr(member, name, values[name])
        if values["email"] and values["email"] != member.user.email:
            member.user.email = values["email"]
            changed_users.append(member.user)
        changed_members.append(member)
    # A leader moved to another group no longer leads the old one.
    moved_leaders = {member.pk: member for member in changed_members}
    for group in PartyGroup.objects.filter(branch=branch, leader_id__in=list(moved_leaders)):
        if moved_leaders[group.leader_id].group_id != group.pk:
            group.leader = None
            groups_losing_leader[group.pk] = group
    if changed_members and fields:
        bulk_update_with_history(changed_members, Member, sorted(fields), batch_size=BATCH,
                                 default_user=by, default_date=now, default_change_reason="roster import")
    if changed_users:
        User.objects.bulk_update(changed_users, ["email"], batch_size=BATCH)
    if groups_losing_leader:
        bulk_update_with_history(list(groups_losing_leader.values()), PartyGroup, ["leader"], default_user=by,
                                 default_date=now, default_change_reason="roster import")

    counts = plan.counts
    result = ImportResult(
        created=counts[roster.Action.CREATE],
        updated=counts[roster.Action.UPDATE],
        unchanged=counts[roster.Action.UNCHANGED],
        skipped=counts[roster.Action.SKIP],
        errors=counts[roster.Action.ERROR],
        passwords=passwords,
    )
    upload.applied_at = now
    upload.summary = {**upload.summary, "created": result.created, "updated": result.updated,
                      "unchanged": result.unchanged, "skipped": result.skipped, "errors": result.errors,
                      "applied_by": by.pk}
    upload.save(update_fields=["applied_at", "summary"])
    return result


# Accounts


def _unlock(username: str) -> None:
    """Lift a sign-in lockout (django-axes) on the account, as a new password starts afresh."""
    from axes.utils import reset

    reset(username=username)


@transaction.atomic
def member_password_reset(*, member: Member, by) -> dict:
    """Give `member` a new one-time password, returned for the secretary (never stored in
    clear), and make them choose their own at the next sign-in. Signs them out
    everywhere (the session hash changes) and lifts any sign-in lockout."""
    require(by.has_perm("members.manage_roster", member))
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if not member.user.is_active:
        raise RosterError(_("%(name)s has left the branch; reactivate the account first.") % {"name": member.name})
    password = initial_password_generate()
    member.user.password = initial_password_hash(password)
    member.user.save(update_fields=["password"])
    member.must_change_password = True
    member.save(update_fields=["must_change_password"])
    transaction.on_commit(lambda: _unlock(member.user.username))
    return {"number": member.number, "name": member.name, "username": member.user.username, "password": password}


@transaction.atomic
def member_password_chosen(*, user) -> None:
    """The person chose their own password: no more forced change."""
    Member.objects.filter(user=user, must_change_password=True).update(must_change_password=False)


@transaction.atomic
def member_deactivate(*, member: Member, by, left_on=None) -> Member:
    """The member left the branch (组织关系转出): the account can no longer sign in (any
    open session ends at its next request), they leave the directory and their group's
    lists, and lose the leadership of a group and their role in the branch. Every
    meeting, attendance and report they appear in keeps them."""
    require(by.has_perm("members.manage_roster", member))
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.user_id == by.pk:
        raise RosterError(_("You cannot deactivate your own account."))
    if not member.user.is_active:
        raise RosterError(_("%(name)s has left the branch already.") % {"name": member.name})
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    for group in PartyGroup.objects.select_for_update().filter(leader=member):
        group.leader = None
        group._change_reason = "member left"
        group._history_user = by
        group.save(update_fields=["leader"])
    member.left_on = left_on or timezone.localdate()
    member.branch_role = Member.BranchRole.NONE
    member._change_reason = "left"
    member._history_user = by
    member.save(update_fields=["left_on", "branch_role"])
    return member


@transaction.atomic
def member_reactivate(*, member: Member, by) -> Member:
    """Undo a deactivation (a mistake, or the member came back): the account may sign in
    again with its old password; a reset gives a new one."""
    require(by.has_perm("members.manage_roster", member))
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.user.is_active:
        return member
    member.user.is_active = True
    member.user.save(update_fields=["is_active"])
    member.left_on = None
    member._change_reason = "returned"
    member._history_user = by
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def member_transfer(*, member: Member, group: PartyGroup, by) -> Member:
    """Move `member` to another group of the branch. Takes effect at once (roles are
    computed per request); a leader moved away no longer leads the old group. Past
    meetings keep their attendance and chair."""
    require(by.has_perm("members.manage_roster", member))
    member = Member.objects.select_for_update(of=("self",)).select_related("user", "group").get(pk=member.pk)
    if group.branch_id != member.branch_id:
        raise RosterError(_("The group belongs to another branch."))
    if not member.user.is_active:
        raise RosterError(_("%(name)s has left the branch; reactivate the account first.") % {"name": member.name})
    if member.group_id == group.pk:
        return member
    for led in PartyGroup.objects.select_for_update().filter(leader=member):
        led.leader = None
        led._change_reason = "leader transferred"
        led._history_user = by
        led.save(update_fields=["leader"])
    member.group = group
    member._change_reason = "transfer"
    member._history_user = by
    member.save(update_fields=["group"])
    return member


@transaction.atomic
def group_leader_appoint(*, group: PartyGroup, leader: Member | None, by) -> PartyGroup:
    """Appoint `leader` (an active member of the group) or leave the group without one.
    The new leader's rights hold from the next request; the change is kept in history."""
    require(by.has_perm("members.manage_roster", group))
    if leader is not None and (leader.group_id != group.pk or not leader.user.is_active):
        raise RosterError(_("The group leader must be a member of the group."))
    try:
        return group_leader_set(group=group, leader=leader, by=by)
    except ValidationError as error:
        raise RosterError(" ".join(error.messages)) from error
