"""The change history of a meeting record, read from simple-history's tables.

Every save of a meeting, an agenda item or an attendance row leaves a historical
row (who, when, the values); here they are paired with the row before them to say
what changed.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from members.models import Member

from .models import AgendaItem, Attendance, Meeting, ReviewEvent

MEETING_FIELDS = ["kind", "title", "starts_at", "ends_at", "place", "chair", "recorder", "state", "minutes",
                  "summary", "cancel_reason"]
ITEM_FIELDS = ["title", "category", "position", "notes"]
ATTENDANCE_FIELDS = ["status", "leave_reason", "makeup_done_on", "makeup_note", "is_guest"]


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    what: str
    changes: list[Change] = field(default_factory=list)
    created: bool = False
    deleted: bool = False


def _display(model, name: str, value, members: dict[int, str]) -> str:
    if value in (None, ""):
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return members.get(value, str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _diff(model, fields, before, after, members) -> list[Change]:
    changes = []
    for name in fields:
        attname = model._meta.get_field(name).attname
        old = getattr(before, attname) if before is not None else None
        new = getattr(after, attname)
        if old != new:
            changes.append(Change(_label(model, name), _display(model, name, old, members), _display(model, name, new, members)))
    return changes


def _who(row) -> str:
    user = row.history_user
    if user is None:
        return _("the system")
    member = getattr(user, "member", None)
    return member.name if member else user.get_username()


def record_history(meeting: Meeting) -> list[HistoryEntry]:
    """Every change of the record, newest first, in a fixed number of queries."""
    sources = [
        (Meeting, MEETING_FIELDS, Meeting.history.filter(id=meeting.pk)),
        (AgendaItem, ITEM_FIELDS, AgendaItem.history.filter(meeting_id=meeting.pk)),
        (Attendance, ATTENDANCE_FIELDS, Attendance.history.filter(meeting_id=meeting.pk)),
    ]
    member_ids = set()
    loaded = []
    for model, fields, rows in sources:
        rows = list(rows.select_related("history_user__member").order_by("id", "history_date", "history_id"))
        loaded.append((model, fields, rows))
        for row in rows:
            for name in ("chair", "recorder", "member"):
                if hasattr(row, f"{name}_id"):
                    member_ids.add(getattr(row, f"{name}_id"))
    members = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name"))

    entries = []
    for model, fields, rows in loaded:
        previous_by_id = {}
        for row in rows:
            before = previous_by_id.get(row.id)
            if model is Meeting:
                what = _("Meeting record")
            elif model is AgendaItem:
                what = _("Topic: %(title)s") % {"title": row.title}
            else:
                what = _("Attendance: %(name)s") % {"name": members.get(row.member_id, "")}
            entry = HistoryEntry(at=row.history_date, who=_who(row), what=what,
                                 created=row.history_type == "+", deleted=row.history_type == "-")
            if row.history_type == "~":
                entry.changes = _diff(model, fields, before, row, members)
                if not entry.changes:
                    previous_by_id[row.id] = row
                    continue
            entries.append(entry)
            previous_by_id[row.id] = row
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def changes_since_return(meeting: Meeting) -> list[Change] | None:
    """What changed in the minutes, summary and topics' notes since the record was last
    returned; None if it never was."""
    returned = (
        ReviewEvent.objects.filter(meeting=meeting, action=ReviewEvent.Action.RETURNED).order_by("-at", "-pk").first()
    )
    if returned is None:
        return None
    changes = []
    then = Meeting.history.filter(id=meeting.pk, history_date__lte=returned.at).order_by("-history_date").first()
    current = Meeting.objects.get(pk=meeting.pk)
    if then is not None:
        changes += _diff(Meeting, ["title", "starts_at", "place", "minutes", "summary"], then, current, {})
    items_then = {}
    for row in AgendaItem.history.filter(meeting_id=meeting.pk, history_date__lte=returned.at).order_by("history_date"):
        items_then[row.id] = row if row.history_type != "-" else None
    for item in AgendaItem.objects.filter(meeting=meeting).order_by("position"):
        old = items_then.get(item.pk)
        if old is None or old.notes != item.notes:
            changes.append(Change(_("Notes: %(title)s") % {"title": item.title}, (old.notes if old else "") or "—", item.notes or "—"))
    return changes
