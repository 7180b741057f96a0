from pathlib import Path

from django.core.management.base import BaseCommand

from sanping.backup import restore


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` into the database of DATABASE_URL, which must be empty "
        "(on PostgreSQL it is created if missing), and its files into MEDIA_ROOT; then check that every "
        "table has as many rows as in the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar file written by manage.py backup.")
        parser.add_argument("--skip-media", action="store_true", help="Restore the database only.")

    def handle(self, *args, archive, skip_media, **options):
        result = restore(Path(archive), with_media=not skip_media,
                         log=self.stderr.write if options["verbosity"] > 1 else lambda message: None)
        self.stdout.write(
            f"Restored {archive}\n  {len(result.tables)} tables, {result.rows:,} rows, {result.media_files} media "
            f"files in {result.seconds:.1f} s: every table has as many rows as in the backup."
        )
