"""The Celery task that builds a yearly ledger (meetings/ledger.py). Imported by
MeetingsConfig.ready(), since Celery's autodiscovery finds `tasks` modules only."""

from celery import shared_task

from . import ledger


@shared_task(name="meetings.build_ledger")
def task_build_ledger(build_id: int) -> None:
    """Build the requested ledger; a second delivery, or a build already done, does nothing."""
    ledger.ledger_build(build_id=build_id)
