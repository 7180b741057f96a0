"""The month calendar, the .ics download and the private subscription feed."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.models import CalendarFeed, Meeting
from meetings.services import AgendaEntry
from tests.factories import AttendanceFactory, MeetingFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def next_month_at(day: int, hour: int) -> datetime.datetime:
    """A time in Shanghai on `day` of next month: always in the future."""
    today = timezone.localdate()
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return datetime.datetime(first.year, first.month, day, hour, 0, tzinfo=SHANGHAI)


def month_param(when: datetime.datetime) -> str:
    return when.astimezone(SHANGHAI).strftime("%Y-%m")


def schedule(leader, *, starts_at, title="学习党章党规", publish=True, agenda=("学习党章", "交流心得"), **kwargs):
    return services.meeting_create(
        by=leader, group=leader.group, kind=kwargs.pop("kind", Meeting.Kind.GROUP_MEETING), title=title,
        starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2), place="三楼会议室",
        chair=kwargs.pop("chair", leader), recorder=None,
        agenda=[AgendaEntry(title=t, category="study") for t in agenda], publish=publish, **kwargs,
    )


def parse(response) -> Calendar:
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


# The month view ------------------------------------------------------------------


def test_member_sees_the_months_meetings_with_time_kind_and_state(client, member, leader):
    meeting = schedule(leader, starts_at=next_month_at(10, 9), kind=Meeting.Kind.THEME_DAY, title="主题党日活动")
    client.force_login(member.user)
    response = client.get(reverse("meetings:calendar"), {"month": month_param(meeting.starts_at)})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("meetings:detail", args=[meeting.pk]) in html
    assert "主题党日活动" in html and "09:00" in html
    assert "主题党日" in html  # kind
    assert meeting.get_state_display() in html
    assert "星期一" in html and html.index("星期一") < html.index("星期日")  # Monday first, in Chinese


def test_month_title_and_previous_and_next_links(client, member):
    client.force_login(member.user)
    response = client.get(reverse("meetings:calendar"), {"month": "2026-01"})
    html = response.content.decode()
    assert "2026年1月" in html
    assert "?month=2025-12" in html and "?month=2026-02" in html


def test_today_is_highlighted_in_the_current_month(client, member):
    client.force_login(member.user)
    response = client.get(reverse("meetings:calendar"))
    assert 'data-testid="calendar-today"' in response.content.decode()
    assert response.context["first"] == timezone.localdate().replace(day=1)


def test_cancelled_meetings_are_hidden_unless_asked_for(client, member, leader):
    meeting = schedule(leader, starts_at=next_month_at(12, 14), title="将取消的会议")
    services.meeting_cancel(meeting=meeting, by=leader, reason="与上级会议冲突")
    client.force_login(member.user)
    url = reverse("meetings:calendar")
    assert "将取消的会议" not in client.get(url, {"month": month_param(meeting.starts_at)}).content.decode()
    shown = client.get(url, {"month": month_param(meeting.starts_at), "cancelled": "1"}).content.decode()
    assert "将取消的会议" in shown


def test_drafts_show_only_to_their_organisers(client, member, leader):
    draft = schedule(leader, starts_at=next_month_at(15, 9), title="草稿会议", publish=False)
    url = reverse("meetings:calendar")
    params = {"month": month_param(draft.starts_at)}
    client.force_login(member.user)
    assert "草稿会议" not in client.get(url, params).content.decode()
    client.force_login(leader.user)
    assert "草稿会议" in client.get(url, params).content.decode()


def test_another_branch_sees_none_of_our_meetings(client, leader, outsider):
    meeting = schedule(leader, starts_at=next_month_at(10, 9), title="本支部会议")
    client.force_login(outsider.user)
    response = client.get(reverse("meetings:calendar"), {"month": month_param(meeting.starts_at)})
    assert response.status_code == 200
    assert "本支部会议" not in response.content.decode()


@pytest.mark.parametrize("bad", ["2026-13", "abc", "2026-00", "0000-01", "9999-12", "2026-1-1", "２０２６-11", "-1"])
def test_a_bad_month_shows_the_current_month_with_a_chinese_message(client, member, bad):
    client.force_login(member.user)
    response = client.get(reverse("meetings:calendar"), {"month": bad})
    assert response.status_code == 200
    assert response.context["first"] == timezone.localdate().replace(day=1)
    assert "不是可以显示的月份" in response.content.decode()


def test_the_first_and_last_months_have_no_link_beyond(client, member):
    client.force_login(member.user)
    html = client.get(reverse("meetings:calendar"), {"month": "1970-01"}).content.decode()
    assert 'data-testid="previous-month"' not in html
    html = client.get(reverse("meetings:calendar"), {"month": "2999-12"}).content.decode()
    assert 'data-testid="next-month"' not in html


def test_signed_out_person_is_sent_to_sign_in(client):
    response = client.get(reverse("meetings:calendar"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_month_view_costs_the_same_queries_with_one_or_five_meetings(client, member, leader):
    client.force_login(member.user)
    url = reverse("meetings:calendar")
    first = schedule(leader, starts_at=next_month_at(3, 9))
    params = {"month": month_param(first.starts_at)}
    client.get(url, params)  # warm up (translations)
    with CaptureQueriesContext(connection) as one:
        client.get(url, params)
    for day in range(4, 8):
        schedule(leader, starts_at=next_month_at(day, 9), title=f"会议{day}")
    with CaptureQueriesContext(connection) as five:
        response = client.get(url, params)
    assert len([m for week in response.context["weeks"] for d in week for m in d.meetings]) == 5
    # session, user, member, unread notifications (navigation bar), the month's meetings,
    # the calendar feed; the session saved
    # (SESSION_SAVE_EVERY_REQUEST, three statements with its savepoint)
    assert len(five) == len(one) <= 9


def test_calendar_page_shows_the_absolute_subscription_address(client, member):
    feed = CalendarFeed.objects.create(member=member)
    client.force_login(member.user)
    html = client.get(reverse("meetings:calendar")).content.decode()
    assert f"http://testserver/calendar/feed/{feed.token}.ics" in html
    assert "看到您会议的时间和地点" in html


# The .ics download ---------------------------------------------------------------


def test_download_is_an_icalendar_attachment_with_stable_uids_and_shanghai_times(client, member, leader):
    meeting = schedule(leader, starts_at=next_month_at(10, 9), title="学习二十大精神")
    client.force_login(member.user)
    response = client.get(reverse("meetings:ics_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    events = events_by_uid(parse(response))
    event = events[f"meeting-{meeting.pk}@sanping"]
    start = event.decoded("dtstart")
    assert start == meeting.starts_at
    assert str(start.tzinfo) == "Asia/Shanghai" and start.hour == 9
    assert event.decoded("dtend") == meeting.ends_at
    assert str(event["summary"]) == "党小组会：学习二十大精神"
    assert str(event["location"]) == "三楼会议室"
    assert "1. 学习党章" in str(event["description"]) and "2. 交流心得" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"
    assert int(event["sequence"]) == 0
    # The same meeting keeps its UID on every download.
    assert f"meeting-{meeting.pk}@sanping" in events_by_uid(parse(client.get(reverse("meetings:ics_download"))))


def test_a_reschedule_raises_the_sequence_and_moves_the_event(client, member, leader):
    meeting = schedule(leader, starts_at=next_month_at(10, 9))
    later = next_month_at(11, 15)
    services.meeting_update_schedule(
        meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title=meeting.title,
        starts_at=later, ends_at=later + datetime.timedelta(hours=1), place="五楼会议室", chair=leader, recorder=None,
        agenda=[AgendaEntry(title="学习党章", category="study")],
    )
    client.force_login(member.user)
    event = events_by_uid(parse(client.get(reverse("meetings:ics_download"))))[f"meeting-{meeting.pk}@sanping"]
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == later
    assert event.decoded("dtstart").astimezone(SHANGHAI).hour == 15
    assert str(event["location"]) == "五楼会议室"


def test_a_cancelled_meeting_stays_with_status_cancelled(client, member, leader):
    meeting = schedule(leader, starts_at=next_month_at(10, 9))
    services.meeting_cancel(meeting=meeting, by=leader, reason="与上级会议冲突")
    client.force_login(member.user)
    event = events_by_uid(parse(client.get(reverse("meetings:ics_download"))))[f"meeting-{meeting.pk}@sanping"]
    assert str(event["status"]) == "CANCELLED"
    assert "与上级会议冲突" in str(event["description"])


def test_drafts_and_cancelled_drafts_are_left_out(client, leader):
    draft = schedule(leader, starts_at=next_month_at(10, 9), publish=False)
    dropped = schedule(leader, starts_at=next_month_at(11, 9), publish=False)
    services.meeting_cancel(meeting=dropped, by=leader, reason="不开了")
    client.force_login(leader.user)
    uids = events_by_uid(parse(client.get(reverse("meetings:ics_download"))))
    assert f"meeting-{draft.pk}@sanping" not in uids
    assert f"meeting-{dropped.pk}@sanping" not in uids


def test_the_calendar_holds_only_the_persons_own_meetings(client, member, leader, other_leader, secretary, other_group):
    ours = schedule(leader, starts_at=next_month_at(10, 9))
    theirs = schedule(other_leader, starts_at=next_month_at(10, 14))
    guided = schedule(leader, starts_at=next_month_at(12, 9), guests=[secretary])
    chaired = schedule(leader, starts_at=next_month_at(13, 9), chair=secretary)
    client.force_login(member.user)
    uids = events_by_uid(parse(client.get(reverse("meetings:ics_download"))))
    assert f"meeting-{ours.pk}@sanping" in uids and f"meeting-{theirs.pk}@sanping" not in uids
    client.force_login(secretary.user)
    uids = events_by_uid(parse(client.get(reverse("meetings:ics_download"))))
    # A guest of one meeting and chair of another; expected at their own group's meeting too.
    assert {f"meeting-{guided.pk}@sanping", f"meeting-{chaired.pk}@sanping", f"meeting-{theirs.pk}@sanping"} <= set(uids)
    assert f"meeting-{ours.pk}@sanping" not in uids


def test_a_meeting_that_took_place_stays_confirmed(client, member, leader):
    past = MeetingFactory(group=leader.group, state=Meeting.State.APPROVED, published_at=timezone.now(),
                          starts_at=timezone.now() - datetime.timedelta(days=30))
    AttendanceFactory(meeting=past, member=member, status="present")
    client.force_login(member.user)
    event = events_by_uid(parse(client.get(reverse("meetings:ics_download"))))[f"meeting-{past.pk}@sanping"]
    assert str(event["status"]) == "CONFIRMED"


def test_download_needs_a_signed_in_member(client, staff):
    assert client.get(reverse("meetings:ics_download")).status_code == 302
    client.force_login(staff)  # an administrator without a member record has no meetings
    assert client.get(reverse("meetings:ics_download")).status_code == 404


# The subscription feed -----------------------------------------------------------


def test_feed_works_without_a_session_by_its_token(client, member, leader):
    meeting = schedule(leader, starts_at=next_month_at(10, 9))
    feed = CalendarFeed.objects.create(member=member)
    response = client.get(reverse("meetings:ics_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f"meeting-{meeting.pk}@sanping" in events_by_uid(parse(response))


def test_feed_is_in_chinese_whatever_the_phone_asks_for(client, member, leader):
    meeting = schedule(leader, starts_at=next_month_at(10, 9), title="学习")
    feed = CalendarFeed.objects.create(member=member)
    response = client.get(reverse("meetings:ics_feed", args=[feed.token]), HTTP_ACCEPT_LANGUAGE="en-US")
    assert str(events_by_uid(parse(response))[f"meeting-{meeting.pk}@sanping"]["summary"]) == "党小组会：学习"


def test_unknown_token_is_404(client, member):
    CalendarFeed.objects.create(member=member)
    assert client.get(reverse("meetings:ics_feed", args=["no-such-token"])).status_code == 404


def test_feed_of_a_deactivated_member_is_404(client, member):
    feed = CalendarFeed.objects.create(member=member)
    member.user.is_active = False
    member.user.save()
    assert client.get(reverse("meetings:ics_feed", args=[feed.token])).status_code == 404


def test_reset_creates_the_feed_then_replaces_its_token(client, member):
    client.force_login(member.user)
    response = client.post(reverse("meetings:feed_reset"))
    assert response.status_code == 302 and response["Location"].endswith("/calendar/#subscription")
    old = CalendarFeed.objects.get(member=member).token
    client.post(reverse("meetings:feed_reset"))
    new = CalendarFeed.objects.get(member=member).token
    assert new != old
    client.logout()
    assert client.get(reverse("meetings:ics_feed", args=[old])).status_code == 404
    assert client.get(reverse("meetings:ics_feed", args=[new])).status_code == 200


def test_reset_is_a_post_of_a_signed_in_member(client, member):
    assert client.post(reverse("meetings:feed_reset")).status_code == 302  # to sign in
    assert not CalendarFeed.objects.exists()
    client.force_login(member.user)
    assert client.get(reverse("meetings:feed_reset")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_reset_tells_that_the_old_address_stopped_working(client, member):
    CalendarFeed.objects.create(member=member)
    client.force_login(member.user)
    response = client.post(reverse("meetings:feed_reset"), follow=True)
    assert "旧地址已失效" in response.content.decode()


def test_an_administrator_without_a_member_record_sees_an_empty_calendar(client, staff, leader):
    schedule(leader, starts_at=next_month_at(10, 9), title="支部会议")
    client.force_login(staff)
    response = client.get(reverse("meetings:calendar"))
    assert response.status_code == 200
    assert 'data-testid="subscription"' not in response.content.decode()
