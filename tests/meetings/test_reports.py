"""Thought reports (思想汇报): who sees which, drafts, submitting once, oral reports."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.forms_reports import CONTENT_MAX_LENGTH
from meetings.models import Meeting, ThoughtReport
from tests.factories import AttendanceFactory, MeetingFactory, MemberFactory, ThoughtReportFactory

pytestmark = pytest.mark.django_db

# persona → may they see a submitted report of `member`?
SUBMITTED_VISIBILITY = {
    "member": True,  # the author
    "leader": True,  # the author's group leader
    "other_member": False,
    "other_leader": False,
    "secretary": True,
    "committee": True,
    "outsider": False,
    "staff": False,  # an administrator without a member record reads no one's thoughts
}


@pytest.fixture
def submitted(member):
    return ThoughtReportFactory(member=member, title="学习二十大精神的体会", content="认真学习……")


@pytest.fixture
def draft(member):
    return ThoughtReportFactory(member=member, title="还没写完的汇报", state="draft", submitted_at=None)


def held_meeting(group, **kwargs):
    return MeetingFactory(
        group=group, state=kwargs.pop("state", Meeting.State.HELD),
        starts_at=timezone.now() - datetime.timedelta(days=2), **kwargs,
    )


# Who sees what -------------------------------------------------------------------


@pytest.mark.parametrize("persona,visible", SUBMITTED_VISIBILITY.items())
def test_submitted_report_detail_per_role(client, personas, submitted, persona, visible):
    client.force_login(personas[persona])
    response = client.get(reverse("meetings:report_detail", args=[submitted.pk]))
    assert response.status_code == (200 if visible else 404)
    if visible:
        assert "认真学习" in response.content.decode()


@pytest.mark.parametrize("persona,visible", SUBMITTED_VISIBILITY.items())
def test_submitted_report_in_the_list_per_role(client, personas, submitted, persona, visible):
    client.force_login(personas[persona])
    response = client.get(reverse("meetings:reports"))
    if persona == "staff":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert ("学习二十大精神的体会" in response.content.decode()) is visible


@pytest.mark.parametrize("persona", ["leader", "other_member", "other_leader", "secretary", "committee", "outsider"])
def test_a_draft_is_its_authors_alone(client, personas, draft, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("meetings:report_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("meetings:report_edit", args=[draft.pk])).status_code == 404
    assert "还没写完的汇报" not in client.get(reverse("meetings:reports")).content.decode()


def test_the_author_sees_their_draft_and_can_edit_it(client, member, draft):
    client.force_login(member.user)
    assert "还没写完的汇报" in client.get(reverse("meetings:reports")).content.decode()
    assert client.get(reverse("meetings:report_detail", args=[draft.pk])).status_code == 200
    response = client.get(reverse("meetings:report_edit", args=[draft.pk]))
    assert response.status_code == 200 and "还没写完的汇报" in response.content.decode()


def test_a_leader_sees_their_groups_reports_not_another_groups(client, leader, member, other_member):
    ThoughtReportFactory(member=other_member, title="另一组的汇报")
    ThoughtReportFactory(member=member, title="本组的汇报")
    client.force_login(leader.user)
    html = client.get(reverse("meetings:reports")).content.decode()
    assert "本组的汇报" in html and "另一组的汇报" not in html


def test_secretary_filters_by_group(client, secretary, member, other_member, group, other_group):
    ThoughtReportFactory(member=member, title="第一组汇报")
    ThoughtReportFactory(member=other_member, title="第二组汇报")
    client.force_login(secretary.user)
    html = client.get(reverse("meetings:reports"), {"group": group.pk}).content.decode()
    assert "第一组汇报" in html and "第二组汇报" not in html
    html = client.get(reverse("meetings:reports"), {"group": other_group.pk}).content.decode()
    assert "第一组汇报" not in html and "第二组汇报" in html


def test_secretary_filters_by_period(client, secretary, member):
    ThoughtReportFactory(member=member, title="一月的汇报", submitted_at=timezone.make_aware(datetime.datetime(2026, 1, 20, 10)))
    ThoughtReportFactory(member=member, title="三月的汇报", submitted_at=timezone.make_aware(datetime.datetime(2026, 3, 5, 10)))
    client.force_login(secretary.user)
    html = client.get(reverse("meetings:reports"), {"submitted_from": "2026-01-01", "submitted_to": "2026-02-28"}).content.decode()
    assert "一月的汇报" in html and "三月的汇报" not in html


def test_period_edges_are_days_in_shanghai(client, secretary, member):
    # 00:30 on 1 March in Shanghai is still 28 February in UTC.
    ThoughtReportFactory(member=member, title="午夜后的汇报", submitted_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 0, 30)))
    client.force_login(secretary.user)
    html = client.get(reverse("meetings:reports"), {"submitted_from": "2026-03-01"}).content.decode()
    assert "午夜后的汇报" in html
    html = client.get(reverse("meetings:reports"), {"submitted_to": "2026-02-28"}).content.decode()
    assert "午夜后的汇报" not in html


def test_a_bad_filter_value_is_told_not_a_500(client, secretary, member):
    ThoughtReportFactory(member=member, title="某篇汇报")
    client.force_login(secretary.user)
    response = client.get(reverse("meetings:reports"), {"submitted_from": "2026-13-45", "group": "abc"})
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()


def test_a_group_of_another_branch_cannot_be_used_as_filter(client, secretary, outsider):
    ThoughtReportFactory(member=outsider, title="外支部汇报")
    client.force_login(secretary.user)
    response = client.get(reverse("meetings:reports"), {"group": outsider.group_id})
    assert response.status_code == 200 and "外支部汇报" not in response.content.decode()


def test_report_list_costs_the_same_queries_with_one_or_five_reports(client, secretary, member, group):
    ThoughtReportFactory(member=member)
    client.force_login(secretary.user)
    url = reverse("meetings:reports")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        ThoughtReportFactory(member=MemberFactory(group=group))
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert response.context["page"].paginator.count == 5
    # session, user, member, groups to filter (exists + count + choices), count, page; session saved
    assert len(five) == len(one)


# Writing, saving a draft, submitting once ------------------------------------------


def test_member_saves_a_draft_then_submits_it(client, member):
    client.force_login(member.user)
    response = client.post(reverse("meetings:report_create"), {"title": "近期思想汇报", "content": "第一稿", "action": "draft"})
    report = ThoughtReport.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == reverse("meetings:report_edit", args=[report.pk])
    assert report.state == "draft" and report.submitted_at is None

    response = client.post(
        reverse("meetings:report_edit", args=[report.pk]), {"title": "近期思想汇报", "content": "定稿", "action": "submit"}
    )
    assert response["Location"] == reverse("meetings:report_detail", args=[report.pk])
    report.refresh_from_db()
    assert report.state == "submitted" and report.content == "定稿" and report.submitted_at is not None
    assert "思想汇报已提交" in client.get(response["Location"]).content.decode()


def test_submit_directly_from_a_new_report(client, member):
    client.force_login(member.user)
    client.post(reverse("meetings:report_create"), {"title": "汇报", "content": "内容", "action": "submit"})
    assert ThoughtReport.objects.get(member=member).state == "submitted"


def test_a_submitted_report_cannot_be_edited(client, member, submitted):
    client.force_login(member.user)
    response = client.get(reverse("meetings:report_edit", args=[submitted.pk]), follow=True)
    assert "已提交的思想汇报不能再修改" in response.content.decode()
    client.post(reverse("meetings:report_edit", args=[submitted.pk]), {"title": "改标题", "content": "改内容", "action": "draft"})
    submitted.refresh_from_db()
    assert submitted.title == "学习二十大精神的体会" and submitted.state == "submitted"


def test_a_leader_cannot_edit_a_members_report(client, leader, submitted):
    client.force_login(leader.user)
    client.post(reverse("meetings:report_edit", args=[submitted.pk]), {"title": "组长改的", "content": "x", "action": "draft"})
    submitted.refresh_from_db()
    assert submitted.title == "学习二十大精神的体会"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"title": "", "content": "内容"}, "请填写汇报标题。"),
        ({"title": "   ", "content": "内容"}, "请填写汇报标题。"),
        ({"title": "标题", "content": ""}, "请填写汇报内容。"),
        ({"title": "标题", "content": " \n\t "}, "请填写汇报内容。"),
        ({"title": "标" * 201, "content": "内容"}, "最多 200 个字符"),
    ],
)
@pytest.mark.parametrize("action", ["draft", "submit"])
def test_blank_or_too_long_input_is_refused_and_kept(client, member, data, message, action):
    client.force_login(member.user)
    response = client.post(reverse("meetings:report_create"), {**data, "action": action})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if data["content"].strip():
        assert data["content"] in html  # what was typed is still there
    assert not ThoughtReport.objects.exists()


def test_very_long_content_is_refused_with_the_limit(client, member):
    client.force_login(member.user)
    response = client.post(reverse("meetings:report_create"), {"title": "长文", "content": "字" * 50_000, "action": "submit"})
    assert response.status_code == 200
    assert f"最多 {CONTENT_MAX_LENGTH} 个字符（当前 50000 个）" in response.content.decode()
    assert not ThoughtReport.objects.exists()


def test_content_at_the_limit_is_accepted(client, member):
    client.force_login(member.user)
    client.post(reverse("meetings:report_create"), {"title": "长文", "content": "字" * CONTENT_MAX_LENGTH, "action": "submit"})
    assert len(ThoughtReport.objects.get().content) == CONTENT_MAX_LENGTH


def test_pages_need_a_member(client, staff):
    assert client.get(reverse("meetings:report_create")).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("meetings:report_create")).status_code == 404


# Oral reports at a meeting ---------------------------------------------------------


def test_leader_records_an_oral_report_of_a_present_member(client, leader, member, group):
    meeting = held_meeting(group)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(leader.user)
    url = reverse("meetings:oral_report_create", args=[meeting.pk])
    assert member.name in client.get(url).content.decode()
    response = client.post(url, {"member": member.pk, "title": "会上口头汇报", "content": "谈了学习体会"})
    assert response.status_code == 302
    report = ThoughtReport.objects.get()
    assert (report.mode, report.state, report.meeting, report.member, report.recorded_by) == (
        "oral", "submitted", meeting, member, leader,
    )
    assert report.submitted_at == meeting.starts_at
    html = client.get(url).content.decode()
    assert f"已记录{member.name}的口头汇报" in html and "会上口头汇报" in html
    # The member sees it among their own reports.
    client.force_login(member.user)
    assert "会上口头汇报" in client.get(reverse("meetings:reports")).content.decode()


def test_oral_summary_is_optional(client, leader, member, group):
    meeting = held_meeting(group)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(leader.user)
    client.post(reverse("meetings:oral_report_create", args=[meeting.pk]), {"member": member.pk, "title": "口头汇报"})
    assert ThoughtReport.objects.get().content == ""


@pytest.mark.parametrize("status", ["leave", "absent", "unmarked"])
def test_a_member_not_present_cannot_have_reported(client, leader, member, group, status):
    meeting = held_meeting(group)
    AttendanceFactory(meeting=meeting, member=member, status=status, leave_reason="出差" if status == "leave" else "")
    client.force_login(leader.user)
    response = client.post(reverse("meetings:oral_report_create", args=[meeting.pk]), {"member": member.pk, "title": "汇报"})
    assert response.status_code == 200
    assert "只有出席会议的党员才能在会上汇报" in response.content.decode()
    assert not ThoughtReport.objects.exists()


@pytest.mark.parametrize("state", ["draft", "scheduled", "cancelled"])
def test_no_oral_report_for_a_meeting_that_did_not_take_place(client, leader, member, group, state):
    meeting = held_meeting(group, state=state)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(leader.user)
    url = reverse("meetings:oral_report_create", args=[meeting.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "只有已召开的会议才能记录口头汇报" in response.content.decode()
    response = client.post(url, {"member": member.pk, "title": "汇报"})
    assert response.status_code == 200
    assert not ThoughtReport.objects.exists()


def test_an_oral_report_is_recorded_once_per_member_and_meeting(client, leader, member, group):
    meeting = held_meeting(group)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(leader.user)
    url = reverse("meetings:oral_report_create", args=[meeting.pk])
    client.post(url, {"member": member.pk, "title": "汇报"})
    response = client.post(url, {"member": member.pk, "title": "又一次"})
    assert "已经记录过了" in response.content.decode()
    assert ThoughtReport.objects.count() == 1


def test_oral_report_needs_a_title(client, leader, member, group):
    meeting = held_meeting(group)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(leader.user)
    response = client.post(reverse("meetings:oral_report_create", args=[meeting.pk]), {"member": member.pk, "title": "  "})
    assert "请填写汇报标题。" in response.content.decode()


def test_an_approved_record_still_takes_an_oral_report(client, leader, member, group):
    meeting = held_meeting(group, state=Meeting.State.APPROVED)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(leader.user)
    client.post(reverse("meetings:oral_report_create", args=[meeting.pk]), {"member": member.pk, "title": "汇报"})
    assert ThoughtReport.objects.filter(meeting=meeting).exists()


def test_a_member_cannot_record_oral_reports(client, leader, member, group):
    meeting = held_meeting(group)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(member.user)
    url = reverse("meetings:oral_report_create", args=[meeting.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"member": member.pk, "title": "自己记"}).status_code == 403
    assert not ThoughtReport.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "other_member"])
def test_a_meeting_not_visible_is_404(client, personas, leader, group, persona):
    meeting = held_meeting(group)
    client.force_login(personas[persona])
    assert client.get(reverse("meetings:oral_report_create", args=[meeting.pk])).status_code == 404


def test_secretary_records_an_oral_report_for_any_group(client, secretary, leader, member, group):
    meeting = held_meeting(group)
    AttendanceFactory(meeting=meeting, member=member, status="present")
    client.force_login(secretary.user)
    client.post(reverse("meetings:oral_report_create", args=[meeting.pk]), {"member": member.pk, "title": "汇报"})
    assert ThoughtReport.objects.get().recorded_by == secretary


def test_filtering_with_htmx_returns_only_the_results(client, secretary, member, group):
    ThoughtReportFactory(member=member, title="第一组汇报")
    client.force_login(secretary.user)
    response = client.get(reverse("meetings:reports"), {"group": group.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "第一组汇报" in html and "<html" not in html and "report-filter" not in html
