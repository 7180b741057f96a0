"""Rectification after the session: the lists (mine, my group's, the branch's), one item,
progress, done with evidence, verify or send back — and who may do which."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from sanping import services
from sanping.models import RectificationItem, SanpingSession
from tests.factories import MeetingFactory, MemberFactory

from .conftest import evaluation_of

Stage = SanpingSession.Stage
State = RectificationItem.State
TOO_LONG = "长" * 50_000


@pytest.fixture
def items(evaluating_session, leader, member, third):
    """The session at its rectification stage: one item for the member (from their
    self-evaluation) and one for the third member, overdue by five days."""
    session = evaluating_session
    SanpingSession.objects.filter(pk=session.pk).update(stage=Stage.RECTIFICATION)
    session.refresh_from_db()
    deadline = timezone.localdate() + datetime.timedelta(days=20)
    mine = services.rectification_add(
        session=session, by=leader, member=member, problem="理论学习不够系统", measure="每周集中学习两小时",
        deadline=deadline, source_self_evaluation=evaluation_of(session, member),
    )
    thirds = services.rectification_add(session=session, by=leader, member=third, problem="工作作风不够扎实",
                                        measure="每月走访基层一次", deadline=deadline)
    RectificationItem.objects.filter(pk=thirds.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=5))
    thirds.refresh_from_db()
    return SimpleNamespace(session=session, mine=mine, thirds=thirds)


def html_of(response) -> str:
    return response.content.decode()


def item_url(item, action=None) -> str:
    return reverse(f"sanping:item_{action}" if action else "sanping:item", args=[item.pk])


# Lists ---------------------------------------------------------------------------------


def test_a_member_lists_only_their_own_items(client, items, member):
    client.force_login(member.user)
    html = html_of(client.get(reverse("sanping:items")))
    assert "理论学习不够系统" in html and "工作作风不够扎实" not in html
    assert 'data-testid="group-items"' not in html and 'data-testid="branch-items-section"' not in html


def test_an_overdue_item_is_flagged_red_with_its_days(client, items, third):
    client.force_login(third.user)
    html = html_of(client.get(reverse("sanping:items")))
    assert "逾期5天" in html and "list-group-item-danger" in html


def test_the_leader_sees_items_awaiting_verification_first(client, items, leader, member):
    services.rectification_mark_done(item=items.mine, by=member, evidence="学习笔记两篇")
    client.force_login(leader.user)
    html = html_of(client.get(reverse("sanping:items")))
    to_verify, rest = html.split('data-testid="to-verify"')[1].split("本小组其他整改措施")
    assert "理论学习不够系统" in to_verify
    assert "工作作风不够扎实" in rest and "逾期5天" in rest


def test_the_secretary_filters_the_branchs_items_by_group_and_state(client, items, secretary, other_group, other_leader, member):
    other_meeting = MeetingFactory(group=other_group, kind=Meeting.Kind.SANPING, state=Meeting.State.HELD)
    other_session = SanpingSession.objects.create(meeting=other_meeting, stage=Stage.RECTIFICATION)
    other_person = MemberFactory(group=other_group, name="钱另组")
    RectificationItem.objects.create(session=other_session, member=other_person, problem="另组的问题", measure="措施",
                                     deadline=timezone.localdate())
    services.rectification_mark_done(item=items.mine, by=member)
    client.force_login(secretary.user)
    url = reverse("sanping:items")
    html = html_of(client.get(url))
    assert all(text in html for text in ("理论学习不够系统", "工作作风不够扎实", "另组的问题"))
    html = html_of(client.get(url, {"group": other_group.pk}))
    assert "另组的问题" in html and "工作作风不够扎实" not in html.split('data-testid="branch-items-section"')[1]
    html = html_of(client.get(url, {"state": State.DONE}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="branch-items"))
    assert "理论学习不够系统" in html and "工作作风不够扎实" not in html and "<nav class=\"navbar" not in html
    html = html_of(client.get(url, {"overdue": "true"}))
    branch = html.split('data-testid="branch-items-section"')[1]
    assert "工作作风不够扎实" in branch and "另组的问题" not in branch


def test_a_bad_filter_value_is_told_not_an_error(client, items, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("sanping:items"), {"group": "abc", "state": "nonsense"})
    assert response.status_code == 200 and "invalid-feedback" in html_of(response)


def test_another_groups_member_sees_none_of_the_groups_items(client, items, other_member):
    client.force_login(other_member.user)
    html = html_of(client.get(reverse("sanping:items")))
    assert "理论学习不够系统" not in html and "您没有整改措施" in html


# One item -----------------------------------------------------------------------------


def test_the_item_shows_its_source_and_progress(client, items, member):
    services.rectification_progress(item=items.mine, by=member, note="已完成两次集中学习")
    client.force_login(member.user)
    html = html_of(client.get(item_url(items.mine)))
    assert "每周集中学习两小时" in html and "已完成两次集中学习" in html
    assert 'data-testid="item-source"' in html and "张党员：对照党章查找问题" in html
    assert 'data-testid="progress-form"' in html and 'data-testid="verify"' not in html


def test_the_member_records_progress(client, items, member):
    client.force_login(member.user)
    response = client.post(item_url(items.mine, "progress"), {"note": "学习了党章"}, follow=True)
    assert "进展已记录" in html_of(response) and "学习了党章" in html_of(response)


@pytest.mark.parametrize("note", ["", "   "])
def test_blank_progress_is_refused_with_a_message(client, items, member, note):
    client.force_login(member.user)
    response = client.post(item_url(items.mine, "progress"), {"note": note})
    assert response.status_code == 400 and "请填写整改进展" in html_of(response)
    assert not items.mine.progress.exists()


def test_very_long_progress_is_refused_with_the_limit_and_kept(client, items, member):
    client.force_login(member.user)
    response = client.post(item_url(items.mine, "progress"), {"note": TOO_LONG})
    assert response.status_code == 400 and "最多 20000 个字" in html_of(response)
    assert TOO_LONG in html_of(response)


def test_marking_done_with_evidence_then_the_leader_verifies(client, items, member, leader):
    client.force_login(member.user)
    client.post(item_url(items.mine, "done"), {"evidence": "学习笔记两篇"})
    items.mine.refresh_from_db()
    assert items.mine.state == State.DONE and items.mine.evidence == "学习笔记两篇"
    assert 'data-testid="awaiting"' in html_of(client.get(item_url(items.mine)))
    client.force_login(leader.user)
    assert 'data-testid="verify"' in html_of(client.get(item_url(items.mine)))
    response = client.post(item_url(items.mine, "verify"), follow=True)
    items.mine.refresh_from_db()
    assert items.mine.state == State.VERIFIED and items.mine.verified_by == leader
    assert "已验收" in html_of(response)


def test_the_leader_sends_an_item_back_with_a_reason_and_not_without(client, items, member, leader):
    services.rectification_mark_done(item=items.mine, by=member)
    client.force_login(leader.user)
    response = client.post(item_url(items.mine, "send_back"), {"note": "  "})
    assert response.status_code == 400 and "请说明退回的原因" in html_of(response)
    client.post(item_url(items.mine, "send_back"), {"note": "还没有形成制度"})
    items.mine.refresh_from_db()
    assert items.mine.state == State.OPEN
    client.force_login(member.user)
    assert "还没有形成制度" in html_of(client.get(item_url(items.mine)))


def test_a_committee_member_may_verify_too(client, items, member, committee):
    services.rectification_mark_done(item=items.mine, by=member)
    client.force_login(committee.user)
    client.post(item_url(items.mine, "verify"))
    items.mine.refresh_from_db()
    assert items.mine.state == State.VERIFIED


def test_verifying_an_item_not_marked_done_is_a_message(client, items, leader):
    client.force_login(leader.user)
    response = client.post(item_url(items.mine, "verify"), follow=True)
    assert "只有已标记完成的整改项才能验收或退回" in html_of(response)
    items.mine.refresh_from_db()
    assert items.mine.state == State.OPEN


def test_progress_on_a_verified_item_is_a_message(client, items, member, leader):
    services.rectification_mark_done(item=items.mine, by=member)
    services.rectification_verify(item=items.mine, by=leader)
    client.force_login(member.user)
    response = client.post(item_url(items.mine, "progress"), {"note": "补充"}, follow=True)
    assert "该项已不在整改中" in html_of(response)


def test_progress_goes_on_after_the_record_is_approved(client, items, member):
    Meeting.objects.filter(pk=items.session.meeting_id).update(state=Meeting.State.APPROVED)
    client.force_login(member.user)
    client.post(item_url(items.mine, "progress"), {"note": "批准后继续整改"})
    assert items.mine.progress.filter(note="批准后继续整改").exists()


@pytest.mark.parametrize("who, action", [
    ("leader", "progress"), ("leader", "done"), ("secretary", "done"), ("member", "verify"), ("member", "send_back"),
])
def test_an_action_that_is_not_theirs_is_403_on_a_visible_item(client, items, member, leader, secretary, who, action):
    if action in ("verify", "send_back"):
        services.rectification_mark_done(item=items.mine, by=member)
    client.force_login({"member": member, "leader": leader, "secretary": secretary}[who].user)
    response = client.post(item_url(items.mine, action), {"note": "x", "evidence": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["third", "other_member", "outsider"])
@pytest.mark.parametrize("action", [None, "progress", "done", "verify", "send_back"])
def test_an_item_out_of_sight_is_404_for_every_action(client, items, third, other_member, outsider, who, action):
    client.force_login({"third": third, "other_member": other_member, "outsider": outsider}[who].user)
    response = client.post(item_url(items.mine, action), {"note": "x"}) if action else client.get(item_url(items.mine))
    assert response.status_code == 404
