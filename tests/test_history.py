"""Every change to a meeting record, an evaluation, a comment and a rectification item
is kept in history (simple-history): who, when, what, through the views and through the
services' bulk paths alike. A last test keeps bulk writes of tracked models out of the
services unless they write the history themselves."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from simple_history.models import registered_models

from meetings import services as meeting_services
from meetings.models import AgendaItem, Attendance, Meeting
from sanping import services
from sanping.models import LeaderComment, MutualEvaluation, RectificationItem, SanpingSession, SelfEvaluation, SpeakingSlot
from tests.meetings.conftest import held_meeting, schedule, submitted_meeting  # noqa: F401 (fixtures)
from tests.sanping.conftest import (  # noqa: F401 (fixtures)
    evaluating_session,
    make_today,
    opened_session,
    sanping_meeting,
    session,
    third,
    write_and_submit,
)

ROOT = Path(__file__).resolve().parent.parent


def history_of(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id"))


# Meeting records --------------------------------------------------------------------------


def test_a_meeting_record_keeps_every_step_with_who_took_it(client, submitted_meeting, leader, secretary):
    meeting = submitted_meeting
    client.force_login(secretary.user)
    response = client.post(reverse("meetings:return", args=[meeting.pk]), {"comment": "请补充"})
    assert response.status_code == 302
    client.force_login(leader.user)
    meeting.refresh_from_db()
    client.post(reverse("meetings:minutes", args=[meeting.pk]),
                {"minutes": "补充后的记录", "summary": "组长总结", "version": meeting.version})
    client.post(reverse("meetings:submit", args=[meeting.pk]), {"comment": ""})
    client.force_login(secretary.user)
    client.post(reverse("meetings:approve", args=[meeting.pk]), {"comment": ""})

    rows = history_of(meeting)
    states = [row.state for row in rows]
    assert states[-4:] == [Meeting.State.RETURNED, Meeting.State.RETURNED, Meeting.State.SUBMITTED, Meeting.State.APPROVED]
    assert rows[-3].minutes == "补充后的记录" and rows[-3].history_user == leader.user
    assert rows[-1].history_user == secretary.user and rows[-4].history_user == secretary.user
    assert {Meeting.State.SCHEDULED, Meeting.State.IN_PROGRESS, Meeting.State.HELD} <= set(states)


def test_attendance_rows_created_in_bulk_have_their_history(held_meeting, leader, member):
    rows = list(Attendance.objects.filter(meeting=held_meeting))
    assert rows and all(history_of(row)[0].history_type == "+" for row in rows)
    meeting_services.attendance_set(meeting=held_meeting, by=leader, member_id=member.pk, status="leave",
                                    leave_reason="出差")
    attendance = Attendance.objects.get(meeting=held_meeting, member=member)
    assert [h.status for h in history_of(attendance)] == ["unmarked", "present", "leave"]


def test_topic_notes_saved_by_conditional_update_keep_each_version(held_meeting, leader):
    item = held_meeting.agenda_items.order_by("position").first()
    for text in ("第一稿", "第二稿"):
        item = meeting_services.agenda_notes_save(item=item, by=leader, notes=text, version=item.version)
    assert [h.notes for h in history_of(AgendaItem.objects.get(pk=item.pk))][-2:] == ["第一稿", "第二稿"]


# Evaluations ------------------------------------------------------------------------------


def test_the_drafts_created_in_bulk_for_a_session_start_their_history(session, leader, member, third):
    drafts = list(SelfEvaluation.objects.filter(session=session))
    assert len(drafts) == 3
    assert all([h.history_type for h in history_of(draft)] == ["+"] for draft in drafts)


def test_a_self_evaluation_keeps_each_saved_text_and_its_submission(client, session, member):
    evaluation = session.self_evaluations.get(member=member)
    client.force_login(member.user)
    for text in ("初稿", "修改稿"):
        evaluation.refresh_from_db()
        client.post(reverse("sanping:self_evaluation_save", args=[session.pk]),
                    {"problems": text, "causes": "原因", "direction": "方向", "version": evaluation.version})
    client.post(reverse("sanping:self_evaluation_submit", args=[session.pk]),
                {"problems": "修改稿", "causes": "原因", "direction": "方向", "version": evaluation.version + 1})
    rows = history_of(evaluation)
    assert [r.problems for r in rows][-3:] == ["初稿", "修改稿", "修改稿"]
    assert rows[-1].state == SelfEvaluation.State.SUBMITTED and rows[-1].history_user == member.user


def test_a_mutual_evaluation_is_kept_with_its_author(client, evaluating_session, member, leader):
    client.force_login(member.user)
    client.post(reverse("sanping:mutual_add", args=[evaluating_session.pk]),
                {"evaluatee": leader.pk, "problems": "会前准备不足", "suggestions": "提前准备"})
    mutual = MutualEvaluation.objects.get(session=evaluating_session, evaluator=member)
    [row] = history_of(mutual)
    assert row.history_type == "+" and row.problems == "会前准备不足" and row.history_user == member.user


def test_the_speaking_order_set_in_bulk_and_the_record_of_each_speaker_are_kept(evaluating_session, leader, member, third):
    slots = list(SpeakingSlot.objects.filter(session=evaluating_session).order_by("position"))
    assert all(history_of(slot)[0].history_type == "+" for slot in slots)
    assert all(history_of(slot)[0].history_user == leader.user for slot in slots)
    session = services.speaker_set(session=evaluating_session, by=leader, slot=slots[0])
    slot = services.slot_notes_save(slot=slots[0], by=leader, notes="发言要点", version=slots[0].notes_version)
    assert history_of(slot)[-1].notes == "发言要点"


def test_replacing_the_speaking_order_keeps_the_old_one_in_history(opened_session, leader, member, third):
    services.speaking_order_set(session=opened_session, by=leader, member_ids=[leader.pk, member.pk, third.pk])
    first = list(SpeakingSlot.objects.filter(session=opened_session))
    services.speaking_order_set(session=opened_session, by=leader, member_ids=[third.pk, member.pk, leader.pk])
    assert all([h.history_type for h in history_of(slot)] == ["+", "-"] for slot in first)


# Comments and the summary ----------------------------------------------------------------------


@pytest.fixture
def summary_session(evaluating_session, leader):
    for slot in evaluating_session.slots.order_by("position"):
        services.speaker_set(session=evaluating_session, by=leader, slot=slot)
    return services.session_advance(session=evaluating_session, by=leader)


def test_the_leaders_comment_keeps_each_version(summary_session, leader, member):
    services.comment_save(session=summary_session, by=leader, member=member, text="第一次点评")
    comment = services.comment_save(session=summary_session, by=leader, member=member, text="修改后的点评")
    assert [h.text for h in history_of(comment)] == ["第一次点评", "修改后的点评"]


def test_the_summary_keeps_each_version(summary_session, leader):
    session = services.summary_save(session=summary_session, by=leader, achievements="成绩", shortcomings="不足",
                                    next_steps="措施", version=summary_session.version)
    session = services.summary_save(session=session, by=leader, achievements="成绩（改）", shortcomings="不足",
                                    next_steps="措施", version=session.version)
    assert [h.achievements for h in history_of(SanpingSession.objects.get(pk=session.pk))][-2:] == ["成绩", "成绩（改）"]


# Rectification items ---------------------------------------------------------------------------


def test_a_rectification_item_keeps_its_whole_life_and_its_removal(summary_session, leader, member):
    import datetime

    from django.utils import timezone

    session = services.summary_save(session=summary_session, by=leader, achievements="成绩", shortcomings="不足",
                                    next_steps="要求", version=summary_session.version)
    for person in Attendance.objects.filter(meeting=session.meeting, is_guest=False).select_related("member"):
        services.comment_save(session=session, by=leader, member=person.member, text="点评")
    session = services.session_advance(session=session, by=leader)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    item = services.rectification_add(session=session, by=leader, member=member, problem="学习不够", measure="每周学习",
                                      deadline=deadline)
    item = services.rectification_mark_done(item=item, by=member, evidence="学习笔记")
    item = services.rectification_verify(item=item, by=leader)
    assert [h.state for h in history_of(item)] == ["open", "done", "verified"]
    extra = services.rectification_add(session=session, by=leader, member=member, problem="多余", measure="多余",
                                       deadline=deadline)
    pk = extra.pk
    services.rectification_remove(item=extra, by=leader)
    assert [h.history_type for h in RectificationItem.history.filter(id=pk).order_by("history_date")] == ["+", "-"]


# No bulk write behind history's back -----------------------------------------------------------

# Conditional updates that the service follows with a save() (one history row per version),
# and updates of fields the history leaves out.
# Member.must_change_password is left out of the member's history (an account detail).
ALLOWED = {
    ("meetings/services.py", "AgendaItem.objects.filter(pk=item.pk, version=version).update(notes=notes"),
    ("sanping/services.py", "SpeakingSlot.objects.filter(pk=slot.pk, notes_version=version).update(notes=notes"),
    ("members/services.py", ".update(must_change_password=False)"),
}
SERVICE_FILES = ["meetings/services.py", "sanping/services.py", "members/services.py", "meetings/cadence.py",
                 "meetings/notifications.py", "meetings/reminders.py", "meetings/ledger.py", "meetings/tasks.py",
                 "sanping/tasks.py"]


def test_no_service_writes_a_tracked_model_in_bulk_without_its_history():
    tracked = sorted({model.__name__ for model in registered_models.values()})
    pattern = re.compile(r"\b(%s)\.objects\b.*?\.(bulk_create|bulk_update|update)\(" % "|".join(tracked))
    found = []
    for name in SERVICE_FILES:
        path = ROOT / name
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = pattern.search(line)
            if match and not any(name == file and text in line for file, text in ALLOWED):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, ("Bulk writes of history-tracked models bypass simple-history; use bulk_create_with_history/"
                       "bulk_update_with_history or save():\n" + "\n".join(found))
