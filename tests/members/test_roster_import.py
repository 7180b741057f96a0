"""Importing the roster: reading the file, the preview of each row, applying it."""

import datetime
import io
import time
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import roster
from members.models import Member, RosterImport
from members.services import RosterError, roster_import_apply, roster_import_create
from tests.factories import MemberFactory

from .conftest import HEADER, csv_bytes, roster_row, xlsx_bytes

User = get_user_model()


def upload(secretary, data, *, all_or_nothing=False, name="花名册.xlsx"):
    return roster_import_create(
        branch=secretary.branch, by=secretary.user, data=data, file_name=name, all_or_nothing=all_or_nothing
    )


def preview(upload_):
    return roster.plan_for(upload_.branch, upload_.rows)


def apply(secretary, upload_, *, all_or_nothing=False):
    return roster_import_apply(
        upload=upload_, by=secretary.user, fingerprint=preview(upload_).fingerprint, all_or_nothing=all_or_nothing
    )


def by_number(plan):
    return {row.number: row for row in plan.rows}


# Each outcome of a row


def test_preview_tells_new_updated_unchanged_and_error_rows_apart(secretary, groups, member):
    member.number, member.name, member.department = "DY100", "张党员", "综合处"
    member.save()
    unchanged = MemberFactory(group=groups["第一党小组"], number="DY101", name="李不变", gender="female",
                              birth_date=datetime.date(1990, 5, 1), department="办公室", position="科员",
                              joined_party_on=datetime.date(2015, 7, 1), full_member_on=datetime.date(2016, 7, 1),
                              phone="13800000000", user__email="dy101@example.org")
    rows = [
        roster_row("DY100", "张党员", "第二党小组", 处室="人事处"),
        roster_row("DY101", "李不变", 性别="女"),
        roster_row("DY102", "王新人"),
        roster_row("DY103", "", ),
    ]
    plan = preview(upload(secretary, xlsx_bytes(rows)))

    rows_by_number = by_number(plan)
    assert rows_by_number["DY102"].action == "create"
    assert rows_by_number["DY101"].action == "unchanged", rows_by_number["DY101"].changes
    update = rows_by_number["DY100"]
    assert update.action == "update"
    assert ("处室", "综合处", "人事处") in update.changes
    assert ("党小组", "第一党小组", "第二党小组") in update.changes
    assert rows_by_number["DY103"].action == "error"
    assert rows_by_number["DY103"].errors == ["缺少姓名。"]
    assert plan.counts == {"create": 1, "update": 1, "unchanged": 1, "skip": 0, "error": 1}
    assert unchanged.pk  # the unchanged member is left alone
    assert Member.objects.filter(number="DY102").exists() is False  # a preview writes nothing


def test_applying_creates_members_with_accounts_that_must_choose_a_password(secretary, groups):
    data = xlsx_bytes([roster_row("DY201", "赵一", "第一党小组"), roster_row("DY202", "钱二", "第二党小组", 党员类别="预备党员", 转正日期="")])
    result = apply(secretary, upload(secretary, data))

    assert (result.created, result.updated, result.errors) == (2, 0, 0)
    zhao = Member.objects.select_related("user", "group").get(number="DY201")
    assert zhao.group == groups["第一党小组"] and zhao.branch == secretary.branch
    assert zhao.user.username == "DY201" and zhao.user.email == "dy201@example.org"
    assert zhao.must_change_password and zhao.user.is_active
    assert zhao.birth_date == datetime.date(1990, 5, 1) and zhao.gender == "male"
    assert Member.objects.get(number="DY202").status == "probationary"
    issued = {row["username"]: row["password"] for row in result.passwords}
    assert set(issued) == {"DY201", "DY202"}
    assert zhao.user.check_password(issued["DY201"])
    assert len(issued["DY201"]) >= 15
    # The passwords are stored nowhere in clear.
    stored = str(list(RosterImport.objects.values_list("rows", "summary")))
    assert issued["DY201"] not in stored and issued["DY201"] not in zhao.user.password


def test_applying_updates_only_the_changed_fields_and_keeps_the_password(secretary, groups, member):
    member.number = "DY300"
    member.save()
    password_before = member.user.password
    data = xlsx_bytes([roster_row("DY300", member.name, "第二党小组", 职务="副处长", 电子邮箱="new@example.org")])
    result = apply(secretary, upload(secretary, data))

    assert (result.created, result.updated) == (0, 1)
    assert result.passwords == []
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.group == groups["第二党小组"] and member.position == "副处长"
    assert member.user.email == "new@example.org"
    assert member.user.password == password_before and not member.must_change_password


def test_reimporting_the_same_file_changes_nothing(secretary, groups):
    data = xlsx_bytes([roster_row(f"DY{n:03d}", f"党员{n}", "第一党小组" if n % 2 else "第二党小组") for n in range(1, 21)])
    apply(secretary, upload(secretary, data))
    before = (
        list(Member.objects.values_list("number", "name", "group_id", "status", "phone").order_by("number")),
        list(User.objects.values_list("username", "password", "email").order_by("username")),
        Member.history.count(),
    )

    again = upload(secretary, data)
    plan = preview(again)
    assert plan.counts["unchanged"] == 20 and not plan.has_changes
    result = apply(secretary, again)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 20)
    after = (
        list(Member.objects.values_list("number", "name", "group_id", "status", "phone").order_by("number")),
        list(User.objects.values_list("username", "password", "email").order_by("username")),
        Member.history.count(),
    )
    assert after == before


# Encodings and formats


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_utf8_or_gbk_reads_the_same_as_xlsx(secretary, groups, encoding):
    rows = [roster_row("DY401", "欧阳明", "第二党小组", 处室="发展规划处", 职务="二级调研员")]
    from_csv = roster.table_read(csv_bytes(rows, encoding=encoding)).rows
    from_xlsx = roster.table_read(xlsx_bytes(rows)).rows
    assert from_csv == from_xlsx
    assert from_csv[0]["cells"]["name"] == "欧阳明" and from_csv[0]["cells"]["department"] == "发展规划处"


def test_excel_dates_numbers_and_english_headers_are_understood(secretary, groups):
    header = ["Member number", "Name", "Status", "Party group", "Date of birth", "Phone"]
    rows = [{"Member number": 5001, "Name": "孙五", "Status": "full", "Party group": "第一党小组",
             "Date of birth": datetime.datetime(1988, 2, 29), "Phone": 13912345678}]
    plan = preview(upload(secretary, xlsx_bytes(rows, header=header)))
    row = plan.rows[0]
    assert row.action == "create", row.errors
    assert row.number == "5001"
    assert row.values["birth_date"] == datetime.date(1988, 2, 29)
    assert row.values["phone"] == "13912345678"


@pytest.mark.parametrize("text,expected", [
    ("2001-07-01", datetime.date(2001, 7, 1)),
    ("2001/7/1", datetime.date(2001, 7, 1)),
    ("2001.07.01", datetime.date(2001, 7, 1)),
    ("2001年7月1日", datetime.date(2001, 7, 1)),
    ("20010701", datetime.date(2001, 7, 1)),
])
def test_dates_in_the_usual_chinese_spellings_are_read(secretary, groups, text, expected):
    plan = preview(upload(secretary, xlsx_bytes([roster_row("DY501", "周日期", 入党日期=text, 转正日期="")])))
    assert plan.rows[0].values["joined_party_on"] == expected, plan.rows[0].errors


# Bad rows: each gets its reason in Chinese


@pytest.mark.parametrize("overrides,reason", [
    ({"党小组": "第九党小组"}, "本支部没有党小组「第九党小组」"),
    ({"党小组": ""}, "缺少党小组"),
    ({"出生日期": "1990-13-45"}, "不是日期"),
    ({"入党日期": "去年七月"}, "不是日期"),
    ({"入党日期": "2099-01-01"}, "不是可能的日期"),
    ({"姓名": ""}, "缺少姓名"),
    ({"姓名": "=HYPERLINK(\"http://x\",\"点我\")"}, "公式"),
    ({"姓名": "+1+1"}, "公式"),
    ({"姓名": "@SUM(A1)"}, "公式"),
    ({"姓名": "<script>alert(1)</script>"}, "HTML"),
    ({"处室": "<b>办公室</b>"}, "HTML"),
    ({"党员类别": "积极分子"}, "既不是正式党员也不是预备党员"),
    ({"党员类别": ""}, "缺少党员类别"),
    ({"性别": "未知"}, "性别"),
    ({"联系电话": "call me"}, "联系电话"),
    ({"电子邮箱": "not-an-email"}, "电子邮箱"),
    ({"党员编号": "DY 1"}, "党员编号"),
    ({"党员类别": "预备党员"}, "预备党员没有转正日期"),
    ({"入党日期": "1980-01-01", "出生日期": "1990-01-01"}, "入党日期早于出生日期"),
])
def test_a_bad_row_is_an_error_with_its_reason(secretary, groups, overrides, reason):
    plan = preview(upload(secretary, xlsx_bytes([roster_row("DY601", "吴错误", **overrides)])))
    row = plan.rows[0]
    assert row.action == "error"
    assert any(reason in error for error in row.errors), row.errors


def test_a_formula_cell_in_excel_is_refused_not_evaluated(secretary, groups):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["DY602", "=A1&\"x\"", "男", "", "", "", "正式党员", "", "", "第一党小组", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = preview(upload(secretary, buffer.getvalue()))
    assert plan.rows[0].action == "error" and "公式" in plan.rows[0].errors[0]


def test_a_number_twice_in_the_file_makes_both_rows_errors(secretary, groups):
    rows = [roster_row("DY701", "甲"), roster_row("DY702", "乙"), roster_row("DY701", "丙")]
    plan = preview(upload(secretary, xlsx_bytes(rows)))
    first, second, third = plan.rows
    assert second.action == "create"
    assert first.action == third.action == "error"
    assert "第 4 行" in first.errors[0] and "第 2 行" in third.errors[0]


def test_a_number_of_another_branch_is_refused(secretary, groups, outsider):
    plan = preview(upload(secretary, xlsx_bytes([roster_row(outsider.number, "冒名")])))
    assert plan.rows[0].action == "error"
    assert "其他党支部" in plan.rows[0].errors[0]
    assert outsider.name not in plan.rows[0].errors[0]


def test_a_member_who_left_is_skipped_not_brought_back(secretary, groups, member):
    member.user.is_active = False
    member.user.save()
    plan = preview(upload(secretary, xlsx_bytes([roster_row(member.number, member.name)])))
    assert plan.rows[0].action == "skip"
    assert not plan.has_errors


# Bad files: a clear message, nothing written


@pytest.mark.parametrize("data,message", [
    (b"", "文件是空的"),
    (b"   \n\n", "文件是空的"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "既不是 Excel 工作簿"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\x00>>", "既不是 Excel 工作簿"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel 文件"),
    (b"PK\x03\x04 broken zip", "既不是 Excel 工作簿"),
    ("姓名,电话\n张三,123\n".encode(), "缺少这些列：党员编号、党员类别、党小组"),
    (",".join(HEADER).encode() + b"\n", "有列名但没有党员"),
])
def test_a_file_that_is_no_roster_gets_a_clear_message(secretary, groups, data, message):
    with pytest.raises(roster.RosterFileError) as error:
        upload(secretary, data)
    assert message in str(error.value)
    assert not RosterImport.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(secretary, groups):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(roster.RosterFileError, match="既不是 Excel 工作簿"):
        upload(secretary, buffer.getvalue())


def test_too_many_rows_are_refused(secretary, groups, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 5)
    data = csv_bytes([roster_row(f"DY{n}", f"人{n}") for n in range(8)])
    with pytest.raises(roster.RosterFileError, match="超过 5 行"):
        upload(secretary, data)


# All or nothing, one transaction


def test_all_or_nothing_writes_nothing_when_any_row_has_an_error(secretary, groups):
    rows = [roster_row("DY801", "好人"), roster_row("DY802", "坏日期", 出生日期="1990-02-30")]
    upload_ = upload(secretary, xlsx_bytes(rows), all_or_nothing=True)
    with pytest.raises(RosterError, match="全部导入或全部不导入"):
        apply(secretary, upload_, all_or_nothing=True)
    assert not Member.objects.filter(number__in=["DY801", "DY802"]).exists()
    assert not User.objects.filter(username="DY801").exists()
    upload_.refresh_from_db()
    assert upload_.applied_at is None


def test_without_all_or_nothing_the_valid_rows_are_applied_and_the_errors_left_out(secretary, groups):
    rows = [roster_row("DY811", "好人"), roster_row("DY812", "坏日期", 出生日期="1990-02-30")]
    result = apply(secretary, upload(secretary, xlsx_bytes(rows)))
    assert (result.created, result.errors) == (1, 1)
    assert Member.objects.filter(number="DY811").exists() and not Member.objects.filter(number="DY812").exists()


def test_a_failure_half_way_rolls_everything_back(secretary, groups, monkeypatch):
    from simple_history import utils

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    rows = [roster_row("DY821", "一"), roster_row("DY822", "二")]
    upload_ = upload(secretary, xlsx_bytes(rows))
    monkeypatch.setattr("members.services.bulk_create_with_history", boom)
    with pytest.raises(RuntimeError):
        apply(secretary, upload_)
    assert not User.objects.filter(username__in=["DY821", "DY822"]).exists()
    upload_.refresh_from_db()
    assert upload_.applied_at is None
    assert utils  # the real helper is untouched


def test_a_roster_changed_since_the_preview_is_not_applied(secretary, groups, member):
    upload_ = upload(secretary, xlsx_bytes([roster_row(member.number, member.name, 处室="新处室")]))
    fingerprint = preview(upload_).fingerprint
    member.department = "新处室"
    member.save()
    with pytest.raises(RosterError, match="预览之后"):
        roster_import_apply(upload=upload_, by=secretary.user, fingerprint=fingerprint, all_or_nothing=False)


def test_the_same_upload_cannot_be_applied_twice(secretary, groups):
    upload_ = upload(secretary, xlsx_bytes([roster_row("DY831", "一")]))
    fingerprint = preview(upload_).fingerprint
    roster_import_apply(upload=upload_, by=secretary.user, fingerprint=fingerprint, all_or_nothing=False)
    with pytest.raises(RosterError, match="已经导入"):
        roster_import_apply(upload=upload_, by=secretary.user, fingerprint=fingerprint, all_or_nothing=False)
    assert Member.objects.filter(number="DY831").count() == 1


def test_a_leader_moved_by_the_import_no_longer_leads_the_old_group(secretary, groups, leader):
    data = xlsx_bytes([roster_row(leader.number, leader.name, "第二党小组")])
    upload_ = upload(secretary, data)
    assert any("组长" in note for note in preview(upload_).rows[0].notes)
    apply(secretary, upload_)
    groups["第一党小组"].refresh_from_db()
    assert groups["第一党小组"].leader is None
    assert groups["第一党小组"].history.first().history_user == secretary.user


# Who may import


@pytest.mark.parametrize("persona", ["member", "leader", "committee", "outsider"])
def test_only_the_secretary_and_staff_may_import(personas, secretary, groups, persona):
    with pytest.raises(PermissionDenied):
        roster_import_create(branch=secretary.branch, by=personas[persona], data=xlsx_bytes([roster_row("X1", "一")]),
                             file_name="x.xlsx", all_or_nothing=False)


def test_staff_may_import(personas, secretary, groups):
    staff = personas["staff"]
    upload_ = roster_import_create(branch=secretary.branch, by=staff, data=xlsx_bytes([roster_row("DY841", "一")]),
                                   file_name="x.xlsx", all_or_nothing=False)
    result = roster_import_apply(upload=upload_, by=staff, fingerprint=preview(upload_).fingerprint, all_or_nothing=False)
    assert result.created == 1


def test_another_branchs_secretary_cannot_apply_this_branchs_upload(secretary, groups, outsider):
    outsider.branch_role = Member.BranchRole.SECRETARY
    outsider.save()
    upload_ = upload(secretary, xlsx_bytes([roster_row("DY851", "一")]))
    with pytest.raises(PermissionDenied):
        roster_import_apply(upload=upload_, by=outsider.user, fingerprint=preview(upload_).fingerprint, all_or_nothing=False)


# Size and speed


def many_rows(count, start=0):
    return [roster_row(f"B{n:05d}", f"党员{n}", "第一党小组" if n % 2 else "第二党小组") for n in range(start, start + count)]


def queries_of(secretary, rows):
    data = xlsx_bytes(rows)
    with CaptureQueriesContext(connection) as captured:
        upload_ = upload(secretary, data)
        apply(secretary, upload_)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_rows(secretary, groups):
    # Upload: clean-up, insert. Preview (twice: on upload and on confirm): groups, members
    # by number, taken sign-in names, members not in the file. Apply: lock the upload,
    # insert users, members and their history rows, mark the upload applied.
    few = queries_of(secretary, many_rows(5))
    assert queries_of(secretary, many_rows(40, start=100)) == few
    # Inserts go in batches (SQLite allows 999 parameters a statement, ~50 history rows):
    # 400 rows cost a few more statements, not one per row.
    assert queries_of(secretary, many_rows(400, start=1000)) < few + 30


def test_five_thousand_rows_preview_and_apply_in_time(secretary, groups):
    data = xlsx_bytes(many_rows(5000))
    started = time.perf_counter()
    upload_ = upload(secretary, data)
    plan = preview(upload_)
    assert plan.counts["create"] == 5000
    result = apply(secretary, upload_)
    elapsed = time.perf_counter() - started
    assert result.created == 5000
    assert Member.objects.filter(branch=secretary.branch).count() >= 5000
    assert elapsed < 30, elapsed
