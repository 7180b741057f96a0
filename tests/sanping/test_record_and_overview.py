"""The full 三评 record page, the overview of sessions and the branch's guidance."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services as meeting_services
from sanping import services
from sanping.models import GuidanceRemark
from tests.factories import MemberFactory

from .conftest import write_and_submit


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


@pytest.fixture
def spoken_session(evaluating_session, leader, member, third):
    """Everyone has spoken; member was evaluated by third (attributed) and by leader."""
    services.mutual_evaluation_add(session=evaluating_session, by=third, evaluatee=member, problems="第三说：有时推诿")
    services.mutual_evaluation_add(session=evaluating_session, by=leader, evaluatee=member, problems="组长说：学习不系统")
    for slot in evaluating_session.slots.order_by("position"):
        services.speaker_set(session=evaluating_session, by=leader, slot=slot)
    return evaluating_session


@pytest.mark.parametrize("persona,status", [("leader", 200), ("member", 200), ("secretary", 200), ("committee", 200),
                                            ("other_member", 404), ("other_leader", 404), ("outsider", 404)])
def test_record_page_is_for_the_group_and_the_branch(client, personas, persona, status, spoken_session):
    assert page(client, personas[persona], "sanping:record", spoken_session.pk).status_code == status


def test_record_shows_presented_material_in_order_and_mutuals_only_to_those_entitled(client, spoken_session, leader, member, third, secretary):
    text = page(client, secretary.user, "sanping:record", spoken_session.pk).content.decode()
    assert text.index(leader.name) < text.index(member.name) < text.index(third.name)
    assert "第三说：有时推诿" in text and "组长说：学习不系统" in text
    # The subject sees what was said of them; a third participant does not see mutuals of others.
    assert "第三说：有时推诿" in page(client, member.user, "sanping:record", spoken_session.pk).content.decode()
    other_view = page(client, third.user, "sanping:record", spoken_session.pk).content.decode()
    assert "组长说：学习不系统" not in other_view
    assert "第三说：有时推诿" in other_view  # third wrote it


def test_member_on_leave_keeps_material_marked_not_presented(client, session, leader, member, third, secretary):
    from .conftest import make_today

    write_and_submit(session, member, "请假者的书面材料")
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    for person, status in ((leader, "present"), (third, "present")):
        meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=person.pk, status=status)
    meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=member.pk, status="leave", leave_reason="出差")
    text = page(client, secretary.user, "sanping:record", session.pk).content.decode()
    assert "请假者的书面材料" in text and "未当面陈述" in text


def test_guidance_remarks_by_the_branch_only(client, spoken_session, secretary, member):
    client.force_login(secretary.user)
    url = reverse("sanping:guidance", args=[spoken_session.pk])
    assert client.post(url, {"text": "  "}).status_code == 400
    assert not GuidanceRemark.objects.exists()
    client.post(url, {"text": "发言要更加深入，触及思想。"})
    assert GuidanceRemark.objects.get().by == secretary
    client.force_login(member.user)
    assert client.post(url, {"text": "我不是支委"}).status_code == 403


def test_overview_shows_rates_for_the_branch(client, spoken_session, secretary, other_member):
    response = page(client, secretary.user, "sanping:overview")
    (session, stat), = response.context["rows"]
    assert (stat.expected, stat.submitted, stat.speakers, stat.spoken) == (3, 2, 3, 3)
    assert stat.submission_rate == 67
    assert page(client, other_member.user, "sanping:overview").context["rows"] == []


def test_overview_costs_the_same_queries_for_small_and_large_groups(client, secretary, spoken_session, leader):
    client.force_login(secretary.user)
    client.get(reverse("sanping:overview"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("sanping:overview"))
    for _ in range(10):
        MemberFactory(group=leader.group)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("sanping:overview"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_record_page_costs_the_same_queries_for_small_and_large_groups(client, secretary, spoken_session, leader):
    client.force_login(secretary.user)
    client.get(reverse("sanping:record", args=[spoken_session.pk]))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("sanping:record", args=[spoken_session.pk]))
    for _ in range(10):
        newcomer = MemberFactory(group=leader.group)
        services.mutual_evaluation_add(session=spoken_session, by=leader, evaluatee=spoken_session.slots.first().member,
                                       evaluator=spoken_session.slots.last().member, problems=f"补充{newcomer.pk}")
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("sanping:record", args=[spoken_session.pk]))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_home_lists_material_to_prepare(client, session, member):
    text = page(client, member.user, "home").content.decode()
    assert session.meeting.title in text and "尚未提交" in text


def test_the_next_group_meeting_starts_with_the_last_rectification_report(client, spoken_session, leader, member, third, secretary):
    import datetime

    from django.utils import timezone

    from meetings.models import Meeting
    from meetings.services import AgendaEntry
    from sanping.models import SanpingSession

    SanpingSession.objects.filter(pk=spoken_session.pk).update(stage=SanpingSession.Stage.RECTIFICATION)
    spoken_session.refresh_from_db()
    services.rectification_add(session=spoken_session, by=leader, member=member, problem="学习不系统", measure="制定学习计划",
                               deadline=timezone.localdate() + datetime.timedelta(days=30))
    start = timezone.now() + datetime.timedelta(days=3)
    follow_up = meeting_services.meeting_create(
        by=leader, group=leader.group, kind=Meeting.Kind.GROUP_MEETING, title="下一次党小组会", starts_at=start,
        ends_at=start + datetime.timedelta(hours=1), place="会议室", chair=leader, recorder=None,
        agenda=[AgendaEntry("学习", "study")], publish=True,
    )
    text = page(client, leader.user, "meetings:chair", follow_up.pk).content.decode()
    assert 'data-testid="previous-report"' in text and "制定学习计划" in text


def test_an_overlong_guidance_remark_is_refused_with_the_limit(client, spoken_session, secretary):
    client.force_login(secretary.user)
    response = client.post(reverse("sanping:guidance", args=[spoken_session.pk]), {"text": "字" * 20_001}, follow=True)
    assert "最多 20000 个字" in response.content.decode()
    assert not GuidanceRemark.objects.exists()
    # The record page comes back with the remark as typed, to be shortened.
    assert response.status_code == 400 and "字" * 20_001 in response.content.decode()
