"""The leader's chair console, stage by stage: who may see it, what each stage shows,
what each action does, and what its refusals look like (a Chinese message, never a 500)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting
from meetings.services import AgendaEntry
from sanping import services
from sanping.models import LeaderComment, MutualEvaluation, RectificationItem, SanpingSession, SpeakingSlot
from tests.factories import MeetingFactory, MemberFactory

from .conftest import evaluation_of, make_today, write_and_submit

Stage = SanpingSession.Stage
HTMX = {"HTTP_HX_REQUEST": "true"}


def as_(client, person):
    client.force_login(person.user if hasattr(person, "user") else person)
    return client


def url(name, session, *args):
    return reverse(f"sanping:{name}", args=[session.pk, *args])


def console(client, session, **params):
    return client.get(url("console", session), params)


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def fresh(session) -> SanpingSession:
    return SanpingSession.objects.select_related("meeting").get(pk=session.pk)


def in_days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def summary_session(evaluating_session, leader, member, third):
    """Everyone has spoken; the session is at the summary."""
    for slot in evaluating_session.slots.order_by("position"):
        services.speaker_set(session=evaluating_session, by=leader, slot=slot)
    services.mutual_evaluation_add(session=evaluating_session, by=member, evaluatee=leader, problems="对组员关心不够", suggestions="多谈心")
    return services.session_advance(session=evaluating_session, by=leader)


@pytest.fixture
def rectification_session(summary_session, leader, member, third):
    session = services.summary_save(session=summary_session, by=leader, achievements="成绩", shortcomings="不足",
                                    next_steps="要求", version=summary_session.version)
    for person in (leader, member, third):
        services.comment_save(session=session, by=leader, member=person, text=f"对{person.name}的点评")
    return services.session_advance(session=session, by=leader)


# Who may open the console -----------------------------------------------------------------


@pytest.mark.parametrize("stage", ["session", "opened_session", "evaluating_session", "summary_session", "rectification_session"])
def test_every_stage_renders_for_the_leader_with_the_stepper(client, request, leader, stage):
    session = request.getfixturevalue(stage)
    response = console(as_(client, leader), session)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="stepper"' in text
    current = session.get_stage_display()
    assert f'aria-current="step" data-testid="current-stage">{session.stage}. {current}' in text
    assert 'data-testid="read-only"' not in text


def test_the_branch_committee_reads_the_console_but_cannot_act(client, summary_session, committee, secretary):
    for person in (committee, secretary):
        text = console(as_(client, person), summary_session).content.decode()
        assert "只读" in text
        assert url("summary_save", summary_session) not in text and url("advance", summary_session) not in text
    response = as_(client, committee).post(url("advance", summary_session))
    assert response.status_code == 403
    assert fresh(summary_session).stage == Stage.SUMMARY


def test_a_member_gets_403_and_another_branch_404(client, session, member, outsider, other_member):
    assert console(as_(client, member), session).status_code == 403
    assert as_(client, member).post(url("advance", session)).status_code == 403
    assert console(as_(client, other_member), session).status_code == 404
    assert console(as_(client, outsider), session).status_code == 404
    assert as_(client, outsider).post(url("advance", session)).status_code == 404
    assert as_(client, outsider).get(url("coverage", session)).status_code == 404


def test_signed_out_htmx_autosave_gets_401(client, opened_session):
    response = client.post(url("opening_save", opened_session), {"purpose": "x", "method": "", "requirements": "", "version": 1}, **HTMX)
    assert response.status_code == 401


# 1. Preparation --------------------------------------------------------------------------


def test_preparation_shows_who_has_submitted_never_a_draft(client, session, leader, member, third):
    write_and_submit(session, member)
    draft = evaluation_of(session, third)
    services.self_evaluation_save(evaluation=draft, by=third, problems="尚未提交的秘密草稿", causes="", direction="", version=draft.version)
    text = console(as_(client, leader), session).content.decode()
    count = text[text.index('data-testid="submitted-count"'):text.index("</span>", text.index('data-testid="submitted-count"'))]
    assert "已提交" in count and "1" in count and "3" in count
    assert "尚未提交的秘密草稿" not in text and "对照党章查找问题" not in text
    assert text.count('data-testid="submission-row"') == 3
    assert "党章党规" in text  # the opening texts, prefilled from the seed's defaults


def test_preparation_reports_the_last_sessions_rectification(client, session, leader, member):
    earlier = MeetingFactory(group=leader.group, kind=Meeting.Kind.SANPING, state=Meeting.State.APPROVED, title="上半年“三评”",
                             starts_at=timezone.now() - datetime.timedelta(days=180))
    previous = SanpingSession.objects.create(meeting=earlier, stage=Stage.RECTIFICATION)
    RectificationItem.objects.create(session=previous, member=member, problem="学习不够系统", measure="每周学习一篇",
                                     deadline=timezone.localdate() - datetime.timedelta(days=10))
    RectificationItem.objects.create(session=previous, member=leader, problem="谈心谈话少", measure="每月谈心",
                                     deadline=timezone.localdate() - datetime.timedelta(days=30), state=RectificationItem.State.VERIFIED)
    text = console(as_(client, leader), session).content.decode()
    assert "上次整改落实情况" in text and "上半年“三评”" in text
    assert "每周学习一篇" in text and "张党员" in text and "逾期" in text
    assert "每月谈心" in text and "已验收" in text


def test_opening_the_session_is_refused_before_its_day(client, session, leader):
    response = as_(client, leader).post(url("advance", session))
    assert response.status_code == 302
    assert "当天才能开始" in flashed(response)
    assert fresh(session).stage == Stage.PREPARATION


def test_notes_without_js_keep_what_was_typed_when_refused(client, evaluating_session, leader):
    slot = evaluating_session.current_slot
    data = {"notes": "我在另一台设备上记的内容", "version": slot.notes_version - 1 if slot.notes_version > 1 else 0}
    response = as_(client, leader).post(url("slot_notes", evaluating_session, slot.pk), data)
    assert response.status_code == 409
    text = response.content.decode()
    assert "我在另一台设备上记的内容" in text and "别处保存" in text


def test_notes_of_an_earlier_speaker_without_js_come_back_as_a_message(client, evaluating_session, leader, member):
    first = evaluating_session.current_slot
    client = as_(client, leader)
    client.post(url("speaker_set", evaluating_session), {"slot": evaluating_session.slots.get(member=member).pk})
    response = client.post(url("slot_notes", evaluating_session, first.pk), {"notes": "补记", "version": first.notes_version})
    assert response.status_code == 302 and "李组长" in flashed(response)
    assert SpeakingSlot.objects.get(pk=first.pk).notes == "补记"


def test_opening_the_session_on_its_day(client, session, leader):
    make_today(session)
    response = as_(client, leader).post(url("advance", session), follow=True)
    assert fresh(session).stage == Stage.OPENING
    assert 'data-testid="attendance-panel"' in response.content.decode()


# Opening texts (autosave) ----------------------------------------------------------------


def test_opening_texts_autosave_and_a_stale_tab_gets_409(client, opened_session, leader):
    client = as_(client, leader)
    version = opened_session.version
    data = {"purpose": "新的目的", "method": "按座次发言", "requirements": "实事求是", "version": version}
    response = client.post(url("opening_save", opened_session), data, **HTMX)
    assert response.status_code == 200 and f'value="{version + 1}"' in response.content.decode()
    assert fresh(opened_session).method == "按座次发言"
    response = client.post(url("opening_save", opened_session), {**data, "method": "另一个标签页"}, **HTMX)
    assert response.status_code == 409 and "别处保存" in response.content.decode()
    assert fresh(opened_session).method == "按座次发言"


def test_opening_texts_without_htmx_keep_what_was_typed_on_conflict(client, opened_session, leader):
    data = {"purpose": "我的新文字", "method": "", "requirements": "", "version": opened_session.version - 1}
    response = as_(client, leader).post(url("opening_save", opened_session), data)
    assert response.status_code == 409
    text = response.content.decode()
    assert "我的新文字" in text and "别处保存" in text


def test_too_long_opening_text_is_refused_with_the_limit(client, opened_session, leader):
    data = {"purpose": "长" * 50_000, "method": "", "requirements": "", "version": opened_session.version}
    response = as_(client, leader).post(url("opening_save", opened_session), data, **HTMX)
    assert response.status_code == 400 and "20000" in response.content.decode()
    response = as_(client, leader).post(url("opening_save", opened_session), data)
    assert response.status_code == 400 and "20000" in response.content.decode()


def test_opening_texts_are_closed_after_the_opening(client, evaluating_session, leader):
    data = {"purpose": "x", "method": "y", "requirements": "z", "version": evaluating_session.version}
    response = as_(client, leader).post(url("opening_save", evaluating_session), data, **HTMX)
    assert response.status_code == 400 and "开场环节已结束" in response.content.decode()


# 2. Opening: attendance and the speaking order ------------------------------------------------


def test_opening_shows_attendance_rows_and_counts_from_them(client, session, leader, member, third):
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=leader.pk, status="present")
    meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=member.pk, status="leave", leave_reason="出差")
    text = console(as_(client, leader), session).content.decode()
    assert text.count('data-testid="attendance-row"') == 3
    assert reverse("meetings:attendance", args=[session.meeting_id, third.pk]) in text
    assert "应到 3 人，实到 1 人" in text
    assert text.count('data-testid="order-row"') == 1  # only those present speak


def test_attendance_posted_without_js_comes_back_to_the_console(client, opened_session, leader, third):
    response = as_(client, leader).post(reverse("meetings:attendance", args=[opened_session.meeting_id, third.pk]),
                                        {"status": "absent"}, follow=True)
    assert response.redirect_chain[-1][0] == url("console", opened_session)


def test_order_moves_up_and_down_with_plain_buttons(client, opened_session, leader, member, third):
    client = as_(client, leader)
    order = [leader.pk, member.pk, third.pk]
    response = client.post(url("order_set", opened_session), {"member": order, "move": f"up:{third.pk}"})
    assert response.status_code == 302
    assert list(opened_session.slots.order_by("position").values_list("member_id", flat=True)) == [leader.pk, third.pk, member.pk]
    response = client.post(url("order_set", opened_session), {"member": [leader.pk, third.pk, member.pk], "move": f"down:{leader.pk}"}, **HTMX)
    assert response.status_code == 200
    assert list(opened_session.slots.order_by("position").values_list("member_id", flat=True)) == [third.pk, leader.pk, member.pk]
    text = response.content.decode()
    assert text.index(third.name) < text.index(leader.name) < text.index(member.name)


def test_order_partial_follows_attendance(client, opened_session, leader, member):
    meeting_services.attendance_set(meeting=opened_session.meeting, by=leader, member_id=member.pk, status="absent")
    response = console(as_(client, leader), opened_session, part="order")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('data-testid="order-row"') == 2 and member.name not in text


@pytest.mark.parametrize("posted", [
    {"member": ["1", "x"]},
    {"member": []},
    "missing-one",
    "twice",
])
def test_a_bad_order_is_refused_with_a_message(client, opened_session, leader, member, third, posted):
    if posted == "missing-one":
        posted = {"member": [leader.pk, member.pk]}
    elif posted == "twice":
        posted = {"member": [leader.pk, member.pk, member.pk]}
    response = as_(client, leader).post(url("order_set", opened_session), posted, **HTMX)
    assert response.status_code == 200
    assert "发言顺序须包含每位到会党员" in response.content.decode()
    assert not opened_session.slots.exists()


def test_the_order_is_set_only_at_the_opening(client, evaluating_session, leader, member, third):
    response = as_(client, leader).post(url("order_set", evaluating_session), {"member": [third.pk, member.pk, leader.pk]})
    assert "发言顺序在开场环节确定" in flashed(response)


def test_evaluation_cannot_start_before_attendance_is_taken(client, session, leader):
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    response = as_(client, leader).post(url("advance", session))
    assert "请先完成考勤" in flashed(response)
    assert fresh(session).stage == Stage.OPENING


def test_no_step_back_to_preparation(client, opened_session, leader):
    response = as_(client, leader).post(url("step_back", opened_session))
    assert "不能退回会前准备" in flashed(response)


# 3. Self- and mutual evaluation ---------------------------------------------------------------


def test_evaluation_shows_the_presented_material_and_the_speakers_evaluations(client, evaluating_session, leader, member, third):
    services.mutual_evaluation_add(session=evaluating_session, by=member, evaluatee=leader, problems="批评别人时不够直接")
    text = console(as_(client, leader), evaluating_session).content.decode()
    assert "李组长：对照党章查找问题" in text  # the leader speaks first: their presented version
    assert "批评别人时不够直接" in text
    assert 'data-testid="coverage"' in text
    assert url("mutual_add", evaluating_session) in text
    # the author is chosen among the others present, never the speaker
    form = text[text.index('id="mutual-evaluator"'):text.index("</select>", text.index('id="mutual-evaluator"'))]
    assert member.name in form and third.name in form and leader.name not in form


def test_a_speaker_without_written_material_is_said_so(client, evaluating_session, leader, third):
    slot = evaluating_session.slots.get(member=third)
    as_(client, leader).post(url("speaker_set", evaluating_session), {"slot": slot.pk})
    text = console(client, evaluating_session).content.decode()
    assert "未提交书面材料" in text
    assert f'data-testid="current-speaker">{third.name}' in text


def test_a_member_on_leave_is_listed_with_their_written_material(client, session, leader, member, third):
    write_and_submit(session, member, "出差前写好的材料")
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    for person, status in ((leader, "present"), (third, "present")):
        meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=person.pk, status=status)
    meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=member.pk, status="leave", leave_reason="出差")
    session = services.session_advance(session=session, by=leader)
    text = console(as_(client, leader), session).content.decode()
    assert "未到会，书面材料存档" in text and "出差前写好的材料" in text


def test_giving_the_floor_and_refusals(client, evaluating_session, leader, member):
    client = as_(client, leader)
    slot = evaluating_session.slots.get(member=member)
    response = client.post(url("speaker_set", evaluating_session), {"slot": slot.pk})
    assert response.status_code == 302 and "张党员" in flashed(response)
    assert fresh(evaluating_session).current_slot_id == slot.pk
    response = client.post(url("speaker_set", evaluating_session), {"slot": 999_999})
    assert "不在本次发言顺序" in flashed(response)
    response = client.post(url("speaker_set", evaluating_session), {"slot": "abc"})
    assert response.status_code == 302 and flashed(response)


def test_a_speaker_of_another_session_is_not_in_the_order(client, evaluating_session, leader, other_leader, other_member):
    meeting = meeting_services.meeting_create(
        by=other_leader, group=other_leader.group, kind=Meeting.Kind.SANPING, title="别组三评",
        starts_at=timezone.now() + datetime.timedelta(days=1), ends_at=timezone.now() + datetime.timedelta(days=1, hours=2),
        place="二楼", chair=other_leader, recorder=None, agenda=[AgendaEntry("三评", "criticism")], publish=True)
    foreign = SpeakingSlot.objects.create(session=meeting.sanping, member=other_member, position=1)
    response = as_(client, leader).post(url("speaker_set", evaluating_session), {"slot": foreign.pk})
    assert "不在本次发言顺序" in flashed(response)
    assert fresh(evaluating_session).current_slot.member_id == leader.pk


def test_speakers_take_the_floor_only_during_evaluation(client, summary_session, leader):
    slot = summary_session.slots.first()
    response = as_(client, leader).post(url("speaker_set", summary_session), {"slot": slot.pk})
    assert "自评互评环节" in flashed(response)


def test_the_leaders_notes_autosave_with_their_version(client, evaluating_session, leader, member):
    client = as_(client, leader)
    slot = evaluating_session.current_slot
    response = client.post(url("slot_notes", evaluating_session, slot.pk), {"notes": "李组长谈了三点问题", "version": slot.notes_version}, **HTMX)
    assert response.status_code == 200 and "已保存" in response.content.decode()
    response = client.post(url("slot_notes", evaluating_session, slot.pk), {"notes": "旧标签页", "version": slot.notes_version}, **HTMX)
    assert response.status_code == 409 and "别处保存" in response.content.decode()
    waiting = evaluating_session.slots.get(member=member)
    response = client.post(url("slot_notes", evaluating_session, waiting.pk), {"notes": "还没轮到", "version": 1}, **HTMX)
    assert response.status_code == 400 and "尚未发言" in response.content.decode()
    assert client.post(url("slot_notes", evaluating_session, 999_999), {"notes": "x", "version": 1}).status_code == 404


def test_the_clock_starts_stops_and_resets(client, evaluating_session, leader):
    client = as_(client, leader)
    response = client.post(url("clock", evaluating_session), {"action": "start"}, **HTMX)
    assert response.status_code == 200 and 'data-running="1"' in response.content.decode()
    assert fresh(evaluating_session).clock_started_at is not None
    response = client.post(url("clock", evaluating_session), {"action": "stop"}, **HTMX)
    assert 'data-running="0"' in response.content.decode()
    response = client.post(url("clock", evaluating_session), {"action": "explode"}, **HTMX)
    assert response.status_code == 200 and "开始、暂停或清零" in response.content.decode()
    response = client.post(url("clock", evaluating_session), {"action": "reset"})
    assert response.status_code == 302 and fresh(evaluating_session).clock_seconds == 0


def test_mutual_evaluations_are_polled_for_the_speaker(client, evaluating_session, leader, member, third):
    services.mutual_evaluation_add(session=evaluating_session, by=member, evaluatee=leader, problems="会上发言太长")
    services.mutual_evaluation_add(session=evaluating_session, by=leader, evaluatee=third, problems="不是本轮的")
    response = console(as_(client, leader), evaluating_session, part="mutual", member=leader.pk)
    text = response.content.decode()
    assert "会上发言太长" in text and "不是本轮的" not in text
    assert 'hx-trigger="every 3s"' in text
    assert console(client, evaluating_session, part="mutual", member="x").status_code == 404


def test_coverage_highlights_who_gave_or_received_none(client, evaluating_session, leader, member, third):
    services.mutual_evaluation_add(session=evaluating_session, by=member, evaluatee=leader, problems="问题")
    text = as_(client, leader).get(url("coverage", evaluating_session)).content.decode()
    gave_none = text[text.index('data-testid="gave-none"'):text.index("</div>", text.index('data-testid="gave-none"'))]
    received_none = text[text.index('data-testid="received-none"'):text.index("</div>", text.index('data-testid="received-none"'))]
    assert leader.name in gave_none and third.name in gave_none and member.name not in gave_none
    assert member.name in received_none and third.name in received_none and leader.name not in received_none


def test_going_to_the_summary_needs_every_speaker(client, evaluating_session, leader):
    response = as_(client, leader).post(url("advance", evaluating_session))
    assert "还有同志尚未发言" in flashed(response)
    assert fresh(evaluating_session).stage == Stage.EVALUATION


# 4. Summary and comments ----------------------------------------------------------------------


def test_summary_autosaves_and_refuses_a_stale_tab(client, summary_session, leader):
    client = as_(client, leader)
    data = {"achievements": "大家准备充分", "shortcomings": "个别同志剖析不深", "next_steps": "抓好整改", "version": summary_session.version}
    response = client.post(url("summary_save", summary_session), data, **HTMX)
    assert response.status_code == 200
    assert fresh(summary_session).shortcomings == "个别同志剖析不深"
    response = client.post(url("summary_save", summary_session), data, **HTMX)
    assert response.status_code == 409 and "别处保存" in response.content.decode()


def test_summary_without_js_keeps_what_was_typed_on_conflict(client, summary_session, leader):
    data = {"achievements": "我写的成绩", "shortcomings": "", "next_steps": "", "version": summary_session.version - 1}
    response = as_(client, leader).post(url("summary_save", summary_session), data)
    assert response.status_code == 409
    assert "我写的成绩" in response.content.decode() and "别处保存" in response.content.decode()


def test_summary_before_its_stage_is_refused_with_a_message(client, evaluating_session, leader):
    data = {"achievements": "a", "shortcomings": "b", "next_steps": "c", "version": evaluating_session.version}
    response = as_(client, leader).post(url("summary_save", evaluating_session), data, **HTMX)
    assert response.status_code == 400 and "请先进入总结点评环节" in response.content.decode()
    response = as_(client, leader).post(url("summary_save", evaluating_session), data)
    assert response.status_code == 302 and "请先进入总结点评环节" in flashed(response)


def test_summary_shows_each_members_material_beside_the_comment_box(client, summary_session, leader, member, third):
    text = console(as_(client, leader), summary_session).content.decode()
    assert text.count('data-testid="comment-card"') == 3
    assert "对组员关心不够" in text and "多谈心" in text  # received by the leader
    assert "张党员：对照党章查找问题" in text
    assert url("comment_save", summary_session, member.pk) in text


def test_a_comment_saves_and_blank_is_refused(client, summary_session, leader, member):
    client = as_(client, leader)
    response = client.post(url("comment_save", summary_session, member.pk), {"text": "剖析深刻，要抓好落实"}, **HTMX)
    assert response.status_code == 200
    assert LeaderComment.objects.get(session=summary_session, member=member).text == "剖析深刻，要抓好落实"
    response = client.post(url("comment_save", summary_session, member.pk), {"text": "   "}, **HTMX)
    assert response.status_code == 400 and "请填写点评内容" in response.content.decode()
    response = client.post(url("comment_save", summary_session, member.pk), {"text": " "})
    assert response.status_code == 400 and "请填写点评内容" in response.content.decode()


def test_a_comment_on_someone_outside_the_session_is_404(client, summary_session, leader, other_member):
    response = as_(client, leader).post(url("comment_save", summary_session, other_member.pk), {"text": "x"})
    assert response.status_code == 404


def test_rectification_needs_the_summary_and_every_comment(client, summary_session, leader):
    response = as_(client, leader).post(url("advance", summary_session))
    assert "请先填写总结" in flashed(response)


def test_step_back_from_the_summary_to_the_evaluation(client, summary_session, leader):
    response = as_(client, leader).post(url("step_back", summary_session), follow=True)
    assert fresh(summary_session).stage == Stage.EVALUATION
    assert "返回" in " ".join(str(m) for m in response.context["messages"])


# 5. Rectification -------------------------------------------------------------------------------


def item_data(member, **fields):
    data = {"member": member.pk, "problem": "理论学习不深入", "measure": "每周学习两小时", "deadline": in_days(30), "source": ""}
    data.update(fields)
    return {"member": member.pk, **{f"m{member.pk}-{k}": v for k, v in data.items() if k != "member"}}


def test_an_item_is_added_and_removed(client, rectification_session, leader, member):
    client = as_(client, leader)
    response = client.post(url("item_add", rectification_session), item_data(member))
    assert response.status_code == 302 and response["Location"].endswith(f"#member-{member.pk}")
    item = RectificationItem.objects.get(session=rectification_session, member=member)
    assert item.measure == "每周学习两小时"
    response = client.post(url("item_remove", rectification_session, item.pk))
    assert response.status_code == 302 and not RectificationItem.objects.filter(pk=item.pk).exists()
    assert client.post(url("item_remove", rectification_session, 999_999)).status_code == 404


def test_an_item_can_take_its_problem_from_a_mutual_evaluation(client, rectification_session, leader):
    mutual = MutualEvaluation.objects.get(session=rectification_session, evaluatee=leader)
    text = console(as_(client, leader), rectification_session).content.decode()
    assert f'value="mutual:{mutual.pk}"' in text
    client.post(url("item_add", rectification_session), item_data(leader, problem="", source=f"mutual:{mutual.pk}"))
    item = RectificationItem.objects.get(member=leader)
    assert item.source_mutual_evaluation == mutual and item.problem == "对组员关心不够"


def test_an_item_can_come_from_the_members_self_evaluation(client, rectification_session, leader, member):
    evaluation = evaluation_of(rectification_session, member)
    as_(client, leader).post(url("item_add", rectification_session), item_data(member, source=f"self:{evaluation.pk}"))
    assert RectificationItem.objects.get(member=member).source_self_evaluation == evaluation


@pytest.mark.parametrize("fields,message", [
    ({"measure": "  "}, "请填写具体措施"),
    ({"problem": ""}, "请填写需要整改的问题"),
    ({"deadline": ""}, "请填写整改时限"),
    ({"deadline": "明年"}, "2026-12-31"),
    ({"deadline": "2000-01-01"}, "整改时限须晚于会议日期"),
    ({"measure": "措" * 50_000}, "20000"),
])
def test_a_bad_item_is_refused_keeping_what_was_typed(client, rectification_session, leader, member, fields, message):
    response = as_(client, leader).post(url("item_add", rectification_session), item_data(member, problem="留在表单里的问题", **fields)
                                        if "problem" not in fields else item_data(member, **fields))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    if "problem" not in fields:
        assert "留在表单里的问题" in text
    assert not RectificationItem.objects.filter(member=member).exists()


def test_an_item_for_someone_outside_the_session_is_refused(client, rectification_session, leader, other_member):
    response = as_(client, leader).post(url("item_add", rectification_session), item_data(other_member))
    assert response.status_code == 302 and "请选择党员" in flashed(response)


def test_items_before_their_stage_are_refused(client, evaluating_session, leader, member):
    response = as_(client, leader).post(url("item_add", evaluating_session), item_data(member))
    assert "请先进入总结点评环节" in flashed(response)


def test_finishing_names_who_still_lacks_an_item_then_closes_the_meeting(client, rectification_session, leader, member, third):
    client = as_(client, leader)
    client.post(url("item_add", rectification_session), item_data(leader))
    response = client.post(url("finish", rectification_session))
    assert "张党员" in flashed(response) and "赵第三" in flashed(response)
    for person in (member, third):
        client.post(url("item_add", rectification_session), item_data(person))
    response = client.post(url("finish", rectification_session), follow=True)
    assert fresh(rectification_session).meeting.state == Meeting.State.HELD
    text = response.content.decode()
    assert 'data-testid="finished"' in text and reverse("meetings:detail", args=[rectification_session.meeting_id]) in text
    response = client.post(url("step_back", rectification_session))
    assert "会议已结束" in flashed(response)


def test_finishing_before_the_rectification_stage_is_refused(client, summary_session, leader):
    response = as_(client, leader).post(url("finish", summary_session))
    assert "请先进入整改环节" in flashed(response)


def test_a_locked_record_is_read_only_and_refuses_writes_with_a_message(client, rectification_session, leader, member):
    Meeting.objects.filter(pk=rectification_session.meeting_id).update(state=Meeting.State.APPROVED)
    client = as_(client, leader)
    text = console(client, rectification_session).content.decode()
    assert 'data-testid="read-only"' in text and url("item_add", rectification_session) not in text
    response = client.post(url("item_add", rectification_session), item_data(member))
    assert "锁定" in flashed(response)
    response = client.post(url("comment_save", rectification_session, member.pk), {"text": "改"}, **HTMX)
    assert response.status_code == 400 and "锁定" in response.content.decode()


# Speed -----------------------------------------------------------------------------------------


def session_of_size(leader, size: int) -> tuple[SanpingSession, list]:
    """A session of `size` members, everyone submitted and present, opened today."""
    members = [leader] + MemberFactory.create_batch(size - 1, group=leader.group)
    start = timezone.now() + datetime.timedelta(days=1)
    meeting = meeting_services.meeting_create(
        by=leader, group=leader.group, kind=Meeting.Kind.SANPING, title=f"{size}人三评", starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), place="会议室", chair=leader, recorder=None,
        agenda=[AgendaEntry("三评", "criticism")], publish=True)
    session = meeting.sanping
    for person in members:
        write_and_submit(session, person)
    make_today(session)
    session = services.session_advance(session=session, by=leader)
    for person in members:
        meeting_services.attendance_set(meeting=session.meeting, by=leader, member_id=person.pk, status="present")
    return session, members


def to_stage(session, leader, members, stage):
    if stage >= Stage.EVALUATION:
        session = services.session_advance(session=session, by=leader)
        for i, person in enumerate(members):  # everyone evaluates the next one
            services.mutual_evaluation_add(session=session, by=person, evaluatee=members[(i + 1) % len(members)], problems="问题")
    if stage >= Stage.SUMMARY:
        for slot in session.slots.all():
            services.speaker_set(session=session, by=leader, slot=slot)
        session = services.session_advance(session=session, by=leader)
        for person in members:
            services.comment_save(session=session, by=leader, member=person, text="点评")
    if stage >= Stage.RECTIFICATION:
        session = services.summary_save(session=session, by=leader, achievements="a", shortcomings="b", next_steps="c",
                                        version=session.version)
        session = services.session_advance(session=session, by=leader)
        for person in members:
            services.rectification_add(session=session, by=leader, member=person, problem="p", measure="m",
                                       deadline=timezone.localdate() + datetime.timedelta(days=30))
    return session


def queries_of(client, path, **params) -> int:
    client.get(path, params)  # warm the caches a first request fills (content types, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("stage", [Stage.PREPARATION, Stage.OPENING, Stage.EVALUATION, Stage.SUMMARY, Stage.RECTIFICATION])
def test_the_console_costs_the_same_for_5_and_40_members(client, leader, stage):
    counts = {}
    for size in (5, 40):
        if stage == Stage.PREPARATION:
            members = [leader] + MemberFactory.create_batch(size - 1, group=leader.group)
            start = timezone.now() + datetime.timedelta(days=size)
            session = meeting_services.meeting_create(
                by=leader, group=leader.group, kind=Meeting.Kind.SANPING, title=f"{size}人", starts_at=start,
                ends_at=start + datetime.timedelta(hours=2), place="会议室", chair=leader, recorder=None,
                agenda=[AgendaEntry("三评", "criticism")], publish=True).sanping
            for person in members[: size // 2]:
                write_and_submit(session, person)
        else:
            session, members = session_of_size(leader, size)
            session = to_stage(session, leader, members, stage)
        counts[size] = queries_of(as_(client, leader), url("console", session))
        # move the members out of the way so the next size starts afresh
        leader.group.members.exclude(pk=leader.pk).update(group=None)
    assert counts[5] == counts[40], counts
    # Per request: session and user (2), the session and its meeting (1), visibility and
    # the viewer (2), who is expected (2), then per stage a handful of bulk reads.
    assert counts[40] <= 24, counts


# Every request of a signed-in person costs 6 queries before the view's own: the session,
# the user and their member (3), and saving the sliding session (3 in a test transaction).
PER_REQUEST = 6


def test_the_polled_parts_cost_a_few_queries(client, leader):
    session, members = session_of_size(leader, 12)
    session = to_stage(session, leader, members, Stage.EVALUATION)
    client = as_(client, leader)
    # the session (1), visibility and the viewer (2), who is expected (1), the evaluations (1)
    assert queries_of(client, url("coverage", session)) <= PER_REQUEST + 5
    assert queries_of(client, url("console", session), part="mutual", member=leader.pk) <= PER_REQUEST + 4
    # the session (1), visibility (1), the speaking order (1)
    assert queries_of(client, url("projector_state", session)) <= PER_REQUEST + 3
