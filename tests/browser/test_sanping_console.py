"""The leader chairs a small 三评 session from the console, stage by stage, in a real
browser — on a desktop and on a phone — while the members' mutual evaluations arrive
from their own devices and the meeting room's projector follows. Screenshots of every
stage (desktop and phone) and of the projector go to test-results/."""

import datetime
import os
import re
import threading
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from sanping import services
from sanping.models import RectificationItem, SanpingSession, SpeakingSlot
from tests.factories import PASSWORD
from tests.sanping.conftest import (  # noqa: F401 (fixtures)
    evaluating_session,
    make_today,
    opened_session,
    sanping_meeting,
    session,
    third,
    write_and_submit,
)

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
# test-results/ by default (pytest-playwright empties it when a run starts)
SHOTS = Path(os.environ.get("SHOTS_DIR", "test-results"))


def signed_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.fixture
def one_request_at_a_time(live_server):
    """The console polls (coverage, mutual evaluations, projector) while it writes.
    With SQLite in memory, the live server's threads and this test share one database
    connection, which answers "table is locked" to overlapping statements; so requests
    (and this test's own writes, made under the returned lock) take turns here.
    PostgreSQL, as in CI, has no such limit; the pages do not rely on it."""
    lock = threading.Lock()
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def serial(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(serial)
    yield lock
    httpd.set_app(app)


def shoot(page, name: str) -> None:
    """The page as it is now, on a desktop and on a phone."""
    page.screenshot(path=SHOTS / f"sanping-console-{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SHOTS / f"sanping-console-{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_leader_chairs_a_sanping_session_from_the_console(browser, live_server, one_request_at_a_time, session, leader, member, third):
    write_and_submit(session, leader)
    write_and_submit(session, member)
    console_url = f"{live_server.url}/sanping/{session.pk}/console/"

    # 1. Preparation: who has submitted; opening is refused before the day.
    lead = signed_in(browser, live_server, "leader")
    lead.goto(console_url)
    expect(lead.get_by_test_id("current-stage")).to_contain_text("会前准备")
    expect(lead.get_by_test_id("submission-row")).to_have_count(3)
    expect(lead.get_by_test_id("submitted-count")).to_contain_text("2")
    lead.get_by_role("button", name="开场").click()
    expect(lead.get_by_role("alert").first).to_contain_text("当天才能开始")
    lead.get_by_test_id("opening-requirements").fill("思想上高度重视，实事求是，不搞好人主义。")
    expect(lead.locator("#opening").get_by_test_id("save-status")).to_contain_text("已保存")
    shoot(lead, "1-preparation")

    # The day comes: the leader opens the session, from a phone.
    with one_request_at_a_time:
        make_today(session)
    lead.set_viewport_size(PHONE)
    lead.reload()
    lead.get_by_role("button", name="开场").click()
    expect(lead.get_by_test_id("current-stage")).to_contain_text("开场")

    # 2. Opening: attendance counts follow the rows; the order follows attendance.
    for n, person in enumerate((leader, member, third), start=1):
        lead.locator(f"#attendance-{person.pk}").get_by_text("出席").click()
        expect(lead.locator(f"#att-{person.pk}-present")).to_be_checked()
        expect(lead.get_by_test_id("order-row")).to_have_count(n)  # the order follows
    expect(lead.get_by_test_id("attendance-counts").first).to_contain_text("应到 3 人，实到 3 人")
    expect(lead.get_by_test_id("order-row")).to_have_count(3)
    expect(lead.get_by_test_id("opening-requirements")).to_have_value("思想上高度重视，实事求是，不搞好人主义。")
    # present by name (张党员, 李组长, 赵第三 by code point): the leader moves 李组长 to the top
    names = lead.get_by_test_id("order-row").all_inner_texts()
    while not names[0].startswith("李组长"):
        lead.get_by_role("button", name="将李组长上移").click()
        lead.wait_for_timeout(300)
        names = lead.get_by_test_id("order-row").all_inner_texts()
    lead.set_viewport_size(DESKTOP)
    shoot(lead, "2-opening")
    lead.get_by_role("button", name="进入自评互评").click()

    # 3. Evaluation: the first speaker's material, the leader's notes, the clock.
    expect(lead.get_by_test_id("current-stage")).to_contain_text("自评互评")
    expect(lead.get_by_test_id("current-speaker")).to_have_text("李组长")
    expect(lead.get_by_test_id("current-material")).to_contain_text("李组长：对照党章查找问题")
    lead.get_by_test_id("slot-notes").fill("李组长查摆了理论学习不深入、联系群众不够两方面问题。")
    expect(lead.locator("#notes").get_by_test_id("save-status")).to_contain_text("已保存")
    lead.get_by_role("button", name="开始计时").click()
    expect(lead.get_by_role("button", name="暂停")).to_be_visible()
    expect(lead.locator("[data-clock]")).not_to_have_text("00:00", timeout=4000)

    # The projector in the meeting room follows.
    screen = lead.context.new_page()
    screen.set_viewport_size({"width": 1600, "height": 900})
    screen.goto(f"{live_server.url}/sanping/{session.pk}/projector/")
    expect(screen.get_by_test_id("projector-speaker")).to_have_text("李组长")
    expect(screen.get_by_test_id("projector-stage")).to_have_text("自评互评")
    expect(screen.get_by_test_id("projector-clock")).not_to_have_text("00:00", timeout=4000)
    screen.screenshot(path=SHOTS / "sanping-projector-clock.png")

    # A member types a mutual evaluation on their own device; it arrives on the console.
    with one_request_at_a_time:
        current = SanpingSession.objects.get(pk=session.pk)
    with one_request_at_a_time:  # as a member's own device would
        services.mutual_evaluation_add(session=current, by=member, evaluatee=leader, problems="对组员思想动态关心不够", suggestions="多谈心谈话")
    expect(lead.get_by_test_id("mutual-list")).to_contain_text("对组员思想动态关心不够", timeout=8000)
    # The leader records one on behalf of 赵第三, who speaks without a device.
    record = lead.get_by_test_id("record-for-member")
    if not record.evaluate("el => el.open"):
        record.locator("summary").click()
    lead.get_by_label("发言人").select_option(label="赵第三")
    lead.get_by_label("指出的问题和不足").fill("布置工作有时不够具体")
    lead.get_by_role("button", name="记录互评意见").click()
    expect(lead.get_by_test_id("mutual-list")).to_contain_text("布置工作有时不够具体")
    expect(lead.get_by_test_id("mutual-list")).to_contain_text("代为记录")
    expect(lead.get_by_test_id("received-none")).to_contain_text("张党员")
    shoot(lead, "3-evaluation")

    # The next speakers; a speaker without written material is said so.
    lead.get_by_role("button", name=re.compile("下一位发言：张党员")).click()
    expect(lead.get_by_test_id("current-speaker")).to_have_text("张党员")
    expect(screen.get_by_test_id("projector-speaker")).to_have_text("张党员", timeout=5000)
    expect(screen.get_by_test_id("projector-clock")).to_have_text("00:00")
    with one_request_at_a_time:  # as a member's own device would
        services.mutual_evaluation_add(session=current, by=third, evaluatee=member, problems="学习笔记不够系统")
    # typed, and the next speaker called at once: the notes are saved before the page changes
    lead.get_by_test_id("slot-notes").fill("张党员谈了学习不够系统的问题。")
    lead.get_by_role("button", name=re.compile("下一位发言：赵第三")).click()
    expect(lead.get_by_test_id("current-speaker")).to_have_text("赵第三")
    with one_request_at_a_time:
        assert SpeakingSlot.objects.get(session=session, member=member).notes == "张党员谈了学习不够系统的问题。"
    expect(lead.get_by_test_id("current-material")).to_contain_text("未提交书面材料")
    with one_request_at_a_time:  # as a member's own device would
        services.mutual_evaluation_add(session=current, by=leader, evaluatee=third, problems="会前准备不充分")
    expect(lead.get_by_test_id("mutual-list")).to_contain_text("会前准备不充分", timeout=8000)
    expect(lead.get_by_test_id("coverage")).to_contain_text("每位同志都至少评议过他人", timeout=8000)
    expect(lead.get_by_test_id("all-spoken")).to_be_visible()
    screen.screenshot(path=SHOTS / "sanping-projector.png")
    screen.set_viewport_size(PHONE)
    screen.screenshot(path=SHOTS / "sanping-projector-phone.png")

    # 4. Summary; stepping back once and forward again keeps everything.
    lead.get_by_role("button", name="下一环节").click()
    expect(lead.get_by_test_id("current-stage")).to_contain_text("总结点评")
    lead.get_by_role("button", name="返回上一环节").click()
    expect(lead.get_by_test_id("current-stage")).to_contain_text("自评互评")
    lead.get_by_role("button", name="下一环节").click()
    lead.get_by_role("button", name="下一环节").click()
    expect(lead.get_by_role("alert").first).to_contain_text("请先填写总结")
    lead.get_by_test_id("summary-achievements").fill("大家会前准备认真，自我剖析深入。")
    lead.get_by_test_id("summary-shortcomings").fill("个别同志批评别人时顾虑较多。")
    lead.get_by_test_id("summary-next_steps").fill("逐条抓好整改，下次会议通报落实情况。")
    expect(lead.locator("#summary").get_by_test_id("save-status")).to_contain_text("已保存")
    cards = lead.get_by_test_id("comment-card")
    expect(cards).to_have_count(3)
    for i in range(3):
        cards.nth(i).get_by_test_id("comment-input").fill(f"剖析比较深刻，第{i + 1}位同志要抓好落实。")
        expect(cards.nth(i).get_by_test_id("save-status")).to_contain_text("已保存")
        expect(lead.get_by_test_id("commented-count")).to_contain_text(str(i + 1))
    shoot(lead, "4-summary")
    lead.get_by_role("button", name="下一环节").click()

    # 5. Rectification: an item per member, with a deadline; then close the meeting.
    expect(lead.get_by_test_id("current-stage")).to_contain_text("整改")
    lead.get_by_role("button", name="结束会议").click()
    expect(lead.get_by_role("alert").first).to_contain_text("请为以下同志至少制定一项整改措施")
    deadline = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    for person in (leader, member, third):
        card = lead.locator(f"#member-{person.pk}")
        card.get_by_label("问题", exact=True).fill(f"{person.name}的理论学习不够深入")
        card.get_by_label("具体措施").fill("每周集中学习两小时，每月写一篇心得")
        card.get_by_label("整改时限").fill(deadline)
        card.get_by_role("button", name="添加").click()
        expect(lead.locator(f"#member-{person.pk}").get_by_test_id("item")).to_have_count(1)
        if person == leader:
            shoot(lead, "5-rectification")
    with one_request_at_a_time:
        assert RectificationItem.objects.filter(session=session).count() == 3
    lead.get_by_role("button", name="结束会议").click()
    expect(lead.get_by_test_id("finished")).to_be_visible()
    with one_request_at_a_time:
        assert Meeting.objects.get(pk=session.meeting_id).state == Meeting.State.HELD
    shoot(lead, "6-finished")
    expect(lead.get_by_role("button", name="返回上一环节")).to_have_count(0)
    lead.get_by_test_id("finished").get_by_role("link").click()
    expect(lead.get_by_test_id("meeting-state")).to_have_text("已召开，记录整理中")


def test_the_branch_committee_follows_the_console_read_only(browser, live_server, one_request_at_a_time, evaluating_session, committee):
    page = signed_in(browser, live_server, "committee")
    page.goto(f"{live_server.url}/sanping/{evaluating_session.pk}/console/")
    expect(page.get_by_test_id("read-only")).to_contain_text("只读")
    expect(page.get_by_test_id("current-speaker")).to_have_text("李组长")
    expect(page.get_by_role("button", name="下一环节")).to_have_count(0)
    expect(page.get_by_test_id("slot-notes")).to_have_count(0)
    shoot(page, "committee")
