"""Issue 3's "done means", as people would do it: the leader schedules and chairs a
meeting, the secretary returns the record, the leader fixes and resubmits, the
secretary approves, and the cadence dashboard shows the obligation satisfied."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.factories import PASSWORD

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, username, **context_args):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_leader_runs_a_meeting_and_the_secretary_reviews_it(browser, live_server, leader, member, secretary):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    # The leader schedules a meeting with two topics and the secretary as guidance.
    lead = signed_in(browser, live_server, "leader")
    lead.get_by_role("link", name="会议", exact=True).first.click()
    lead.get_by_role("link", name="+ 安排会议").click()
    lead.get_by_label("标题").fill("十二月党小组会")
    lead.get_by_label("日期").fill(tomorrow.isoformat())
    lead.get_by_label("开始").fill("14:30")
    lead.get_by_label("结束").fill("16:00")
    lead.get_by_label("地点").fill("三楼党员活动室")
    lead.get_by_label("王书记（支部书记）").check()
    lead.get_by_placeholder("议题").first.fill("学习党章第二章")
    lead.locator("select[name='agenda-0-category']").select_option(label="组织学习讨论")
    lead.get_by_role("button", name="+ 添加议题").click()
    lead.get_by_placeholder("议题").nth(1).fill("党员汇报思想")
    lead.locator("select[name='agenda-1-category']").select_option(label="党员汇报思想")
    lead.get_by_role("button", name="发布并通知参会人员").click()
    expect(lead.get_by_test_id("meeting-state")).to_have_text("已安排")
    expect(lead.get_by_test_id("agenda-item")).to_have_count(2)
    meeting = Meeting.objects.get(title="十二月党小组会")
    assert meeting.attendances.get(member=secretary).is_guest

    # The day comes: the leader opens the meeting on a phone.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5), ends_at=timezone.now() + datetime.timedelta(hours=2)
    )
    lead.set_viewport_size(PHONE)
    lead.reload()
    lead.get_by_role("link", name="主持会议").click()
    lead.get_by_role("button", name="开始会议").click()
    expect(lead.get_by_test_id("current-item")).to_contain_text("学习党章第二章")

    # Attendance: present, and the member on leave with a reason; counts follow the rows.
    lead.locator(f"#attendance-{leader.pk}").get_by_text("出席").click()
    expect(lead.get_by_test_id("attendance-counts").first).to_contain_text("应到 2 人，实到 1 人")
    row = lead.locator(f"#attendance-{member.pk}")
    row.get_by_text("请假").click()
    expect(row.get_by_role("alert")).to_contain_text("请填写请假原因")
    row.get_by_placeholder("请假原因").fill("出差")
    row.get_by_placeholder("请假原因").press("Tab")
    expect(row.get_by_role("alert")).to_have_count(0)
    lead.locator(f"#attendance-{secretary.pk}").get_by_text("出席").click()
    expect(lead.get_by_test_id("attendance-counts").first).to_contain_text("应到 2 人，实到 1 人")

    # Notes of the first topic save as they are typed.
    lead.get_by_test_id("notes").fill("大家逐条学习了党章第二章，结合工作谈了体会。")
    expect(lead.get_by_test_id("save-status")).to_contain_text("已保存")
    lead.screenshot(path="test-results/chair-console-phone.png", full_page=True)
    lead.get_by_role("button", name="下一项议题 →").click()
    expect(lead.get_by_test_id("current-item")).to_contain_text("党员汇报思想")
    lead.get_by_role("button", name="进入总结 →").click()
    lead.get_by_test_id("summary-input").fill("本次会议学习深入，发言踊跃。")
    expect(lead.get_by_test_id("save-status")).to_contain_text("已保存")
    lead.get_by_role("button", name="结束会议").click()
    expect(lead.get_by_test_id("meeting-state")).to_have_text("已召开，记录整理中")

    # Minutes, then submission.
    lead.set_viewport_size({"width": 1280, "height": 900})
    lead.get_by_label("会议记录").fill("一、学习党章第二章。二、党员汇报思想。")
    lead.get_by_role("button", name="保存会议记录").click()
    lead.get_by_role("button", name="提交审核").click()
    expect(lead.get_by_test_id("meeting-state")).to_have_text("已提交审核")

    # The secretary returns it with a comment; an empty comment is refused first.
    sec = signed_in(browser, live_server, "secretary")
    sec.get_by_role("link", name="审核").first.click()
    sec.get_by_role("link", name="十二月党小组会").click()
    sec.get_by_role("button", name="退回修改").click()
    expect(sec.get_by_text("退回记录须填写修改意见")).to_be_visible()
    sec.get_by_label("意见（退回时必填）").fill("请补充第二项议题的发言情况。")
    sec.get_by_role("button", name="退回修改").click()
    expect(sec.get_by_text("记录已连同您的意见退回党小组长")).to_be_visible()

    # The leader sees the comment, fixes the notes and resubmits; the change is shown.
    lead.reload()
    expect(lead.get_by_test_id("return-comment")).to_contain_text("请补充第二项议题的发言情况")
    second_notes = lead.get_by_test_id("notes").nth(1)
    second_notes.fill("张党员汇报了近期思想和学习情况。")
    expect(lead.get_by_test_id("save-status").nth(1)).to_contain_text("已保存")
    lead.reload()
    expect(lead.get_by_test_id("changes-since-return")).to_contain_text("张党员汇报了近期思想和学习情况")
    lead.get_by_role("button", name="提交审核").click()
    expect(lead.get_by_test_id("meeting-state")).to_have_text("已提交审核")

    # The secretary approves: the record is locked for good.
    sec.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    sec.get_by_role("button", name="审核通过并锁定").click()
    sec.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    expect(sec.get_by_test_id("locked-banner")).to_contain_text("记录已锁定")
    lead.reload()
    expect(lead.get_by_test_id("minutes-form")).to_have_count(0)
    expect(lead.get_by_test_id("notes")).to_have_count(0)
    lead.screenshot(path="test-results/meeting-approved.png", full_page=True)

    # The branch's cadence dashboard shows the group's obligations met by this meeting.
    sec.goto(f"{live_server.url}/cadence/")
    row = sec.get_by_test_id("group-row").filter(has_text=leader.group.name)
    met = row.locator(f'a[data-state="done"][href="/meetings/{meeting.pk}/"]')
    expect(met.first).to_be_visible()
    assert met.count() >= 2  # the bimonthly group meeting and the monthly activity, at least
    sec.screenshot(path="test-results/cadence-after-meeting.png", full_page=True)
