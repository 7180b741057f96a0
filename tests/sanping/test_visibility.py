"""Who sees what of a 三评 session, through the pages (DESIGN.md, Visibility):

- a draft self-evaluation is its author's alone;
- submitted material is seen by the leader and the branch's secretary and committee,
  and by the group's participants once the session has opened;
- a mutual evaluation is seen by its author, its subject, the leader and the branch;
- the leader's comment and a rectification item are seen by their subject, the leader
  and the branch;
- another group's member and another branch's member get 404.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting
from meetings.services import AgendaEntry
from sanping import services
from sanping.models import SanpingSession
from tests.factories import MemberFactory

from .conftest import evaluation_of, make_today

Stage = SanpingSession.Stage
S, H, N = "sees", "hidden", 404
ROLES = ("author", "subject", "participant", "leader", "secretary", "committee", "other_group", "other_branch")
MATRIX = {
    #                    author subject participant leader secretary committee other_group other_branch
    "draft":             (S,    S,      H,          H,     H,        H,        N,          N),
    "submitted_before":  (S,    S,      H,          S,     S,        S,        N,          N),
    "submitted_after":   (S,    S,      S,          S,     S,        S,        N,          N),
    "mutual":            (S,    S,      H,          S,     S,        S,        N,          N),
    "leader_comment":    (S,    S,      H,          S,     S,        S,        N,          N),
    "rectification":     (S,    S,      H,          S,     S,        S,        N,          N),
}
CASES = [(obj, role, expected) for obj, row in MATRIX.items() for role, expected in zip(ROLES, row)]


@pytest.fixture
def fourth(group):
    return MemberFactory(group=group, name="孙第四", user__username="fourth")


@pytest.fixture
def sanping_meeting(leader, member, third, fourth):
    """Overrides the conftest's: a group of four, so that someone is uninvolved in each object."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 30)))
    return meeting_services.meeting_create(
        by=leader, group=leader.group, kind=Meeting.Kind.SANPING, title="党小组“三评”会", starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), place="三楼党员活动室", chair=leader, recorder=None,
        agenda=[AgendaEntry("开展“三评”", "criticism")], publish=True,
    )


def write(session, person, marker, *, submit=True):
    evaluation = evaluation_of(session, person)
    evaluation = services.self_evaluation_save(evaluation=evaluation, by=person, problems=marker, causes="原因",
                                               direction="方向", version=evaluation.version)
    if submit:
        services.self_evaluation_submit(evaluation=evaluation, by=person)


def run_to(session, stage, leader, people, *, speaker=None):
    """Walk the session to `stage` as the leader would (everyone present, in `people` order)."""
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    for person in people:
        meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=person.pk, status="present")
    services.speaking_order_set(session=session, by=leader, member_ids=[p.pk for p in people])
    session = services.session_advance(session=session, by=leader)
    slots = list(session.slots.order_by("position"))
    if stage == Stage.EVALUATION:
        if speaker is not None:
            services.speaker_set(session=session, by=leader, slot=next(s for s in slots if s.member_id == speaker.pk))
        return session
    for slot in slots:
        services.speaker_set(session=session, by=leader, slot=slot)
    session = services.session_advance(session=session, by=leader)
    if stage == Stage.SUMMARY:
        return session
    session = services.summary_save(session=session, by=leader, achievements="成绩", shortcomings="不足", next_steps="要求",
                                    version=session.version)
    for person in people:
        services.comment_save(session=session, by=leader, member=person, text=f"对{person.name}的一般点评")
    return services.session_advance(session=session, by=leader)


@pytest.fixture
def world(session, leader, member, third, fourth, secretary, committee, other_member, outsider):
    people = [leader, member, third, fourth]
    return {"session": session, "people": people, "leader": leader, "member": member, "third": third, "fourth": fourth,
            "secretary": secretary, "committee": committee, "other_group": other_member, "other_branch": outsider}


def set_up(obj, w):
    """Bring the session to where `obj` exists; answer (marker text, who is who, item or None)."""
    session, leader, member, third, fourth = w["session"], w["leader"], w["member"], w["third"], w["fourth"]
    cast = {"author": member, "subject": member, "participant": third}
    item = None
    if obj == "draft":
        marker = "草稿里的秘密文字"
        write(session, member, marker, submit=False)
    elif obj == "submitted_before":
        marker = "开会前已提交的材料"
        write(session, member, marker)
    elif obj == "submitted_after":
        marker = "会上呈现的材料"
        write(session, member, marker)
        run_to(session, Stage.EVALUATION, leader, w["people"], speaker=member)
    elif obj == "mutual":
        marker = "张对赵的互评意见"
        session = run_to(session, Stage.EVALUATION, leader, w["people"])
        services.mutual_evaluation_add(session=session, by=member, evaluatee=third, problems=marker)
        cast = {"author": member, "subject": third, "participant": fourth}
    elif obj == "leader_comment":
        marker = "组长对张党员的专门点评"
        session = run_to(session, Stage.SUMMARY, leader, w["people"])
        services.comment_save(session=session, by=leader, member=member, text=marker)
        cast = {"author": leader, "subject": member, "participant": third}
    else:
        marker = "张党员要整改的问题"
        session = run_to(session, Stage.RECTIFICATION, leader, w["people"])
        item = services.rectification_add(session=session, by=leader, member=member, problem=marker, measure="措施",
                                          deadline=timezone.localdate() + datetime.timedelta(days=30))
        cast = {"author": leader, "subject": member, "participant": third}
    return marker, cast, item


@pytest.mark.parametrize("obj, role, expected", CASES, ids=[f"{o}-{r}" for o, r, _ in CASES])
def test_visibility_matrix_through_the_pages(client, world, obj, role, expected):
    marker, cast, item = set_up(obj, world)
    person = cast.get(role) or world[role]
    client.force_login(person.user)
    response = client.get(reverse("sanping:session", args=[world["session"].pk]))
    if expected == N:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert (marker in response.content.decode()) == (expected == S)
    if item is not None:
        response = client.get(reverse("sanping:item", args=[item.pk]))
        assert response.status_code == (200 if expected == S else 404)
        if expected == S:
            assert marker in response.content.decode()


def test_withdrawn_material_is_a_draft_again_and_hidden_from_the_leader(client, world):
    session, member, leader = world["session"], world["member"], world["leader"]
    write(session, member, "撤回后的材料")
    services.self_evaluation_withdraw(evaluation=evaluation_of(session, member), by=member)
    client.force_login(leader.user)
    assert "撤回后的材料" not in client.get(reverse("sanping:session", args=[session.pk])).content.decode()


def test_a_participant_sees_the_presented_version_not_a_later_draft(client, world):
    session, member, leader, third = world["session"], world["member"], world["leader"], world["third"]
    write(session, member, "第一版")
    services.self_evaluation_withdraw(evaluation=evaluation_of(session, member), by=member)
    write(session, member, "第二版", submit=True)
    run_to(session, Stage.EVALUATION, leader, world["people"], speaker=member)
    client.force_login(third.user)
    html = client.get(reverse("sanping:session", args=[session.pk])).content.decode()
    assert "第二版" in html and "第一版" not in html


def test_a_draft_never_reaches_the_group_even_after_the_session_opens(client, world):
    session, third, leader, member = world["session"], world["third"], world["leader"], world["member"]
    write(session, third, "赵没有提交的草稿", submit=False)
    run_to(session, Stage.EVALUATION, leader, world["people"], speaker=third)
    for person in (member, leader, world["secretary"]):
        client.force_login(person.user)
        html = client.get(reverse("sanping:session", args=[session.pk])).content.decode()
        assert "赵没有提交的草稿" not in html
