"""What the reliability tests build and check: a branch with reminders due, and
"each reminder arrived once" as a person would see it, in their mailbox."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from meetings.models import Meeting, Notification
from meetings.notifications import email_content
from members.models import Member
from tests.factories import BranchFactory, MeetingFactory, MemberFactory, PartyGroupFactory

from .smtp import SmtpServer

EMAIL = Notification.Channel.EMAIL
APP = Notification.Channel.APP


@dataclass
class Branch:
    leader: Member
    members: list[Member]
    secretary: Member


def branch_with_reminders_due() -> Branch:
    """A branch where a sweep at any moment has some twenty reminders to send, most by
    email: no one submitted a thought report in the previous period, no group met its
    obligations in the previous periods (to the leader and the secretary), and a
    record has waited three days for the secretary's review."""
    now = timezone.now()
    branch = BranchFactory(name="可靠性测试党支部")
    group = PartyGroupFactory(branch=branch, name="第一党小组")
    leader = MemberFactory(group=group, name="李组长")
    group.leader = leader
    group.save()
    members = [MemberFactory(group=group, name=name) for name in ("张党员", "王党员", "赵党员")]
    secretary = MemberFactory(
        group=PartyGroupFactory(branch=branch, name="第二党小组"), name="王书记",
        branch_role=Member.BranchRole.SECRETARY,
    )
    MeetingFactory(
        group=group, title="十月党小组会", state=Meeting.State.SUBMITTED,
        starts_at=now - datetime.timedelta(days=5), submitted_at=now - datetime.timedelta(days=3),
    )
    return Branch(leader, members, secretary)


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _subject(text: str) -> str:
    # A long encoded subject is folded over lines; unfolding may leave spaces.
    return " ".join(text.split())


def expected_emails() -> Counter:
    """One message per email notification row: (address, subject, body), rendered as
    the worker renders it."""
    rows = Notification.objects.filter(channel=EMAIL).select_related("recipient__user")
    expected = Counter()
    for row in rows:
        subject, body = email_content(row)
        expected[(row.recipient.user.email, _subject(subject), _normal(body))] += 1
    return expected


def received_emails(smtp: SmtpServer) -> Counter:
    return Counter(
        (recipient, _subject(message.subject), _normal(message.body))
        for message in smtp.received()
        for recipient in message.recipients
    )


def assert_each_email_arrived_once(smtp: SmtpServer) -> None:
    """Every email notification row was received exactly once, nothing else was, and
    every row is marked sent."""
    expected = expected_emails()
    assert expected, "the scenario made no email notifications"
    received = received_emails(smtp)
    missing, extra = expected - received, received - expected
    assert not missing and not extra, f"never arrived: {list(missing)}; arrived too often or unknown: {list(extra)}"
    assert not Notification.objects.filter(channel=EMAIL, sent_at__isnull=True).exists()


def sent_rows() -> int:
    return Notification.objects.filter(channel=EMAIL, sent_at__isnull=False).count()


def lock_waiters() -> int:
    """How many other connections to the test database wait for a lock now (pg_locks
    is live, unlike pg_stat_activity, which is frozen for the rest of a transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0]


def lock_notifications() -> None:
    """Inside a transaction: hold the notification table so that a sweep stops at its
    insert, with everything before it done, until the transaction ends. Readers pass."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Notification._meta.db_table)} IN EXCLUSIVE MODE")


SWEEP = "meetings.tasks.reminder_sweep"


def sweep_through(broker, timeout: float = 60) -> dict:
    """Publish the sweep to Redis, as beat does, and wait for a worker's result."""
    return broker.send_task(SWEEP).get(timeout=timeout)


def assert_no_reminder_missing(result: dict) -> None:
    """A sweep at the same moment as `result`'s, run here as a dry run, would add
    nothing: every reminder due then has its rows."""
    from django.utils.dateparse import parse_datetime

    from meetings.reminders import sweep

    again = sweep(parse_datetime(result["now"]), dry_run=True)
    assert again.created == 0, f"reminders missing after the sweeps: {again.summary()}"
