"""Celery tasks of the reminders: thin, safe to run twice or at once.

Both acknowledge their message only after they returned (acks_late) and give it back
to the broker if the worker process died under them (reject_on_worker_lost), so a
killed worker's task runs again on another: the sweep adds nothing twice (unique
rows, inserted once), and an email goes out only while its row is unsent.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminder_sweep() -> dict:
    """Beat's periodic sweep (sanping/settings.py, CELERY_BEAT_SCHEDULE)."""
    from .reminders import sweep

    result = sweep()
    logger.info("Reminder sweep: %s", result.summary())
    return result.as_dict()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # smtplib's errors are OSErrors, as are refused and timed-out connections.
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_email_notification(notification_id: int) -> str:
    """Send one email notification unless it was sent already (meetings.notifications.email_send)."""
    from .notifications import email_send

    return email_send(notification_id)
