"""The scheduling and review state machine, through the services, as the procedure runs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Meeting, Notification, ReviewEvent, StaleEdit, TransitionError
from meetings.services import AgendaEntry

from .conftest import AGENDA, at

S = Meeting.State


def notified(member, kind):
    return Notification.objects.filter(recipient=member, kind=kind, channel=Notification.Channel.APP).count()


def test_every_transition_in_the_table_and_no_other():
    allowed = Meeting.TRANSITIONS
    for source in S:
        for target in S:
            meeting = Meeting(state=source)
            if (source, target) in allowed:
                meeting.transition_to(target)
                assert meeting.state == target
            else:
                with pytest.raises(TransitionError):
                    meeting.transition_to(target)


def test_a_draft_notifies_nobody_and_expects_the_whole_group(schedule, leader, member, group):
    meeting = schedule(publish=False)
    assert meeting.state == S.DRAFT
    assert Notification.objects.count() == 0
    expected = set(meeting.attendances.filter(is_guest=False).values_list("member_id", flat=True))
    assert expected == set(group.members.values_list("pk", flat=True))
    assert [i.title for i in meeting.agenda_items.order_by("position")] == [a.title for a in AGENDA]


def test_publishing_notifies_every_attendee_once(schedule, leader, member, secretary):
    meeting = schedule(publish=False, guests=[secretary])
    services.meeting_publish(meeting=meeting, by=leader)
    for person in (leader, member, secretary):
        assert notified(person, "meeting_published") == 1
    with pytest.raises(PermissionDenied):  # publishing is for drafts only
        services.meeting_publish(meeting=meeting, by=leader)
    assert notified(member, "meeting_published") == 1


def test_guests_are_not_counted_among_the_expected(member, secretary, schedule):
    meeting = schedule(guests=[secretary])
    guest = meeting.attendances.get(member=secretary)
    assert guest.is_guest
    assert meeting.attendances.filter(is_guest=False).count() == 2


def test_only_branch_committee_can_be_guidance_guests(schedule, other_member):
    with pytest.raises(ValidationError):
        schedule(guests=[other_member])


def test_a_meeting_cannot_end_before_it_starts(schedule):
    with pytest.raises(ValidationError) as excinfo:
        schedule(starts_at=at(7, 16), ends_at=at(7, 14))
    assert "ends_at" in excinfo.value.message_dict


def test_a_meeting_in_the_past_cannot_be_published(schedule, leader):
    meeting = schedule(publish=False, starts_at=at(-2, 14), ends_at=at(-2, 16))
    with pytest.raises(ValidationError):
        services.meeting_publish(meeting=meeting, by=leader)
    assert Meeting.objects.get(pk=meeting.pk).state == S.DRAFT


def test_a_meeting_needs_an_agenda(schedule):
    with pytest.raises(ValidationError):
        schedule(agenda=[])


@pytest.mark.parametrize("persona", ["member", "other_leader", "other_member", "outsider"])
def test_only_the_leader_or_the_branch_schedules_a_groups_meeting(request, persona, schedule):
    with pytest.raises(PermissionDenied):
        schedule(by=request.getfixturevalue(persona))


@pytest.mark.parametrize("persona", ["secretary", "committee"])
def test_the_branch_can_schedule_for_a_group(request, persona, schedule):
    assert schedule(by=request.getfixturevalue(persona)).state == S.SCHEDULED


def test_rescheduling_a_published_meeting_tells_the_attendees_each_time(schedule, leader, member):
    meeting = schedule()
    for n, days in enumerate([8, 9], start=1):
        meeting = services.meeting_update_schedule(
            meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title=meeting.title,
            starts_at=at(days), ends_at=at(days, 16), place=meeting.place, chair=leader, recorder=None, agenda=AGENDA,
        )
        assert meeting.reschedule_count == n
    assert notified(member, "meeting_rescheduled") == 2


def test_editing_a_draft_is_no_reschedule(schedule, leader, member):
    meeting = schedule(publish=False)
    services.meeting_update_schedule(
        meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title="新标题",
        starts_at=at(10), ends_at=at(10, 16), place="二楼", chair=leader, recorder=None, agenda=AGENDA,
    )
    assert notified(member, "meeting_rescheduled") == 0


def test_rescheduling_into_the_past_is_refused(schedule, leader):
    meeting = schedule()
    with pytest.raises(ValidationError):
        services.meeting_update_schedule(
            meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title=meeting.title,
            starts_at=at(-1), ends_at=at(-1, 16), place=meeting.place, chair=leader, recorder=None, agenda=AGENDA,
        )


def test_agenda_edit_keeps_notes_of_kept_topics_and_their_new_order(schedule, leader):
    meeting = schedule(publish=False)
    first, second = meeting.agenda_items.order_by("position")
    first.notes = "已有笔记"
    first.save()
    agenda = [AgendaEntry(second.title, second.category, second.pk), AgendaEntry(first.title, first.category, first.pk),
              AgendaEntry("新增议题", "party_affairs")]
    services.meeting_update_schedule(
        meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title=meeting.title,
        starts_at=meeting.starts_at, ends_at=meeting.ends_at, place=meeting.place, chair=leader, recorder=None,
        agenda=agenda,
    )
    items = list(meeting.agenda_items.order_by("position"))
    assert [i.title for i in items] == [second.title, first.title, "新增议题"]
    assert items[1].notes == "已有笔记"


def test_cancelling_needs_a_reason_and_tells_attendees(schedule, leader, member):
    meeting = schedule()
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, by=leader, reason="   ")
    meeting = services.meeting_cancel(meeting=meeting, by=leader, reason="与上级会议冲突")
    assert meeting.state == S.CANCELLED and meeting.cancel_reason == "与上级会议冲突"
    assert notified(member, "meeting_cancelled") == 1


def test_a_meeting_cannot_be_opened_before_its_day(schedule, leader):
    meeting = schedule(days=3)
    with pytest.raises(TransitionError):
        services.meeting_open(meeting=meeting, by=leader)


def test_closing_needs_complete_attendance(schedule, leader, member):
    meeting = schedule(days=1)
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=now, ends_at=now + datetime.timedelta(hours=2))
    meeting = services.meeting_open(meeting=meeting, by=leader)
    assert meeting.current_item == meeting.agenda_items.order_by("position").first()
    services.attendance_set(meeting=meeting, by=leader, member_id=leader.pk, status="present")
    with pytest.raises(TransitionError) as excinfo:
        services.meeting_close(meeting=meeting, by=leader)
    assert member.name in str(excinfo.value)
    services.attendance_set(meeting=meeting, by=leader, member_id=member.pk, status="absent")
    assert services.meeting_close(meeting=meeting, by=leader).state == S.HELD


def test_leave_needs_a_reason_and_owes_makeup_study(held_meeting, leader, member):
    with pytest.raises(ValidationError):
        services.attendance_set(meeting=held_meeting, by=leader, member_id=member.pk, status="leave", leave_reason=" ")
    attendance = services.attendance_set(
        meeting=held_meeting, by=leader, member_id=member.pk, status="leave", leave_reason="出差"
    )
    assert attendance.owes_makeup
    with pytest.raises(ValidationError):
        services.attendance_record_makeup(attendance=attendance, by=leader, done_on=timezone.localdate() + datetime.timedelta(days=1))
    attendance = services.attendance_record_makeup(attendance=attendance, by=leader, done_on=timezone.localdate(), note="自学会议精神")
    assert not attendance.owes_makeup and attendance.makeup_note == "自学会议精神"


def test_makeup_only_for_someone_on_leave(held_meeting, leader):
    attendance = held_meeting.attendances.get(member=leader)
    with pytest.raises(ValidationError):
        services.attendance_record_makeup(attendance=attendance, by=leader, done_on=timezone.localdate())


def test_counts_come_from_the_rows(held_meeting, leader, member):
    from meetings.selectors import attendance_counts, meeting_record

    services.attendance_set(meeting=held_meeting, by=leader, member_id=member.pk, status="leave", leave_reason="病假")
    counts = attendance_counts(meeting_record(held_meeting))
    assert (counts["expected"], counts["present"], counts["leave"], counts["absent"]) == (2, 1, 1, 0)


def test_someone_not_expected_cannot_be_marked(held_meeting, leader, other_member):
    with pytest.raises(ValidationError):
        services.attendance_set(meeting=held_meeting, by=leader, member_id=other_member.pk, status="present")


def test_a_stale_minutes_form_is_refused_and_the_first_save_stands(held_meeting, leader):
    version = held_meeting.version
    services.minutes_save(meeting=held_meeting, by=leader, version=version, minutes="甲的记录", summary="")
    with pytest.raises(StaleEdit):
        services.minutes_save(meeting=held_meeting, by=leader, version=version, minutes="乙的记录", summary="")
    assert Meeting.objects.get(pk=held_meeting.pk).minutes == "甲的记录"


def test_stale_notes_are_refused(held_meeting, leader):
    item = held_meeting.agenda_items.first()
    services.agenda_notes_save(item=item, by=leader, notes="第一版", version=item.version)
    with pytest.raises(StaleEdit):
        services.agenda_notes_save(item=item, by=leader, notes="另一版", version=item.version)
    item.refresh_from_db()
    assert item.notes == "第一版"


def test_submitting_needs_the_leaders_summary(held_meeting, leader):
    with pytest.raises(ValidationError):
        services.meeting_submit(meeting=held_meeting, by=leader)


def test_an_ordinary_member_cannot_submit(held_meeting, leader, member):
    services.minutes_save(meeting=held_meeting, by=leader, version=held_meeting.version, minutes="记录", summary="总结")
    with pytest.raises(PermissionDenied):
        services.meeting_submit(meeting=held_meeting, by=member)


def test_submit_notifies_the_reviewers(secretary, committee, member, submitted_meeting):
    assert submitted_meeting.state == S.SUBMITTED
    assert notified(secretary, "record_submitted") == 1
    assert notified(committee, "record_submitted") == 1
    assert notified(member, "record_submitted") == 0


def test_return_needs_a_comment(submitted_meeting, secretary):
    with pytest.raises(ValidationError):
        services.meeting_return(meeting=submitted_meeting, by=secretary, comment="  ")
    assert Meeting.objects.get(pk=submitted_meeting.pk).state == S.SUBMITTED


def test_return_and_resubmit_and_approve(submitted_meeting, secretary, leader):
    meeting = services.meeting_return(meeting=submitted_meeting, by=secretary, comment="请补充讨论情况")
    assert meeting.state == S.RETURNED and notified(leader, "record_returned") == 1
    meeting = services.minutes_save(meeting=meeting, by=leader, version=meeting.version, minutes="补充后的记录", summary="组长总结")
    meeting = services.meeting_submit(meeting=meeting, by=leader, comment="已补充")
    meeting = services.meeting_approve(meeting=meeting, by=secretary)
    assert meeting.state == S.APPROVED and meeting.approved_by == secretary and meeting.is_locked
    actions = list(ReviewEvent.objects.filter(meeting=meeting).values_list("action", flat=True))
    assert actions == ["submitted", "returned", "submitted", "approved"]


@pytest.mark.parametrize("persona", ["leader", "member", "other_leader", "outsider"])
def test_only_the_branch_reviews(request, persona, submitted_meeting):
    with pytest.raises(PermissionDenied):
        services.meeting_approve(meeting=submitted_meeting, by=request.getfixturevalue(persona))


def test_an_approved_record_cannot_be_changed_by_anyone(submitted_meeting, secretary, leader):
    meeting = services.meeting_approve(meeting=submitted_meeting, by=secretary)
    item = meeting.agenda_items.first()
    for person in (leader, secretary):
        with pytest.raises((PermissionDenied, TransitionError)):
            services.minutes_save(meeting=meeting, by=person, version=meeting.version, minutes="改", summary="改")
        with pytest.raises((PermissionDenied, TransitionError)):
            services.agenda_notes_save(item=item, by=person, notes="改", version=item.version)
        with pytest.raises((PermissionDenied, TransitionError)):
            services.attendance_set(meeting=meeting, by=person, member_id=leader.pk, status="absent")
        with pytest.raises((PermissionDenied, TransitionError)):
            services.meeting_return(meeting=meeting, by=person, comment="再改")
        with pytest.raises((PermissionDenied, TransitionError, ValidationError)):
            services.meeting_cancel(meeting=meeting, by=person, reason="取消")
    assert Meeting.objects.get(pk=meeting.pk).minutes == "会议记录正文"


def test_every_change_before_approval_is_in_the_history(submitted_meeting, leader, secretary):
    from meetings.history import record_history

    meeting = services.meeting_return(meeting=submitted_meeting, by=secretary, comment="补充")
    services.minutes_save(meeting=meeting, by=leader, version=meeting.version, minutes="新记录", summary="组长总结")
    history = record_history(meeting)
    minutes_changes = [c for e in history for c in e.changes if c.label == "会议记录"]
    assert [(c.before, c.after) for c in minutes_changes][:2] == [("会议记录正文", "新记录"), ("—", "会议记录正文")]


def test_changes_since_return_show_the_new_minutes(submitted_meeting, leader, secretary):
    from meetings.history import changes_since_return

    meeting = services.meeting_return(meeting=submitted_meeting, by=secretary, comment="补充")
    assert changes_since_return(meeting) == []
    services.minutes_save(meeting=meeting, by=leader, version=meeting.version, minutes="补充了讨论", summary="组长总结")
    item = meeting.agenda_items.first()
    services.agenda_notes_save(item=item, by=leader, notes="补充笔记", version=item.version)
    changes = {c.label: (c.before, c.after) for c in changes_since_return(meeting)}
    assert changes["会议记录"] == ("会议记录正文", "补充了讨论")
    assert changes[f"笔记：{item.title}"] == ("—", "补充笔记")


def test_mark_held_only_after_the_start(schedule, leader):
    meeting = schedule(days=2)
    with pytest.raises(TransitionError):
        services.meeting_mark_held(meeting=meeting, by=leader)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=at(-1), ends_at=at(-1, 16))
    assert services.meeting_mark_held(meeting=meeting, by=leader).state == S.HELD


def test_attendees_of_the_time_are_kept_after_a_transfer(held_meeting, member, other_group):
    member.group = other_group
    member.save()
    assert held_meeting.attendances.filter(member=member).exists()


def test_status_rows_stay_unique(held_meeting, member):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=held_meeting, member=member)


def test_expected_attendees_enter_the_history_with_who_scheduled_them(schedule, leader, member):
    meeting = schedule()
    rows = Attendance.history.filter(meeting_id=meeting.pk, history_type="+")
    assert {r.member_id for r in rows} == {leader.pk, member.pk}
    assert {r.history_user_id for r in rows} == {leader.user_id}
