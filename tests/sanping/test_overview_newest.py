"""The overview's sessions: the newest ones the person may see, chosen in SQL before the
rows are read with their people (sanping.selectors.newest_sessions_for)."""

import datetime

from django.utils import timezone

from meetings.models import Meeting
from sanping.models import SanpingSession
from sanping.selectors import newest_sessions_for
from tests.factories import AttendanceFactory, MeetingFactory


def sanping_of(group, days: int, state: str = "scheduled") -> SanpingSession:
    start = timezone.now() + datetime.timedelta(days=days)
    meeting = MeetingFactory(group=group, kind=Meeting.Kind.SANPING, starts_at=start, state=state)
    return SanpingSession.objects.create(meeting=meeting)


def test_a_member_sees_the_sessions_of_their_group_and_those_they_attend(member, group, other_group):
    own = sanping_of(group, days=1)
    attended = sanping_of(other_group, days=2)
    AttendanceFactory(meeting=attended.meeting, member=member)
    sanping_of(other_group, days=3)  # another group's, not attended
    sanping_of(group, days=4, state="cancelled")
    assert newest_sessions_for(member.user, limit=200) == [attended, own]


def test_the_branch_sees_the_newest_first_up_to_the_limit(secretary, group, other_group):
    old = sanping_of(group, days=-30)
    same_start = sanping_of(other_group, days=-30)
    same_start.meeting.starts_at = old.meeting.starts_at
    same_start.meeting.save()
    newest = sanping_of(other_group, days=5)
    sanping_of(group, days=9, state="draft")
    assert newest_sessions_for(secretary.user, limit=200) == [newest, same_start, old]
    assert newest_sessions_for(secretary.user, limit=2) == [newest, same_start]


def test_another_branch_and_staff_without_a_member_record_see_none(outsider, staff, group):
    sanping_of(group, days=1)
    assert newest_sessions_for(outsider.user, limit=200) == []
    assert newest_sessions_for(staff, limit=200) == []
