"""A worker killed with SIGKILL in the middle of a sweep, or of an email, loses no
reminder and duplicates none once its task is redelivered.

acks_late keeps a task's message unacknowledged until the task returned. Redis has
no real acknowledgements: kombu keeps a delivered message aside and puts it back in
the queue when it is older than the visibility timeout (settings_worker.py: 5 s here,
one hour by default) and a worker sweeps for such messages. A pool process killed
under a living worker is another case: the worker sees it die and, with
reject_on_worker_lost, gives the message back at once.

To make "exactly once" an exact assertion, each kill happens where nothing has
left the building yet: the sweep waits at its insert (its transaction is rolled back
when its connection dies), or the SMTP server holds the session before it accepted
the message.
"""

import os
import signal

import pytest
from django.db import transaction

from meetings.models import Notification

from .conftest import wait_until
from .helpers import (
    SWEEP, assert_each_email_arrived_once, assert_no_reminder_missing, branch_with_reminders_due,
    lock_notifications, lock_waiters, sweep_through,
)

pytestmark = pytest.mark.services


def test_a_worker_killed_in_the_middle_of_a_sweep_loses_nothing(
    start_worker, broker, smtp_server, redis_client, wait_quiet
):
    branch_with_reminders_due()
    worker = start_worker()

    with transaction.atomic():
        lock_notifications()
        sweep = broker.send_task(SWEEP)
        wait_until(lambda: lock_waiters() == 1, timeout=60, what="the sweep to wait at its insert")
        worker.kill()
    assert redis_client.hlen("unacked") == 1  # the sweep's message, delivered and never acknowledged
    assert Notification.objects.count() == 0  # its transaction died with it

    start_worker()  # redelivered to it after the visibility timeout
    result = sweep.get(timeout=60)
    wait_quiet()
    assert result["created_email"] > 0
    assert_each_email_arrived_once(smtp_server)
    assert_no_reminder_missing(result)


@pytest.mark.parametrize("batch_size", [None, 5], ids=["a task per email", "emails in batches"])
def test_a_worker_killed_while_sending_an_email_loses_and_duplicates_none(
    batch_size, worker_env, start_worker, broker, smtp_server, redis_client, wait_quiet
):
    branch_with_reminders_due()
    if batch_size:
        worker_env["RELIABILITY_EMAIL_BATCH_SIZE"] = str(batch_size)
    worker = start_worker()

    smtp_server.hold_next(after=2)  # the third email's session stops before the message is accepted
    result = broker.send_task(SWEEP)
    assert smtp_server.holding.wait(timeout=60)
    worker.kill()
    smtp_server.release()
    assert redis_client.hlen("unacked") == 1  # the message of the task that was sending
    assert len(smtp_server.received()) == 2

    start_worker()
    wait_quiet()
    assert_each_email_arrived_once(smtp_server)
    assert_no_reminder_missing(result.get(timeout=10))


def test_a_pool_process_killed_while_sending_an_email_loses_and_duplicates_none(
    start_worker, broker, smtp_server, wait_quiet
):
    """The kernel's OOM killer takes the pool process running the task; the worker lives on."""
    branch_with_reminders_due()
    worker = start_worker(pool="prefork", concurrency=1)

    smtp_server.hold_next()
    result = broker.send_task(SWEEP)
    assert smtp_server.holding.wait(timeout=60)
    [pool_process] = worker.pool_pids()
    os.kill(pool_process, signal.SIGKILL)
    smtp_server.release()

    wait_quiet()
    assert "WorkerLostError" in worker.output()
    assert_each_email_arrived_once(smtp_server)
    assert_no_reminder_missing(result.get(timeout=10))


def test_an_email_whose_task_was_lost_after_the_commit_goes_out_with_a_later_sweep(
    start_worker, broker, smtp_server, wait_quiet, monkeypatch
):
    """A sweep committed its rows and its worker died before the send tasks reached
    Redis (the one gap acks_late cannot close: the redelivered sweep finds the rows
    there and inserts nothing). A sweep an hour later enqueues the unsent emails again."""
    import datetime

    from django.utils import timezone

    from meetings import notifications
    from meetings.reminders import sweep

    branch_with_reminders_due()
    monkeypatch.setattr(notifications, "enqueue_emails", lambda pks: None)
    lost = sweep()
    monkeypatch.undo()
    assert lost.created_email > 0
    emails = Notification.objects.filter(channel=Notification.Channel.EMAIL)
    emails.update(queued_at=timezone.now() - datetime.timedelta(minutes=61))  # an hour went by
    start_worker()

    result = sweep_through(broker)
    wait_quiet()
    assert (result["created_email"], result["requeued_email"]) == (0, lost.created_email)
    assert_each_email_arrived_once(smtp_server)

    again = sweep_through(broker)
    wait_quiet()
    assert again["requeued_email"] == 0
    assert_each_email_arrived_once(smtp_server)
