"""Sign-ins issued by the secretary: first-sign-in password change, reset, departure;
transfers and leader changes with their history; throttling and password rules."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from meetings.models import Attendance
from members import services
from members.models import Member, PartyGroup
from members.roles import Role, roles_for
from tests.factories import PASSWORD, AttendanceFactory, MeetingFactory, MemberFactory

NEW_PASSWORD = "Lake-Pine-Window-42"


def sign_in_by_form(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def change_password(client, old, new=NEW_PASSWORD):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.fixture
def newcomer(secretary, group):
    """A member just given a one-time password by the secretary."""
    person = MemberFactory(group=group, name="新同志", user__username="newcomer")
    issued = services.member_password_reset(member=person, by=secretary.user)
    return person, issued["password"]


# First sign-in


def test_a_one_time_password_leads_to_the_password_change_and_nowhere_else(client, newcomer, group):
    person, password = newcomer
    response = sign_in_by_form(client, "newcomer", password)
    assert response.status_code == 302

    for url in [reverse("home"), reverse("directory"), reverse("group_detail", args=[group.pk]), reverse("meetings:list")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "一次性密码" in text and "请先设置您自己的密码" in text


def test_htmx_requests_are_sent_to_the_password_change_too(client, newcomer):
    person, password = newcomer
    sign_in_by_form(client, "newcomer", password)
    response = client.get(reverse("directory"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("password_change")


def test_sign_out_and_static_files_stay_reachable(client, newcomer):
    person, password = newcomer
    sign_in_by_form(client, "newcomer", password)
    assert client.get("/static/css/app.css").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_after_choosing_a_password_every_page_opens(client, newcomer):
    person, password = newcomer
    sign_in_by_form(client, "newcomer", password)
    response = change_password(client, password)
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.must_change_password
    assert client.get(reverse("directory")).status_code == 200
    client.logout()
    assert sign_in_by_form(client, "newcomer", password).status_code == 200  # the old one no longer works
    assert sign_in_by_form(client, "newcomer", NEW_PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_one_time_password_cannot_become_the_permanent_one(client, newcomer):
    person, password = newcomer
    sign_in_by_form(client, "newcomer", password)
    response = change_password(client, password, new=password)
    assert response.status_code == 200
    assert "新密码不能与原密码相同" in response.content.decode()
    person.refresh_from_db()
    assert person.must_change_password


@pytest.mark.parametrize("weak,reason", [
    ("abc", "密码太短：至少需要 10 个字符。"),
    ("1234567890123", "密码只包含数字。"),
    ("password123", "这个密码太常见了。"),
    ("newcomer2026", "太相似"),
])
def test_weak_passwords_are_refused_in_chinese(client, newcomer, weak, reason):
    person, password = newcomer
    sign_in_by_form(client, "newcomer", password)
    response = change_password(client, password, new=weak)
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert reason in errors
    assert reason in response.content.decode()


def test_force_login_of_a_flagged_member_is_held_too(client, newcomer):
    person, _password = newcomer
    person.user.refresh_from_db()  # the reset changed the password hash the session is tied to
    client.force_login(person.user)
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


# Reset by the secretary


def test_a_reset_replaces_the_password_and_signs_the_person_out(client, secretary, member):
    client.force_login(member.user)
    assert client.get(reverse("home")).status_code == 200
    issued = services.member_password_reset(member=member, by=secretary.user)
    # The open session ends: the password hash changed.
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    member.refresh_from_db()
    assert member.must_change_password
    assert not member.user.check_password(PASSWORD)
    assert member.user.check_password(issued["password"])


def test_only_the_secretary_or_staff_resets_and_another_branch_gets_404(client, personas, member):
    for persona in ["member", "leader", "committee"]:
        client.force_login(personas[persona])
        assert client.post(reverse("member_password_reset", args=[member.pk])).status_code == 403, persona
    client.force_login(personas["outsider"])
    assert client.post(reverse("member_password_reset", args=[member.pk])).status_code == 404
    client.force_login(personas["staff"])
    assert client.post(reverse("member_password_reset", args=[member.pk]))["Location"] == reverse("roster_passwords")
    member.refresh_from_db()
    assert member.must_change_password


def test_a_reset_is_a_post(client, secretary, member):
    client.force_login(secretary.user)
    assert client.get(reverse("member_password_reset", args=[member.pk])).status_code == 405


# Leaving the branch


def test_a_member_who_left_cannot_sign_in_and_is_kept_in_past_records(client, secretary, member, leader, group):
    meeting = MeetingFactory(group=group, state="approved", chair=leader)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(member.user)

    client_secretary = client.__class__()
    client_secretary.force_login(secretary.user)
    page = client_secretary.get(reverse("member_deactivate", args=[member.pk]))
    assert "组织关系转出" in page.content.decode()
    response = client_secretary.post(reverse("member_deactivate", args=[member.pk]))
    assert response["Location"] == reverse("member_detail", args=[member.pk])

    member.refresh_from_db()
    assert not member.user.is_active and member.left_on == datetime.date.today()
    assert "已于" in client_secretary.get(reverse("member_detail", args=[member.pk])).content.decode()
    # The open session ends, and signing in again fails.
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert sign_in_by_form(client, "member", PASSWORD).status_code == 200
    # Gone from the directory and the group page, kept in the meeting.
    assert member.name not in client_secretary.get(reverse("directory")).content.decode()
    assert member.name not in client_secretary.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert Attendance.objects.filter(meeting=meeting, member=member, status="present").exists()


def test_a_leader_who_leaves_no_longer_leads(secretary, leader, group):
    services.member_deactivate(member=leader, by=secretary.user)
    group.refresh_from_db()
    assert group.leader is None


def test_the_secretary_cannot_deactivate_themselves(secretary):
    with pytest.raises(services.RosterError, match="不能停用您自己的账号"):
        services.member_deactivate(member=secretary, by=secretary.user)


def test_reactivation_lets_the_member_sign_in_again(client, secretary, member):
    services.member_deactivate(member=member, by=secretary.user)
    client.force_login(secretary.user)
    client.post(reverse("member_reactivate", args=[member.pk]))
    member.refresh_from_db()
    assert member.user.is_active and member.left_on is None
    assert sign_in_by_form(client.__class__(), "member", PASSWORD).status_code == 302


@pytest.mark.parametrize("persona", ["member", "leader", "committee"])
def test_only_the_secretary_deactivates(client, personas, member, persona):
    client.force_login(personas[persona])
    assert client.post(reverse("member_deactivate", args=[member.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.member_deactivate(member=member, by=personas[persona])


# Transfers and leader changes


def test_a_transfer_takes_effect_at_once_and_is_kept_with_its_date(client, secretary, leader, member, group, other_group):
    meeting = MeetingFactory(group=group, state="approved", chair=leader)
    AttendanceFactory(meeting=meeting, member=leader, status="present")
    assert Role.LEADER in roles_for(leader.user, group=group)

    client.force_login(secretary.user)
    response = client.post(reverse("member_transfer", args=[leader.pk]), {"group": other_group.pk})
    assert response["Location"] == reverse("member_detail", args=[leader.pk])

    leader.refresh_from_db()
    group.refresh_from_db()
    assert leader.group == other_group and group.leader is None
    assert roles_for(leader.user, group=group) == frozenset()
    assert Role.MEMBER in roles_for(leader.user, group=other_group)
    # The past meeting keeps its chair and attendance.
    meeting.refresh_from_db()
    assert meeting.chair == leader
    assert Attendance.objects.filter(meeting=meeting, member=leader).exists()

    history = client.get(reverse("member_history", args=[leader.pk])).content.decode()
    assert f"由{group.name}调至{other_group.name}" in history
    assert f"不再担任{group.name}组长" in history
    assert datetime.date.today().isoformat() in history
    assert secretary.name in history  # who did it


def test_appointing_a_leader_gives_the_rights_at_once_and_keeps_the_history(client, secretary, leader, member, group):
    client.force_login(secretary.user)
    response = client.post(reverse("group_leader", args=[group.pk]), {"leader": member.pk})
    assert response["Location"] == reverse("group_detail", args=[group.pk])
    group.refresh_from_db()
    assert Role.LEADER in roles_for(member.user, group=group)
    assert Role.LEADER not in roles_for(leader.user, group=group)

    history = client.get(reverse("group_history", args=[group.pk])).content.decode()
    assert f"{member.name}任党小组长" in history
    member_history = client.get(reverse("member_history", args=[member.pk])).content.decode()
    assert f"任{group.name}组长" in member_history


def test_the_leader_must_be_an_active_member_of_the_group(client, secretary, group, other_member):
    client.force_login(secretary.user)
    response = client.post(reverse("group_leader", args=[group.pk]), {"leader": other_member.pk})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    with pytest.raises(services.RosterError):
        services.group_leader_appoint(group=group, leader=other_member, by=secretary.user)


def test_a_transfer_to_another_branchs_group_is_refused(secretary, member, outsider):
    with pytest.raises(services.RosterError):
        services.member_transfer(member=member, group=outsider.group, by=secretary.user)


def test_the_group_history_tells_who_came_and_went_and_who_moved_them(client, secretary, member, group, other_group):
    services.member_transfer(member=member, group=other_group, by=secretary.user)
    services.member_transfer(member=member, group=group, by=secretary.user)
    client.force_login(secretary.user)
    page = client.get(reverse("group_history", args=[group.pk])).content.decode()
    assert f"{member.name}调至{other_group.name}" in page
    assert f"{member.name}由{other_group.name}调入" in page
    assert Member.history.filter(id=member.pk).latest("history_date").history_user == secretary.user


@pytest.mark.parametrize("persona,status", [
    ("member", 200), ("leader", 200), ("secretary", 200), ("committee", 200), ("staff", 200),
    ("other_member", 403), ("outsider", 404),
])
def test_who_may_read_a_members_history(client, personas, member, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("member_history", args=[member.pk])).status_code == status


@pytest.mark.parametrize("persona,status", [
    ("leader", 200), ("secretary", 200), ("committee", 200), ("member", 403), ("outsider", 404),
])
def test_who_may_read_a_groups_history(client, personas, group, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("group_history", args=[group.pk])).status_code == status


def test_history_pages_cost_the_same_queries_however_long_the_history(client, secretary, member, group, other_group, django_assert_max_num_queries):
    client.force_login(secretary.user)
    url = reverse("member_history", args=[member.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for _ in range(3):
        services.member_transfer(member=member, group=other_group, by=secretary.user)
        services.member_transfer(member=member, group=group, by=secretary.user)
    with CaptureQueriesContext(connection) as long:
        client.get(url)
    assert len(long) == len(short)


def test_member_page_offers_the_secretary_the_roster_actions(client, personas, member):
    client.force_login(personas["secretary"])
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    for url in [reverse("member_transfer", args=[member.pk]), reverse("member_password_reset", args=[member.pk]),
                reverse("member_deactivate", args=[member.pk]), reverse("member_history", args=[member.pk])]:
        assert url in page
    client.force_login(personas["committee"])
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert reverse("member_password_reset", args=[member.pk]) not in page
    assert reverse("member_history", args=[member.pk]) in page


def test_seed_demo_keeps_working_with_history(db):
    from django.core.management import call_command

    call_command("seed_demo")
    count = Member.history.count()
    call_command("seed_demo")
    assert Member.history.count() == count
    assert PartyGroup.objects.filter(leader__isnull=False).count() == 3


# Throttling and sessions


@override_settings(AXES_ENABLED=True)
def test_five_wrong_passwords_lock_the_sign_in_name_for_a_while(client, member, other_member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in_by_form(client, "member", "wrong-password").status_code == 200
    assert sign_in_by_form(client, "member", "wrong-password").status_code == 429
    locked = sign_in_by_form(client, "member", PASSWORD)  # even the right password now
    assert locked.status_code == 429
    assert "暂时锁定" in locked.content.decode() and "请在 15 分钟后再试" in locked.content.decode()
    # Another person at the same address is not locked.
    assert sign_in_by_form(client.__class__(), "othermember", PASSWORD).status_code == 302


@override_settings(AXES_ENABLED=True)
def test_a_password_reset_lifts_the_lock(client, secretary, member, django_capture_on_commit_callbacks):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_by_form(client, "member", "wrong-password")
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.member_password_reset(member=member, by=secretary.user)
    assert sign_in_by_form(client, "member", issued["password"]).status_code == 302


@override_settings(AXES_ENABLED=True)
def test_a_right_password_before_the_limit_resets_the_count(client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in_by_form(client, "member", "wrong-password")
    assert sign_in_by_form(client, "member", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in_by_form(client, "member", "wrong-password")
    assert sign_in_by_form(client, "member", PASSWORD).status_code == 302


def test_sessions_expire_after_two_hours_without_activity(client, member):
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(member.user)
    response = client.get(reverse("home"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 2 * 60 * 60
    # Every request pushes the expiry forward: the limit is on inactivity.
    session = client.session
    assert 0 < session.get_expiry_age() <= 2 * 60 * 60
