"""The history of a member (transfers, status, departure, leadership) and of a group
(leaders and members coming and going), read from simple-history's records.

Each timeline costs a fixed number of queries, however long the history.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from .models import Member, PartyGroup

# Changes worth a line of their own; the others are summed up as "details updated".
NAMED_FIELDS = ["group_id", "status", "name", "department", "position", "branch_role", "left_on"]
DETAIL_FIELDS = ["gender", "birth_date", "joined_party_on", "full_member_on", "phone", "number"]


@dataclass
class Event:
    at: datetime
    by: str
    text: str
    kind: str  # joined, transfer, leader, status, left, returned, details


def _by(record) -> str:
    user = record.history_user
    if user is None:
        return ""
    member = getattr(user, "member", None)
    return member.name if member is not None else user.get_username()


def _pairs(records):
    """(previous, current) for each record of one object, oldest first."""
    previous = None
    for record in records:
        yield previous, record
        previous = record


def _group_names(group_ids) -> dict[int, str]:
    return dict(PartyGroup.objects.filter(pk__in={pk for pk in group_ids if pk}).values_list("pk", "name"))


def _leader_changes(group_records):
    """(record, previous leader id, new leader id) for every change of leader."""
    by_group: dict[int, list] = {}
    for record in group_records:
        by_group.setdefault(record.id, []).append(record)
    for records in by_group.values():
        for previous, current in _pairs(records):
            before = previous.leader_id if previous else None
            if current.leader_id != before and (previous is not None or current.leader_id):
                yield current, before, current.leader_id


def member_timeline(member: Member) -> list[Event]:
    records = list(
        Member.history.filter(id=member.pk).select_related("history_user__member").order_by("history_date", "history_id")
    )
    group_records = list(
        PartyGroup.history.filter(branch_id=member.branch_id)
        .select_related("history_user__member")
        .order_by("id", "history_date", "history_id")
    )
    names = _group_names([r.group_id for r in records] + [r.id for r in group_records])
    events: list[Event] = []
    for previous, current in _pairs(records):
        by = _by(current)
        group = names.get(current.group_id, "—")
        if previous is None:
            if current.history_change_reason == "baseline":
                text = _("On record in %(group)s.") % {"group": group}
            else:
                text = _("Entered the roster in %(group)s.") % {"group": group}
            events.append(Event(current.history_date, by, text, "joined"))
            continue
        if current.group_id != previous.group_id:
            events.append(Event(current.history_date, by, _("Transferred from %(old)s to %(new)s.") % {
                "old": names.get(previous.group_id, "—"), "new": group}, "transfer"))
        if current.status != previous.status:
            events.append(Event(current.history_date, by, _("Status changed from %(old)s to %(new)s.") % {
                "old": Member.Status(previous.status).label, "new": Member.Status(current.status).label}, "status"))
        if current.left_on and not previous.left_on:
            events.append(Event(current.history_date, by, _("Left the branch on %(date)s; the account was deactivated.") % {
                "date": current.left_on.isoformat()}, "left"))
        if previous.left_on and not current.left_on:
            events.append(Event(current.history_date, by, _("Returned to the branch; the account was reactivated."), "returned"))
        if current.branch_role != previous.branch_role:
            role = Member.BranchRole(current.branch_role).label if current.branch_role else _("no role")
            events.append(Event(current.history_date, by, _("Role in the branch: %(role)s.") % {"role": role}, "status"))
        for field_name, label in (("name", _("Name")), ("department", _("Department")), ("position", _("Position"))):
            if getattr(current, field_name) != getattr(previous, field_name):
                events.append(Event(current.history_date, by, _("%(field)s changed from %(old)s to %(new)s.") % {
                    "field": label, "old": getattr(previous, field_name) or "—",
                    "new": getattr(current, field_name) or "—"}, "details"))
        if any(getattr(current, f) != getattr(previous, f) for f in DETAIL_FIELDS):
            events.append(Event(current.history_date, by, _("Personal details updated."), "details"))
    for record, before, after in _leader_changes(group_records):
        group = names.get(record.id, "—")
        if after == member.pk:
            events.append(Event(record.history_date, _by(record), _("Appointed leader of %(group)s.") % {"group": group}, "leader"))
        elif before == member.pk:
            events.append(Event(record.history_date, _by(record), _("No longer leader of %(group)s.") % {"group": group}, "leader"))
    events.sort(key=lambda event: event.at, reverse=True)
    return events


def group_timeline(group: PartyGroup) -> list[Event]:
    group_records = list(
        PartyGroup.history.filter(id=group.pk).select_related("history_user__member").order_by("history_date", "history_id")
    )
    ever_in_group = Member.history.filter(group_id=group.pk).values("id")
    member_records = list(
        Member.history.filter(id__in=ever_in_group)
        .select_related("history_user__member")
        .order_by("id", "history_date", "history_id")
    )
    people = {r.id: r.name for r in member_records}
    names = _group_names([r.group_id for r in member_records])
    events: list[Event] = []
    for record, before, after in _leader_changes(group_records):
        if after:
            text = _("%(name)s appointed group leader.") % {"name": people.get(after) or _name_of(after)}
        else:
            text = _("%(name)s no longer group leader; none appointed.") % {"name": people.get(before) or _name_of(before)}
        events.append(Event(record.history_date, _by(record), text, "leader"))
    by_member: dict[int, list] = {}
    for record in member_records:
        by_member.setdefault(record.id, []).append(record)
    for records in by_member.values():
        for previous, current in _pairs(records):
            was_in = previous is not None and previous.group_id == group.pk and not previous.left_on
            is_in = current.group_id == group.pk and not current.left_on
            if is_in and not was_in:
                if previous is None or previous.left_on and previous.group_id == group.pk:
                    text = _("%(name)s joined the group.") % {"name": current.name}
                else:
                    text = _("%(name)s transferred in from %(group)s.") % {
                        "name": current.name, "group": names.get(previous.group_id, "—")}
                events.append(Event(current.history_date, _by(current), text, "joined"))
            elif was_in and not is_in:
                if current.left_on:
                    text = _("%(name)s left the branch.") % {"name": current.name}
                else:
                    text = _("%(name)s transferred to %(group)s.") % {
                        "name": current.name, "group": names.get(current.group_id, "—")}
                events.append(Event(current.history_date, _by(current), text, "transfer"))
    events.sort(key=lambda event: event.at, reverse=True)
    return events


def _name_of(member_id) -> str:
    return Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or "—"
