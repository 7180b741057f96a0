"""An SMTP failure is retried by Celery, and the email is not marked sent until the
mail server accepted it."""

import pytest

from meetings.models import Notification
from meetings.reminders import sweep

from .conftest import wait_until
from .helpers import assert_each_email_arrived_once, branch_with_reminders_due, sent_rows, sweep_through

pytestmark = pytest.mark.services


def test_smtp_failures_are_retried_and_nothing_is_marked_sent_before_the_server_accepted_it(
    start_worker, broker, smtp_server, wait_quiet
):
    branch_with_reminders_due()
    emails = sweep(dry_run=True).created_email
    assert emails > 1
    # Every email's first attempt fails: "451 try again later", or the connection drops.
    smtp_server.fail_next(*(["451", "drop"] * emails)[:emails])
    start_worker()

    sweep_through(broker)
    wait_until(lambda: smtp_server.refused == emails, timeout=60, what="every first attempt to be refused")

    def retried_and_never_marked_sent_too_early():
        # Read the rows first, then the mailbox: a row marked sent must have its message.
        marked = sent_rows()
        accepted = len(smtp_server.received())
        assert marked <= accepted, f"{marked} emails marked sent, {accepted} accepted by the server"
        return accepted == emails

    wait_until(retried_and_never_marked_sent_too_early, timeout=90, interval=0.02, what="the retries to succeed")
    wait_quiet()

    assert smtp_server.refused == emails
    assert_each_email_arrived_once(smtp_server)
    assert Notification.objects.filter(channel="email", sent_at__isnull=True).count() == 0
