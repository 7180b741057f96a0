"""Reads of meetings, scoped to the person asking.

A meeting is visible to the members of its group, to everyone expected at it
(guests included), and to the secretary and committee of its branch. Anything else
is a 404, whether it exists or not.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from members.models import Member
from members.roles import member_of

from .models import AgendaItem, Attendance, Meeting, ReviewEvent, ThoughtReport


def meetings_for(user) -> QuerySet[Meeting]:
    member = member_of(user)
    if member is None:
        return Meeting.objects.none()
    meetings = Meeting.objects.select_related("group__branch", "group__leader", "chair", "recorder")
    if member.is_branch_committee:
        return meetings.filter(group__branch_id=member.branch_id)
    attends = Attendance.objects.filter(meeting=OuterRef("pk"), member=member)
    visible = Q(group_id=member.group_id) | Q(Exists(attends)) if member.group_id else Q(Exists(attends))
    # Drafts are the organisers' own until published.
    return meetings.filter(visible).exclude(
        Q(state=Meeting.State.DRAFT) & ~Q(group__leader=member) & ~Q(created_by=member)
    )


def meeting_get_for(user, pk: int) -> Meeting:
    return get_object_or_404(meetings_for(user), pk=pk)


def with_records(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """The meetings with everything their record page shows: five queries, however many."""
    return meetings.select_related(
        "group__branch", "group__leader", "chair", "recorder", "approved_by", "current_item", "sanping"
    ).prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "pk")),
        Prefetch("attendances", queryset=Attendance.objects.select_related("member").order_by("is_guest", "member__name")),
        Prefetch("review_events", queryset=ReviewEvent.objects.select_related("by").order_by("at", "pk")),
        Prefetch("thought_reports", queryset=ThoughtReport.objects.select_related("member")),
    )


def meeting_record(meeting: Meeting) -> Meeting:
    """The meeting with everything its record page shows, in a fixed number of queries."""
    return with_records(Meeting.objects).get(pk=meeting.pk)


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    """Expected, present, on leave, absent and unmarked, computed from the rows
    (prefetched by `meeting_record`); guests are not counted."""
    rows = [a for a in meeting.attendances.all() if not a.is_guest]
    counts = {status: 0 for status in Attendance.Status.values}
    for row in rows:
        counts[row.status] += 1
    return {"expected": len(rows), **counts}


def review_queue_for(user) -> QuerySet[Meeting]:
    """Records of the branch that its secretary or committee members review."""
    member = member_of(user)
    if member is None or not member.is_branch_committee:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(group__branch_id=member.branch_id)
        .exclude(state__in=[Meeting.State.DRAFT, Meeting.State.CANCELLED])
        .select_related("group", "chair")
    )


def upcoming_meetings_for(member: Member, *, limit: int = 5) -> list[Meeting]:
    """Published meetings the member is expected at (or guides), soonest first."""
    return list(
        Meeting.objects.filter(
            attendances__member=member,
            state__in=[Meeting.State.SCHEDULED, Meeting.State.IN_PROGRESS],
            ends_at__gte=timezone.now(),
        )
        .select_related("group")
        .order_by("starts_at")[:limit]
    )


def records_to_complete_for(member: Member) -> list[Meeting]:
    """Meetings whose record this person keeps and that are not yet with the branch."""
    states = [Meeting.State.IN_PROGRESS, Meeting.State.HELD, Meeting.State.RETURNED]
    return list(
        Meeting.objects.filter(Q(group__leader=member) | Q(chair=member) | Q(recorder=member), state__in=states)
        .select_related("group")
        .order_by("starts_at")
        .distinct()
    )


def member_or_404(user) -> Member:
    member = member_of(user)
    if member is None:
        raise Http404
    return member
