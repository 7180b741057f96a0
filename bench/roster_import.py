"""How long importing a big roster takes, and how many SQL queries it costs.

    .venv/bin/python bench/roster_import.py [--rows 5000]

In a throwaway test database (in-memory SQLite, or test_<name> on the PostgreSQL of
DATABASE_URL), one branch with three groups and its secretary. The secretary, through
Django's test client and the real pages, three times:

  1. imports a file of `rows` new members (.xlsx): upload and preview, the preview
     page, the confirmation (accounts with one-time passwords hashed as in production);
  2. imports the same file again: every row unchanged, nothing written;
  3. imports it with every row changed (another department, half of them moved to
     another group).

Each step prints its wall-clock seconds and its SQL queries. The target is preview
plus apply under 30 seconds for 5,000 rows, with queries that do not grow per row
(inserts and updates go in batches). The database is destroyed at the end.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanping.settings_test")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

TARGET_SECONDS = 30
HEADER = ["党员编号", "姓名", "性别", "出生日期", "处室", "职务", "党员类别", "入党日期", "转正日期", "党小组", "联系电话", "电子邮箱"]
GROUPS = ["第一党小组", "第二党小组", "第三党小组"]
# The production hashers (the test settings use a fast MD5 one).
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def roster_file(rows: int, *, changed: bool = False) -> bytes:
    surnames, given = "王李张刘陈杨赵黄周吴", "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(HEADER)
    for n in range(rows):
        group = GROUPS[(n + (n % 2 if changed else 0)) % 3]
        name = surnames[n % 10] + given[n % 20] + given[(n // 20) % 20]
        sheet.append([
            f"R{n:05d}", name, "男" if n % 2 else "女", f"19{60 + n % 40}-0{1 + n % 9}-1{n % 9}",
            ("综合处" if changed else "办公室"), "科员", "正式党员", "2010-07-01", "2011-07-01", group,
            f"138{n:08d}", f"r{n:05d}@example.org",
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def step(label: str, action):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:6.2f} s  {len(queries):4d} queries")
    return result, seconds


def import_once(client: Client, branch, data: bytes, label: str) -> float:
    from members import roster
    from members.models import RosterImport

    print(f"{label}:")
    response, upload_s = step(
        "upload and read the file",
        lambda: client.post(reverse("roster_import", args=[branch.pk]), {"file": SimpleUploadedFile("花名册.xlsx", data)}),
    )
    assert response.status_code == 302, response.status_code
    upload = RosterImport.objects.latest("created_at")
    preview_url = reverse("roster_preview", args=[branch.pk, upload.pk])
    response, preview_s = step("preview page (plan of every row)", lambda: client.get(preview_url))
    assert response.status_code == 200
    counts = response.context["counts"]
    print(f"  {'':<34} {dict(counts)}")
    fingerprint = roster.plan_for(branch, upload.rows).fingerprint
    response, apply_s = step(
        "confirm (plan again, then write)",
        lambda: client.post(preview_url, {"fingerprint": fingerprint}),
    )
    assert response.status_code == 302, response.status_code
    total = upload_s + preview_s + apply_s
    print(f"  {'total':<34} {total:6.2f} s")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
            from members.models import Branch, Member, PartyGroup
            from tests.factories import UserFactory

            branch = Branch.objects.create(name="基准测试党支部")
            for position, name in enumerate(GROUPS):
                PartyGroup.objects.create(branch=branch, name=name, position=position)
            secretary = Member.objects.create(
                user=UserFactory(username="bench-secretary"), branch=branch, number="S0001", name="书记",
                branch_role=Member.BranchRole.SECRETARY, group=PartyGroup.objects.get(name=GROUPS[0]),
            )
            client = Client()
            client.force_login(secretary.user)
            print(f"{args.rows} rows, database: {connection.vendor}, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
            first = import_once(client, branch, roster_file(args.rows), "1. new members")
            assert Member.objects.filter(branch=branch).count() == args.rows + 1
            import_once(client, branch, roster_file(args.rows), "2. the same file again")
            import_once(client, branch, roster_file(args.rows, changed=True), "3. every row changed")
            print(f"target: preview plus apply of new members under {TARGET_SECONDS} s: {'met' if first < TARGET_SECONDS else 'NOT met'}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
