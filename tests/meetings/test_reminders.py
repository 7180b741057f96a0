"""The reminder sweep: what is due when, to whom, once per period or change.

Every sweep here is given its moment (`sweep(local(...))`), in Asia/Shanghai; the
personas (member and leader of the first group, the branch secretary in the second
group) are in tests/conftest.py.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings import services
from meetings.cadence import group_cadence
from meetings.holidays import _warned_years
from meetings.models import Attendance, CadenceRule, Meeting, Notification
from meetings.reminders import sweep
from sanping.models import RectificationItem, SanpingSession, SelfEvaluation
from tests.factories import MeetingFactory, MemberFactory, PartyGroupFactory, ThoughtReportFactory
from tests.meetings.conftest import AGENDA, at

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


def local(year, month, day, hour=9, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def keys(kind, recipient, channel="app") -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind, recipient=recipient, channel=channel).values_list("subject_key", flat=True)
    )


def new_keys(result, kind, recipient, channel="app") -> list[str]:
    """The subject keys of what `result`'s sweep inserted."""
    return sorted(
        row.subject_key for row in result.rows
        if row.kind == kind and row.recipient_id == recipient.pk and row.channel == channel
    )


def held(group, day: datetime.datetime, kind="group_meeting", state="held"):
    return MeetingFactory(group=group, kind=kind, starts_at=day, state=state)


# Thought reports: period ends and midnight in Asia/Shanghai ------------------------


def test_a_missing_thought_report_is_overdue_from_local_midnight_after_the_period(member, leader):
    march_april = f"thought_report:{member.pk}:2026-03-01/2"
    sweep(local(2026, 4, 30, 23, 59))
    assert keys("thought_report_overdue", member) == [f"thought_report:{member.pk}:2026-01-01/2"]
    assert keys("thought_report_due_soon", member) == [march_april]

    sweep(local(2026, 5, 1, 0, 0))
    assert march_april in keys("thought_report_overdue", member)
    assert march_april in keys("member_thought_report_overdue", leader)
    assert march_april in keys("thought_report_overdue", member, channel="email")


def test_midnight_is_asia_shanghai_not_utc(member):
    march_april = f"thought_report:{member.pk}:2026-03-01/2"
    # 15:59 UTC is 23:59 in Shanghai, the last minute of April; 16:00 UTC is 1 May.
    with time_machine.travel(datetime.datetime(2026, 4, 30, 15, 59, tzinfo=datetime.UTC), tick=False):
        sweep()
    assert march_april not in keys("thought_report_overdue", member)
    with time_machine.travel(datetime.datetime(2026, 4, 30, 16, 0, tzinfo=datetime.UTC), tick=False):
        sweep()
    assert march_april in keys("thought_report_overdue", member)


def test_a_report_submitted_in_the_last_minute_of_the_period_counts_for_it(member, leader):
    ThoughtReportFactory(member=member, submitted_at=local(2026, 4, 30, 23, 59))
    ThoughtReportFactory(member=leader, submitted_at=local(2026, 5, 1, 0, 0))  # counts for May–June only
    sweep(local(2026, 5, 6))
    assert keys("thought_report_overdue", member) == []
    assert keys("thought_report_overdue", leader) == [f"thought_report:{leader.pk}:2026-03-01/2"]


def test_a_draft_report_does_not_count(member):
    ThoughtReportFactory(member=member, state="draft", submitted_at=None)
    sweep(local(2026, 5, 6))
    assert len(keys("thought_report_overdue", member)) == 1


def test_the_member_who_leads_the_group_is_told_once_as_a_member(leader, member):
    sweep(local(2026, 5, 6))
    assert keys("thought_report_overdue", leader) == [f"thought_report:{leader.pk}:2026-03-01/2"]
    assert keys("member_thought_report_overdue", leader) == [f"thought_report:{member.pk}:2026-03-01/2"]


def test_the_branch_period_setting_is_followed(member, branch):
    CadenceRule.objects.create(branch=branch, obligation="thought_report", period_months=3, kinds=[])
    sweep(local(2026, 4, 1, 8))
    assert keys("thought_report_overdue", member) == [f"thought_report:{member.pk}:2026-01-01/3"]


def test_due_soon_counts_working_days_so_it_comes_before_the_spring_festival(member, group, leader):
    # Jan–Feb 2026 ends on Saturday 28 Feb, an adjusted working day; 15–23 Feb is the
    # Spring Festival. Five working days left from Sunday 15 Feb (24–28 Feb), six on
    # the adjusted Saturday 14 Feb.
    sweep(local(2026, 2, 14, 12))
    assert keys("thought_report_due_soon", member) == []
    assert keys("obligation_due_soon", leader) == []
    sweep(local(2026, 2, 15, 12))
    assert keys("thought_report_due_soon", member) == [f"thought_report:{member.pk}:2026-01-01/2"]
    assert f"group:{group.pk}:group_meeting:2026-01-01/2" in keys("obligation_due_soon", leader)


def test_a_year_without_holiday_data_falls_back_to_weekends_without_failing(member, caplog):
    _warned_years.discard(2027)
    result = sweep(local(2027, 2, 24, 10))  # 24–26 Feb 2027 are a Wednesday to Friday: 3 working days
    assert keys("thought_report_due_soon", member) == [f"thought_report:{member.pk}:2027-01-01/2"]
    assert result.by_kind["thought_report_due_soon"] >= 1
    assert any("2027" in record.getMessage() for record in caplog.records)


# Group obligations: month ends, February, two months, half a year ---------------------


def test_february_ends_on_the_28th_and_a_meeting_that_day_meets_the_month(group, other_group, leader, secretary):
    held(group, local(2026, 2, 28, 19))
    sweep(local(2026, 3, 1, 0, 0))
    assert f"group:{group.pk}:monthly_activity:2026-02-01/1" not in keys("obligation_overdue", leader)
    assert f"group:{other_group.pk}:monthly_activity:2026-02-01/1" in keys("obligation_overdue", secretary)


def test_the_29th_of_february_of_a_leap_year(group, leader):
    held(group, local(2024, 2, 29, 15))
    sweep(local(2024, 3, 1, 8))
    assert f"group:{group.pk}:monthly_activity:2024-02-01/1" not in keys("obligation_overdue", leader)
    assert f"group:{group.pk}:group_meeting:2024-01-01/2" not in keys("obligation_overdue", leader)


def test_two_month_periods_run_january_february_then_march_april(group, leader):
    held(group, local(2026, 3, 1, 9))  # in March–April, not January–February
    sweep(local(2026, 3, 2))
    assert f"group:{group.pk}:group_meeting:2026-01-01/2" in keys("obligation_overdue", leader)
    sweep(local(2026, 5, 2))
    assert f"group:{group.pk}:group_meeting:2026-03-01/2" not in keys("obligation_overdue", leader)


def test_half_year_obligations_and_the_kinds_that_meet_them(group, leader, secretary):
    held(group, local(2026, 6, 30, 20), kind="theme_day")
    held(group, local(2026, 3, 10, 14), kind="sanping", state="approved")  # a 三评 counts as democratic life
    sweep(local(2026, 7, 1, 0, 0))
    overdue = keys("obligation_overdue", leader)
    assert f"group:{group.pk}:theme_day:2026-01-01/6" not in overdue
    assert f"group:{group.pk}:democratic_life:2026-01-01/6" not in overdue
    sweep(local(2027, 1, 1, 9))
    assert f"group:{group.pk}:theme_day:2026-07-01/6" in keys("obligation_overdue", leader)
    assert f"group:{group.pk}:theme_day:2026-07-01/6" in keys("obligation_overdue", secretary)


def test_a_branchs_own_group_rule_is_followed_as_the_dashboard_follows_it(group, leader, branch):
    # Group meetings every three months, and only a thematic party day meets them.
    CadenceRule.objects.create(branch=branch, obligation="group_meeting", period_months=3, kinds=["theme_day"])
    held(group, local(2026, 2, 10, 14), kind="group_meeting")  # not a kind that meets it
    sweep(local(2026, 4, 2))
    overdue = keys("obligation_overdue", leader)
    assert f"group:{group.pk}:group_meeting:2026-01-01/3" in overdue
    status = next(s for s in group_cadence(group, D(2026, 4, 2)).statuses if s.obligation == "group_meeting")
    assert status.previous.is_overdue and status.previous.period.start == D(2026, 1, 1)


def test_a_cancelled_or_unheld_meeting_does_not_meet_an_obligation(group, leader):
    held(group, local(2026, 4, 8), state="cancelled")
    held(group, local(2026, 4, 9), state="scheduled")
    sweep(local(2026, 5, 6))
    assert f"group:{group.pk}:monthly_activity:2026-04-01/1" in keys("obligation_overdue", leader)


def test_a_meeting_scheduled_in_the_period_holds_back_due_soon(group, leader):
    sweep(local(2026, 4, 27))  # 27–30 April: four working days left
    assert f"group:{group.pk}:monthly_activity:2026-04-01/1" in keys("obligation_due_soon", leader)
    other = PartyGroupFactory(branch=group.branch)
    other.leader = MemberFactory(group=other)
    other.save()
    held(other, local(2026, 4, 29, 14), state="scheduled")
    sweep(local(2026, 4, 28))
    assert keys("obligation_due_soon", other.leader) == []


def test_the_overdue_link_of_a_leader_opens_the_meeting_form(group, leader, secretary):
    sweep(local(2026, 7, 2))
    to_leader = Notification.objects.get(
        recipient=leader, kind="obligation_overdue", subject_key__contains="theme_day", channel="app"
    )
    assert to_leader.url == f"/meetings/new/?group={group.pk}&kind=theme_day"
    to_secretary = Notification.objects.filter(recipient=secretary, kind="obligation_overdue").first()
    assert to_secretary.url == "/cadence/"


# Once, and only what is still relevant ----------------------------------------------


def test_a_second_sweep_creates_nothing(member, leader, secretary):
    first = sweep(local(2026, 5, 6))
    assert first.created_app > 0 and first.created_email > 0
    count = Notification.objects.count()
    second = sweep(local(2026, 5, 6, 10))
    assert (second.created_app, second.created_email) == (0, 0)
    assert Notification.objects.count() == count


def test_a_week_of_downtime_sends_what_is_still_open_once_and_nothing_since_done(group, leader, member, other_member):
    ThoughtReportFactory(member=leader, submitted_at=local(2026, 3, 20))
    sweep(local(2026, 4, 27, 9))  # then the scheduler stops for a week
    assert keys("thought_report_due_soon", member) == [f"thought_report:{member.pk}:2026-03-01/2"]
    # Meanwhile: the group meets on 28 April (recorded on 5 May); one member reports, one does not.
    meeting = held(group, local(2026, 4, 28, 14), state="scheduled")
    ThoughtReportFactory(member=other_member, submitted_at=local(2026, 4, 29, 10))
    Meeting.objects.filter(pk=meeting.pk).update(state="held")

    result = sweep(local(2026, 5, 6, 9))
    assert new_keys(result, "thought_report_overdue", member) == [f"thought_report:{member.pk}:2026-03-01/2"]
    assert new_keys(result, "thought_report_overdue", other_member) == []
    assert new_keys(result, "obligation_overdue", leader) == []  # met on 28 April, recorded late
    assert result.by_kind["thought_report_due_soon"] == 0  # March–April is no longer "soon"
    again = sweep(local(2026, 5, 6, 10))
    assert again.created == 0


def test_inactive_members_get_nothing_and_are_not_reported_on(member, leader):
    member.user.is_active = False
    member.user.save()
    sweep(local(2026, 5, 6))
    assert not Notification.objects.filter(recipient=member).exists()
    assert keys("member_thought_report_overdue", leader) == []


# Meetings coming --------------------------------------------------------------------


def test_the_day_before_then_on_the_day_only_if_the_meeting_moved(schedule, leader, member):
    meeting = schedule(days=1)  # tomorrow 14:00
    eve = timezone.now()
    sweep(eve)
    assert keys("meeting_coming", member) == [f"meeting:{meeting.pk}:coming:r0"]
    assert keys("meeting_coming", member, channel="email") == [f"meeting:{meeting.pk}:coming:r0"]

    # Moved to 15:00 the same evening: the reschedule notice says so; no second reminder yet.
    meeting = services.meeting_update_schedule(
        meeting=meeting, by=leader, version=meeting.version, kind=meeting.kind, title=meeting.title,
        starts_at=at(1, 15), ends_at=at(1, 17), place=meeting.place, chair=leader, recorder=None, agenda=AGENDA,
    )
    assert Notification.objects.filter(recipient=member, kind="meeting_rescheduled", channel="app").count() == 1
    sweep(eve + datetime.timedelta(minutes=1))
    assert keys("meeting_coming", member) == [f"meeting:{meeting.pk}:coming:r0"]

    # On the day: again, with the new time.
    sweep(at(1, 8))
    assert keys("meeting_coming", member) == [f"meeting:{meeting.pk}:coming:r0", f"meeting:{meeting.pk}:coming:r1"]
    new = Notification.objects.get(recipient=member, kind="meeting_coming", subject_key__endswith="r1", channel="app")
    assert datetime.datetime.fromisoformat(new.params["starts_at"]) == at(1, 15)


def test_an_unchanged_meeting_is_reminded_once(schedule, member):
    meeting = schedule(days=1)
    sweep(timezone.now())
    sweep(at(1, 8))
    assert keys("meeting_coming", member) == [f"meeting:{meeting.pk}:coming:r0"]


def test_no_reminder_too_early_for_drafts_cancelled_or_members_on_leave(schedule, leader, member):
    later = schedule(days=5)
    draft = schedule(days=1, publish=False)
    cancelled = schedule(days=1)
    services.meeting_cancel(meeting=cancelled, by=leader, reason="与上级会议冲突")
    leave = schedule(days=1)
    Attendance.objects.filter(meeting=leave, member=member).update(status="leave", leave_reason="出差")
    sweep(timezone.now())
    mine = keys("meeting_coming", member)
    assert all(f"meeting:{m.pk}:" not in " ".join(mine) for m in (later, draft, cancelled, leave))
    assert keys("meeting_coming", leader) == [f"meeting:{leave.pk}:coming:r0"]


# 三评 self-evaluations -----------------------------------------------------------------


def test_self_evaluation_three_days_and_one_day_before(schedule, leader, member):
    meeting = schedule(days=3, kind="sanping", title="党小组“三评”会")
    session = SanpingSession.objects.get(meeting=meeting)
    day = timezone.localdate(meeting.starts_at)
    now = timezone.now()
    SelfEvaluation.objects.filter(session=session, member=leader).update(state="submitted")

    sweep(now)
    assert keys("self_evaluation_due", member) == [f"sanping:{session.pk}:self_evaluation:{day:%Y%m%d}:3d"]
    assert keys("self_evaluation_due", leader) == []  # submitted
    sweep(now + datetime.timedelta(days=1))  # two days before: nothing new
    assert len(keys("self_evaluation_due", member)) == 1
    sweep(now + datetime.timedelta(days=2))
    assert f"sanping:{session.pk}:self_evaluation:{day:%Y%m%d}:1d" in keys("self_evaluation_due", member)
    assert len(keys("self_evaluation_due", member)) == 2
    SelfEvaluation.objects.filter(session=session, member=member).update(state="submitted")
    assert sweep(now + datetime.timedelta(days=2, hours=1)).by_kind["self_evaluation_due"] == 0


def test_four_days_before_is_too_early(schedule, member):
    schedule(days=4, kind="sanping", title="党小组“三评”会")
    sweep(timezone.now())
    assert keys("self_evaluation_due", member) == []


# Rectification ------------------------------------------------------------------------


@pytest.fixture
def rectification(group, leader, member):
    meeting = MeetingFactory(group=group, kind="sanping", state="approved", starts_at=local(2026, 3, 10, 14))
    session = SanpingSession.objects.create(meeting=meeting, stage=SanpingSession.Stage.RECTIFICATION)

    def make(deadline, state="open"):
        return RectificationItem.objects.create(
            session=session, member=member, problem="理论学习不够系统深入，满足于完成规定学习任务" * 3,
            measure="每周集中学习一次", deadline=deadline, state=state,
        )

    return make


def test_rectification_near_counts_working_days_over_national_day(rectification, member, leader):
    item = rectification(D(2026, 10, 9))
    sweep(local(2026, 9, 29))  # 29, 30 Sep, 8, 9 Oct: four working days
    assert keys("rectification_due_soon", member) == []
    sweep(local(2026, 9, 30))
    assert keys("rectification_due_soon", member) == [f"rectification:{item.pk}:20261009"]
    assert keys("rectification_due_soon", leader) == []
    message = Notification.objects.get(recipient=member, kind="rectification_due_soon", channel="app").params["problem"]
    assert len(message) <= 60 and message.endswith("…")


def test_rectification_passed_goes_to_the_leader_too_and_a_new_deadline_is_a_new_reminder(rectification, member, leader):
    item = rectification(D(2026, 4, 3))
    sweep(local(2026, 4, 7))
    assert keys("rectification_overdue", member) == [f"rectification:{item.pk}:20260403"]
    assert keys("member_rectification_overdue", leader) == [f"rectification:{item.pk}:20260403"]
    RectificationItem.objects.filter(pk=item.pk).update(deadline=D(2026, 4, 30))
    sweep(local(2026, 5, 6))
    assert keys("rectification_overdue", member) == [f"rectification:{item.pk}:20260403", f"rectification:{item.pk}:20260430"]


def test_an_item_marked_done_or_verified_is_not_reminded(rectification, member):
    rectification(D(2026, 4, 3), state="done")
    rectification(D(2026, 4, 3), state="verified")
    sweep(local(2026, 4, 7))
    assert keys("rectification_overdue", member) == []


# Records waiting for review -----------------------------------------------------------


def test_a_record_waiting_two_days_reminds_the_secretary_once(submitted_meeting, secretary, committee):
    submitted = submitted_meeting.submitted_at
    sweep(submitted + datetime.timedelta(days=1, hours=23))
    assert keys("record_waiting", secretary) == []
    sweep(submitted + datetime.timedelta(days=2, minutes=1))
    sweep(submitted + datetime.timedelta(days=3))
    assert keys("record_waiting", secretary) == [f"meeting:{submitted_meeting.pk}:waiting:{int(submitted.timestamp())}"]
    assert keys("record_waiting", committee) == []


def test_a_reviewed_record_is_not_reminded(submitted_meeting, secretary):
    services.meeting_approve(meeting=submitted_meeting, by=secretary)
    sweep(timezone.now() + datetime.timedelta(days=3))
    assert keys("record_waiting", secretary) == []


# Cost: a fixed number of queries ------------------------------------------------------


def build_branch(groups: int, members_per_group: int, tomorrow: datetime.datetime) -> None:
    """A branch where every group and member has something due of every kind."""
    from tests.factories import BranchFactory

    branch = BranchFactory()
    MemberFactory(group=PartyGroupFactory(branch=branch), branch_role="secretary")
    for _ in range(groups):
        group = PartyGroupFactory(branch=branch)
        people = [MemberFactory(group=group) for _ in range(members_per_group)]
        group.leader = people[0]
        group.save()
        coming = MeetingFactory(group=group, starts_at=tomorrow, reschedule_count=1)
        Attendance.objects.bulk_create([Attendance(meeting=coming, member=p) for p in people])
        sanping = MeetingFactory(group=group, kind="sanping", starts_at=tomorrow + datetime.timedelta(hours=1))
        session = SanpingSession.objects.create(meeting=sanping)
        SelfEvaluation.objects.bulk_create([SelfEvaluation(session=session, member=p) for p in people])
        RectificationItem.objects.bulk_create(
            [RectificationItem(session=session, member=p, problem="问题", measure="措施", deadline=D(2026, 4, 1)) for p in people]
        )
        MeetingFactory(group=group, state="submitted", submitted_at=local(2026, 4, 1), starts_at=local(2026, 3, 30))
        ThoughtReportFactory(member=people[-1], submitted_at=local(2026, 4, 2))


def test_a_sweep_costs_the_same_queries_for_a_small_and_a_five_times_larger_branch(db):
    now = local(2026, 5, 6, 9)
    tomorrow = local(2026, 5, 7, 14)
    build_branch(2, 3, tomorrow)
    with CaptureQueriesContext(connection) as small:
        small_result = sweep(now)
    build_branch(6, 8, tomorrow)
    with CaptureQueriesContext(connection) as large:
        large_result = sweep(now)
    assert large_result.created_app > 4 * small_result.created_app
    for kind in ("meeting_coming", "self_evaluation_due", "rectification_overdue", "record_waiting",
                 "thought_report_overdue", "obligation_overdue", "member_thought_report_overdue"):
        assert large_result.by_kind[kind] > 0, kind
    # Members, groups, rules, the cadence's meetings, reports, upcoming attendance, the
    # earlier reminders of moved meetings, self-evaluations, rectification items, records
    # waiting, email opt-outs, the insert and the re-queue, and the savepoint's two.
    assert len(large) == len(small) <= 16, [q["sql"][:80] for q in large.captured_queries]
