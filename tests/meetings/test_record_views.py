"""The meeting pages and actions, per role: who sees what, who may do what, and what a
refusal looks like."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Meeting
from tests.factories import MemberFactory

from .conftest import at

# Who sees a published meeting of the member's group (200) and who gets 404.
SEES_MEETING = {
    "member": 200, "leader": 200, "secretary": 200, "committee": 200,
    "other_member": 404, "other_leader": 404, "outsider": 404, "staff": 404,
}


def as_(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona,status", SEES_MEETING.items())
def test_meeting_page_is_for_the_group_and_the_branch(client, personas, persona, status, schedule):
    meeting = schedule()
    response = as_(client, personas[persona]).get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == status
    if status == 200:
        assert meeting.title in response.content.decode()


def test_a_guest_from_the_branch_sees_the_meeting_they_guide(client, schedule, secretary):
    meeting = schedule(guests=[secretary])
    assert as_(client, secretary.user).get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_a_draft_is_hidden_from_ordinary_members(client, schedule, member, leader):
    meeting = schedule(publish=False)
    assert as_(client, member.user).get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert as_(client, leader.user).get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_the_list_shows_only_visible_meetings(client, schedule, member, other_leader):
    mine = schedule(title="本组会议")
    theirs = services.meeting_create(
        by=other_leader, group=other_leader.group, kind="group_meeting", title="别组会议", starts_at=at(5),
        ends_at=at(5, 16), place="二楼", chair=other_leader, recorder=None, agenda=[services.AgendaEntry("学习", "study")],
    )
    text = as_(client, member.user).get(reverse("meetings:list")).content.decode()
    assert mine.title in text and theirs.title not in text


def test_list_filters_by_kind_and_when(client, schedule, leader):
    schedule(title="主题党日活动", kind="theme_day")
    schedule(title="普通小组会")
    page = as_(client, leader.user).get(reverse("meetings:list"), {"kind": "theme_day", "when": "upcoming"})
    titles = [m.title for m in page.context["page"].object_list]
    assert titles == ["主题党日活动"]


def test_list_bad_filter_values_are_not_errors(client, leader, schedule):
    schedule()
    response = as_(client, leader.user).get(reverse("meetings:list"), {"kind": "nonsense", "period_after": "2026-13-45", "page": "x"})
    assert response.status_code == 200


def test_list_costs_the_same_queries_for_few_and_many(client, schedule, leader):
    schedule()
    as_(client, leader.user).get(reverse("meetings:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("meetings:list"))
    for n in range(6):
        schedule(title=f"会议{n}", days=8 + n)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("meetings:list"))
    assert len(few.captured_queries) == len(many.captured_queries)


def post_form(client, url, **overrides):
    data = {
        "kind": "group_meeting", "title": "十二月党小组会", "date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "start_time": "14:30", "end_time": "16:00", "place": "三楼会议室",
        "agenda-TOTAL_FORMS": "2", "agenda-INITIAL_FORMS": "0",
        "agenda-0-title": "学习二十届四中全会精神", "agenda-0-category": "study",
        "agenda-1-title": "", "agenda-1-category": "",
    }
    data.update(overrides)
    return client.post(url, data)


def test_leader_schedules_through_the_form(client, leader, member, secretary):
    as_(client, leader.user)
    response = post_form(client, reverse("meetings:create"), chair=leader.pk, guests=[secretary.pk], publish="1")
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.state == "scheduled"
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "14:30"
    assert meeting.attendances.get(member=secretary).is_guest


def test_bad_schedule_input_keeps_everything_typed(client, leader):
    as_(client, leader.user)
    response = post_form(client, reverse("meetings:create"), chair=leader.pk, start_time="16:00", end_time="15:00",
                         **{"agenda-0-category": ""})
    assert response.status_code == 200
    text = response.content.decode()
    assert "十二月党小组会" in text and "学习二十届四中全会精神" in text
    assert response.context["form"].errors["end_time"]
    assert response.context["formset"].forms[0].errors["category"]
    assert not Meeting.objects.exists()


def test_publishing_a_meeting_in_the_past_is_refused_with_the_form_kept(client, leader):
    as_(client, leader.user)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = post_form(client, reverse("meetings:create"), chair=leader.pk, date=yesterday, publish="1")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "十二月党小组会" in response.content.decode()


def test_a_member_cannot_open_the_schedule_form(client, member):
    assert as_(client, member.user).get(reverse("meetings:create")).status_code == 403


@pytest.mark.parametrize("persona,status", [("leader", 200), ("secretary", 200), ("member", 403)])
def test_chair_console_is_for_those_who_run_the_meeting(client, personas, persona, status, schedule):
    meeting = schedule(days=0, starts_at=timezone.now() + datetime.timedelta(minutes=5),
                       ends_at=timezone.now() + datetime.timedelta(hours=2))
    assert as_(client, personas[persona]).get(reverse("meetings:chair", args=[meeting.pk])).status_code == status


def test_attendance_by_htmx_answers_with_the_row_and_new_counts(client, held_meeting, leader, member):
    url = reverse("meetings:attendance", args=[held_meeting.pk, member.pk])
    response = as_(client, leader.user).post(url, {"status": "absent"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="attendance-counts"' in text and 'hx-swap-oob="true"' in text
    assert held_meeting.attendances.get(member=member).status == "absent"


def test_leave_without_reason_is_refused_and_the_choice_kept(client, held_meeting, leader, member):
    url = reverse("meetings:attendance", args=[held_meeting.pk, member.pk])
    response = as_(client, leader.user).post(url, {"status": "leave", "leave_reason": ""}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert 'role="alert"' in text
    assert 'value="leave" checked' in text
    assert held_meeting.attendances.get(member=member).status == "present"


def test_notes_autosave_and_conflict(client, held_meeting, leader):
    item = held_meeting.agenda_items.first()
    url = reverse("meetings:notes", args=[held_meeting.pk, item.pk])
    client = as_(client, leader.user)
    ok = client.post(url, {"notes": "第一段笔记", "version": item.version}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and f'value="{item.version + 1}"' in ok.content.decode()
    stale = client.post(url, {"notes": "过期的笔记", "version": item.version}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409
    assert AgendaItem.objects.get(pk=item.pk).notes == "第一段笔记"


def test_an_expired_session_gets_401_on_autosave_not_the_sign_in_page(client, held_meeting):
    item = held_meeting.agenda_items.first()
    response = client.post(reverse("meetings:notes", args=[held_meeting.pk, item.pk]),
                           {"notes": "x", "version": item.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 401


def test_very_long_notes_are_refused_with_a_limit_not_a_500(client, held_meeting, leader):
    item = held_meeting.agenda_items.first()
    response = as_(client, leader.user).post(
        reverse("meetings:notes", args=[held_meeting.pk, item.pk]), {"notes": "字" * 50_000, "version": item.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "20000" in response.content.decode()


def test_second_minutes_save_is_refused_and_keeps_the_typed_text(client, held_meeting, leader, member):
    url = reverse("meetings:minutes", args=[held_meeting.pk])
    version = held_meeting.version
    as_(client, leader.user).post(url, {"minutes": "组长的记录", "summary": "", "version": version})
    response = client.post(url, {"minutes": "另一人的记录", "summary": "", "version": version})
    assert response.status_code == 400
    text = response.content.decode()
    assert "另一人的记录" in text
    assert Meeting.objects.get(pk=held_meeting.pk).minutes == "组长的记录"


def test_return_without_comment_is_refused_with_a_message(client, submitted_meeting, secretary):
    response = as_(client, secretary.user).post(reverse("meetings:return", args=[submitted_meeting.pk]), {"comment": " "})
    assert response.status_code == 400
    assert Meeting.objects.get(pk=submitted_meeting.pk).state == "submitted"


@pytest.mark.parametrize("persona,status", [("secretary", 302), ("committee", 302), ("leader", 403), ("member", 403), ("outsider", 404)])
def test_only_the_branch_approves(client, personas, persona, status, submitted_meeting):
    response = as_(client, personas[persona]).post(reverse("meetings:approve", args=[submitted_meeting.pk]))
    assert response.status_code == status


def test_an_approved_record_refuses_every_write_page(client, submitted_meeting, secretary, leader, member):
    services.meeting_approve(meeting=submitted_meeting, by=secretary)
    meeting = Meeting.objects.get(pk=submitted_meeting.pk)
    item = meeting.agenda_items.first()
    for user in (leader.user, secretary.user):
        as_(client, user)
        assert client.post(reverse("meetings:minutes", args=[meeting.pk]), {"minutes": "x", "summary": "x", "version": meeting.version}).status_code == 403
        assert client.post(reverse("meetings:notes", args=[meeting.pk, item.pk]), {"notes": "x", "version": item.version}).status_code == 403
        assert client.get(reverse("meetings:edit", args=[meeting.pk])).status_code == 403
        assert client.post(reverse("meetings:attendance", args=[meeting.pk, member.pk]), {"status": "absent"}).status_code in (302, 403)
    assert Meeting.objects.get(pk=meeting.pk).minutes == "会议记录正文"
    assert meeting.attendances.get(member=member).status == "present"


def test_review_queue_is_the_branchs(client, submitted_meeting, secretary, member):
    response = as_(client, secretary.user).get(reverse("meetings:review_queue"))
    assert [m.pk for m in response.context["page"].object_list] == [submitted_meeting.pk]
    assert as_(client, member.user).get(reverse("meetings:review_queue")).status_code == 403


def test_review_queue_costs_the_same_queries_for_few_and_many(client, secretary, leader, schedule):
    schedule(title="第一个会")
    as_(client, secretary.user).get(reverse("meetings:review_queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("meetings:review_queue"), {"state": ""})
    for n in range(5):
        schedule(title=f"会议{n}", days=3 + n)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("meetings:review_queue"), {"state": ""})
    assert len(few.captured_queries) == len(many.captured_queries)


def test_record_page_costs_the_same_queries_for_small_and_large_groups(client, leader, schedule, secretary):
    small = schedule()
    for _ in range(12):
        MemberFactory(group=leader.group)
    large = schedule(title="大会")
    as_(client, secretary.user).get(reverse("meetings:detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as q_small:
        client.get(reverse("meetings:detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as q_large:
        client.get(reverse("meetings:detail", args=[large.pk]))
    assert len(q_small.captured_queries) == len(q_large.captured_queries)


def test_history_page_lists_changes(client, submitted_meeting, leader):
    response = as_(client, leader.user).get(reverse("meetings:history", args=[submitted_meeting.pk]))
    assert response.status_code == 200
    assert "会议记录正文" in response.content.decode()


def test_unknown_meeting_is_404(client, leader):
    assert as_(client, leader.user).get(reverse("meetings:detail", args=[987654])).status_code == 404


def test_home_shows_upcoming_meetings_and_records_to_complete(client, schedule, held_meeting, leader, member):
    upcoming = schedule(title="下周的会")
    leader_home = as_(client, leader.user).get(reverse("home")).content.decode()
    assert upcoming.title in leader_home and held_meeting.title in leader_home
    member_home = as_(client, member.user).get(reverse("home")).content.decode()
    assert upcoming.title in member_home


def test_scheduling_on_a_statutory_holiday_saves_with_a_warning(client, leader):
    import time_machine

    as_(client, leader.user)
    with time_machine.travel(datetime.datetime(2026, 9, 20, 9, 0, tzinfo=timezone.get_current_timezone())):
        response = post_form(client, reverse("meetings:create"), chair=leader.pk, date="2026-10-02")
        page = client.get(response["Location"])
    assert Meeting.objects.get().starts_at.date().isoformat() == "2026-10-02"
    warnings = [str(m) for m in page.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and "2026-10-02" in warnings[0]
