import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, MemberFactory

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_signs_in_and_filters_the_directory(page, live_server, sign_in, secretary, member, other_member, group):
    MemberFactory(group=group, name="杨预备", status="probationary", department="综合处")
    sign_in("secretary", PASSWORD)
    expect(page.get_by_test_id("home-branch")).to_have_text(secretary.branch.name)

    page.get_by_role("link", name="党员", exact=True).first.click()
    expect(page.get_by_role("heading", name="党员名册")).to_be_visible()
    rows = page.get_by_test_id("member-row")
    expect(rows).to_have_count(5)

    page.get_by_label("党小组").select_option(label=group.name)
    expect(rows).to_have_count(3)  # the leader, the member and the probationer
    expect(page).to_have_url(f"{live_server.url}/members/?q=&group={group.pk}&status=&department=")

    page.get_by_label("党员类别").select_option(label="预备党员")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("杨预备")

    page.get_by_role("link", name="重置").click()
    page.get_by_label("姓名").fill(other_member.name)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(other_member.name)
    page.screenshot(path="test-results/directory-desktop.png", full_page=True)


def test_wrong_password_is_told_in_chinese(page, live_server, member):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("用户名").fill("member")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("请输入一个正确的")).to_be_visible()
    expect(page.get_by_label("用户名")).to_have_value("member")


def test_directory_works_on_a_phone(page, live_server, sign_in, secretary, member):
    page.set_viewport_size(PHONE)
    sign_in("secretary", PASSWORD)
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="党员", exact=True).click()
    expect(page.get_by_test_id("member-row").first).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-results/directory-phone.png", full_page=True)
