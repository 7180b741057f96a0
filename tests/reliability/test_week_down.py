"""A sweep after a week with the scheduler down sends what is still relevant, once,
and nothing about what was done in the meantime.

The sweeps run at fixed moments, so that the periods and working days are those of a
known week whatever the day the test runs: beat's last sweep before the outage on
Monday 22 June 2026, 10:00 (the task, through Redis, told its moment), and on Monday
29 June the one an administrator runs by hand once the scheduler is back
(`manage.py reminders_sweep --at …`, in its own process). A real worker sends the
emails.
"""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Meeting, Notification
from meetings.notifications import (
    MEETING_COMING, MEMBER_RECTIFICATION_OVERDUE, OBLIGATION_DUE_SOON, RECTIFICATION_OVERDUE, THOUGHT_REPORT_DUE_SOON,
)
from members.models import Member
from sanping.models import RectificationItem, SanpingSession
from tests.factories import BranchFactory, MeetingFactory, MemberFactory, PartyGroupFactory, ThoughtReportFactory

from .helpers import EMAIL, SWEEP, assert_each_email_arrived_once

pytestmark = pytest.mark.services

BEFORE = "2026-06-22T10:00:00+08:00"  # the last sweep before the outage
AFTER = "2026-06-29T10:00"  # the first one after it: June ends in two working days


def local(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour)))


def test_a_sweep_after_a_week_down_sends_what_is_still_due_once_and_nothing_already_done(
    start_worker, broker, manage, smtp_server, wait_quiet
):
    branch = BranchFactory(name="可靠性测试党支部")
    first, second = PartyGroupFactory(branch=branch, name="第一党小组"), PartyGroupFactory(branch=branch, name="第二党小组")
    first.leader = MemberFactory(group=first, name="李组长")
    second.leader = MemberFactory(group=second, name="周组长")
    first.save()
    second.save()
    writer, idler = MemberFactory(group=first, name="张党员"), MemberFactory(group=first, name="王党员")
    MemberFactory(group=second, name="王书记", branch_role=Member.BranchRole.SECRETARY)
    # The second group's June meeting, scheduled before the outage.
    june_meeting = MeetingFactory(
        group=second, title="六月党小组会", starts_at=local("2026-06-25"), state=Meeting.State.SCHEDULED
    )
    # Rectification from last December's 三评 session, both due on 24 June.
    session = SanpingSession.objects.create(
        meeting=MeetingFactory(
            group=first, kind=Meeting.Kind.SANPING, title="2025年“三评”会", starts_at=local("2025-12-10"),
            state=Meeting.State.APPROVED,
        ),
        stage=SanpingSession.Stage.RECTIFICATION,
    )
    open_item, done_item = (
        RectificationItem.objects.create(
            session=session, member=person, problem=problem, measure="每周学习一次", deadline=datetime.date(2026, 6, 24)
        )
        for person, problem in ((idler, "理论学习不够系统"), (writer, "联系群众不够"))
    )
    start_worker()

    broker.send_task(SWEEP, kwargs={"now": BEFORE}).get(timeout=60)
    wait_quiet()
    assert_each_email_arrived_once(smtp_server)
    before = len(smtp_server.received())

    # The week without sweeps: the second group meets, one member writes their
    # thought report, the other rectification item is done.
    Meeting.objects.filter(pk=june_meeting.pk).update(state=Meeting.State.HELD)
    ThoughtReportFactory(member=writer, submitted_at=local("2026-06-26"))
    RectificationItem.objects.filter(pk=done_item.pk).update(
        state=RectificationItem.State.DONE, done_at=local("2026-06-23")
    )

    output = manage("reminders_sweep", "--at", AFTER)
    wait_quiet()
    assert "Sweep at 2026-06-29 10:00" in output

    def reminded(kind, subject_key):
        rows = Notification.objects.filter(kind=kind, subject_key=subject_key)
        return set(rows.values_list("recipient__name", "channel"))

    both = lambda name: {(name, "app"), (name, EMAIL)}  # noqa: E731
    # Still due: the first group's June activity, the idle member's thought report,
    # the open item (to its member and their leader).
    assert reminded(OBLIGATION_DUE_SOON, f"group:{first.pk}:monthly_activity:2026-06-01/1") == both("李组长")
    assert reminded(THOUGHT_REPORT_DUE_SOON, f"thought_report:{idler.pk}:2026-05-01/2") == both("王党员")
    assert reminded(RECTIFICATION_OVERDUE, f"rectification:{open_item.pk}:20260624") == both("王党员")
    assert reminded(MEMBER_RECTIFICATION_OVERDUE, f"rectification:{open_item.pk}:20260624") == both("李组长")
    # Done in the meantime: nothing.
    assert reminded(OBLIGATION_DUE_SOON, f"group:{second.pk}:monthly_activity:2026-06-01/1") == set()
    assert reminded(OBLIGATION_DUE_SOON, f"group:{second.pk}:group_meeting:2026-05-01/2") == set()
    assert reminded(THOUGHT_REPORT_DUE_SOON, f"thought_report:{writer.pk}:2026-05-01/2") == set()
    assert not Notification.objects.filter(
        kind__in=[RECTIFICATION_OVERDUE, MEMBER_RECTIFICATION_OVERDUE],
        subject_key__startswith=f"rectification:{done_item.pk}:",
    ).exists()
    # Past: no "meeting coming" for the meeting held during the outage.
    assert not Notification.objects.filter(kind=MEETING_COMING).exists()
    # Each email once, over both sweeps; the second sent only new ones.
    assert len(smtp_server.received()) > before
    assert_each_email_arrived_once(smtp_server)
    # Beat, back too, sweeps at the same moment: nothing more.
    after = len(smtp_server.received())
    again = broker.send_task(SWEEP, kwargs={"now": f"{AFTER}:00+08:00"}).get(timeout=60)
    wait_quiet()
    assert (again["created_app"], again["created_email"]) == (0, 0)
    assert len(smtp_server.received()) == after
