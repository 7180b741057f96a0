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
def reminder_sweep(now: str | None = None) -> dict:
    """Beat's periodic sweep (sanping/settings.py, CELERY_BEAT_SCHEDULE). `now`: an
    ISO date-time with its offset, to sweep as of another moment (tests, catching up)."""
    from django.utils.dateparse import parse_datetime

    from .reminders import sweep

    result = sweep(parse_datetime(now) if now else None)
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


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_email_notifications(notification_ids: list[int]) -> dict:
    """Send many email notifications, one after the other (each once, as above). One
    that fails is handed to send_email_notification, which retries it with backoff,
    and the others go on. Redelivered after a crash, it skips those already sent."""
    from .notifications import email_send

    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        try:
            outcome = email_send(notification_id)
        except OSError as error:
            logger.warning("Email notification %s failed (%s); retrying it on its own", notification_id, error)
            send_email_notification.apply_async((notification_id,), countdown=10)
            outcome = "retrying"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
