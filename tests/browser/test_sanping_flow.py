"""Issue 4's "done means", as people would do it, each on their own device: the leader
schedules a 三评 session; three members prepare and submit their material (one also
sends a colleague's opinion in advance); the leader opens the session with attendance,
runs the self- and mutual evaluations in speaking order while members type their
mutual evaluations on their phones, writes the summary and comments, sets
rectification items and submits the record; the secretary approves; a member marks
an item done and the leader verifies it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.factories import PASSWORD, MemberFactory
from tests.sanping.conftest import make_today

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def device(browser, live_server, username, viewport=None):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def prepare(page, live_server, session_pk, problems):
    page.goto(f"{live_server.url}/sanping/{session_pk}/")
    page.get_by_test_id("self-problems").fill(problems)
    page.get_by_test_id("self-causes").fill("理论学习不够深入，宗旨意识有所淡化。")
    page.get_by_test_id("self-direction").fill("每周集中学习，主动联系群众。")
    page.get_by_test_id("self-submit").click()
    expect(page.get_by_test_id("self-evaluation-state")).to_have_text("已提交")


def test_a_whole_sanping_session(browser, live_server, serialized_server, leader, member, secretary):
    with serialized_server:
        third = MemberFactory(group=leader.group, name="赵第三", department="人事处", user__username="third")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    # The leader schedules the session as a meeting of kind 三评.
    lead = device(browser, live_server, "leader")
    lead.goto(f"{live_server.url}/meetings/new/")
    lead.get_by_label("会议类型").select_option(value="sanping")
    lead.get_by_label("标题").fill("2026年度党小组“三评”会")
    lead.get_by_label("日期").fill(tomorrow.isoformat())
    lead.get_by_label("开始").fill("14:30")
    lead.get_by_label("结束").fill("17:00")
    lead.get_by_label("地点").fill("三楼党员活动室")
    lead.get_by_placeholder("议题").first.fill("开展“三评”")
    lead.locator("select[name='agenda-0-category']").select_option(label="批评与自我批评")
    lead.get_by_role("button", name="发布并通知参会人员").click()
    lead.get_by_test_id("sanping-link").click()
    session_pk = int(re.search(r"/sanping/(\d+)/", lead.url).group(1))

    # Three members prepare on their own devices; one also sends an opinion in advance.
    mine = device(browser, live_server, "member", PHONE)
    prepare(mine, live_server, session_pk, "张党员：工作中有畏难情绪。")
    form = mine.get_by_test_id("mutual-form-advance")
    form.get_by_label("同志").select_option(label="赵第三（人事处）")
    form.get_by_test_id("mutual-problems").fill("汇报工作时重点不够突出。")
    form.get_by_role("button", name="提出意见").click()
    expect(mine.get_by_test_id("mutual-sent")).to_contain_text("汇报工作时重点不够突出。")
    thirds = device(browser, live_server, "third", PHONE)
    prepare(thirds, live_server, session_pk, "赵第三：学习不够系统。")
    prepare(lead, live_server, session_pk, "李组长：对组员思想动态关心不够。")

    # The leader sees who submitted, never the drafts; the day comes and the session opens.
    lead.goto(f"{live_server.url}/sanping/{session_pk}/console/")
    expect(lead.get_by_test_id("submitted-count")).to_contain_text("3")
    with serialized_server:
        from sanping.models import SanpingSession

        make_today(SanpingSession.objects.get(pk=session_pk))
    lead.reload()
    lead.get_by_role("button", name="开场").click()
    expect(lead.get_by_test_id("current-stage")).to_contain_text("开场")
    for n, person in enumerate((leader, member, third), start=1):
        lead.locator(f"#attendance-{person.pk}").get_by_text("出席").click()
        expect(lead.locator(f"#att-{person.pk}-present")).to_be_checked()
        expect(lead.get_by_test_id("order-row")).to_have_count(n)  # the order follows attendance
    expect(lead.get_by_test_id("attendance-counts").first).to_contain_text("应到 3 人，实到 3 人")
    expect(lead.get_by_test_id("order-row")).to_have_count(3)
    names = lead.get_by_test_id("order-row").all_inner_texts()
    while not names[0].startswith("李组长"):
        lead.get_by_role("button", name="将李组长上移").click()
        lead.wait_for_timeout(300)
        names = lead.get_by_test_id("order-row").all_inner_texts()
    lead.get_by_role("button", name="进入自评互评").click()

    # The leader speaks first; the member types a mutual evaluation on the phone.
    expect(lead.get_by_test_id("current-speaker")).to_have_text("李组长")
    expect(lead.get_by_test_id("current-material")).to_contain_text("对组员思想动态关心不够")
    lead.get_by_test_id("slot-notes").fill("李组长结合工作查摆了关心组员不够的问题。")
    expect(lead.locator("#notes").get_by_test_id("save-status")).to_contain_text("已保存")
    mine.goto(f"{live_server.url}/sanping/{session_pk}/")
    expect(mine.get_by_test_id("current-speaker")).to_contain_text("李组长")
    speaker_form = mine.get_by_test_id(f"mutual-form-{leader.pk}")
    speaker_form.get_by_test_id("mutual-problems").fill("布置工作后跟进检查不够。")
    speaker_form.get_by_role("button", name="提交我的评议").click()
    expect(mine.get_by_test_id("mutual-saved")).to_be_visible()
    expect(lead.get_by_test_id("mutual-list")).to_contain_text("布置工作后跟进检查不够。", timeout=8000)

    # The member speaks; the third member evaluates them from their phone.
    lead.get_by_role("button", name=re.compile("下一位发言：张党员")).click()
    expect(lead.get_by_test_id("current-speaker")).to_have_text("张党员")
    thirds.goto(f"{live_server.url}/sanping/{session_pk}/")
    expect(thirds.get_by_test_id("current-speaker")).to_contain_text("张党员")
    form = thirds.get_by_test_id(f"mutual-form-{member.pk}")
    form.get_by_test_id("mutual-problems").fill("遇到难题时主动担当不够。")
    form.get_by_role("button", name="提交我的评议").click()
    expect(thirds.get_by_test_id("mutual-saved")).to_be_visible()
    expect(lead.get_by_test_id("mutual-list")).to_contain_text("遇到难题时主动担当不够。", timeout=8000)
    lead.get_by_role("button", name=re.compile("下一位发言：赵第三")).click()
    expect(lead.get_by_test_id("current-speaker")).to_have_text("赵第三")
    expect(lead.get_by_test_id("mutual-list")).to_contain_text("汇报工作时重点不够突出。")  # the opinion in advance
    expect(lead.get_by_test_id("all-spoken")).to_be_visible()

    # Summary and one comment per member.
    lead.get_by_role("button", name="下一环节").click()
    expect(lead.get_by_test_id("current-stage")).to_contain_text("总结点评")
    lead.get_by_test_id("summary-achievements").fill("会前准备认真，自我剖析深入。")
    lead.get_by_test_id("summary-shortcomings").fill("个别同志批评他人时有顾虑。")
    lead.get_by_test_id("summary-next_steps").fill("逐条抓好整改，下次会议通报落实情况。")
    expect(lead.locator("#summary").get_by_test_id("save-status")).to_contain_text("已保存")
    cards = lead.get_by_test_id("comment-card")
    for i in range(3):
        cards.nth(i).get_by_test_id("comment-input").fill("剖析深刻，要抓好落实。")
        expect(cards.nth(i).get_by_test_id("save-status")).to_contain_text("已保存")
    lead.get_by_role("button", name="下一环节").click()

    # Rectification items with deadlines; the meeting closes.
    expect(lead.get_by_test_id("current-stage")).to_contain_text("整改")
    deadline = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    for person in (leader, member, third):
        card = lead.locator(f"#member-{person.pk}")
        card.get_by_label("问题", exact=True).fill(f"{person.name}：理论学习不够深入")
        card.get_by_label("具体措施").fill("每周集中学习两小时，每月写一篇心得")
        card.get_by_label("整改时限").fill(deadline)
        card.get_by_role("button", name="添加").click()
        expect(lead.locator(f"#member-{person.pk}").get_by_test_id("item")).to_have_count(1)
    lead.get_by_role("button", name="结束会议").click()
    expect(lead.get_by_test_id("finished")).to_be_visible()

    # Minutes and submission through the meeting record.
    lead.get_by_test_id("finished").get_by_role("link").click()
    lead.get_by_label("会议记录").fill("按照“三评”程序，党小组长开场，逐人自评互评，组长总结点评。")
    lead.get_by_label("组长总结").fill("会议达到了预期目的。")
    lead.get_by_role("button", name="保存会议记录").click()
    lead.get_by_role("button", name="提交审核").click()
    expect(lead.get_by_test_id("meeting-state")).to_have_text("已提交审核")

    # The secretary reads the full record and approves it: everything is locked.
    sec = device(browser, live_server, "secretary")
    sec.goto(f"{live_server.url}/sanping/{session_pk}/record/")
    expect(sec.get_by_test_id("record-turn")).to_have_count(3)
    expect(sec.locator("main")).to_contain_text("遇到难题时主动担当不够。")
    sec.get_by_role("link", name="2026年度党小组“三评”会").click()
    sec.get_by_role("button", name="审核通过并锁定").click()
    with serialized_server:
        assert Meeting.objects.get(sanping__pk=session_pk).state == Meeting.State.APPROVED
    sec.goto(f"{live_server.url}/sanping/{session_pk}/record/")
    expect(sec.get_by_text("整份记录（包括评议、点评和整改措施）均已锁定")).to_be_visible()

    # After approval the member works off an item; the leader verifies it.
    mine.goto(f"{live_server.url}/rectification/")
    mine.get_by_role("link", name=re.compile("理论学习不够深入")).first.click()
    done = mine.get_by_test_id("done-form")
    done.locator("textarea").fill("已完成两个月的集中学习，形成学习笔记两篇。")
    done.get_by_role("button", name="标记完成").click()
    expect(mine.get_by_test_id("awaiting")).to_be_visible()
    item_url = mine.url
    lead.goto(item_url)
    lead.get_by_test_id("verify-button").click()
    expect(lead.get_by_test_id("item-state")).to_have_text("已验收")
    mine.reload()
    expect(mine.get_by_test_id("item-state")).to_have_text("已验收")
    mine.screenshot(path="test-results/sanping-item-verified-phone.png", full_page=True)
