"""The cadence dashboard (meetings:cadence) and rules page (meetings:cadence_rules):
who may see them, what they show, their query budget, and editing the rules."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import cadence
from meetings.models import CadenceRule, Meeting
from members.models import Member
from tests.factories import MeetingFactory, MemberFactory, PartyGroupFactory, ThoughtReportFactory

DASHBOARD = reverse("meetings:cadence")
RULES = reverse("meetings:cadence_rules")
O = CadenceRule.Obligation


def get_as(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def this_period(months: int) -> cadence.Period:
    return cadence.period_containing(cadence.local_today(), months)


def held_in(group, period: cadence.Period, kind=Meeting.Kind.GROUP_MEETING, **kwargs) -> Meeting:
    starts = cadence.local_midnight(period.start) + datetime.timedelta(hours=9)
    return MeetingFactory(
        group=group, kind=kind, state=Meeting.State.APPROVED, starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2), **kwargs,
    )


def rules_post(**overrides) -> dict:
    """The rules form as the defaults fill it, with `overrides` ("theme_day-period_months": "12", …)."""
    data = {}
    for obligation, (months, kinds) in cadence.DEFAULT_RULES.items():
        data[f"{obligation}-period_months"] = str(months)
        data[f"{obligation}-due_soon_days"] = "10"
        if obligation in cadence.GROUP_OBLIGATIONS:
            data[f"{obligation}-kinds"] = [str(k) for k in kinds] or list(Meeting.Kind.values)
    data.update(overrides)
    return data


# Who may see ------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, db):
    for url in (DASHBOARD, RULES):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_signed_out_htmx_request_gets_401(client, db):
    assert client.get(DASHBOARD, headers={"HX-Request": "true"}).status_code == 401


@pytest.mark.parametrize(
    "persona,status",
    [
        ("secretary", 200),
        ("committee", 200),
        ("leader", 403),
        ("member", 403),
        ("other_member", 403),
        ("other_leader", 403),
        ("outsider", 403),
        ("staff", 404),  # no member record, hence no branch
    ],
)
@pytest.mark.parametrize("url", [DASHBOARD, RULES])
def test_only_the_branch_secretary_and_committee_see_the_cadence(client, personas, persona, status, url):
    assert get_as(client, personas[persona], url).status_code == status


@pytest.mark.parametrize("persona", ["committee", "leader", "member", "outsider"])
def test_only_the_secretary_may_post_the_rules(client, personas, persona, branch):
    client.force_login(personas[persona])
    response = client.post(RULES, rules_post(**{"theme_day-period_months": "12"}))
    assert response.status_code == 403
    assert cadence.rules_for(branch)[2].period_months == 6


def test_another_branchs_secretary_sees_their_own_groups_never_ours(client, personas, group, other_group, outsider):
    Member.objects.filter(pk=outsider.pk).update(branch_role=Member.BranchRole.SECRETARY)
    response = get_as(client, personas["outsider"], DASHBOARD)
    assert response.status_code == 200
    text = response.content.decode()
    assert outsider.group.name in text and outsider.name in text
    assert group.name not in text and other_group.name not in text
    assert response.context["board"].branch == outsider.branch
    # Nor can they narrow the list to one of our groups.
    response = get_as(client, personas["outsider"], DASHBOARD, data={"group": group.pk})
    assert [row.member for row in response.context["board"].members] == [outsider]


# What the dashboard shows -----------------------------------------------------


def test_the_dashboard_links_the_meeting_that_met_an_obligation(client, personas, group, other_group, member):
    meeting = held_in(group, this_period(2), kind=Meeting.Kind.SANPING, title="第一季度三评会")
    response = get_as(client, personas["secretary"], DASHBOARD)
    text = response.content.decode()
    assert "组织生活看板" in text
    assert reverse("meetings:detail", args=[meeting.pk]) in text
    assert "第一季度三评会" in text
    assert group.name in text and other_group.name in text and member.name in text
    row = next(r for r in response.context["board"].groups if r.group == group)
    states = {s.obligation: s.state for s in row.statuses}
    assert states[O.GROUP_MEETING] == states[O.DEMOCRATIC_LIFE] == cadence.State.DONE
    assert "已完成" in text and "已逾期" in text  # last period nothing was held


def test_the_dashboard_counts_groups_and_members_overdue(client, personas, group, other_group, member, leader):
    response = get_as(client, personas["secretary"], DASHBOARD)
    board = response.context["board"]
    assert board.groups_overdue == 2
    assert board.members_overdue == len(board.members)
    assert f'data-testid="groups-overdue">{board.groups_overdue}' in response.content.decode()


def test_a_report_submitted_this_period_shows_done_with_its_link(client, personas, member):
    report = ThoughtReportFactory(member=member)
    text = get_as(client, personas["committee"], DASHBOARD).content.decode()
    assert reverse("meetings:report_detail", args=[report.pk]) in text


def test_the_members_can_be_filtered_by_group(client, personas, group, other_group, member, other_member):
    response = get_as(client, personas["secretary"], DASHBOARD, data={"group": group.pk})
    names = {row.member.name for row in response.context["board"].members}
    assert member.name in names and other_member.name not in names
    assert f'<option value="{group.pk}" selected>' in response.content.decode()


def test_an_htmx_filter_answers_the_member_table_only(client, personas, group, member):
    response = get_as(client, personas["secretary"], DASHBOARD, data={"group": group.pk}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="member-statuses"' in text and member.name in text
    assert "<html" not in text and "group-cadence-table" not in text


@pytest.mark.parametrize("value", ["abc", "-1", "999999", ""])
def test_a_nonsense_group_filter_shows_everyone(client, personas, member, other_member, value):
    response = get_as(client, personas["secretary"], DASHBOARD, data={"group": value})
    assert response.status_code == 200
    assert response.context["board"].member_group_id is None


def test_the_secretary_is_offered_to_change_the_rules_and_the_committee_to_see_them(client, personas):
    assert "修改规则" in get_as(client, personas["secretary"], DASHBOARD).content.decode()
    assert "查看规则" in get_as(client, personas["committee"], DASHBOARD).content.decode()


def make_data(branch, groups: int, per_group: int) -> None:
    today = cadence.local_today()
    for _ in range(groups):
        group = PartyGroupFactory(branch=branch)
        people = [MemberFactory(group=group) for _ in range(per_group)]
        group.leader = people[0]
        group.save()
        for months_back in range(0, 12, 2):
            day = today - datetime.timedelta(days=30 * months_back)
            period = cadence.period_containing(day, 1)
            meeting = held_in(group, period, kind=[Meeting.Kind.SANPING, Meeting.Kind.THEME_DAY][months_back % 4 // 2])
            for person in people:
                ThoughtReportFactory(member=person, submitted_at=meeting.starts_at)


def test_the_dashboard_renders_in_the_same_number_of_queries_whatever_the_size(client, personas, branch):
    client.force_login(personas["secretary"])
    client.get(DASHBOARD)  # creates the branch's default rules
    make_data(branch, 1, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(DASHBOARD).status_code == 200
    make_data(branch, 8, 6)
    with CaptureQueriesContext(connection) as large:
        response = client.get(DASHBOARD)
    assert len(response.context["board"].groups) == 11
    # session, user, member, branch, rules, groups, meetings, members, reports, the
    # navigation bar's unread notifications, then the session's save
    # (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release).
    assert len(small) == len(large), [q["sql"] for q in large]
    assert len(large) <= 14, [q["sql"] for q in large]


# Editing the rules --------------------------------------------------------------


def test_the_secretary_sees_the_rules_as_a_form(client, personas):
    text = get_as(client, personas["secretary"], RULES).content.decode()
    assert "保存规则" in text and "组织生活规则" in text
    assert 'name="theme_day-period_months"' in text
    assert "disabled" not in text


def test_the_committee_sees_the_rules_read_only(client, personas):
    response = get_as(client, personas["committee"], RULES)
    text = response.content.decode()
    assert "只有支部书记可以修改" in text
    assert "保存规则" not in text
    assert all(field.disabled for form in response.context["forms"] for field in form.fields.values())


def test_the_secretary_changes_a_rule_and_the_dashboard_follows_at_once(client, personas, branch, group, leader):
    client.force_login(personas["secretary"])
    held_in(group, this_period(2), kind=Meeting.Kind.SANPING)
    response = client.post(
        RULES, rules_post(**{"democratic_life-kinds": ["democratic_life"], "democratic_life-period_months": "12"})
    )
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    rule = CadenceRule.objects.get(branch=branch, obligation=O.DEMOCRATIC_LIFE)
    assert (rule.period_months, rule.kinds) == (12, ["democratic_life"])
    response = client.get(DASHBOARD)
    assert "组织生活规则已保存" in response.content.decode()
    row = next(r for r in response.context["board"].groups if r.group == group)
    status = next(s for s in row.statuses if s.obligation == O.DEMOCRATIC_LIFE)
    assert not status.is_done and status.period.months == 12


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"theme_day-period_months": "5"}, "period_months", "请选择 1、2、3、6 或 12 个月的周期。"),
        ({"theme_day-kinds": []}, "kinds", "请至少勾选一种可计入此项要求的会议类型。"),
        ({"theme_day-kinds": ["party"]}, "kinds", "请至少勾选一种可计入此项要求的会议类型。"),
        ({"theme_day-due_soon_days": "abc"}, "due_soon_days", "请输入 0 到 90 之间的天数。"),
        ({"theme_day-due_soon_days": "91"}, "due_soon_days", "请输入 0 到 90 之间的天数。"),
        ({"theme_day-due_soon_days": "-1"}, "due_soon_days", "请输入 0 到 90 之间的天数。"),
    ],
)
def test_bad_rules_are_refused_in_chinese_and_nothing_is_saved(client, personas, branch, overrides, field, message):
    client.force_login(personas["secretary"])
    data = rules_post(**{"group_meeting-due_soon_days": "7", **overrides})
    response = client.post(RULES, data)
    assert response.status_code == 200
    theme_day = next(f for f in response.context["forms"] if f.rule.obligation == O.THEME_DAY)
    assert theme_day.errors[field] == [message]
    text = response.content.decode()
    assert message in text and "规则未保存" in text
    # What was typed is kept, in the bad form and the good ones.
    assert 'name="group_meeting-due_soon_days" value="7"' in text
    assert CadenceRule.objects.get(branch=branch, obligation=O.GROUP_MEETING).due_soon_days == 10
    assert CadenceRule.objects.get(branch=branch, obligation=O.THEME_DAY).period_months == 6


def test_a_thought_report_rule_has_no_kinds_to_tick(client, personas):
    response = get_as(client, personas["secretary"], RULES)
    report_form = next(f for f in response.context["forms"] if f.rule.obligation == O.THOUGHT_REPORT)
    assert "kinds" not in report_form.fields
    assert 'name="thought_report-kinds"' not in response.content.decode()


def test_any_kind_shows_every_box_ticked(client, personas):
    response = get_as(client, personas["secretary"], RULES)
    monthly = next(f for f in response.context["forms"] if f.rule.obligation == O.MONTHLY_ACTIVITY)
    assert monthly["kinds"].value() == list(Meeting.Kind.values)


# The home page's partials ---------------------------------------------------------


def test_the_group_partial_shows_each_obligation_and_links_the_meeting(group, leader):
    from django.template.loader import render_to_string

    meeting = held_in(group, this_period(2), kind=Meeting.Kind.SANPING)
    html = render_to_string(
        "meetings/cadence/_group_status.html", {"statuses": cadence.group_cadence(group).statuses}
    )
    assert html.count('data-obligation="') == 4
    assert reverse("meetings:detail", args=[meeting.pk]) in html
    assert "党小组会" in html and "主题党日" in html
    assert "上期未完成" in html  # nothing was held in the previous period


def test_the_thought_report_partial_invites_a_member_who_has_not_reported(member):
    from django.template.loader import render_to_string

    html = render_to_string(
        "meetings/cadence/_thought_report_status.html", {"status": cadence.thought_report_status(member)}
    )
    assert "思想汇报" in html and reverse("meetings:report_create") in html
    assert "未提交思想汇报" in html
    ThoughtReportFactory(member=member)
    html = render_to_string(
        "meetings/cadence/_thought_report_status.html", {"status": cadence.thought_report_status(member)}
    )
    assert "已完成" in html and reverse("meetings:report_create") not in html


def test_the_dashboard_speaks_english_too(client, personas, group, member):
    client.force_login(personas["secretary"])
    text = client.get(DASHBOARD, headers={"Accept-Language": "en"}).content.decode()
    assert "Cadence dashboard" in text and "overdue" in text
    assert "组织生活看板" in client.get(DASHBOARD).content.decode()
