"""The branch roster (党员花名册) as a spreadsheet: reading an uploaded .xlsx or .csv,
checking every row against the branch, the plan of what an import would change, and
writing the roster, the blank template and the list of initial passwords as .xlsx.

Reading and planning write nothing; `members.services.roster_import_apply` applies a plan.
Everything here costs a fixed number of queries, whatever the number of rows.
"""

import csv
import datetime
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .models import Branch, Member, PartyGroup

MAX_ROWS = 10_000
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 40


class RosterFileError(Exception):
    """The upload cannot be read as a roster; the message is for the secretary."""


@dataclass(frozen=True)
class Column:
    field: str
    label: object  # lazy translation: the header in the template and the export
    required: bool = False
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text, date, choice, group
    max_length: int = 100
    help: object = ""
    example: str = ""
    width: int = 14


COLUMNS = [
    Column("number", gettext_lazy("Member number"), True, ("编号", "党员编号*", "number", "no"), max_length=30,
           help=gettext_lazy("Letters and digits; identifies the person when the roster is imported again."),
           example="DY031"),
    Column("name", gettext_lazy("Name"), True, ("姓名*", "name"), max_length=50, example="张三", width=10),
    Column("gender", gettext_lazy("Gender"), False, ("性别", "gender"), kind="choice", help=gettext_lazy("男 or 女"),
           example="男", width=8),
    Column("birth_date", gettext_lazy("Date of birth"), False, ("出生年月", "出生日期", "birth date"), kind="date",
           help=gettext_lazy("A date such as 1990-05-01"), example="1990-05-01"),
    Column("department", gettext_lazy("Department"), False, ("部门", "处室", "单位", "department"), example="办公室"),
    Column("position", gettext_lazy("Position"), False, ("职务", "职务职级", "position"), example="科员"),
    Column("status", gettext_lazy("Status"), True, ("党员类别", "类别", "人员类别", "status"), kind="choice",
           help=gettext_lazy("正式党员 or 预备党员"), example="正式党员", width=12),
    Column("joined_party_on", gettext_lazy("Date of joining the party"), False,
           ("入党时间", "入党日期", "joined the party", "date joined"), kind="date",
           help=gettext_lazy("A date such as 2015-07-01"), example="2015-07-01"),
    Column("full_member_on", gettext_lazy("Date of becoming a full member"), False,
           ("转正时间", "转正日期", "full member since"), kind="date",
           help=gettext_lazy("Empty for a probationary member"), example="2016-07-01"),
    Column("group", gettext_lazy("Party group"), True, ("党小组", "所在党小组", "小组", "group"), kind="group",
           help=gettext_lazy("The name of a party group of the branch, as on the site"), example="第一党小组"),
    Column("phone", gettext_lazy("Phone"), False, ("手机", "手机号", "手机号码", "电话", "联系电话", "phone"),
           max_length=30, example="13800000000"),
    Column("email", gettext_lazy("Email"), False, ("邮箱", "电子邮箱", "email", "e-mail"), max_length=254,
           example="zhangsan@example.org", width=24),
]
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED = [column for column in COLUMNS if column.required]
MEMBER_FIELDS = ["name", "gender", "birth_date", "department", "position", "status", "joined_party_on",
                 "full_member_on", "group", "phone"]

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^\w[\w.\-]*$")
PHONE_RE = re.compile(r"^[0-9+\-() ]+$")
HTML_RE = re.compile(r"[<>]")
DATE_RES = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def _header_key(text: str) -> str:
    return re.sub(r"[\s*＊:：]", "", str(text)).lower()


def _header_map() -> dict[str, str]:
    """Every accepted header (Chinese and English labels, and common variants) → field."""
    headers = {}
    for column in COLUMNS:
        names = [*column.aliases, column.field]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names.append(str(column.label))
        for name in names:
            headers[_header_key(name)] = column.field
    return headers


def _choice_map(choices, extra: dict[str, str]) -> dict[str, str]:
    values = {}
    for value, label in choices:
        if not value:
            continue
        values[value.lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                values[str(label).lower()] = value
    values.update(extra)
    return values


def _gender_map():
    return _choice_map(Member.Gender.choices, {"男": "male", "女": "female", "男性": "male", "女性": "female",
                                               "m": "male", "f": "female"})


def _status_map():
    return _choice_map(Member.Status.choices, {"正式": "full", "预备": "probationary", "正式党员": "full",
                                               "预备党员": "probationary"})


# Reading a file


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Undo the apostrophe our own export puts before a formula-like cell.
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


def _read_xlsx(data: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # a damaged or foreign zip: openpyxl raises many kinds
        raise RosterFileError(_("The file could not be read as an Excel workbook (.xlsx). Save it again from Excel and retry.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 50:
                break
        return rows
    except Exception as error:
        raise RosterFileError(_("The file could not be read as an Excel workbook (.xlsx). Save it again from Excel and retry.")) from error
    finally:
        workbook.close()


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Spreadsheets saved as CSV on Chinese Windows are GBK; GB 18030 is its superset.
    return data.decode("gb18030")


def _read_csv(data: bytes) -> list[list]:
    not_a_table = _("The file is neither an Excel workbook (.xlsx) nor a CSV file. Upload the roster as .xlsx or .csv.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterFileError(not_a_table)
    try:
        text = _decode_text(data)
    except (UnicodeDecodeError, UnicodeError) as error:
        raise RosterFileError(not_a_table) from error
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:4096]):
        raise RosterFileError(not_a_table)
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";", "，"], key=first_line.count)
    if delimiter == "，":
        raise RosterFileError(_("The columns are separated by Chinese commas (，). Save the file as CSV from Excel."))
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row[:MAX_COLUMNS])
            if len(rows) > MAX_ROWS + 50:
                break
        return rows
    except csv.Error as error:
        raise RosterFileError(not_a_table) from error


@dataclass
class Table:
    rows: list[dict]  # {"line": n, "cells": {field: text}}
    ignored_columns: list[str]


def table_read(data: bytes) -> Table:
    """The roster rows of an uploaded file, as text per column; raises RosterFileError."""
    if not data or not data.strip():
        raise RosterFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileError(_("The file is larger than 10 MB; a roster is much smaller. Check that it is the right file."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(_("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx, then upload it again."))
    if data.startswith(b"PK\x03\x04"):
        if not _is_xlsx(data):
            raise RosterFileError(_("The file is neither an Excel workbook (.xlsx) nor a CSV file. Upload the roster as .xlsx or .csv."))
        raw = _read_xlsx(data)
    else:
        raw = _read_csv(data)

    headers = _header_map()
    header_index = next((i for i, row in enumerate(raw[:20]) if any(_cell_text(v) for v in row)), None)
    if header_index is None:
        raise RosterFileError(_("The file is empty."))
    header_row = [_cell_text(v) for v in raw[header_index]]
    positions: dict[str, int] = {}
    ignored = []
    for position, text in enumerate(header_row):
        if not text:
            continue
        field_name = headers.get(_header_key(text))
        if field_name and field_name not in positions:
            positions[field_name] = position
        else:
            ignored.append(text)
    missing = [str(column.label) for column in REQUIRED if column.field not in positions]
    if missing:
        raise RosterFileError(
            _("The first row must name the columns; these are missing: %(columns)s. Download the template to see them.")
            % {"columns": "、".join(missing)}
        )
    rows = []
    for index, row in enumerate(raw[header_index + 1:], start=header_index + 2):
        cells = {name: _cell_text(row[pos]) if pos < len(row) else "" for name, pos in positions.items()}
        if any(cells.values()):
            rows.append({"line": index, "cells": cells})
    if not rows:
        raise RosterFileError(_("The file has the column names but no members under them."))
    if len(rows) > MAX_ROWS:
        raise RosterFileError(_("The file has more than %(max)s rows. Split it into smaller files.") % {"max": f"{MAX_ROWS:,}"})
    return Table(rows=rows, ignored_columns=ignored)


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


# Checking rows and planning the import


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"
    ERROR = "error"


ACTION_LABELS = {
    Action.CREATE: gettext_lazy("new member"),
    Action.UPDATE: gettext_lazy("to update"),
    Action.UNCHANGED: gettext_lazy("unchanged"),
    Action.SKIP: gettext_lazy("skipped"),
    Action.ERROR: gettext_lazy("has errors"),
}

ACTION_BADGES = {
    Action.CREATE: "text-bg-success",
    Action.UPDATE: "text-bg-primary",
    Action.UNCHANGED: "text-bg-light border",
    Action.SKIP: "text-bg-secondary",
    Action.ERROR: "text-bg-danger",
}


@dataclass
class RowPlan:
    line: int
    cells: dict
    action: str = Action.ERROR
    errors: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after)
    notes: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    member: Member | None = None

    @property
    def number(self) -> str:
        return self.cells.get("number", "")

    @property
    def name(self) -> str:
        return self.cells.get("name", "")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def badge_class(self) -> str:
        return ACTION_BADGES[self.action]


@dataclass
class Plan:
    branch: Branch
    rows: list[RowPlan]
    missing_from_file: int = 0

    def of(self, action: str) -> list[RowPlan]:
        return [row for row in self.rows if row.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in ACTION_LABELS}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(row.action == Action.ERROR for row in self.rows)

    @property
    def has_changes(self) -> bool:
        return any(row.action in (Action.CREATE, Action.UPDATE) for row in self.rows)

    @property
    def fingerprint(self) -> str:
        """Changes when anything the import would do changes (the roster edited meanwhile)."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(json.dumps([row.line, row.action, row.number, row.changes, row.errors], default=str).encode())
        return digest.hexdigest()[:32]


def _parse_date(text: str) -> datetime.date:
    for pattern in DATE_RES:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)  # ValueError for 2021-02-30
    raise ValueError(text)


def _check_text(column: Column, text: str, errors: list[str]) -> str:
    if len(text) > column.max_length:
        errors.append(_("%(column)s is longer than %(max)d characters.") % {"column": column.label, "max": column.max_length})
    elif text.startswith(FORMULA_START):
        errors.append(_("%(column)s «%(value)s» looks like a spreadsheet formula; enter plain text.") % {"column": column.label, "value": text[:30]})
    elif HTML_RE.search(text):
        errors.append(_("%(column)s «%(value)s» contains < or >; enter plain text without HTML.") % {"column": column.label, "value": text[:30]})
    return text


def row_check(
    cells: dict, groups: dict[str, PartyGroup], genders: dict, statuses: dict, today: datetime.date | None = None
) -> tuple[dict, list[str]]:
    """The cleaned values of one row and the reasons it cannot be imported."""
    errors: list[str] = []
    values: dict = {}
    today = today or timezone.localdate()

    number = cells.get("number", "")
    if not number:
        errors.append(_("The member number is missing."))
    elif len(number) > 30 or not NUMBER_RE.match(number):
        errors.append(_("The member number «%(value)s» may hold only letters, digits, «.», «-» and «_» (at most 30).") % {"value": number[:30]})

    name = cells.get("name", "")
    if not name:
        errors.append(_("The name is missing."))
    values["name"] = _check_text(COLUMN_BY_FIELD["name"], name, errors)
    for name_of_field in ("department", "position"):
        values[name_of_field] = _check_text(COLUMN_BY_FIELD[name_of_field], cells.get(name_of_field, ""), errors)

    gender = cells.get("gender", "")
    values["gender"] = genders.get(gender.lower(), None) if gender else ""
    if values["gender"] is None:
        errors.append(_("Gender «%(value)s» is neither 男 nor 女.") % {"value": gender[:20]})

    status = cells.get("status", "")
    values["status"] = statuses.get(status.lower()) if status else None
    if not status:
        errors.append(_("The status is missing: write 正式党员 or 预备党员."))
    elif values["status"] is None:
        errors.append(_("Status «%(value)s» is neither 正式党员 nor 预备党员.") % {"value": status[:20]})

    for date_field in ("birth_date", "joined_party_on", "full_member_on"):
        text = cells.get(date_field, "")
        values[date_field] = None
        if not text:
            continue
        label = COLUMN_BY_FIELD[date_field].label
        try:
            value = _parse_date(text)
        except ValueError:
            errors.append(_("%(column)s «%(value)s» is not a date; write it as 2001-07-01.") % {"column": label, "value": text[:20]})
            continue
        if value > today or value.year < 1900:
            errors.append(_("%(column)s %(value)s is not a possible date.") % {"column": label, "value": value.isoformat()})
            continue
        values[date_field] = value
    birth, joined, full = values["birth_date"], values["joined_party_on"], values["full_member_on"]
    if birth and joined and joined <= birth:
        errors.append(_("The date of joining the party is before the date of birth."))
    if joined and full and full < joined:
        errors.append(_("The date of becoming a full member is before the date of joining the party."))
    if full and values["status"] == Member.Status.PROBATIONARY:
        errors.append(_("A probationary member has no date of becoming a full member: leave it empty or write 正式党员."))

    group_name = cells.get("group", "")
    values["group"] = groups.get(group_name)
    if not group_name:
        errors.append(_("The party group is missing."))
    elif values["group"] is None:
        errors.append(_("The branch has no party group «%(value)s»; write one of: %(groups)s.") % {
            "value": group_name[:30], "groups": "、".join(groups) or "—"})

    phone = cells.get("phone", "")
    if phone and (len(phone) > 30 or not PHONE_RE.match(phone)):
        errors.append(_("Phone «%(value)s» may hold only digits, spaces, +, - and brackets.") % {"value": phone[:30]})
    values["phone"] = phone

    email = cells.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("Email «%(value)s» is not an email address.") % {"value": email[:40]})
    values["email"] = email
    return values, errors


def _display(field_name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if field_name == "group":
        return value.name
    if field_name == "gender":
        return str(Member.Gender(value).label)
    if field_name == "status":
        return str(Member.Status(value).label)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def plan_for(branch: Branch, rows: list[dict]) -> Plan:
    """What importing `rows` into `branch` would do, row by row. Writes nothing; four queries."""
    groups = {group.name: group for group in PartyGroup.objects.filter(branch=branch)}
    genders, statuses = _gender_map(), _status_map()
    plans = [RowPlan(line=row["line"], cells=row["cells"]) for row in rows]
    today = timezone.localdate()
    labels = {column.field: str(column.label) for column in COLUMNS}

    lines_of: dict[str, list[int]] = {}
    for plan in plans:
        if plan.number:
            lines_of.setdefault(plan.number, []).append(plan.line)
    numbers = list(lines_of)
    existing = {
        member.number: member
        for member in Member.objects.filter(number__in=numbers).select_related("user", "group__leader")
    }
    usernames_taken = set(
        get_user_model().objects.filter(username__in=[n for n in numbers if n not in existing])
        .values_list("username", flat=True)
    )

    for plan in plans:
        values, errors = row_check(plan.cells, groups, genders, statuses, today)
        plan.values = values
        duplicates = lines_of.get(plan.number, [])
        if len(duplicates) > 1:
            others = "、".join(str(line) for line in duplicates if line != plan.line)
            errors.append(_("Member number %(number)s appears again in row %(lines)s of the file.") % {
                "number": plan.number, "lines": others})
        member = existing.get(plan.number)
        if member is not None and member.branch_id != branch.pk:
            errors.append(_("Member number %(number)s belongs to a member of another branch.") % {"number": plan.number})
        elif member is None and plan.number in usernames_taken:
            errors.append(_("The sign-in name %(number)s is already taken by another account; ask the administrator.") % {
                "number": plan.number})
        if errors:
            plan.action, plan.errors = Action.ERROR, errors
            continue
        if member is None:
            plan.action = Action.CREATE
            continue
        plan.member = member
        if not member.user.is_active:
            plan.action = Action.SKIP
            plan.notes.append(_("Left the branch on %(date)s; reactivate the member on their page first.") % {
                "date": _display("left_on", member.left_on)})
            continue
        for name_of_field in MEMBER_FIELDS:
            before = member.group if name_of_field == "group" else getattr(member, name_of_field)
            after = values[name_of_field]
            if (before.pk if name_of_field == "group" and before else before) != (
                after.pk if name_of_field == "group" and after else after
            ):
                plan.changes.append((labels[name_of_field], _display(name_of_field, before),
                                     _display(name_of_field, after)))
        if values["email"] and values["email"] != member.user.email:
            plan.changes.append((labels["email"], member.user.email or "—", values["email"]))
        if member.group_id != values["group"].pk and member.group and member.group.leader_id == member.pk:
            plan.notes.append(_("Leads %(group)s now; that group will have no leader until one is appointed.") % {
                "group": member.group.name})
        plan.action = Action.UPDATE if plan.changes else Action.UNCHANGED

    in_file = [number for number in numbers if number in existing]
    missing = Member.objects.filter(branch=branch, user__is_active=True).exclude(number__in=in_file).count()
    return Plan(branch=branch, rows=plans, missing_from_file=missing)


# Writing workbooks


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F8D7DA")


def _header_cells(sheet) -> list:
    cells = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def _set_widths(sheet) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width


def member_cells(member: Member) -> list:
    values = {
        "number": member.number,
        "name": member.name,
        "gender": str(Member.Gender(member.gender).label) if member.gender else "",
        "birth_date": member.birth_date,
        "department": member.department,
        "position": member.position,
        "status": str(Member.Status(member.status).label),
        "joined_party_on": member.joined_party_on,
        "full_member_on": member.full_member_on,
        "group": member.group.name if member.group else "",
        "phone": member.phone,
        "email": member.user.email,
    }
    return [neutralise(values[column.field]) for column in COLUMNS]


def roster_workbook(members) -> bytes:
    """The roster with the import's columns: an export can be imported again unchanged."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Roster"))
    _set_widths(sheet)
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet))
    for member in members:
        row = []
        for value in member_cells(member):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            row.append(cell)
        sheet.append(row)
    return _save(workbook)


def template_workbook(branch: Branch) -> bytes:
    """An empty roster with the columns, drop-down lists for the fixed choices and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    sheet.append([str(column.label) for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    _set_widths(sheet)
    sheet.freeze_panes = "A2"
    from openpyxl.utils import get_column_letter

    lists = {
        "gender": [str(label) for _value, label in Member.Gender.choices],
        "status": [str(label) for _value, label in Member.Status.choices],
        "group": list(PartyGroup.objects.filter(branch=branch).values_list("name", flat=True)),
    }
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        choices = lists.get(column.field)
        formula = '"' + ",".join(choices) + '"' if choices else ""
        if choices and len(formula) <= 255 and not any("," in choice or '"' in choice for choice in choices):
            validation = DataValidation(type="list", formula1=formula, allow_blank=not column.required)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
        if column.kind == "date" or column.field in ("number", "phone"):
            for row in range(2, 502):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd" if column.kind == "date" else "@"

    notes = workbook.create_sheet(_("Instructions"))
    notes.append([_("Column"), _("Required"), _("What to write"), _("Example")])
    for cell in notes[1]:
        cell.font = HEADER_FONT
    for column in COLUMNS:
        notes.append([str(column.label), _("yes") if column.required else "", str(column.help), column.example])
    notes.append([])
    notes.append([_("Party groups of %(branch)s: %(groups)s") % {"branch": branch.name, "groups": "、".join(lists["group"]) or "—"}])
    notes.append([_("Fill in one member per row on the first sheet, from the second row on. Importing the same file again changes nothing.")])
    for letter, width in zip("ABCD", (16, 8, 50, 22)):
        notes.column_dimensions[letter].width = width
    return _save(workbook)


def passwords_workbook(rows: list[dict]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Initial passwords"))
    header = [_("Member number"), _("Name"), _("Sign-in name"), _("Initial password")]
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(row["number"]), neutralise(row["name"]), neutralise(row["username"]), row["password"]])
    return _save(workbook)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
