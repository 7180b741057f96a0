"""Notifications: one row per (recipient, kind, subject, channel), never sent twice.

A notice goes to the notification centre (channel "app") and, for the kinds in
EMAIL_KINDS, by email too (channel "email") to everyone with an email address who
has not turned that kind off (EmailOptOut). Rows are inserted in the transaction
that decides to notify, in one `INSERT … ON CONFLICT DO NOTHING RETURNING` statement
(`insert`): what it returns is exactly the rows this transaction added, so a second
sweep, or two at once, add nothing and enqueue no email twice. The email of a new row
is enqueued after commit (meetings.tasks.send_email_notification, or in batches when
there are many), and the task sends it only while the row's sent_at is empty.

The text is rendered when shown, in the reader's language, from the kind and the
parameters stored with the row.
"""

import datetime
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Member

from .models import CadenceRule, EmailOptOut, Notification

logger = logging.getLogger(__name__)

APP = Notification.Channel.APP
EMAIL = Notification.Channel.EMAIL

# Kinds of the periodic sweep (meetings/reminders.py).
MEETING_COMING = "meeting_coming"
OBLIGATION_DUE_SOON = "obligation_due_soon"
OBLIGATION_OVERDUE = "obligation_overdue"
THOUGHT_REPORT_DUE_SOON = "thought_report_due_soon"
THOUGHT_REPORT_OVERDUE = "thought_report_overdue"
MEMBER_THOUGHT_REPORT_OVERDUE = "member_thought_report_overdue"
SELF_EVALUATION_DUE = "self_evaluation_due"
RECTIFICATION_DUE_SOON = "rectification_due_soon"
RECTIFICATION_OVERDUE = "rectification_overdue"
MEMBER_RECTIFICATION_OVERDUE = "member_rectification_overdue"
RECORD_WAITING = "record_waiting"

MESSAGES = {
    # Sent at once by meetings/services.py.
    "meeting_published": _("New meeting: “%(title)s” on %(when)s at %(place)s."),
    "meeting_rescheduled": _("Meeting rescheduled: “%(title)s” is now on %(when)s at %(place)s."),
    "meeting_cancelled": _("Meeting cancelled: “%(title)s” (%(when)s). Reason: %(reason)s"),
    "record_submitted": _("Record submitted for review: “%(title)s” of %(group)s."),
    "record_returned": _("Record returned: “%(title)s”. Comment: %(comment)s"),
    "record_approved": _("Record approved: “%(title)s”."),
    # Computed by the sweep.
    MEETING_COMING: _("Reminder: “%(title)s” starts %(when)s at %(place)s."),
    OBLIGATION_DUE_SOON: _("%(group)s: no %(obligation)s held yet in %(period)s; the period ends on %(end)s."),
    OBLIGATION_OVERDUE: _("%(group)s: no %(obligation)s was held in %(period)s."),
    THOUGHT_REPORT_DUE_SOON: _("Your thought report for %(period)s is due by %(end)s."),
    THOUGHT_REPORT_OVERDUE: _("You did not submit a thought report in %(period)s."),
    MEMBER_THOUGHT_REPORT_OVERDUE: _("%(member)s did not submit a thought report in %(period)s."),
    SELF_EVALUATION_DUE: _("The 三评 session “%(title)s” is on %(when)s: your self-evaluation is not submitted yet."),
    RECTIFICATION_DUE_SOON: _("Rectification due on %(deadline)s: %(problem)s"),
    RECTIFICATION_OVERDUE: _("Rectification overdue since %(deadline)s: %(problem)s"),
    MEMBER_RECTIFICATION_OVERDUE: _("%(member)s's rectification is overdue since %(deadline)s: %(problem)s"),
    RECORD_WAITING: _("The record “%(title)s” of %(group)s has waited for review since %(submitted)s."),
}


@dataclass(frozen=True)
class EmailKind:
    label: str  # what the preferences page and the email's subject call it
    audience: str  # who receives it: "all", "leader" or "secretary"


# The kinds that also go by email, in the order of the preferences page.
EMAIL_KINDS: dict[str, EmailKind] = {
    MEETING_COMING: EmailKind(_("A meeting is coming"), "all"),
    "meeting_rescheduled": EmailKind(_("A meeting was rescheduled"), "all"),
    "meeting_cancelled": EmailKind(_("A meeting was cancelled"), "all"),
    THOUGHT_REPORT_DUE_SOON: EmailKind(_("My thought report is due soon"), "all"),
    THOUGHT_REPORT_OVERDUE: EmailKind(_("My thought report is overdue"), "all"),
    SELF_EVALUATION_DUE: EmailKind(_("My 三评 self-evaluation is not submitted"), "all"),
    RECTIFICATION_DUE_SOON: EmailKind(_("My rectification deadline is near"), "all"),
    RECTIFICATION_OVERDUE: EmailKind(_("My rectification deadline has passed"), "all"),
    OBLIGATION_DUE_SOON: EmailKind(_("A group obligation is due soon"), "leader"),
    OBLIGATION_OVERDUE: EmailKind(_("A group obligation is overdue"), "leader"),
    MEMBER_THOUGHT_REPORT_OVERDUE: EmailKind(_("A member's thought report is overdue"), "leader"),
    MEMBER_RECTIFICATION_OVERDUE: EmailKind(_("A member's rectification is overdue"), "leader"),
    "record_returned": EmailKind(_("A record was returned"), "leader"),
    RECORD_WAITING: EmailKind(_("A record waits for review"), "secretary"),
}


# Rendering --------------------------------------------------------------------


def _local(value: str, fmt: str) -> str:
    moment = parse_datetime(value)
    if moment is None:
        return value
    return formats.date_format(timezone.localtime(moment), fmt)


def _day(value: str) -> str:
    day = parse_date(value)
    return formats.date_format(day, "Y-m-d") if day else value


def _display_params(params: dict) -> dict:
    """The stored parameters, with dates, periods and obligations put into words of
    the active language (the sweep stores ISO dates and codes, not words)."""
    shown = dict(params)
    if "starts_at" in params:
        shown["when"] = _local(params["starts_at"], "Y-m-d H:i")
    if "obligation" in params:
        try:
            shown["obligation"] = CadenceRule.Obligation(params["obligation"]).label
        except ValueError:
            pass
    if {"start", "end", "months"} <= params.keys():
        from .cadence import Period

        start, end = parse_date(params["start"]), parse_date(params["end"])
        if start and end:
            shown["period"] = Period(start, end, int(params["months"])).label
    for name in ("end", "deadline"):
        if name in params:
            shown[name] = _day(params[name])
    if "submitted_at" in params:
        shown["submitted"] = _local(params["submitted_at"], "Y-m-d H:i")
    return shown


def message_of(notification: Notification) -> str:
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return str(template) % _display_params(notification.params)
    except (KeyError, TypeError, ValueError):
        return str(template)


# Reading and marking read -----------------------------------------------------


def notifications_for(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=member, channel=APP)


def unread_count(member: Member) -> int:
    return notifications_for(member).filter(read_at__isnull=True).count()


def mark_read(*, member: Member, pk: int | None = None) -> int:
    """Mark one notification (or all of them) of `member` as read."""
    unread = notifications_for(member).filter(read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


# Inserting once ---------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A notification to insert unless it is there already."""

    recipient_id: int
    kind: str
    subject_key: str
    params: dict
    url: str = ""
    channel: str = APP


@dataclass(frozen=True)
class Inserted:
    pk: int
    recipient_id: int
    kind: str
    subject_key: str
    channel: str


def with_email(drafts: Iterable[Draft], *, addresses: dict[int, str], opted_out: set[tuple[int, str]]) -> list[Draft]:
    """The in-app drafts, each followed by its email copy when the kind goes by email,
    the recipient has an address (`addresses`: member pk → email) and has not turned
    the kind off (`opted_out`: (member pk, kind))."""
    result = []
    for draft in drafts:
        result.append(draft)
        if (
            draft.kind in EMAIL_KINDS
            and addresses.get(draft.recipient_id)
            and (draft.recipient_id, draft.kind) not in opted_out
        ):
            result.append(
                Draft(draft.recipient_id, draft.kind, draft.subject_key, draft.params, draft.url, EMAIL)
            )
    return result


def _insert_sql(vendor: str) -> str:
    meta = Notification._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ["recipient", "kind", "subject_key", "channel", "params", "url"]
    names = [quote(meta.get_field(name).column) for name in columns]
    created, queued = quote(meta.get_field("created_at").column), quote(meta.get_field("queued_at").column)
    pk = quote(meta.pk.column)
    target = ", ".join(names[:4])
    returning = f"RETURNING {pk}, {names[0]}, {names[1]}, {names[2]}, {names[3]}"
    if vendor == "postgresql":
        return (
            f"INSERT INTO {table} ({', '.join(names)}, {created}, {queued}) "
            f"SELECT (d.v->>'r')::bigint, d.v->>'k', d.v->>'s', d.v->>'c', d.v->'p', d.v->>'u', "
            f"%s, CASE WHEN d.v->>'c' = 'email' THEN %s::timestamptz END "
            f"FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS d(v, n) "
            f"ORDER BY d.n ON CONFLICT ({target}) DO NOTHING {returning}"
        )
    if vendor == "sqlite":
        fields = ", ".join(f"json_extract(value, '$.{key}')" for key in "rkscpu")
        # "WHERE true" tells SQLite's parser that ON CONFLICT is the upsert clause, not a join's.
        return (
            f"INSERT INTO {table} ({', '.join(names)}, {created}, {queued}) "
            f"SELECT {fields}, %s, CASE WHEN json_extract(value, '$.c') = 'email' THEN %s END "
            f"FROM json_each(%s) WHERE true ORDER BY key ON CONFLICT ({target}) DO NOTHING {returning}"
        )
    raise NotImplementedError(f"Notifications are inserted on PostgreSQL and SQLite, not {vendor}.")


def insert(drafts: Iterable[Draft]) -> list[Inserted]:
    """Insert the drafts not there yet, in one statement, and return exactly the rows
    this statement inserted. Email rows are marked queued by their inserter.

    The rows go in a fixed order (recipient, kind, subject, channel): two transactions
    inserting overlapping rows at once wait for each other in the same order instead
    of deadlocking, and the second one skips what the first inserted.
    """
    unique = {(d.recipient_id, d.kind, d.subject_key, d.channel): d for d in drafts}
    if not unique:
        return []
    document = json.dumps(
        [
            {"r": d.recipient_id, "k": d.kind, "s": d.subject_key, "c": d.channel, "p": d.params, "u": d.url}
            for _key, d in sorted(unique.items())
        ],
        ensure_ascii=False,
    )
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), [stamp, stamp, document])
        return [Inserted(*row) for row in cursor.fetchall()]


def requeue_stale_emails() -> list[int]:
    """Claim the email rows still unsent an hour (REMINDER_EMAIL_REQUEUE_MINUTES) after
    they were last enqueued, and not older than REMINDER_EMAIL_GIVE_UP_DAYS: their task
    was lost (a crash between commit and enqueue, a broker that lost it) or gave up
    retrying. One statement; a row claimed by one sweep is skipped by another."""
    meta = Notification._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    queued, sent, created, channel = (
        quote(meta.get_field(name).column) for name in ("queued_at", "sent_at", "created_at", "channel")
    )
    now = timezone.now()
    stale = now - datetime.timedelta(minutes=settings.REMINDER_EMAIL_REQUEUE_MINUTES)
    oldest = now - datetime.timedelta(days=settings.REMINDER_EMAIL_GIVE_UP_DAYS)
    condition = f"{channel} = 'email' AND {sent} IS NULL AND {queued} < %s AND {created} >= %s"
    if connection.vendor == "postgresql":
        # SKIP LOCKED: a row being sent (locked by its task) or claimed by another sweep is left alone.
        sql = (
            f"UPDATE {table} SET {queued} = %s WHERE {pk} IN "
            f"(SELECT {pk} FROM {table} WHERE {condition} ORDER BY {pk} FOR UPDATE SKIP LOCKED) RETURNING {pk}"
        )
    else:
        sql = f"UPDATE {table} SET {queued} = %s WHERE {condition} RETURNING {pk}"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now), adapt(stale), adapt(oldest)])
        return sorted(row[0] for row in cursor.fetchall())


def enqueue_emails(pks: Iterable[int]) -> None:
    """After commit, one send task per email row; many rows (the first sweep of a big
    organisation, a period's end) go in tasks of REMINDER_EMAIL_BATCH_SIZE rows each:
    publishing a task to Redis costs about a millisecond, 20,000 of them twenty seconds."""
    from .tasks import send_email_notification, send_email_notifications

    pks = list(pks)
    size = settings.REMINDER_EMAIL_BATCH_SIZE
    if len(pks) <= size:
        for pk in pks:
            send_email_notification.delay_on_commit(pk)
        return
    for start in range(0, len(pks), size):
        send_email_notifications.delay_on_commit(pks[start : start + size])


def notify(*, recipients: Iterable[Member], kind: str, subject_key: str, params: dict, url: str = "") -> int:
    """Insert one in-app notification per recipient, and its email copy for the kinds
    in EMAIL_KINDS; existing ones are left alone. New emails are sent after commit.

    Returns how many in-app notifications were new. Call it inside the transaction
    that decides to notify. Two queries more for an email kind (addresses, opt-outs).
    """
    people = {r.pk: r for r in recipients}
    drafts = [Draft(pk, kind, subject_key, params, url) for pk in people]
    if kind in EMAIL_KINDS and people:
        addresses = dict(Member.objects.filter(pk__in=people, user__is_active=True).values_list("pk", "user__email"))
        opted_out = set(EmailOptOut.objects.filter(member__in=people, kind=kind).values_list("member_id", "kind"))
        drafts = with_email(drafts, addresses=addresses, opted_out=opted_out)
    inserted = insert(drafts)
    enqueue_emails(row.pk for row in inserted if row.channel == EMAIL)
    return sum(1 for row in inserted if row.channel == APP)


# Email ------------------------------------------------------------------------


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def email_content(notification: Notification) -> tuple[str, str]:
    """Subject and body of a notification's email, in the site's language (Simplified
    Chinese): a person has no language setting of their own."""
    with translation.override(settings.LANGUAGE_CODE):
        kind = EMAIL_KINDS.get(notification.kind)
        what = str(kind.label) if kind else notification.kind
        subject = gettext("[三评] %(what)s") % {"what": what}
        body = render_to_string(
            "meetings/notifications/email.txt",
            {
                "name": notification.recipient.name,
                "message": message_of(notification),
                "link": site_url(notification.url) if notification.url else site_url(reverse("meetings:notifications")),
                "preferences": site_url(reverse("meetings:notification_preferences")),
                "kind_label": what,
            },
        )
    return subject, body


def email_send(notification_id: int) -> str:
    """Send one email notification, once: only while its sent_at is empty, which is then set.

    The row stays locked from the check to the mark, so a second worker with the same
    id waits and then finds it sent. An SMTP error propagates with sent_at still empty
    (the task retries). A crash after the mail server accepted the message and before
    the commit leaves sent_at empty: the redelivered task sends it again. That
    duplicate is the price of never losing one; there is no way to make an SMTP
    server's acceptance and our commit one atomic step.

    Returns "sent", "already sent", "gone" (no such row) or "dropped" (the person
    turned this kind off or has no address since: the row is deleted).
    """
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient__user")
            .filter(pk=notification_id, channel=EMAIL)
            .first()
        )
        if row is None:
            return "gone"
        if row.sent_at is not None:
            return "already sent"
        address = row.recipient.user.email
        if not address or not row.recipient.user.is_active or EmailOptOut.objects.filter(
            member_id=row.recipient_id, kind=row.kind
        ).exists():
            row.delete()
            return "dropped"
        subject, body = email_content(row)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send(fail_silently=False)
        row.sent_at = timezone.now()
        row.save(update_fields=["sent_at"])
    logger.info("Sent email notification %s (%s) to member %s", row.pk, row.kind, row.recipient_id)
    return "sent"


# Preferences ------------------------------------------------------------------


def email_kinds_for(member: Member) -> list[str]:
    """The email kinds a person may receive, by their roles (and any they turned off)."""
    from members.models import PartyGroup

    leads = PartyGroup.objects.filter(leader=member).exists()
    audiences = {"all"} | ({"leader"} if leads else set())
    if member.branch_role == Member.BranchRole.SECRETARY:
        audiences |= {"leader", "secretary"}
    off = email_opt_outs(member)
    return [kind for kind, spec in EMAIL_KINDS.items() if spec.audience in audiences or kind in off]


def email_opt_outs(member: Member) -> set[str]:
    return set(EmailOptOut.objects.filter(member=member).values_list("kind", flat=True))


@transaction.atomic
def email_preferences_set(*, member: Member, email_off: Sequence[str]) -> set[str]:
    """The person's own choice: no email for the kinds in `email_off` (in-app
    notifications stay). Unknown kinds are ignored. Returns the kinds now off."""
    wanted = {kind for kind in email_off if kind in EMAIL_KINDS}
    EmailOptOut.objects.filter(member=member).exclude(kind__in=wanted).delete()
    EmailOptOut.objects.bulk_create([EmailOptOut(member=member, kind=kind) for kind in wanted], ignore_conflicts=True)
    return wanted
