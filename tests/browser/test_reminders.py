"""Done means: a member with an overdue thought report sees the reminder in the
notification centre, and gets its email once, however many times the sweep runs."""

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from meetings.cadence import local_today, period_containing
from meetings.models import Notification
from meetings.notifications import message_of
from meetings.reminders import sweep
from tests.factories import PASSWORD

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_overdue_thought_report_is_in_the_centre_and_emailed_once(page, live_server, sign_in, member, leader, mailoutbox):
    # Whatever today is, the member wrote no report in the previous two-month period.
    previous = period_containing(local_today(), 2).previous()
    for _ in range(3):  # beat runs the sweep every hour; a second beat, a redelivery…
        sweep(timezone.now())
    reminder = Notification.objects.get(recipient=member, kind="thought_report_overdue", channel="app")
    with translation.override("zh-hans"):
        text = message_of(reminder)
        assert previous.label in text

    sign_in("member", PASSWORD)
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.get_by_test_id("nav-notifications").click()
    item = page.get_by_test_id("notification").filter(has_text=text)
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("unread-badge")).to_be_visible()
    page.screenshot(path="test-results/reminders-centre-desktop.png", full_page=True)

    item.get_by_role("button").click()
    expect(page).to_have_url(f"{live_server.url}/thought-reports/new/")
    reminder.refresh_from_db()
    assert reminder.read_at is not None

    sweep(timezone.now())
    mine = [m for m in mailoutbox if m.to == [member.user.email] and previous.label in m.body]
    assert len(mine) == 1
    assert "/thought-reports/new/" in mine[0].body and mine[0].subject.startswith("【三评】")


def test_a_member_turns_off_one_kind_of_email_on_a_phone(browser, live_server, member):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("用户名").fill("member")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_test_id("email-preferences").click()
    switch = page.locator("#email-meeting_coming")
    expect(switch).to_be_checked()
    switch.uncheck()
    page.screenshot(path="test-results/reminders-preferences-phone.png", full_page=True)
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("#email-meeting_coming")).not_to_be_checked()
    expect(page.locator("#email-thought_report_overdue")).to_be_checked()
    assert list(member.email_opt_outs.values_list("kind", flat=True)) == ["meeting_coming"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
