"""`manage.py backup` and `manage.py restore` (sanping/backup.py): a restore into an empty
database brings back every record, table by table, and the media files.

PostgreSQL: backs up the test database (the demo branch, its history rows, a ledger
file), restores it with the documented command into a fresh database, and compares
both. Needs DATABASE_URL on PostgreSQL (skipped otherwise, failed with REQUIRE_SERVICES=1).
SQLite: the same round trip between two database files, in subprocesses.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from meetings.models import LedgerBuild, Meeting
from members.models import PartyGroup
from sanping import backup as backup_module

from .conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
LEDGER = b"%PDF-1.7 a yearly ledger\n"
# Tables compared row by row, every column: people, the records, what was said, history.
COMPARED = ["auth_user", "members_member", "members_partygroup", "meetings_meeting", "meetings_attendance",
            "sanping_selfevaluation", "sanping_mutualevaluation", "sanping_rectificationitem",
            "meetings_historicalmeeting", "meetings_ledgerbuild"]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


def write_ledger(media_root: Path) -> Path:
    path = media_root / "ledgers" / "ledger-2026.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(LEDGER)
    return path


# PostgreSQL --------------------------------------------------------------------------


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL: set DATABASE_URL to a PostgreSQL database to test its backup")
    return connection


@pytest.fixture
def restored_db(postgres):
    """The name of a fresh database on the same server, dropped afterwards."""
    import psycopg2

    name = f"{postgres.settings_dict['NAME']}_restored"
    params = {k.lower(): v for k, v in postgres.settings_dict.items() if k in ("HOST", "PORT", "USER", "PASSWORD") and v}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    yield name, params
    drop()
    admin.close()


def postgres_url(settings_dict: dict, name: str) -> str:
    auth = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else "")
    return f"postgres://{auth}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"


def rows_of(cursor, table: str) -> list[tuple]:
    cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
    return cursor.fetchall()


@pytest.mark.services
def test_a_postgresql_backup_restores_every_record_into_an_empty_database(postgres, restored_db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")  # the demo branch: a year of meetings, 三评 sessions, history rows
    group = PartyGroup.objects.order_by("pk").first()
    write_ledger(settings.MEDIA_ROOT)
    LedgerBuild.objects.create(group=group, year=2026, source_key="k", status=LedgerBuild.Status.DONE,
                               file="ledgers/ledger-2026.pdf", pages=12)
    assert Meeting.history.exists()

    made = backup_module.backup(tmp_path / "backups")
    assert made.tables["meetings_meeting"] == Meeting.objects.count() > 10
    assert made.media_files == 1

    name, params = restored_db
    env = {"DATABASE_URL": postgres_url(postgres.settings_dict, name), "MEDIA_ROOT": str(tmp_path / "restored-media"),
           "DJANGO_SETTINGS_MODULE": "sanping.settings_test", "VAR_DIR": str(tmp_path / "var")}
    restored = manage("restore", str(made.path), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "every table has as many rows as in the backup" in restored.stdout

    import psycopg2

    target = psycopg2.connect(dbname=name, **params)
    try:
        with postgres.cursor() as source_cursor, target.cursor() as target_cursor:
            tables = postgres.introspection.table_names(source_cursor)
            assert set(tables) == set(made.tables)
            for table in tables:  # every model table, history and join tables included
                source_cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                target_cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                assert target_cursor.fetchone() == source_cursor.fetchone(), table
            for table in COMPARED:
                assert rows_of(target_cursor, table) == rows_of(source_cursor, table), table
            # The sequences come back too: the next meeting does not collide with a restored one.
            target_cursor.execute("SELECT nextval(pg_get_serial_sequence('meetings_meeting', 'id')) > MAX(id) "
                                  "FROM meetings_meeting")
            assert target_cursor.fetchone()[0] is True
    finally:
        target.close()
    assert (tmp_path / "restored-media" / "ledgers" / "ledger-2026.pdf").read_bytes() == LEDGER

    # A second restore into the same, now full, database is refused and changes nothing.
    again = manage("restore", str(made.path), "--skip-media", env=env)
    assert again.returncode != 0
    assert "CommandError" in again.stderr and name in again.stderr  # "The database … already has tables"


# SQLite ------------------------------------------------------------------------------


def test_a_sqlite_backup_restores_every_record_into_a_new_file(tmp_path):
    source = {"DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}", "MEDIA_ROOT": str(tmp_path / "media"),
              "DJANGO_SETTINGS_MODULE": "sanping.settings_test", "VAR_DIR": str(tmp_path / "var")}
    for command in (["migrate", "-v0"], ["seed_demo"]):
        result = manage(*command, env=source)
        assert result.returncode == 0, result.stderr
    write_ledger(tmp_path / "media")
    made = manage("backup", "--output", str(tmp_path / "backups"), env=source)
    assert made.returncode == 0, made.stderr
    archive = next((tmp_path / "backups").glob("sanping-backup-*.tar"))

    target = {**source, "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
              "MEDIA_ROOT": str(tmp_path / "restored-media")}
    restored = manage("restore", str(archive), env=target)
    assert restored.returncode == 0, restored.stderr

    before, after = sqlite3.connect(tmp_path / "site.sqlite3"), sqlite3.connect(tmp_path / "restored.sqlite3")
    tables = [row[0] for row in before.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert len(tables) > 40
    for table in tables:
        assert after.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() == \
            before.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall(), table
    assert (tmp_path / "restored-media" / "ledgers" / "ledger-2026.pdf").read_bytes() == LEDGER

    refused = manage("restore", str(archive), "--skip-media", env=target)
    assert refused.returncode != 0  # "The database … already has tables"
    assert "CommandError" in refused.stderr and "restored.sqlite3" in refused.stderr


def test_restore_refuses_what_is_not_a_backup(tmp_path, db):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file")
    with translation.override("en"), pytest.raises(CommandError, match="is not a backup of this application"):
        backup_module.restore(junk)
