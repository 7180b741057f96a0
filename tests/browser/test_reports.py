import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services
from meetings.services import AgendaEntry
from tests.factories import PASSWORD, ThoughtReportFactory

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def schedule(leader, *, days: int, title: str, kind: str = "group_meeting"):
    starts_at = (timezone.localtime() + datetime.timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    return services.meeting_create(
        by=leader, group=leader.group, kind=kind, title=title, starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2), place="三楼会议室", chair=leader, recorder=None,
        agenda=[AgendaEntry(title="学习党章", category="study")], publish=True,
    )


def test_member_writes_and_submits_a_thought_report_that_the_leader_then_reads(page, live_server, sign_in, member, leader):
    sign_in("member", PASSWORD)
    page.goto(f"{live_server.url}/thought-reports/")
    page.get_by_role("link", name="写思想汇报").click()
    page.get_by_label("标题").fill("2026年第四季度思想汇报")
    page.get_by_label("内容").fill("近期认真学习党的二十届四中全会精神，\n对照党章查找了自身不足。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    expect(page.get_by_label("内容")).to_have_value("近期认真学习党的二十届四中全会精神，\n对照党章查找了自身不足。")
    page.screenshot(path="test-results/report-form-desktop.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交汇报").click()
    expect(page.get_by_text("思想汇报已提交")).to_be_visible()
    expect(page.get_by_test_id("report-state")).to_have_text("已提交")
    expect(page.get_by_role("link", name="继续修改")).to_have_count(0)

    page.context.clear_cookies()
    sign_in("leader", PASSWORD)
    page.goto(f"{live_server.url}/thought-reports/")
    row = page.get_by_test_id("report-row").filter(has_text="2026年第四季度思想汇报")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("report-author")).to_have_text(member.name)
    page.screenshot(path="test-results/report-list-desktop.png", full_page=True)
    row.get_by_role("link", name="2026年第四季度思想汇报").click()
    expect(page.get_by_test_id("report-content")).to_contain_text("对照党章查找了自身不足")


def test_declining_the_confirmation_keeps_the_report_a_draft(page, live_server, sign_in, member):
    sign_in("member", PASSWORD)
    page.goto(f"{live_server.url}/thought-reports/new/")
    page.get_by_label("标题").fill("再想想")
    page.get_by_label("内容").fill("还要改")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="提交汇报").click()
    expect(page).to_have_url(f"{live_server.url}/thought-reports/new/")
    assert not member.thought_reports.exists()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_calendar_reports_and_notifications_fit_the_screen(page, live_server, sign_in, member, leader, viewport):
    for days, title, kind in [(1, "学习二十届四中全会精神", "group_meeting"), (3, "主题党日：参观红色教育基地", "theme_day"),
                              (9, "党小组民主生活会", "democratic_life")]:
        schedule(leader, days=days, title=title, kind=kind)
    ThoughtReportFactory(member=member, title="第三季度思想汇报")
    ThoughtReportFactory(member=member, title="还在写的汇报", state="draft", submitted_at=None)
    name = "desktop" if viewport["width"] > 600 else "phone"
    page.set_viewport_size(viewport)
    sign_in("member", PASSWORD)
    month = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%Y-%m")
    for path, shot in [
        (f"/calendar/?month={month}", "calendar"),
        ("/thought-reports/", "report-list"),
        ("/thought-reports/new/", "report-form"),
        ("/notifications/", "notifications"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], shot
        page.screenshot(path=f"test-results/{shot}-{name}.png", full_page=True)

    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_test_id("notification")).to_have_count(3)
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.get_by_test_id("unread-badge")).to_have_count(0)

    page.goto(f"{live_server.url}/calendar/")
    page.get_by_role("button", name="生成我的订阅地址").click()
    expect(page.get_by_text("订阅地址已生成")).to_be_visible()
    expect(page.get_by_test_id("feed-url")).to_have_value(f"{live_server.url}/calendar/feed/{member.calendar_feed.token}.ics")
