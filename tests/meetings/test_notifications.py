"""The notification centre: list, open (marks read, goes to the meeting), read all."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.context_processors import notification_count
from meetings.models import Notification
from meetings.notifications import notify
from meetings.services import AgendaEntry

pytestmark = pytest.mark.django_db


def publish(leader, title="学习党章党规"):
    starts_at = timezone.now() + datetime.timedelta(days=3)
    return services.meeting_create(
        by=leader, group=leader.group, kind="group_meeting", title=title, starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2), place="三楼会议室", chair=leader, recorder=None,
        agenda=[AgendaEntry(title="学习党章", category="study")], publish=True,
    )


def note(recipient, key, url="/meetings/1/", **params):
    notify(recipients=[recipient], kind="record_approved", subject_key=key, params={"title": key, **params}, url=url)
    return Notification.objects.get(recipient=recipient, subject_key=key)


def test_member_sees_the_notification_of_a_published_meeting(client, member, leader):
    meeting = publish(leader)
    client.force_login(member.user)
    response = client.get(reverse("meetings:notifications"))
    html = response.content.decode()
    assert "新会议：“学习党章党规”" in html and "三楼会议室" in html
    assert 'data-unread="1"' in html and "未读" in html
    assert Notification.objects.get(recipient=member).url == reverse("meetings:detail", args=[meeting.pk])


def test_newest_first_and_paginated(client, member):
    for number in range(25):
        n = note(member, f"记录{number:02d}")
        Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() + datetime.timedelta(minutes=number))
    client.force_login(member.user)
    first_page = client.get(reverse("meetings:notifications")).content.decode()
    assert "记录24" in first_page and "记录05" in first_page and "记录04" not in first_page
    assert first_page.index("记录24") < first_page.index("记录23")
    second_page = client.get(reverse("meetings:notifications"), {"page": 2}).content.decode()
    assert "记录04" in second_page and "记录00" in second_page


def test_opening_marks_read_and_goes_to_the_meeting(client, member, leader):
    meeting = publish(leader)
    notification = Notification.objects.get(recipient=member)
    client.force_login(member.user)
    response = client.post(reverse("meetings:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_twice_keeps_the_first_reading_time(client, member):
    notification = note(member, "一次")
    client.force_login(member.user)
    client.post(reverse("meetings:notification_open", args=[notification.pk]))
    notification.refresh_from_db()
    first = notification.read_at
    client.post(reverse("meetings:notification_open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first


def test_opening_is_a_post(client, member):
    notification = note(member, "只能POST")
    client.force_login(member.user)
    assert client.get(reverse("meetings:notification_open", args=[notification.pk])).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "", "meetings/1/", "/\\evil.example"]
)
def test_an_address_off_this_site_leads_back_to_the_list(client, member, url):
    notification = note(member, f"不安全{url}", url=url)
    client.force_login(member.user)
    response = client.post(reverse("meetings:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("meetings:notifications")


@pytest.mark.parametrize("persona", ["leader", "other_member", "secretary", "outsider"])
def test_another_persons_notification_is_404(client, personas, member, persona):
    notification = note(member, "别人的")
    client.force_login(personas[persona])
    assert client.post(reverse("meetings:notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "别人的" not in client.get(reverse("meetings:notifications")).content.decode()


def test_mark_all_read_touches_only_ones_own(client, member, leader):
    note(member, "一")
    note(member, "二")
    theirs = note(leader, "组长的")
    client.force_login(member.user)
    response = client.post(reverse("meetings:notifications_read_all"), follow=True)
    assert "所有提醒已标为已读" in response.content.decode()
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert 'data-unread="1"' not in response.content.decode()


def test_mark_all_read_is_a_post(client, member):
    note(member, "一")
    client.force_login(member.user)
    assert client.get(reverse("meetings:notifications_read_all")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).exists()


def test_email_copies_are_not_listed(client, member):
    Notification.objects.create(
        recipient=member, kind="record_approved", subject_key="email-copy", channel="email", params={"title": "仅发邮件的记录"}
    )
    client.force_login(member.user)
    assert "仅发邮件的记录" not in client.get(reverse("meetings:notifications")).content.decode()


def test_empty_centre_says_so(client, member):
    client.force_login(member.user)
    assert "暂无提醒" in client.get(reverse("meetings:notifications")).content.decode()


def test_signed_out_and_non_members(client, staff):
    assert client.get(reverse("meetings:notifications")).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("meetings:notifications")).status_code == 404


def test_list_costs_the_same_queries_with_one_or_five(client, member):
    note(member, "第0条")
    client.force_login(member.user)
    url = reverse("meetings:notifications")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(1, 5):
        note(member, f"第{number}条")
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == len(one)


# The unread count for the navigation bar ------------------------------------------


def test_context_processor_counts_unread_in_one_query(member, django_assert_num_queries):
    note(member, "一")
    read = note(member, "二")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    request = RequestFactory().get("/")
    request.user = member.user
    member.user.member  # the member is already loaded by the time a page renders
    with django_assert_num_queries(1):
        assert notification_count(request) == {"unread_notifications": 1}


def test_context_processor_is_empty_for_signed_out_and_non_members(staff):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert notification_count(request) == {}
    request.user = staff
    assert notification_count(request) == {}
