"""Issue 7's "done means", as people would do it: the secretary downloads the template,
fills in 30 members across three groups, imports it, reads the preview, confirms and
hands out the one-time passwords; one new member signs in with theirs and is made to
choose a new password."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from members.models import Member
from tests.factories import PASSWORD, PartyGroupFactory

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴", "伟芳娜敏静丽强磊军洋"


def filled_template(path: str, group_names: list[str]) -> bytes:
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for n in range(30):
        sheet.append([
            f"DY{n + 101:03d}", SURNAMES[n % 10] + GIVEN[n // 3], "男" if n % 2 else "女", f"19{70 + n}-0{1 + n % 9}-15",
            "办公室", "科员", "预备党员" if n == 29 else "正式党员", "2010-07-01", None if n == 29 else "2011-07-01",
            group_names[n % 3], f"1380000{n:04d}", f"dy{n + 101}@example.org",
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_secretary_imports_thirty_members_and_one_signs_in_with_the_initial_password(
    browser, live_server, secretary, group, other_group, tmp_path
):
    third = PartyGroupFactory(branch=group.branch, name="第三党小组", position=3)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("用户名").fill("secretary")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="花名册", exact=True).click()
    expect(page.get_by_role("heading", name="花名册与账号")).to_be_visible()
    with page.expect_download() as template:
        page.get_by_test_id("template-link").click()
    template_path = tmp_path / template.value.suggested_filename
    template.value.save_as(template_path)
    assert template.value.suggested_filename == "党员花名册模板.xlsx"

    roster_path = tmp_path / "本支部花名册.xlsx"
    roster_path.write_bytes(filled_template(str(template_path), [group.name, other_group.name, third.name]))
    page.get_by_label("花名册文件").set_input_files(str(roster_path))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_role("heading", name="导入预览")).to_be_visible()
    expect(page.get_by_test_id("count-create")).to_contain_text("30")
    expect(page.get_by_test_id("count-error")).to_contain_text("0")
    expect(page.get_by_test_id("preview-row")).to_have_count(30)
    page.screenshot(path="test-results/roster-preview-desktop.png", full_page=True)
    assert not Member.objects.filter(number="DY101").exists()

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="初始密码")).to_be_visible()
    expect(page.get_by_text("花名册已导入：新增 30 人")).to_be_visible()
    expect(page.get_by_test_id("password-row")).to_have_count(30)
    first_row = page.get_by_test_id("password-row").filter(has_text="DY101")
    initial_password = first_row.get_by_test_id("initial-password").inner_text()
    page.screenshot(path="test-results/roster-passwords-desktop.png", full_page=True)

    with page.expect_download() as listing:
        page.get_by_role("button", name="下载清单（.xlsx）并从此页移除").click()
    assert listing.value.suggested_filename.startswith("初始密码-")
    content = io.BytesIO(open(listing.value.path(), "rb").read())
    rows = list(load_workbook(content).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 31 and ("DY101", "王伟", "DY101", initial_password) in rows
    page.goto(f"{live_server.url}/roster/passwords/")
    expect(page.get_by_test_id("no-passwords")).to_be_visible()
    assert Member.objects.filter(branch=group.branch, number__startswith="DY1").count() == 30
    assert set(Member.objects.filter(number__startswith="DY1").values_list("group__name", flat=True)) == {
        group.name, other_group.name, third.name
    }
    context.close()

    # The new member signs in with the one-time password and must choose their own.
    newcomer = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    newcomer.goto(f"{live_server.url}/accounts/sign-in/")
    newcomer.get_by_label("用户名").fill("DY101")
    newcomer.get_by_label("密码").fill(initial_password)
    newcomer.get_by_role("button", name="登录").click()
    newcomer.wait_for_url(f"{live_server.url}/accounts/password/")
    expect(newcomer.get_by_test_id("forced-change")).to_be_visible()
    newcomer.screenshot(path="test-results/roster-forced-change-desktop.png", full_page=True)
    newcomer.goto(f"{live_server.url}/members/")
    newcomer.wait_for_url(f"{live_server.url}/accounts/password/")

    newcomer.get_by_label("旧密码").fill(initial_password)
    newcomer.locator("#id_new_password1").fill("Spring-River-Lamp-2026")
    newcomer.get_by_label("新密码确认").fill("Spring-River-Lamp-2026")
    newcomer.get_by_role("button", name="修改密码").click()
    expect(newcomer.get_by_role("heading", name="密码已修改")).to_be_visible()
    newcomer.goto(f"{live_server.url}/members/")
    expect(newcomer.get_by_role("heading", name="党员名册")).to_be_visible()
    assert not Member.objects.get(number="DY101").must_change_password


def test_roster_pages_fit_a_phone(page, live_server, sign_in, secretary, member, tmp_path):
    page.set_viewport_size(PHONE)
    sign_in("secretary", PASSWORD)
    page.goto(f"{live_server.url}/roster/")
    expect(page.get_by_role("heading", name="花名册与账号")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-results/roster-phone.png", full_page=True)

    path = tmp_path / "名单.csv"
    path.write_text(
        "党员编号,姓名,党员类别,党小组,处室\n"
        f"{member.number},{member.name},正式党员,第二党小组,{member.department}\n"
        "DY900,欧阳新同志,预备党员,第一党小组,综合处\n"
        "DY901,=CMD(),正式党员,第一党小组,综合处\n",
        encoding="gbk",
    )
    page.get_by_label("花名册文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("preview-row")).to_have_count(3)
    expect(page.get_by_text("像是电子表格公式")).to_be_visible()
    expect(page.get_by_text("第一党小组", exact=False).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-results/roster-preview-phone.png", full_page=True)

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("password-row")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-results/roster-passwords-phone.png", full_page=True)
