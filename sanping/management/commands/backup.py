from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from sanping.backup import backup


class Command(BaseCommand):
    help = (
        "Write one archive of everything the site keeps: the database (pg_dump's custom format, or a copy of "
        "the SQLite file), the row count of every table, and the files under MEDIA_ROOT. "
        "Restore it with `manage.py restore ARCHIVE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "backups"),
                            help="Folder for the archive (default: var/backups).")

    def handle(self, *args, output, **options):
        result = backup(Path(output), log=self.stderr.write if options["verbosity"] > 1 else lambda message: None)
        self.stdout.write(
            f"{result.path}\n  {len(result.tables)} tables, {result.rows:,} rows, {result.media_files} media files, "
            f"{result.path.stat().st_size / 1e6:.1f} MB in {result.seconds:.1f} s"
        )
