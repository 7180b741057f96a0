"""The session's stages, transitions and refusals, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting, StaleEdit, TransitionError
from sanping import services
from sanping.models import MutualEvaluation, RectificationItem, SanpingSession, SelfEvaluation

from .conftest import evaluation_of, make_today, write_and_submit

Stage = SanpingSession.Stage


def test_scheduling_a_sanping_meeting_gives_every_member_a_draft(session, leader, member, third):
    drafts = session.self_evaluations.all()
    assert {e.member_id for e in drafts} == {leader.pk, member.pk, third.pk}
    assert all(e.state == SelfEvaluation.State.DRAFT for e in drafts)
    assert "党章党规" in session.method  # the seed's defaults, in Chinese


def test_blank_material_cannot_be_submitted(session, member):
    evaluation = evaluation_of(session, member)
    services.self_evaluation_save(evaluation=evaluation, by=member, problems="   ", causes="原因", direction="方向",
                                  version=evaluation.version)
    with pytest.raises(ValidationError):
        services.self_evaluation_submit(evaluation=evaluation, by=member)


def test_two_tabs_never_silently_drop_text(session, member):
    evaluation = evaluation_of(session, member)
    stale = evaluation.version
    services.self_evaluation_save(evaluation=evaluation, by=member, problems="第一个标签页", causes="", direction="", version=stale)
    with pytest.raises(StaleEdit):
        services.self_evaluation_save(evaluation=evaluation, by=member, problems="第二个标签页", causes="", direction="", version=stale)
    assert evaluation_of(session, member).problems == "第一个标签页"


def test_nobody_else_edits_a_members_material(session, member, leader):
    evaluation = evaluation_of(session, member)
    with pytest.raises(PermissionDenied):
        services.self_evaluation_save(evaluation=evaluation, by=leader, problems="x", causes="", direction="", version=evaluation.version)


def test_withdraw_edit_resubmit_makes_a_new_version_and_the_presented_one_is_frozen(session, leader, member):
    first = write_and_submit(session, member, "第一版问题")
    services.self_evaluation_withdraw(evaluation=first, by=member)
    second = write_and_submit(session, member, "第二版问题")
    assert [v.number for v in second.versions.all()] == [1, 2]
    make_today(session)
    services.session_advance(session=session, by=leader)
    evaluation = evaluation_of(session, member)
    assert evaluation.presented.number == 2 and "第二版问题" in evaluation.presented.problems
    with pytest.raises(PermissionDenied):  # the session has opened: no more withdrawing
        services.self_evaluation_withdraw(evaluation=evaluation, by=member)


def test_opinions_in_advance_are_early_mutual_evaluations(session, member, third):
    opinion = services.mutual_evaluation_add(session=session, by=member, evaluatee=third, problems="开会有时迟到", suggestions="注意守时")
    assert opinion.in_advance and opinion.evaluator == member


def test_no_mutual_evaluation_of_oneself_or_of_an_outsider(session, member, other_member):
    with pytest.raises(ValidationError):
        services.mutual_evaluation_add(session=session, by=member, evaluatee=member, problems="自己")
    with pytest.raises(ValidationError):
        services.mutual_evaluation_add(session=session, by=member, evaluatee=other_member, problems="别组的人")
    with pytest.raises(ValidationError):
        services.mutual_evaluation_add(session=session, by=member, evaluatee=member.group.leader, problems="  ")


def test_the_session_opens_only_on_its_day(session, leader):
    with pytest.raises(TransitionError):
        services.session_advance(session=session, by=leader)


def test_only_the_leader_moves_the_stages(session, member):
    make_today(session)
    with pytest.raises(PermissionDenied):
        services.session_advance(session=session, by=member)


def test_evaluation_needs_attendance_and_follows_the_order(opened_session, leader, member, third):
    services.speaking_order_set(session=opened_session, by=leader, member_ids=[third.pk, member.pk, leader.pk])
    session = services.session_advance(session=opened_session, by=leader)
    assert session.stage == Stage.EVALUATION and session.current_slot.member == third


def test_order_must_list_exactly_those_present(opened_session, leader, member):
    with pytest.raises(ValidationError):
        services.speaking_order_set(session=opened_session, by=leader, member_ids=[leader.pk, member.pk])


def test_a_member_on_leave_is_not_in_the_order_and_keeps_their_material(session, leader, member, third):
    write_and_submit(session, member)
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=leader.pk, status="present")
    meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=third.pk, status="present")
    meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=member.pk, status="leave", leave_reason="出差")
    session = services.session_advance(session=session, by=leader)
    assert member.pk not in set(session.slots.values_list("member_id", flat=True))
    assert evaluation_of(session, member).presented is not None


def test_summary_needs_every_speaker_heard(evaluating_session, leader):
    with pytest.raises(TransitionError):
        services.session_advance(session=evaluating_session, by=leader)


def run_to_summary(session, leader):
    for slot in session.slots.order_by("position"):
        services.speaker_set(session=session, by=leader, slot=slot)
    return services.session_advance(session=session, by=leader)


def test_members_type_mutual_evaluations_and_the_leader_records_for_others(evaluating_session, leader, member, third):
    services.mutual_evaluation_add(session=evaluating_session, by=member, evaluatee=leader, problems="对组员关心不够")
    services.mutual_evaluation_add(session=evaluating_session, by=leader, evaluator=third, evaluatee=leader, problems="工作方法简单")
    with pytest.raises(PermissionDenied):
        services.mutual_evaluation_add(session=evaluating_session, by=member, evaluator=third, evaluatee=leader, problems="代写")
    recorded = MutualEvaluation.objects.get(evaluator=third)
    assert recorded.recorded_by == leader and not recorded.in_advance


def test_no_writing_into_a_stage_not_reached(opened_session, leader, member):
    with pytest.raises(PermissionDenied):
        services.comment_save(session=opened_session, by=leader, member=member, text="点评")
    with pytest.raises(PermissionDenied):
        services.mutual_evaluation_add(session=opened_session, by=member, evaluatee=leader, problems="开场时不能互评")


def test_full_session_to_approval_and_rectification_after(evaluating_session, leader, member, third, secretary):
    session = run_to_summary(evaluating_session, leader)
    with pytest.raises(TransitionError):
        services.session_advance(session=session, by=leader)  # no summary yet
    session = services.summary_save(session=session, by=leader, achievements="成绩", shortcomings="不足", next_steps="要求",
                                    version=session.version)
    for person in (leader, member, third):
        services.comment_save(session=session, by=leader, member=person, text=f"对{person.name}的点评")
    session = services.session_advance(session=session, by=leader)
    assert session.stage == Stage.RECTIFICATION
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(TransitionError):
        services.session_finish(session=session, by=leader)  # no items yet
    items = [services.rectification_add(session=session, by=leader, member=p, problem="学习不够", measure="每周学习", deadline=deadline)
             for p in (leader, member, third)]
    with pytest.raises(ValidationError):
        services.rectification_add(session=session, by=leader, member=member, problem="x", measure="y",
                                   deadline=timezone.localdate() - datetime.timedelta(days=3))
    meeting = services.session_finish(session=session, by=leader)
    assert meeting.state == Meeting.State.HELD
    meeting = meeting_services.minutes_save(meeting=meeting, by=leader, version=meeting.version, minutes="记录", summary="总结")
    meeting = meeting_services.meeting_submit(meeting=meeting, by=leader)
    meeting_services.meeting_approve(meeting=meeting, by=secretary)
    session.refresh_from_db()
    # Locked entirely: evaluations, comments, items...
    with pytest.raises(PermissionDenied):
        services.comment_save(session=session, by=leader, member=member, text="改点评")
    with pytest.raises(PermissionDenied):
        services.rectification_add(session=session, by=leader, member=member, problem="x", measure="y", deadline=deadline)
    # ...but rectification goes on after approval.
    item = items[1]
    services.rectification_progress(item=item, by=member, note="已学习两次")
    item = services.rectification_mark_done(item=item, by=member, evidence="学习笔记两篇")
    with pytest.raises(PermissionDenied):
        services.rectification_verify(item=item, by=member)
    item = services.rectification_verify(item=item, by=leader)
    assert item.state == RectificationItem.State.VERIFIED and item.verified_by == leader


def test_leader_sends_an_item_back_with_a_reason(evaluating_session, leader, member):
    session = evaluating_session
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    SanpingSession.objects.filter(pk=session.pk).update(stage=Stage.RECTIFICATION)
    session.refresh_from_db()
    item = services.rectification_add(session=session, by=leader, member=member, problem="p", measure="m", deadline=deadline)
    item = services.rectification_mark_done(item=item, by=member)
    with pytest.raises(ValidationError):
        services.rectification_send_back(item=item, by=leader, note=" ")
    item = services.rectification_send_back(item=item, by=leader, note="还没有形成制度")
    assert item.state == RectificationItem.State.OPEN


def test_step_back_one_stage_but_not_to_preparation(evaluating_session, leader):
    session = services.session_step_back(session=evaluating_session, by=leader)
    assert session.stage == Stage.OPENING
    with pytest.raises(TransitionError):
        services.session_step_back(session=session, by=leader)


def test_the_meetings_own_close_refuses_a_sanping_session_midway(evaluating_session, leader):
    with pytest.raises(TransitionError):
        meeting_services.meeting_close(meeting=evaluating_session.meeting, by=leader)


def test_the_clock_runs_and_stops(evaluating_session, leader):
    session = services.clock_set(session=evaluating_session, by=leader, action="start")
    assert session.clock_started_at is not None
    session = services.clock_set(session=session, by=leader, action="stop")
    assert session.clock_started_at is None and session.clock_elapsed() >= 0
