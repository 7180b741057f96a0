"""Roster files as a secretary would make them: .xlsx from Excel, CSV in UTF-8 or GBK."""

import csv
import io

import pytest
from openpyxl import Workbook

HEADER = ["党员编号", "姓名", "性别", "出生日期", "处室", "职务", "党员类别", "入党日期", "转正日期", "党小组", "联系电话", "电子邮箱"]


def roster_row(number, name, group="第一党小组", **overrides):
    row = {
        "党员编号": number,
        "姓名": name,
        "性别": "男",
        "出生日期": "1990-05-01",
        "处室": "办公室",
        "职务": "科员",
        "党员类别": "正式党员",
        "入党日期": "2015-07-01",
        "转正日期": "2016-07-01",
        "党小组": group,
        "联系电话": "13800000000",
        "电子邮箱": f"{number.lower()}@example.org",
    }
    row.update(overrides)
    return row


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8", header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return text.getvalue().encode(encoding)


@pytest.fixture
def groups(branch, group, other_group):
    """The branch's two groups, named as in the rows above."""
    return {"第一党小组": group, "第二党小组": other_group}
