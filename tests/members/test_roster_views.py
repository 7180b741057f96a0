"""The roster pages: upload, preview, confirm, one-time passwords, export and template."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from members import roster
from members.models import Member, RosterImport

from .conftest import HEADER, csv_bytes, roster_row, xlsx_bytes


def sign_in(client, user):
    client.force_login(user)
    return client


def post_file(client, branch, data, name="花名册.xlsx", **extra):
    return client.post(
        reverse("roster_import", args=[branch.pk]), {"file": SimpleUploadedFile(name, data), **extra}
    )


def sheet_rows(content: bytes, sheet=0):
    workbook = load_workbook(io.BytesIO(content))
    return [[cell.value for cell in row] for row in workbook.worksheets[sheet].iter_rows()]


# The whole way, as the secretary goes


def test_secretary_uploads_previews_confirms_and_gets_the_passwords_once(client, secretary, groups):
    sign_in(client, secretary.user)
    branch = secretary.branch
    rows = [roster_row("DY901", "陈一", "第一党小组"), roster_row("DY902", "陈二", "第二党小组"), roster_row("DY903", "", "第二党小组")]

    response = post_file(client, branch, xlsx_bytes(rows))
    upload = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roster_preview", args=[branch.pk, upload.pk])

    page = client.get(response["Location"]).content.decode()
    assert "导入预览" in page and "陈一" in page and "新增" in page and "缺少姓名" in page
    assert not Member.objects.filter(number="DY901").exists()

    fingerprint = roster.plan_for(branch, upload.rows).fingerprint
    response = client.post(reverse("roster_preview", args=[branch.pk, upload.pk]), {"fingerprint": fingerprint})
    assert response.status_code == 302 and response["Location"] == reverse("roster_passwords")
    assert Member.objects.filter(number__in=["DY901", "DY902"]).count() == 2

    page = client.get(reverse("roster_passwords")).content.decode()
    assert "初始密码" in page and "DY901" in page and "陈二" in page
    download = client.post(reverse("roster_passwords"), {"action": "download"})
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    assert "attachment" in download["Content-Disposition"]
    listed = sheet_rows(download.content)
    assert listed[0] == ["党员编号", "姓名", "登录名", "初始密码"]
    passwords = {row[2]: row[3] for row in listed[1:]}
    assert set(passwords) == {"DY901", "DY902"}
    assert Member.objects.get(number="DY901").user.check_password(passwords["DY901"])

    # Once downloaded, gone.
    assert "没有待发放的初始密码" in client.get(reverse("roster_passwords")).content.decode()
    again = client.post(reverse("roster_passwords"), {"action": "download"})
    assert again.status_code == 302


def test_passwords_can_be_discarded(client, secretary, member):
    sign_in(client, secretary.user)
    client.post(reverse("member_password_reset", args=[member.pk]))
    assert member.user.username in client.get(reverse("roster_passwords")).content.decode()
    client.post(reverse("roster_passwords"), {"action": "discard"})
    assert "没有待发放的初始密码" in client.get(reverse("roster_passwords")).content.decode()


def test_a_bad_file_is_told_on_the_roster_page_without_a_500(client, secretary, groups):
    sign_in(client, secretary.user)
    response = post_file(client, secretary.branch, b"\x89PNG\r\n\x1a\n\x00\x00binary", name="photo.xlsx")
    assert response.status_code == 400
    text = response.content.decode()
    assert "既不是 Excel 工作簿" in text
    assert "all_or_nothing" in text  # the form is shown again
    assert not RosterImport.objects.exists()


def test_an_empty_upload_is_told(client, secretary, groups):
    sign_in(client, secretary.user)
    response = post_file(client, secretary.branch, b"", name="empty.csv")
    assert response.status_code == 400
    assert "文件" in response.content.decode()


def test_a_gbk_csv_goes_through_the_page(client, secretary, groups):
    sign_in(client, secretary.user)
    response = post_file(client, secretary.branch, csv_bytes([roster_row("DY911", "欧阳娜")], encoding="gbk"), name="名单.csv")
    page = client.get(response["Location"]).content.decode()
    assert "欧阳娜" in page and "新增" in page


def test_all_or_nothing_with_an_error_imports_nothing_and_says_so(client, secretary, groups):
    sign_in(client, secretary.user)
    branch = secretary.branch
    post_file(client, branch, xlsx_bytes([roster_row("DY921", "好"), roster_row("DY922", "坏", 党小组="无此组")]), all_or_nothing="on")
    upload = RosterImport.objects.get()
    assert upload.all_or_nothing
    fingerprint = roster.plan_for(branch, upload.rows).fingerprint
    response = client.post(reverse("roster_preview", args=[branch.pk, upload.pk]),
                           {"fingerprint": fingerprint, "all_or_nothing": "on"}, follow=True)
    assert "未导入任何数据" in response.content.decode()
    assert not Member.objects.filter(number="DY921").exists()


def test_a_stale_preview_is_shown_again_instead_of_applied(client, secretary, groups):
    sign_in(client, secretary.user)
    branch = secretary.branch
    post_file(client, branch, xlsx_bytes([roster_row("DY931", "一")]))
    upload = RosterImport.objects.get()
    response = client.post(reverse("roster_preview", args=[branch.pk, upload.pk]), {"fingerprint": "stale"}, follow=True)
    assert "预览之后花名册已有变动" in response.content.decode()
    assert not Member.objects.filter(number="DY931").exists()


def test_the_preview_filters_rows_by_outcome_and_pages_them(client, secretary, groups):
    sign_in(client, secretary.user)
    rows = [roster_row(f"P{n:04d}", f"人{n}") for n in range(150)] + [roster_row("P9999", "", )]
    post_file(client, secretary.branch, xlsx_bytes(rows))
    url = reverse("roster_preview", args=[secretary.branch.pk, RosterImport.objects.get().pk])
    page = client.get(url).content.decode()
    assert page.count('data-testid="preview-row"') == 100
    errors = client.get(url, {"show": "error"}).content.decode()
    assert errors.count('data-testid="preview-row"') == 1 and "缺少姓名" in errors


def test_a_file_matching_the_roster_offers_nothing_to_confirm(client, secretary, member):
    sign_in(client, secretary.user)
    exported = client.get(reverse("roster_export")).content
    post_file(client, secretary.branch, exported)
    page = client.get(reverse("roster_preview", args=[secretary.branch.pk, RosterImport.objects.get().pk])).content.decode()
    assert "花名册已与此文件一致" in page and 'data-testid="confirm-form"' not in page


# Template and export


def test_the_template_has_the_columns_and_the_branchs_groups(client, secretary, groups):
    sign_in(client, secretary.user)
    response = client.get(reverse("roster_template", args=[secretary.branch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response.content)
    assert rows[0] == HEADER
    instructions = "\n".join(str(cell) for row in sheet_rows(response.content, sheet=1) for cell in row if cell)
    assert "第一党小组" in instructions and "第二党小组" in instructions


def test_a_filled_template_imports(client, secretary, groups):
    sign_in(client, secretary.user)
    workbook = load_workbook(io.BytesIO(client.get(reverse("roster_template", args=[secretary.branch.pk])).content))
    sheet = workbook.worksheets[0]
    sheet.append(["DY941", "郑模板", "女", "1992-03-04", "办公室", "科员", "预备党员", "2026-01-05", None, "第二党小组", "13900000000", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = roster.plan_for(secretary.branch, roster.table_read(buffer.getvalue()).rows)
    assert [row.action for row in plan.rows] == ["create"], plan.rows[0].errors


def test_export_neutralises_cells_that_a_spreadsheet_would_run(client, secretary, member):
    member.department = "=HYPERLINK(\"http://evil\",\"x\")"
    member.position = "@SUM(1)"
    member.phone = "+86 138 0000 0000"
    member.save()
    sign_in(client, secretary.user)
    response = client.get(reverse("roster_export"))
    assert response.status_code == 200
    rows = sheet_rows(response.content)
    assert rows[0] == HEADER
    line = next(row for row in rows if row[0] == member.number)
    assert line[HEADER.index("处室")] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert line[HEADER.index("职务")] == "'@SUM(1)"
    assert line[HEADER.index("联系电话")] == "'+86 138 0000 0000"
    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook.worksheets[0].cell(row=rows.index(line) + 1, column=HEADER.index("处室") + 1)
    assert cell.data_type == "s"  # text, never a formula


def test_export_then_import_changes_nothing(client, secretary, member, leader, other_member):
    sign_in(client, secretary.user)
    exported = client.get(reverse("roster_export")).content
    plan = roster.plan_for(secretary.branch, roster.table_read(exported).rows)
    assert {row.action for row in plan.rows} == {"unchanged"}, [(r.number, r.errors, r.changes) for r in plan.rows]
    assert len(plan.rows) == 4  # the member, the leader, the other member and the secretary


def test_export_is_filtered_as_the_directory_is(client, secretary, member, other_member, group):
    sign_in(client, secretary.user)
    rows = sheet_rows(client.get(reverse("roster_export"), {"group": group.pk}).content)
    names = {row[1] for row in rows[1:]}
    assert member.name in names and other_member.name not in names


def test_export_leaves_out_members_who_left(client, secretary, member):
    member.user.is_active = False
    member.user.save()
    sign_in(client, secretary.user)
    rows = sheet_rows(client.get(reverse("roster_export")).content)
    assert member.number not in {row[0] for row in rows}


def test_the_directory_offers_the_export_with_its_filters(client, secretary, committee, member, group):
    for user in (secretary.user, committee.user):
        sign_in(client, user)
        page = client.get(reverse("directory"), {"group": group.pk}).content.decode()
        assert f'{reverse("roster_export")}?q=&amp;group={group.pk}' in page or f"group={group.pk}" in page
        assert 'data-testid="export-link"' in page
    sign_in(client, member.user)
    assert 'data-testid="export-link"' not in client.get(reverse("directory")).content.decode()


# Who may do what


@pytest.mark.parametrize("persona,status", [
    ("secretary", 200), ("staff", 200), ("committee", 403), ("leader", 403), ("member", 403), ("outsider", 404),
])
def test_roster_pages_are_the_secretarys(client, personas, secretary, persona, status):
    sign_in(client, personas[persona])
    branch = secretary.branch
    for url in [reverse("roster_branch", args=[branch.pk]), reverse("roster_template", args=[branch.pk])]:
        assert client.get(url).status_code == status, url
    response = post_file(client, branch, xlsx_bytes([roster_row("Z1", "一")]))
    assert response.status_code == (302 if status == 200 else status)


@pytest.mark.parametrize("persona,status", [
    ("secretary", 200), ("committee", 200), ("staff", 200), ("leader", 403), ("member", 403), ("outsider", 403),
])
def test_export_is_for_the_secretary_committee_and_staff(client, personas, persona, status):
    sign_in(client, personas[persona])
    assert client.get(reverse("roster_export")).status_code == status


def test_another_branchs_secretary_can_neither_see_nor_import_into_this_branch(client, secretary, outsider, groups, member):
    outsider.branch_role = Member.BranchRole.SECRETARY
    outsider.save()
    sign_in(client, secretary.user)
    post_file(client, secretary.branch, xlsx_bytes([roster_row("DY951", "一")]))
    upload = RosterImport.objects.get()

    sign_in(client, outsider.user)
    assert client.get(reverse("roster_branch", args=[secretary.branch.pk])).status_code == 404
    assert client.get(reverse("roster_preview", args=[secretary.branch.pk, upload.pk])).status_code == 404
    assert post_file(client, secretary.branch, xlsx_bytes([roster_row("DY952", "二")])).status_code == 404
    fingerprint = roster.plan_for(secretary.branch, upload.rows).fingerprint
    response = client.post(reverse("roster_preview", args=[secretary.branch.pk, upload.pk]), {"fingerprint": fingerprint})
    assert response.status_code == 404
    # Their own branch's preview page does not reach this upload either.
    assert client.get(reverse("roster_preview", args=[outsider.branch.pk, upload.pk])).status_code == 404
    exported = sheet_rows(client.get(reverse("roster_export")).content)
    assert member.number not in {row[0] for row in exported}
    assert not Member.objects.filter(number__in=["DY951", "DY952"]).exists()


def test_roster_home_sends_the_secretary_to_their_branch_and_lists_branches_for_staff(client, personas, secretary, outsider):
    sign_in(client, personas["secretary"])
    assert client.get(reverse("roster"))["Location"] == reverse("roster_branch", args=[secretary.branch.pk])
    sign_in(client, personas["staff"])
    page = client.get(reverse("roster")).content.decode()
    assert secretary.branch.name in page and outsider.branch.name in page
    sign_in(client, personas["member"])
    assert client.get(reverse("roster")).status_code == 403


def test_the_nav_shows_the_roster_to_the_secretary_only(client, personas):
    sign_in(client, personas["secretary"])
    assert reverse("roster") in client.get(reverse("home")).content.decode()
    sign_in(client, personas["committee"])
    assert reverse("roster") not in client.get(reverse("home")).content.decode()


def test_the_roster_page_lists_departed_members_and_recent_imports(client, secretary, member, groups):
    member.user.is_active = False
    member.user.save()
    sign_in(client, secretary.user)
    page = client.get(reverse("roster_branch", args=[secretary.branch.pk])).content.decode()
    assert "已转出的党员" in page and member.name in page
