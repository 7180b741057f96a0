"""How reminders reach people: rows inserted once, emails sent once and only to those
who want them, a lost email enqueued again; the preferences page, the dry run (command
and admin), and the email of the notices sent at once (rescheduled, cancelled, returned)."""

import datetime
import smtplib
import zoneinfo
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from meetings import notifications, services
from meetings.models import EmailOptOut, Notification
from meetings.notifications import Draft, email_send, insert
from meetings.reminders import sweep
from meetings.tasks import reminder_sweep, send_email_notification, send_email_notifications
from tests.meetings.conftest import AGENDA, at

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MAY_6 = datetime.datetime(2026, 5, 6, 9, tzinfo=SHANGHAI)


def emails_to(outbox, member) -> list:
    return [message for message in outbox if member.user.email in message.to]


# Inserted once ------------------------------------------------------------------------


def test_insert_returns_exactly_the_rows_it_added(member):
    first = insert([Draft(member.pk, "record_approved", "k1", {"title": "一"}), Draft(member.pk, "record_approved", "k1", {"title": "一"})])
    assert len(first) == 1 and first[0].channel == "app"
    second = insert([
        Draft(member.pk, "record_approved", "k1", {"title": "一"}),
        Draft(member.pk, "record_approved", "k1", {"title": "一"}, channel="email"),
    ])
    assert [(row.subject_key, row.channel) for row in second] == [("k1", "email")]
    email = Notification.objects.get(pk=second[0].pk)
    assert email.queued_at is not None and email.sent_at is None and email.params == {"title": "一"}


def test_each_email_goes_once_however_often_the_sweep_runs(member, leader, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        first = sweep(MAY_6)
    assert first.created_email == len(mailoutbox) > 0
    assert first.enqueued == sorted(row.pk for row in first.rows if row.channel == "email")
    for hour in range(3):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = sweep(MAY_6 + datetime.timedelta(minutes=10 * hour))
        assert again.created == 0 and callbacks == []
    assert len(mailoutbox) == first.created_email
    assert not Notification.objects.filter(channel="email", sent_at__isnull=True).exists()


def test_the_email_is_in_chinese_with_an_absolute_link(member, django_capture_on_commit_callbacks, mailoutbox, settings):
    settings.SITE_URL = "https://sanping.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        sweep(MAY_6)
    message = next(m for m in emails_to(mailoutbox, member) if "2026年3–4月" in m.body)
    assert message.subject.startswith("【三评】")
    assert "https://sanping.example.org/thought-reports/new/" in message.body
    assert "https://sanping.example.org/notifications/preferences/" in message.body
    assert member.name in message.body


def test_opting_out_keeps_the_app_notification_and_drops_the_email(member, django_capture_on_commit_callbacks, mailoutbox):
    EmailOptOut.objects.create(member=member, kind="thought_report_overdue")
    with django_capture_on_commit_callbacks(execute=True):
        sweep(MAY_6)
    assert Notification.objects.filter(recipient=member, kind="thought_report_overdue", channel="app").exists()
    assert not Notification.objects.filter(recipient=member, kind="thought_report_overdue", channel="email").exists()
    assert not [m for m in emails_to(mailoutbox, member) if "thought report" in m.body or "思想汇报" in m.body]


def test_no_address_no_email(member):
    member.user.email = ""
    member.user.save()
    sweep(MAY_6)
    assert Notification.objects.filter(recipient=member, channel="app").exists()
    assert not Notification.objects.filter(recipient=member, channel="email").exists()


# The send task --------------------------------------------------------------------------


def email_row(member, kind="thought_report_overdue") -> Notification:
    rows = insert([Draft(member.pk, kind, "thought_report:x", {"start": "2026-03-01", "end": "2026-04-30", "months": 2}, "/", "email")])
    return Notification.objects.get(pk=rows[0].pk)


def test_the_task_sends_an_unsent_row_once(member, mailoutbox):
    row = email_row(member)
    assert send_email_notification(row.pk) == "sent"
    assert send_email_notification(row.pk) == "already sent"
    assert send_email_notification(999999) == "gone"
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.sent_at is not None


def test_an_smtp_failure_leaves_the_row_unsent(member, mailoutbox):
    row = email_row(member)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("down")):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            email_send(row.pk)
    row.refresh_from_db()
    assert row.sent_at is None
    assert email_send(row.pk) == "sent"


def test_the_tasks_are_acked_late_and_retried_with_backoff():
    for task in (reminder_sweep, send_email_notification, send_email_notifications):
        assert task.acks_late and task.reject_on_worker_lost
    assert send_email_notification.autoretry_for == (OSError,)
    assert issubclass(smtplib.SMTPException, OSError)
    assert send_email_notification.retry_backoff and send_email_notification.max_retries == 5


def test_many_new_emails_go_in_batches_and_each_is_sent_once(member, leader, secretary, settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.REMINDER_EMAIL_BATCH_SIZE = 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = sweep(MAY_6)
    assert result.created_email > 4
    assert len(callbacks) == (result.created_email + 1) // 2
    assert len(mailoutbox) == result.created_email
    assert not Notification.objects.filter(channel="email", sent_at__isnull=True).exists()


def test_a_failure_inside_a_batch_is_retried_on_its_own_and_the_others_go_on(member, mailoutbox):
    from meetings.tasks import send_email_notifications

    rows = [email_row(member, kind=kind) for kind in ("thought_report_overdue", "thought_report_due_soon", "rectification_overdue")]
    real_send = __import__("django.core.mail", fromlist=["EmailMessage"]).EmailMessage.send
    calls = []

    def flaky(message, *args, **kwargs):
        calls.append(message.subject)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("down")
        return real_send(message, *args, **kwargs)

    with mock.patch("django.core.mail.EmailMessage.send", flaky):
        outcomes = send_email_notifications([row.pk for row in rows])
    assert outcomes == {"retrying": 1, "sent": 2}
    assert len(mailoutbox) == 3  # the retry (run at once in eager mode) sent the first one too
    assert not Notification.objects.filter(pk__in=[r.pk for r in rows], sent_at__isnull=True).exists()


def test_opting_out_after_the_email_was_queued_drops_it(member, mailoutbox):
    row = email_row(member)
    EmailOptOut.objects.create(member=member, kind=row.kind)
    assert email_send(row.pk) == "dropped"
    assert mailoutbox == [] and not Notification.objects.filter(pk=row.pk).exists()


def test_the_sweep_task_returns_its_counts(member):
    with mock.patch("django.utils.timezone.now", return_value=MAY_6):
        counts = reminder_sweep()
    assert counts["created_app"] > 0 and counts["by_kind"]["thought_report_overdue"] >= 1


def test_the_sweep_task_can_be_given_its_moment(member):
    counts = reminder_sweep.delay("2026-05-06T09:00:00+08:00").get()
    assert counts["now"] == "2026-05-06T09:00:00+08:00"
    assert Notification.objects.filter(recipient=member, subject_key=f"thought_report:{member.pk}:2026-03-01/2").exists()


# An email whose task was lost ---------------------------------------------------------


def test_an_email_still_unsent_an_hour_after_it_was_queued_is_enqueued_again_once(member, django_capture_on_commit_callbacks, mailoutbox):
    stale = email_row(member)
    recent = email_row(member, kind="thought_report_due_soon")
    old = email_row(member, kind="rectification_overdue")
    Notification.objects.filter(pk=stale.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=61))
    Notification.objects.filter(pk=old.pk).update(
        queued_at=timezone.now() - datetime.timedelta(days=4), created_at=timezone.now() - datetime.timedelta(days=4)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep(MAY_6)
    assert result.requeued_email == 1 and stale.pk in result.enqueued
    assert recent.pk not in result.enqueued and old.pk not in result.enqueued
    stale.refresh_from_db()
    assert stale.sent_at is not None
    assert sweep(MAY_6).requeued_email == 0


# Dry run: command and admin -------------------------------------------------------------


def test_dry_run_lists_what_would_be_sent_and_keeps_nothing(member, django_capture_on_commit_callbacks, mailoutbox):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("reminders_sweep", "--dry-run", "--at", "2026-05-06T09:00", stdout=out)
    text = out.getvalue()
    assert member.name in text and "thought_report_overdue" in text and "2026年3–4月" in text
    assert "nothing kept" in text
    assert Notification.objects.count() == 0 and callbacks == [] and mailoutbox == []


def test_the_command_runs_a_sweep(member):
    out = StringIO()
    call_command("reminders_sweep", "--at", "2026-05-06", stdout=out)
    assert "Sweep at 2026-05-06 00:00" in out.getvalue()
    assert Notification.objects.filter(recipient=member, kind="thought_report_overdue").exists()


def test_the_dry_run_and_the_sweep_agree(member, leader, secretary):
    planned = sweep(MAY_6, dry_run=True)
    assert planned.dry_run and Notification.objects.count() == 0
    done = sweep(MAY_6)
    assert (done.created_app, done.created_email, dict(done.by_kind)) == (
        planned.created_app, planned.created_email, dict(planned.by_kind),
    )


def test_the_admin_shows_the_next_sweep(client, staff, member):
    client.force_login(staff)
    response = client.get(reverse("admin:meetings_notification_next_sweep"), {"at": "2026-05-06T09:00"})
    html = response.content.decode()
    assert response.status_code == 200 and member.name in html and "2026年3–4月" in html
    assert Notification.objects.count() == 0
    changelist = client.get(reverse("admin:meetings_notification_changelist")).content.decode()
    assert reverse("admin:meetings_notification_next_sweep") in changelist
    assert client.get(reverse("admin:meetings_notification_next_sweep"), {"at": "junk"}).status_code == 200
    # Well formed but no such day: the form's message, the value kept, no 500.
    response = client.get(reverse("admin:meetings_notification_next_sweep"), {"at": "2026-02-30T09:00"})
    assert response.status_code == 200 and response.context["error"] and "2026-02-30T09:00" in response.content.decode()


@pytest.mark.parametrize("value", ["junk", "2026-02-30", "2026-02-30T09:00", "2026-05-06T25:00"])
def test_the_command_refuses_a_moment_that_is_not_one(member, value):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Not an ISO date"):
        call_command("reminders_sweep", "--dry-run", "--at", value, stdout=StringIO())


def test_the_admin_page_is_for_staff_only(client, member):
    client.force_login(member.user)
    response = client.get(reverse("admin:meetings_notification_next_sweep"))
    assert response.status_code == 302


# Notices sent at once: email after commit -------------------------------------------------


def test_rescheduling_emails_the_attendees_after_commit(schedule, leader, member, django_capture_on_commit_callbacks, mailoutbox):
    meeting = schedule(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update_schedule(
            meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title=meeting.title,
            starts_at=at(6), ends_at=at(6, 16), place=meeting.place, chair=leader, recorder=None, agenda=AGENDA,
        )
    assert len(emails_to(mailoutbox, member)) == 1
    assert Notification.objects.get(recipient=member, kind="meeting_rescheduled", channel="email").sent_at


def test_publishing_does_not_email(schedule, member, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(days=5)
    assert mailoutbox == []
    assert not Notification.objects.filter(channel="email").exists()


def test_a_failed_transaction_sends_nothing(schedule, leader, member, django_capture_on_commit_callbacks, mailoutbox):
    meeting = schedule(days=5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with mock.patch("meetings.services._sync_guests", side_effect=RuntimeError("boom")):
                services.meeting_update_schedule(
                    meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title=meeting.title,
                    starts_at=at(6), ends_at=at(6, 16), place=meeting.place, chair=leader, recorder=None, agenda=AGENDA,
                )
    assert callbacks == [] and mailoutbox == []


def test_returning_a_record_emails_the_leader(submitted_meeting, secretary, leader, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_return(meeting=submitted_meeting, by=secretary, comment="请补充讨论情况")
    assert len(emails_to(mailoutbox, leader)) == 1
    assert "请补充讨论情况" in emails_to(mailoutbox, leader)[0].body


def test_notify_counts_new_in_app_rows(member, leader):
    kwargs = {"kind": "meeting_cancelled", "subject_key": "meeting:1:cancelled", "params": {"title": "会", "when": "", "place": "", "reason": "冲突"}}
    assert notifications.notify(recipients=[member, leader, member], **kwargs) == 2
    assert notifications.notify(recipients=[member, leader], **kwargs) == 0
    assert Notification.objects.filter(channel="email").count() == 2


# The notification centre and the preferences page ---------------------------------------


def test_the_centre_shows_reminders_in_the_readers_language_and_links_the_settings(client, member):
    sweep(MAY_6)
    client.force_login(member.user)
    html = client.get(reverse("meetings:notifications")).content.decode()
    assert "2026年3–4月" in html
    assert reverse("meetings:notification_preferences") in html
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(reverse("meetings:notifications")).content.decode()
    assert "You did not submit a thought report in 2026-03 to 04." in english


def test_preferences_turn_email_off_and_on_per_kind(client, member):
    client.force_login(member.user)
    page = client.get(reverse("meetings:notification_preferences")).content.decode()
    assert 'value="thought_report_overdue"' in page and "checked" in page
    assert 'value="record_waiting"' not in page  # for the secretary
    assert 'value="obligation_overdue"' not in page  # for leaders
    kinds = [k for k in notifications.email_kinds_for(member) if k != "meeting_coming"]
    response = client.post(reverse("meetings:notification_preferences"), {"email": kinds})
    assert response.status_code == 302
    assert list(EmailOptOut.objects.filter(member=member).values_list("kind", flat=True)) == ["meeting_coming"]
    client.post(reverse("meetings:notification_preferences"), {"email": [*kinds, "meeting_coming", "no_such_kind"]})
    assert not EmailOptOut.objects.filter(member=member).exists()


def test_preferences_shrug_off_hostile_posts(client, member):
    url = reverse("meetings:notification_preferences")
    client.force_login(member.user)
    kinds = notifications.email_kinds_for(member)
    # Kinds of another audience, near misses and junk: ignored, the member's own kinds as posted.
    junk = ["record_waiting", "obligation_overdue", "meeting_coming\x00", "<b>x</b>", "x" * 10_000]
    response = client.post(url, {"email": [*kinds, *junk]})
    assert response.status_code == 302 and not EmailOptOut.objects.filter(member=member).exists()
    # More values than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): a 400, nothing changed, never a 500.
    response = client.post(url, {"email": ["meeting_coming"] * 5_000})
    assert response.status_code == 400 and not EmailOptOut.objects.filter(member=member).exists()
    assert "请返回检查填写的内容后重试" in response.content.decode()  # our page, not Django's bare one


def test_leaders_and_the_secretary_see_their_kinds(client, leader, secretary):
    assert "obligation_overdue" in notifications.email_kinds_for(leader)
    assert "record_waiting" not in notifications.email_kinds_for(leader)
    assert {"record_waiting", "obligation_overdue"} <= set(notifications.email_kinds_for(secretary))


def test_preferences_say_when_there_is_no_address(client, member):
    member.user.email = ""
    member.user.save()
    client.force_login(member.user)
    assert 'data-testid="no-address"' in client.get(reverse("meetings:notification_preferences")).content.decode()


def test_preferences_need_a_member(client, staff):
    assert client.get(reverse("meetings:notification_preferences")).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("meetings:notification_preferences")).status_code == 404


# Two sweeps at once (PostgreSQL: SQLite runs one writer at a time anyway) -----------------


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_insert_and_send_each_reminder_once(member, leader, secretary, mailoutbox):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    both_ready = threading.Barrier(2, timeout=30)
    original = notifications.insert

    def insert_together(drafts):
        both_ready.wait()  # both sweeps have decided; now both insert at once
        return original(drafts)

    results, errors = [], []

    def run():
        try:
            results.append(sweep(MAY_6))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    with mock.patch("meetings.notifications.insert", insert_together):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    created = sorted(r.created_app for r in results)
    assert created[0] == 0 and created[1] > 0
    emails = Notification.objects.filter(channel="email")
    assert sum(r.created_email for r in results) == emails.count() == len(mailoutbox)
    assert not emails.filter(sent_at__isnull=True).exists()
