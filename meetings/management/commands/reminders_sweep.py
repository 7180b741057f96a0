"""Run the reminder sweep by hand, or show what it would send.

    python manage.py reminders_sweep              # insert what is due now, enqueue the emails
    python manage.py reminders_sweep --dry-run    # list what the next sweep would send; nothing is kept
    python manage.py reminders_sweep --dry-run --at 2026-05-01T09:00   # as if it were then (Asia/Shanghai)
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings.notifications import message_of
from meetings.reminders import parse_moment, sweep


class Command(BaseCommand):
    help = "Insert every reminder due now (or at --at) and enqueue its email; --dry-run lists them and keeps nothing."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what the sweep would send; keep and send nothing.")
        parser.add_argument("--at", help="Sweep as of this ISO date-time (local time, Asia/Shanghai), not now.")

    def handle(self, *args, dry_run: bool = False, at: str | None = None, **options):
        now = parse_moment(at) if at else None
        if at and now is None:
            raise CommandError(f"Not an ISO date or date-time: {at!r} (e.g. 2026-05-01T09:00).")
        result = sweep(now, dry_run=dry_run)
        if dry_run:
            for name, row in result.listing():
                self.stdout.write(f"{name}\t{row.channel}\t{row.kind}\t{message_of(row)}")
            self.stdout.write(f"Dry run at {timezone.localtime(result.now):%Y-%m-%d %H:%M}, nothing kept: would send {result.summary()}.")
        else:
            self.stdout.write(f"Sweep at {timezone.localtime(result.now):%Y-%m-%d %H:%M}: {result.summary()}.")
