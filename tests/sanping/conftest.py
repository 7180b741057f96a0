"""A 三评 session of the member's group (leader, member, third), at each stage."""

import datetime

import pytest
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting
from meetings.services import AgendaEntry
from sanping import services
from sanping.models import SanpingSession
from tests.factories import MemberFactory


@pytest.fixture
def third(group, leader):
    return MemberFactory(group=group, name="赵第三", department="人事处", user__username="third")


@pytest.fixture
def sanping_meeting(leader, member, third):
    """A published 三评 meeting of the group, tomorrow afternoon."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 30)))
    return meeting_services.meeting_create(
        by=leader, group=leader.group, kind=Meeting.Kind.SANPING, title="党小组“三评”会", starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), place="三楼党员活动室", chair=leader, recorder=None,
        agenda=[AgendaEntry("开展“三评”", "criticism")], publish=True,
    )


@pytest.fixture
def session(sanping_meeting) -> SanpingSession:
    return sanping_meeting.sanping


def evaluation_of(session, member):
    return session.self_evaluations.get(member=member)


def write_and_submit(session, member, text="对照党章查找问题"):
    evaluation = evaluation_of(session, member)
    evaluation = services.self_evaluation_save(
        evaluation=evaluation, by=member, problems=f"{member.name}：{text}", causes="理论学习不够深入",
        direction="加强学习，改进作风", version=evaluation.version,
    )
    return services.self_evaluation_submit(evaluation=evaluation, by=member)


def make_today(session):
    """The session's day has come: it started five minutes ago."""
    now = timezone.now()
    Meeting.objects.filter(pk=session.meeting_id).update(
        starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=2)
    )
    session.refresh_from_db()
    session.meeting.refresh_from_db()


@pytest.fixture
def opened_session(session, leader, member, third):
    """Leader and member submitted; the session opened; everyone present."""
    write_and_submit(session, leader)
    write_and_submit(session, member)
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    for person in (leader, member, third):
        meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=person.pk, status="present")
    return session


@pytest.fixture
def evaluating_session(opened_session, leader, member, third):
    """In the evaluation stage, speaking order leader, member, third; the leader speaks first."""
    services.speaking_order_set(session=opened_session, by=leader, member_ids=[leader.pk, member.pk, third.pk])
    return services.session_advance(session=opened_session, by=leader)
