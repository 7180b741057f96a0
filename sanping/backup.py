"""Backup and restore of everything the application keeps: the database and MEDIA_ROOT.

    manage.py backup [--output DIR]     -> DIR/sanping-backup-YYYYmmdd-HHMMSS.tar
    manage.py restore ARCHIVE           -> into the empty database of DATABASE_URL, and MEDIA_ROOT

One tar file holds:
    manifest.json      when, which engine, the migrations applied, the row count of every table
    database.dump      PostgreSQL: pg_dump's custom format (read by pg_restore)
    database.sqlite3   SQLite: a consistent copy made with SQLite's online backup
    media/...          the files under MEDIA_ROOT (the yearly ledgers)

On PostgreSQL the row counts are taken in the very snapshot that pg_dump dumps
(`pg_export_snapshot`), so a backup of a running site is consistent and the restore can
check that it brought back every record: it refuses a database that already has
tables, restores, then compares the counts table by table. The files of MEDIA_ROOT
are only ever added (a ledger is written once), so copying them after the dump
misses nothing the dump refers to.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"


@dataclass
class Result:
    path: Path
    tables: dict[str, int]
    media_files: int
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise CommandError(_("Backups are made of PostgreSQL and SQLite databases only, not of %(vendor)s.")
                           % {"vendor": vendor})
    return vendor


def _pg_env(alias: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The connection of `alias` for pg_dump and pg_restore, as libpq's variables."""
    db = connections[alias].settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise CommandError(_("%(program)s is not installed (on Debian: apt-get install postgresql-client).")
                           % {"program": command[0]}) from error
    except subprocess.CalledProcessError as error:
        raise CommandError(f"{' '.join(command[:2])}…: {error.stderr.strip()}") from error


def _count_rows(cursor, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _migrations(alias: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# Backup ------------------------------------------------------------------------------


def backup(output_dir: Path, *, log: Callable[[str], None] = lambda message: None) -> Result:
    """Write one archive of the database and MEDIA_ROOT into `output_dir`; returns what is in it."""
    started = time.monotonic()
    vendor = _vendor()
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = output_dir / f"sanping-backup-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        work_dir = Path(work)
        if vendor == "postgresql":
            database_file = work_dir / PG_DUMP
            tables = _dump_postgresql(database_file, log)
        else:
            database_file = work_dir / SQLITE_COPY
            tables = _copy_sqlite(database_file, log)
        media = _media_files()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": vendor,
            "database": connections[DEFAULT_DB_ALIAS].settings_dict["NAME"],
            "migrations": _migrations(),
            "tables": tables,
            "media_files": len(media),
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = path.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(work_dir / MANIFEST, arcname=MANIFEST)
            archive.add(database_file, arcname=database_file.name)
            root = Path(settings.MEDIA_ROOT)
            for file in media:
                archive.add(file, arcname=f"{MEDIA}/{file.relative_to(root).as_posix()}")
        partial.rename(path)  # a half-written archive never carries the final name
    log(f"backup: {path} ({path.stat().st_size / 1e6:.1f} MB): {len(tables)} tables, "
        f"{sum(tables.values()):,} rows, {len(media)} media files")
    return Result(path, tables, len(media), time.monotonic() - started)


def _dump_postgresql(target: Path, log) -> dict[str, int]:
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The counts and the dump see the same snapshot, whatever is written meanwhile.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _count_rows(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)
            log(f"backup: pg_dump of {connection.settings_dict['NAME']}…")
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                  f"--file={target}"], env=_pg_env())
    return tables


def _copy_sqlite(target: Path, log) -> dict[str, int]:
    name = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise CommandError(_("An in-memory SQLite database cannot be backed up."))
    log(f"backup: copy of {name}…")
    source = sqlite3.connect(name)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # SQLite's online backup: a consistent copy while the site runs
        tables = [row[0] for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return _count_rows(copy.cursor(), tables, lambda table: f'"{table}"')
    finally:
        copy.close()
        source.close()


# Restore ------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path) as archive:
            manifest = json.load(archive.extractfile(MANIFEST))
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise CommandError(_("%(path)s is not a backup of this application: %(error)s")
                           % {"path": archive_path, "error": error}) from error
    if manifest.get("format") != FORMAT:
        raise CommandError(_("%(path)s has an unknown backup format.") % {"path": archive_path})
    return manifest


def restore(archive_path: Path, *, log: Callable[[str], None] = lambda message: None,
            with_media: bool = True) -> Result:
    """Restore the archive into the configured database, which must be empty, and the
    media files into MEDIA_ROOT; then check every table's row count against the backup."""
    started = time.monotonic()
    manifest = read_manifest(archive_path)
    vendor = _vendor()
    if manifest["engine"] != vendor:
        raise CommandError(_("This backup is of a %(backup)s database, but DATABASE_URL names a %(target)s one.")
                           % {"backup": manifest["engine"], "target": vendor})
    media_root = Path(settings.MEDIA_ROOT)
    if with_media and manifest["media_files"] and any(p.is_file() for p in media_root.rglob("*")):
        raise CommandError(_("MEDIA_ROOT (%(path)s) already holds files: restore into an empty one, "
                             "or pass --skip-media.") % {"path": media_root})
    with tempfile.TemporaryDirectory(prefix="sanping-restore-") as work, tarfile.open(archive_path) as archive:
        work_dir = Path(work)
        if vendor == "postgresql":
            _restore_postgresql(archive, work_dir, log)
        else:
            _restore_sqlite(archive, work_dir, log)
        media = 0
        if with_media:
            members = [m for m in archive.getmembers() if m.name.startswith(f"{MEDIA}/") and m.isfile()]
            media_root.mkdir(parents=True, exist_ok=True)
            for member in members:
                member.name = member.name[len(MEDIA) + 1:]
                archive.extract(member, media_root, filter="data")  # no paths outside MEDIA_ROOT
            media = len(members)
    tables = verify(manifest)
    log(f"restore: {len(tables)} tables, {sum(tables.values()):,} rows and {media} media files, "
        "every table as in the backup")
    return Result(archive_path, tables, media, time.monotonic() - started)


def _existing_tables() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _refuse_non_empty(name: str) -> None:
    if _existing_tables():
        raise CommandError(_("The database %(name)s already has tables: restore only into an empty database "
                             "(create a new one, or drop this one first).") % {"name": name})


def _restore_postgresql(archive: tarfile.TarFile, work_dir: Path, log) -> None:
    from django.core.management import call_command

    connection = connections[DEFAULT_DB_ALIAS]
    name = connection.settings_dict["NAME"]
    call_command("ensure_database", verbosity=0)
    _refuse_non_empty(name)
    archive.extract(PG_DUMP, work_dir, filter="data")
    connection.close()
    log(f"restore: pg_restore into {name}…")
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={name}", str(work_dir / PG_DUMP)], env=_pg_env())


def _restore_sqlite(archive: tarfile.TarFile, work_dir: Path, log) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise CommandError(_("Restore into a SQLite file, not an in-memory database."))
    if Path(name).exists():
        _refuse_non_empty(name)
    connection.close()
    archive.extract(SQLITE_COPY, work_dir, filter="data")
    log(f"restore: copy into {name}…")
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(work_dir / SQLITE_COPY, name)


def verify(manifest: dict) -> dict[str, int]:
    """Every table of the backup, with as many rows as it had; a CommandError otherwise."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()  # a fresh connection sees the restored tables
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        missing = sorted(set(manifest["tables"]) - present)
        counts = _count_rows(cursor, [t for t in manifest["tables"] if t in present], connection.ops.quote_name)
    wrong = [f"{table}: {counts[table]} rows, {expected} in the backup"
             for table, expected in manifest["tables"].items() if table in counts and counts[table] != expected]
    if missing or wrong:
        raise CommandError(_("The restore does not match the backup: %(problems)s")
                           % {"problems": "; ".join([f"{t}: missing" for t in missing] + wrong)})
    return counts
