"""A participant's session page: the self-evaluation (autosave, submit, withdraw),
opinions in advance and mutual evaluations, the live progress, and their refusals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Attendance, Meeting
from sanping import services
from sanping.models import MutualEvaluation, SanpingSession, SelfEvaluation
from tests.factories import AttendanceFactory, MemberFactory

from .conftest import evaluation_of, make_today, write_and_submit

Stage = SanpingSession.Stage
HTMX = {"HTTP_HX_REQUEST": "true"}
TOO_LONG = "长" * 50_000


def page_url(session):
    return reverse("sanping:session", args=[session.pk])


def text_of(response) -> str:
    return response.content.decode()


def save(client, session, evaluation, *, problems="问题", causes="", direction="", version=None, htmx=True):
    return client.post(
        reverse("sanping:self_evaluation_save", args=[session.pk]),
        {"problems": problems, "causes": causes, "direction": direction,
         "version": evaluation.version if version is None else version},
        **(HTMX if htmx else {}),
    )


# The page, by stage ---------------------------------------------------------------------


def test_member_sees_the_meeting_the_stages_and_their_own_draft(client, session, member):
    evaluation = evaluation_of(session, member)
    services.self_evaluation_save(evaluation=evaluation, by=member, problems="我的草稿问题", causes="", direction="",
                                  version=evaluation.version)
    client.force_login(member.user)
    response = client.get(page_url(session))
    html = text_of(response)
    assert response.status_code == 200
    assert "党小组“三评”会" in html and "三楼党员活动室" in html
    assert 'aria-current="step"' in html and "会前准备" in html
    assert "我的草稿问题" in html and 'data-testid="self-submit"' in html
    assert 'hx-trigger="every 3s"' in html


def test_the_secretary_sees_who_submitted_and_never_a_draft(client, session, member, leader, secretary):
    evaluation = evaluation_of(session, member)
    services.self_evaluation_save(evaluation=evaluation, by=member, problems="张的秘密草稿", causes="", direction="",
                                  version=evaluation.version)
    write_and_submit(session, leader, "组长已提交的材料")
    client.force_login(secretary.user)
    html = text_of(client.get(page_url(session)))
    assert 'data-testid="submissions"' in html and "已提交1人，共3人" in html
    assert "张的秘密草稿" not in html
    assert "组长已提交的材料" in html  # submitted material is the branch's to read
    assert 'data-testid="self-evaluation"' not in html and 'data-testid="advance"' not in html


def test_submitted_material_shows_read_only_with_withdraw(client, session, member):
    write_and_submit(session, member, "提交的问题")
    client.force_login(member.user)
    html = text_of(client.get(page_url(session)))
    assert "提交的问题" in html and 'data-testid="self-withdraw"' in html
    assert 'data-testid="self-submit"' not in html


def test_opening_shows_the_seeds_opening_texts_and_the_order_being_set(client, opened_session, member):
    client.force_login(member.user)
    html = text_of(client.get(page_url(opened_session)))
    assert 'data-testid="opening"' in html and "党章党规" in html
    assert "党小组长正在安排发言顺序" in html
    assert 'data-testid="self-withdraw"' not in html and 'data-testid="mutual-form' not in html


def test_during_evaluation_a_member_evaluates_the_current_speaker(client, evaluating_session, member, leader):
    client.force_login(member.user)
    html = text_of(client.get(page_url(evaluating_session)))
    assert 'data-testid="order-current"' in html and "正在发言：李组长" in html
    assert "李组长：对照党章查找问题" in html  # the speaker's presented material
    assert f'id="mutual-form-{leader.pk}"' in html


def test_the_speaker_gets_no_form_to_evaluate_themselves(client, evaluating_session, leader):
    client.force_login(leader.user)
    html = text_of(client.get(page_url(evaluating_session)))
    assert 'data-testid="you-speak"' in html
    assert f'id="mutual-form-{leader.pk}"' not in html


def test_a_speaker_without_material_is_shown_as_such(client, evaluating_session, leader, member, third):
    third_slot = evaluating_session.slots.get(member=third)
    services.speaker_set(session=evaluating_session, by=leader, slot=third_slot)
    client.force_login(member.user)
    html = text_of(client.get(page_url(evaluating_session)))
    assert 'data-testid="speaker-no-material"' in html


# The self-evaluation ------------------------------------------------------------------


def test_autosave_stores_the_draft_and_answers_the_new_version(client, session, member):
    evaluation = evaluation_of(session, member)
    client.force_login(member.user)
    response = save(client, session, evaluation, problems="自动保存的问题")
    assert response.status_code == 200
    evaluation.refresh_from_db()
    assert evaluation.problems == "自动保存的问题"
    assert f'value="{evaluation.version}"' in text_of(response) and "已保存" in text_of(response)


def test_autosave_from_a_stale_tab_is_refused_with_409_and_nothing_is_lost(client, session, member):
    evaluation = evaluation_of(session, member)
    stale = evaluation.version
    client.force_login(member.user)
    assert save(client, session, evaluation, problems="第一个标签页", version=stale).status_code == 200
    response = save(client, session, evaluation, problems="第二个标签页", version=stale)
    assert response.status_code == 409 and "另一个标签页" in text_of(response)
    assert evaluation_of(session, member).problems == "第一个标签页"


def test_autosave_of_very_long_text_is_refused_with_the_limit(client, session, member):
    evaluation = evaluation_of(session, member)
    client.force_login(member.user)
    response = save(client, session, evaluation, problems=TOO_LONG)
    assert response.status_code == 400 and "20000" in text_of(response)
    assert evaluation_of(session, member).problems == ""


def test_nobody_else_can_autosave_into_a_members_material(client, session, member, secretary, other_member):
    client.force_login(secretary.user)
    assert save(client, session, evaluation_of(session, member)).status_code == 404
    client.force_login(other_member.user)
    assert save(client, session, evaluation_of(session, member)).status_code == 404


def test_autosave_after_the_session_opened_is_refused(client, opened_session, third):
    evaluation = evaluation_of(opened_session, third)
    client.force_login(third.user)
    response = save(client, opened_session, evaluation, problems="会后再写")
    assert response.status_code == 409 and "会议已开始" in text_of(response)


def test_submitting_with_a_blank_part_is_refused_and_the_text_is_kept(client, session, member):
    evaluation = evaluation_of(session, member)
    client.force_login(member.user)
    response = client.post(reverse("sanping:self_evaluation_submit", args=[session.pk]),
                           {"problems": "写好的问题", "causes": "   ", "direction": "方向", "version": evaluation.version})
    html = text_of(response)
    assert response.status_code == 400
    assert "写好的问题" in html and "方向" in html
    assert "提交前请剖析原因" in html
    evaluation.refresh_from_db()
    assert evaluation.state == SelfEvaluation.State.DRAFT and evaluation.problems == "写好的问题"
    # The form carries the version saved meanwhile, so the next autosave is not a false conflict.
    assert f'name="version" value="{evaluation.version}"' in html


def test_submitting_saves_what_was_typed_and_submits_it(client, session, member):
    evaluation = evaluation_of(session, member)
    client.force_login(member.user)
    response = client.post(reverse("sanping:self_evaluation_submit", args=[session.pk]),
                           {"problems": "问题", "causes": "原因", "direction": "方向", "version": evaluation.version})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.state == SelfEvaluation.State.SUBMITTED and evaluation.versions.count() == 1


def test_submitting_the_text_an_autosave_just_stored_is_not_a_conflict(client, session, member):
    evaluation = evaluation_of(session, member)
    stale = evaluation.version
    client.force_login(member.user)
    save(client, session, evaluation, problems="问题", causes="原因", direction="方向")
    response = client.post(reverse("sanping:self_evaluation_submit", args=[session.pk]),
                           {"problems": "问题", "causes": "原因", "direction": "方向", "version": stale})
    assert response.status_code == 302
    assert evaluation_of(session, member).state == SelfEvaluation.State.SUBMITTED


def test_submitting_over_another_tabs_text_is_refused_and_keeps_mine(client, session, member):
    evaluation = evaluation_of(session, member)
    stale = evaluation.version
    client.force_login(member.user)
    save(client, session, evaluation, problems="另一标签页的问题", causes="原因", direction="方向")
    response = client.post(reverse("sanping:self_evaluation_submit", args=[session.pk]),
                           {"problems": "我这里的问题", "causes": "原因", "direction": "方向", "version": stale})
    assert response.status_code == 409
    assert "我这里的问题" in text_of(response) and "另一个标签页" in text_of(response)
    assert evaluation_of(session, member).state == SelfEvaluation.State.DRAFT


def test_withdraw_returns_the_material_to_draft_until_the_session_opens(client, session, member, leader):
    write_and_submit(session, member)
    client.force_login(member.user)
    response = client.post(reverse("sanping:self_evaluation_withdraw", args=[session.pk]), follow=True)
    assert evaluation_of(session, member).state == SelfEvaluation.State.DRAFT
    assert "已撤回" in text_of(response)
    write_and_submit(session, member)
    make_today(session)
    services.session_advance(session=session, by=leader)
    response = client.post(reverse("sanping:self_evaluation_withdraw", args=[session.pk]), follow=True)
    assert evaluation_of(session, member).state == SelfEvaluation.State.SUBMITTED
    assert "会议已开始" in text_of(response)


# Mutual evaluations ---------------------------------------------------------------------


def mutual(client, session, *, htmx=True, **data):
    return client.post(reverse("sanping:mutual_add", args=[session.pk]), data, **(HTMX if htmx else {}))


def test_an_opinion_in_advance_comes_back_in_my_list_with_a_fresh_form(client, session, member, third):
    client.force_login(member.user)
    response = mutual(client, session, mode="advance", evaluatee=third.pk, problems="汇报重点不突出", suggestions="多准备")
    html = text_of(response)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#mutual-sent" and "mutual-saved" in response["HX-Trigger"]
    assert "汇报重点不突出" in html and 'hx-swap-oob="true"' in html
    opinion = MutualEvaluation.objects.get()
    assert opinion.in_advance and opinion.evaluator == member and opinion.evaluatee == third


def test_an_opinion_of_oneself_is_refused_with_the_text_kept(client, session, member):
    client.force_login(member.user)
    response = mutual(client, session, mode="advance", evaluatee=member.pk, problems="评自己")
    html = text_of(response)
    assert response["HX-Retarget"] == "#mutual-form-advance"
    assert "互评是评议其他同志，不能评议自己" in html
    assert "评自己" in html and not MutualEvaluation.objects.exists()


def test_an_opinion_of_someone_outside_the_session_is_refused(client, session, member, other_member):
    client.force_login(member.user)
    html = text_of(mutual(client, session, mode="advance", evaluatee=other_member.pk, problems="别组的人"))
    assert "请选择参加本次“三评”的本小组党员" in html and "别组的人" in html
    assert not MutualEvaluation.objects.exists()


@pytest.mark.parametrize("problems", ["", "   \n  "])
def test_a_blank_opinion_is_refused_with_a_message(client, session, member, third, problems):
    client.force_login(member.user)
    html = text_of(mutual(client, session, mode="advance", evaluatee=third.pk, problems=problems, suggestions="保留的建议"))
    assert "保留的建议" in html and "请填写指出的问题和不足" in html
    assert not MutualEvaluation.objects.exists()


def test_a_very_long_opinion_is_refused_with_the_limit(client, session, member, third):
    client.force_login(member.user)
    html = text_of(mutual(client, session, mode="advance", evaluatee=third.pk, problems=TOO_LONG))
    assert "20000" in html and not MutualEvaluation.objects.exists()


def test_no_mutual_evaluation_during_the_opening_and_the_text_is_kept(client, opened_session, member, leader):
    client.force_login(member.user)
    html = text_of(mutual(client, opened_session, mode="speaker", evaluatee=leader.pk, problems="开场时写的"))
    assert "开场时写的" in html and "现在不能填写" in html
    assert not MutualEvaluation.objects.exists()


def test_a_member_evaluates_the_speaker_during_the_evaluation(client, evaluating_session, member, leader):
    client.force_login(member.user)
    response = mutual(client, evaluating_session, mode="speaker", evaluatee=leader.pk, problems="关心组员不够")
    assert response["HX-Retarget"] == f"#mutual-list-{leader.pk}"
    assert "关心组员不够" in text_of(response)
    assert not MutualEvaluation.objects.get().in_advance


def test_the_leader_records_for_a_member_and_a_member_cannot(client, evaluating_session, leader, member, third):
    client.force_login(leader.user)
    response = mutual(client, evaluating_session, mode="others", evaluatee=member.pk, evaluator=third.pk, problems="代记的意见")
    assert response.status_code == 200 and "代记的意见" in text_of(response)
    recorded = MutualEvaluation.objects.get()
    assert recorded.evaluator == third and recorded.recorded_by == leader
    client.force_login(member.user)
    assert mutual(client, evaluating_session, evaluatee=leader.pk, evaluator=third.pk, problems="冒名").status_code == 403


def test_the_secretary_cannot_write_a_mutual_evaluation(client, session, secretary, member):
    client.force_login(secretary.user)
    assert mutual(client, session, mode="advance", evaluatee=member.pk, problems="书记的意见").status_code == 403


def test_without_htmx_a_mutual_evaluation_redirects_to_a_safe_next(client, evaluating_session, member, leader):
    client.force_login(member.user)
    response = mutual(client, evaluating_session, htmx=False, evaluatee=leader.pk, problems="意见一",
                      next=f"/meetings/{evaluating_session.meeting_id}/")
    assert response.status_code == 302 and response["Location"] == f"/meetings/{evaluating_session.meeting_id}/"
    response = mutual(client, evaluating_session, htmx=False, evaluatee=leader.pk, problems="意见二",
                      next="https://evil.example/")
    assert response["Location"] == page_url(evaluating_session)


def test_without_htmx_a_refused_evaluation_stays_on_the_page_with_its_text(client, evaluating_session, member, leader):
    client.force_login(member.user)
    response = mutual(client, evaluating_session, htmx=False, mode="speaker", evaluatee=leader.pk, problems=" ",
                      suggestions="只写了建议")
    assert response.status_code == 400 and "只写了建议" in text_of(response)


def test_nothing_is_written_into_a_locked_record(client, evaluating_session, member, leader):
    Meeting.objects.filter(pk=evaluating_session.meeting_id).update(state=Meeting.State.APPROVED)
    client.force_login(member.user)
    html = text_of(mutual(client, evaluating_session, mode="speaker", evaluatee=leader.pk, problems="锁定后"))
    assert "锁定后" in html and "会议记录已关闭" in html
    assert not MutualEvaluation.objects.exists()
    assert f'id="mutual-form-{leader.pk}"' not in text_of(client.get(page_url(evaluating_session)))


# The live partial ---------------------------------------------------------------------------


def live(client, session, stage, slot):
    return client.get(reverse("sanping:live", args=[session.pk]), {"stage": stage, "slot": slot}, **HTMX)


def test_live_shows_no_notice_while_nothing_changed(client, evaluating_session, member):
    client.force_login(member.user)
    html = text_of(live(client, evaluating_session, Stage.EVALUATION, evaluating_session.current_slot_id))
    assert 'data-testid="live-notice"' not in html and "正在发言：李组长" in html


def test_live_offers_a_refresh_when_the_speaker_changed(client, evaluating_session, member, leader):
    seen = evaluating_session.current_slot_id
    services.speaker_set(session=evaluating_session, by=leader, slot=evaluating_session.slots.get(member=member))
    client.force_login(member.user)
    html = text_of(live(client, evaluating_session, Stage.EVALUATION, seen))
    assert "现在轮到张党员发言" in html and "data-refresh-guard" in html
    assert f"slot={seen}" in html  # keeps polling with what the page shows


def test_live_offers_a_refresh_when_the_stage_changed(client, session, member, leader):
    make_today(session)
    services.session_advance(session=session, by=leader)
    client.force_login(member.user)
    html = text_of(live(client, session, Stage.PREPARATION, 0))
    assert "新的环节已开始：开场" in html


def test_live_stops_polling_once_the_meeting_is_over(client, evaluating_session, member):
    Meeting.objects.filter(pk=evaluating_session.meeting_id).update(state=Meeting.State.HELD)
    client.force_login(member.user)
    response = live(client, evaluating_session, Stage.EVALUATION, 0)
    assert response.status_code == 286 and "every 3s" not in text_of(response)


def test_live_is_404_outside_the_session(client, session, other_member, outsider):
    for person in (other_member, outsider):
        client.force_login(person.user)
        assert live(client, session, 1, 0).status_code == 404


# Query budgets --------------------------------------------------------------------------


def grow_group(session, count):
    """Add members to the session (and to its speaking order when there is one)."""
    meeting = session.meeting
    slots = session.slots.count()
    for n in range(count):
        person = MemberFactory(group=meeting.group)
        AttendanceFactory(meeting=meeting, member=person, status=Attendance.Status.PRESENT)
        SelfEvaluation.objects.create(session=session, member=person)
        if slots:
            session.slots.create(member=person, position=slots + n + 1)
        services.mutual_evaluation_add(session=session, by=person, evaluatee=meeting.group.leader, problems=f"意见{n}")


def count_queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code in (200, 286)
    return len(queries)


@pytest.mark.parametrize("who", ["member", "leader", "secretary"])
def test_the_session_page_costs_the_same_for_5_and_40_members(client, evaluating_session, member, leader, secretary, who):
    # 13: the signed-in session, user and member; the scoped session; "participant?" twice
    # (the view permission, the Viewer); self-evaluations, mutual evaluations, speaking
    # order; the notification count (base page); the sliding session's save (3, with savepoints).
    # The secretary reads the evaluations of others: +1, the audit log's one INSERT for them all.
    person = {"member": member, "leader": leader, "secretary": secretary}[who]
    client.force_login(person.user)
    grow_group(evaluating_session, 2)
    small = count_queries(client, page_url(evaluating_session))
    grow_group(evaluating_session, 35)
    assert count_queries(client, page_url(evaluating_session)) == small
    assert small <= 13 + (who == "secretary")


def test_the_preparation_page_costs_the_same_for_5_and_40_members(client, session, leader):
    # As above, without the speaking order, with who submitted (2) and the colleagues to write to.
    client.force_login(leader.user)
    grow_group(session, 2)
    small = count_queries(client, page_url(session))
    grow_group(session, 35)
    assert count_queries(client, page_url(session)) == small
    assert small <= 15


def test_a_live_poll_costs_a_few_queries_whatever_the_group_size(client, evaluating_session, member):
    # 9: the signed-in session, user and member; the scoped session; "participant?" (the view
    # permission); the speaking order; the sliding session's save (3, with savepoints).
    # What the poll itself reads is the session, one permission check and the order.
    client.force_login(member.user)
    url = reverse("sanping:live", args=[evaluating_session.pk]) + f"?stage=3&slot={evaluating_session.current_slot_id}"
    grow_group(evaluating_session, 2)
    small = count_queries(client, url, **HTMX)
    grow_group(evaluating_session, 35)
    assert count_queries(client, url, **HTMX) == small
    assert small <= 9


def test_a_participant_added_later_still_reaches_the_page(client, session, group):
    late = MemberFactory(group=group)
    AttendanceFactory(meeting=session.meeting, member=late)
    client.force_login(late.user)
    assert client.get(page_url(session)).status_code == 200


def test_the_console_records_for_a_member_and_is_sent_back_with_a_message(client, evaluating_session, leader, member, third):
    console = reverse("sanping:console", args=[evaluating_session.pk]) + "#mutual"
    client.force_login(leader.user)
    response = mutual(client, evaluating_session, htmx=False, evaluatee=member.pk, evaluator=third.pk, problems="  ",
                      next=console)
    assert response.status_code == 302 and response["Location"] == console
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "请填写指出的问题和不足。" in messages
    response = mutual(client, evaluating_session, htmx=False, evaluatee=member.pk, evaluator=third.pk, problems="代记",
                      next=console)
    assert response["Location"] == console
    assert "赵第三对张党员的评议已记录。" in [str(m) for m in response.wsgi_request._messages]


def test_a_refused_evaluation_of_the_previous_speaker_stays_about_them(client, evaluating_session, leader, member, third):
    services.speaker_set(session=evaluating_session, by=leader, slot=evaluating_session.slots.get(member=third))
    client.force_login(member.user)
    response = mutual(client, evaluating_session, htmx=False, mode="speaker", evaluatee=leader.pk, problems=TOO_LONG)
    html = text_of(response)
    assert response.status_code == 400 and 'data-testid="unsent"' in html and "未提交：您对李组长的评议" in html
    assert f'id="mutual-form-{leader.pk}"' in html and f'id="mutual-form-{third.pk}"' in html
