"""The same sweep twice, and two sweeps at once, send each reminder once."""

import pytest
from django.db import transaction

from meetings.models import Notification

from .conftest import wait_until
from .helpers import (
    APP, EMAIL, SWEEP, assert_each_email_arrived_once, assert_no_reminder_missing, branch_with_reminders_due,
    lock_notifications, lock_waiters, sweep_through,
)

pytestmark = pytest.mark.services


def test_the_same_sweep_twice_sends_each_reminder_once(start_worker, broker, smtp_server, wait_quiet):
    branch_with_reminders_due()
    start_worker()

    first = sweep_through(broker)
    wait_quiet()
    assert first["created_email"] > 0
    assert_each_email_arrived_once(smtp_server)
    rows, messages = Notification.objects.count(), len(smtp_server.received())

    second = sweep_through(broker)
    wait_quiet()
    assert (second["created_app"], second["created_email"], second["requeued_email"]) == (0, 0, 0)
    assert Notification.objects.count() == rows
    assert len(smtp_server.received()) == messages
    assert_each_email_arrived_once(smtp_server)
    assert_no_reminder_missing(second)


def test_two_sweeps_at_once_send_each_reminder_once(start_worker, broker, smtp_server, wait_quiet):
    """Two beats fire at the same moment and two workers take the sweeps. The test
    holds the notification table, so that both sweeps have read everything and wait at
    their insert at the same time, then lets them go together."""
    branch_with_reminders_due()
    start_worker()
    start_worker()

    with transaction.atomic():
        lock_notifications()
        sweeps = [broker.send_task(SWEEP), broker.send_task(SWEEP)]
        wait_until(lambda: lock_waiters() == 2, timeout=60, what="both sweeps to wait at their insert")
    results = [sweep.get(timeout=60) for sweep in sweeps]
    wait_quiet()

    # Each row was inserted, and its email enqueued, by exactly one of the two.
    assert sum(r["created_app"] for r in results) == Notification.objects.filter(channel=APP).count()
    assert sum(r["created_email"] for r in results) == Notification.objects.filter(channel=EMAIL).count()
    assert_each_email_arrived_once(smtp_server)
    assert_no_reminder_missing(results[0])
