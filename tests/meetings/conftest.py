import datetime

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from meetings.services import AgendaEntry

AGENDA = [
    AgendaEntry(title="学习党章第二章", category="study"),
    AgendaEntry(title="党员汇报思想", category="thought_reports"),
]


def at(days: int = 7, hour: int = 14) -> datetime.datetime:
    """A time `days` from today at `hour` o'clock, Asia/Shanghai."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def schedule(leader):
    """Schedule a meeting of the leader's group through the service, as the leader."""

    def make(*, publish=True, days=7, by=None, guests=(), **overrides):
        by = by or leader
        fields = {
            "kind": Meeting.Kind.GROUP_MEETING, "title": "十一月党小组会", "starts_at": at(days),
            "ends_at": at(days, 16), "place": "三楼会议室", "chair": leader, "recorder": None, "agenda": AGENDA,
        }
        fields.update(overrides)
        return services.meeting_create(by=by, group=leader.group, guests=list(guests), publish=publish, **fields)

    return make


@pytest.fixture
def held_meeting(schedule, leader, member):
    """A meeting that began an hour ago, was opened, attended by all, and closed: minutes being written."""
    meeting = schedule(days=1)
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1)
    )
    meeting.refresh_from_db()
    services.meeting_open(meeting=meeting, by=leader)
    for attendance in meeting.attendances.all():
        services.attendance_set(meeting=meeting, by=leader, member_id=attendance.member_id, status="present")
    return services.meeting_close(meeting=meeting, by=leader)


@pytest.fixture
def submitted_meeting(held_meeting, leader):
    meeting = services.minutes_save(
        meeting=held_meeting, by=leader, version=held_meeting.version, minutes="会议记录正文", summary="组长总结"
    )
    return services.meeting_submit(meeting=meeting, by=leader)
