"""The cadence computation (meetings/cadence.py): calendar periods in Asia/Shanghai,
what satisfies each obligation, the four states, the rules and their editing."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test.utils import CaptureQueriesContext
from django.db import connection

from meetings import cadence
from meetings.cadence import Period, RuleChange, State, period_containing
from meetings.models import CadenceRule, Meeting, ThoughtReport
from members.models import Member
from tests.factories import MeetingFactory, MemberFactory, PartyGroupFactory, ThoughtReportFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
D = datetime.date
O = CadenceRule.Obligation


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def held(group, when, kind=Meeting.Kind.GROUP_MEETING, state=Meeting.State.APPROVED, **kwargs) -> Meeting:
    return MeetingFactory(
        group=group, kind=kind, state=state, starts_at=when, ends_at=when + datetime.timedelta(hours=2), **kwargs
    )


def by_obligation(statuses):
    return {s.obligation: s for s in statuses}


# Periods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day,months,start,end",
    [
        (D(2026, 1, 31), 2, D(2026, 1, 1), D(2026, 2, 28)),
        (D(2026, 2, 28), 2, D(2026, 1, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), 2, D(2026, 3, 1), D(2026, 4, 30)),
        (D(2026, 12, 31), 2, D(2026, 11, 1), D(2026, 12, 31)),
        (D(2024, 2, 29), 2, D(2024, 1, 1), D(2024, 2, 29)),
        (D(2024, 2, 10), 1, D(2024, 2, 1), D(2024, 2, 29)),
        (D(2026, 2, 10), 1, D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 1, 31), 1, D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 6, 30), 6, D(2026, 1, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), 6, D(2026, 7, 1), D(2026, 12, 31)),
        (D(2026, 9, 30), 3, D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 5, 5), 12, D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_a_period_is_the_calendar_period_holding_the_day(day, months, start, end):
    period = period_containing(day, months)
    assert (period.start, period.end) == (start, end)
    assert day in period


@pytest.mark.parametrize(
    "day,months,start,end",
    [
        (D(2026, 1, 15), 2, D(2025, 11, 1), D(2025, 12, 31)),  # across the new year
        (D(2026, 3, 31), 1, D(2026, 2, 1), D(2026, 2, 28)),  # Mar 31 → February, not "Feb 31"
        (D(2024, 3, 31), 1, D(2024, 2, 1), D(2024, 2, 29)),
        (D(2026, 3, 1), 2, D(2026, 1, 1), D(2026, 2, 28)),
        (D(2026, 7, 1), 6, D(2026, 1, 1), D(2026, 6, 30)),
        (D(2026, 6, 30), 6, D(2025, 7, 1), D(2025, 12, 31)),
    ],
)
def test_the_previous_period_is_the_one_just_before(day, months, start, end):
    previous = cadence.previous_period(period_containing(day, months))
    assert (previous.start, previous.end) == (start, end)


def test_a_period_that_does_not_divide_the_year_is_refused():
    with pytest.raises(ValueError):
        period_containing(D(2026, 1, 1), 5)


@pytest.mark.parametrize(
    "day,months,label",
    [
        (D(2026, 3, 9), 1, "2026年3月"),
        (D(2026, 3, 9), 2, "2026年3–4月"),
        (D(2026, 3, 9), 3, "2026年1–3月"),
        (D(2026, 3, 9), 6, "2026年上半年"),
        (D(2026, 9, 9), 6, "2026年下半年"),
        (D(2026, 9, 9), 12, "2026年"),
    ],
)
def test_periods_are_labelled_in_chinese(day, months, label):
    assert period_containing(day, months).label == label


# What satisfies a group obligation ---------------------------------------------


@pytest.fixture
def rules(branch):
    return cadence.rules_for(branch)


def statuses_of(group, today):
    return by_obligation(cadence.group_cadence(group, today).statuses)


def test_a_meeting_at_midnight_on_march_first_belongs_to_march_april(group, leader, rules):
    meeting = held(group, shanghai(2026, 3, 1, 0, 0))
    assert meeting.starts_at.astimezone(UTC).day == 28  # 2026-02-28 16:00 UTC
    status = statuses_of(group, D(2026, 3, 10))[O.GROUP_MEETING]
    assert status.state == State.DONE and status.satisfied_by == meeting
    assert status.previous.state == State.OVERDUE


def test_a_meeting_at_23_59_on_february_28_belongs_to_january_february(group, leader, rules):
    meeting = held(group, shanghai(2026, 2, 28, 23, 59))
    assert meeting.starts_at.astimezone(UTC).hour == 15  # 15:59 UTC, same day
    status = statuses_of(group, D(2026, 3, 10))[O.GROUP_MEETING]
    assert status.previous.state == State.DONE and status.previous.satisfied_by == meeting
    assert status.state == State.PENDING


def test_a_meeting_on_january_31_counts_for_january_not_february(group, leader, rules):
    held(group, shanghai(2026, 1, 31, 20, 0))
    status = statuses_of(group, D(2026, 2, 5))[O.MONTHLY_ACTIVITY]
    assert status.previous.state == State.DONE
    assert status.state == State.PENDING
    assert status.period == Period(D(2026, 2, 1), D(2026, 2, 28), 1)


def test_a_leap_february_ends_on_the_29th(group, leader, rules):
    meeting = held(group, shanghai(2024, 2, 29, 9, 0))
    status = statuses_of(group, D(2024, 2, 29))[O.MONTHLY_ACTIVITY]
    assert status.state == State.DONE and status.satisfied_by == meeting
    assert status.days_left == 0
    assert statuses_of(group, D(2024, 3, 1))[O.MONTHLY_ACTIVITY].previous.state == State.DONE


def test_the_half_year_turns_between_june_30_and_july_1(group, leader, rules):
    june = held(group, shanghai(2026, 6, 30, 23, 30), kind=Meeting.Kind.THEME_DAY)
    july = held(group, shanghai(2026, 7, 1, 0, 30), kind=Meeting.Kind.THEME_DAY)  # 2026-06-30 16:30 UTC
    status = statuses_of(group, D(2026, 7, 1))[O.THEME_DAY]
    assert status.previous.satisfied_by == june
    assert status.satisfied_by == july
    assert status.period == Period(D(2026, 7, 1), D(2026, 12, 31), 6)


@pytest.mark.parametrize("state", [s for s in Meeting.State.values if s not in Meeting.TOOK_PLACE])
def test_a_meeting_that_did_not_take_place_never_satisfies(group, leader, rules, state):
    held(group, shanghai(2026, 3, 5, 9, 0), state=state)
    statuses = statuses_of(group, D(2026, 3, 10))
    assert all(s.state != State.DONE for s in statuses.values())


@pytest.mark.parametrize("state", Meeting.TOOK_PLACE)
def test_every_state_of_a_meeting_that_took_place_satisfies(group, leader, rules, state):
    held(group, shanghai(2026, 3, 5, 9, 0), state=state)
    assert statuses_of(group, D(2026, 3, 10))[O.GROUP_MEETING].state == State.DONE


def test_a_meeting_of_another_group_never_satisfies(group, other_group, leader, other_leader, rules):
    held(other_group, shanghai(2026, 3, 5, 9, 0), kind=Meeting.Kind.SANPING)
    assert all(s.state == State.PENDING for s in statuses_of(group, D(2026, 3, 10)).values())
    assert statuses_of(other_group, D(2026, 3, 10))[O.GROUP_MEETING].state == State.DONE


def test_a_sanping_session_satisfies_democratic_life_group_meeting_and_monthly_activity(group, leader, rules):
    meeting = held(group, shanghai(2026, 3, 5, 9, 0), kind=Meeting.Kind.SANPING)
    statuses = statuses_of(group, D(2026, 3, 10))
    for obligation in (O.DEMOCRATIC_LIFE, O.GROUP_MEETING, O.MONTHLY_ACTIVITY):
        assert statuses[obligation].satisfied_by == meeting
    assert statuses[O.THEME_DAY].state == State.PENDING


def test_a_thematic_party_day_is_not_a_democratic_life_meeting(group, leader, rules):
    held(group, shanghai(2026, 3, 5, 9, 0), kind=Meeting.Kind.THEME_DAY)
    statuses = statuses_of(group, D(2026, 3, 10))
    assert statuses[O.THEME_DAY].is_done and statuses[O.GROUP_MEETING].is_done
    assert not statuses[O.DEMOCRATIC_LIFE].is_done


def test_the_earliest_meeting_of_the_period_is_the_one_shown(group, leader, rules):
    held(group, shanghai(2026, 3, 20, 9, 0))
    first = held(group, shanghai(2026, 3, 2, 9, 0))
    assert statuses_of(group, D(2026, 3, 25))[O.MONTHLY_ACTIVITY].satisfied_by == first


@pytest.mark.parametrize(
    "today,state,days_left",
    [
        (D(2026, 4, 19), State.PENDING, 11),
        (D(2026, 4, 20), State.DUE_SOON, 10),
        (D(2026, 4, 30), State.DUE_SOON, 0),
    ],
)
def test_due_soon_starts_the_set_number_of_days_before_the_period_ends(group, leader, rules, today, state, days_left):
    status = statuses_of(group, today)[O.GROUP_MEETING]
    assert (status.state, status.days_left) == (state, days_left)


def test_a_past_period_without_a_meeting_is_overdue_and_has_no_days_left(group, leader, rules):
    status = statuses_of(group, D(2026, 5, 1))[O.GROUP_MEETING]
    assert status.previous.state == State.OVERDUE and status.previous.days_left is None
    assert status.previous.state_label == "已逾期"


def test_a_done_status_links_the_meeting(group, leader, rules):
    meeting = held(group, shanghai(2026, 3, 5, 9, 0))
    status = statuses_of(group, D(2026, 3, 10))[O.GROUP_MEETING]
    assert status.url == f"/meetings/{meeting.pk}/"
    assert status.satisfied_on == D(2026, 3, 5)


# Thought reports ---------------------------------------------------------------


def report_status(member, today):
    return cadence.thought_report_status(member, today)


def test_a_submitted_report_satisfies_the_members_period(member):
    report = ThoughtReportFactory(member=member, submitted_at=shanghai(2026, 3, 3, 10, 0))
    status = report_status(member, D(2026, 3, 10))
    assert status.state == State.DONE and status.satisfied_by == report
    assert status.previous.state == State.OVERDUE


def test_a_draft_report_does_not_count(member):
    ThoughtReportFactory(member=member, state=ThoughtReport.State.DRAFT, submitted_at=None)
    ThoughtReportFactory(member=member, state=ThoughtReport.State.DRAFT, submitted_at=shanghai(2026, 3, 3, 10, 0))
    assert report_status(member, D(2026, 3, 10)).state == State.PENDING


def test_a_report_submitted_after_midnight_shanghai_counts_for_the_new_period(member):
    ThoughtReportFactory(member=member, submitted_at=datetime.datetime(2026, 2, 28, 16, 30, tzinfo=UTC))
    status = report_status(member, D(2026, 3, 10))
    assert status.is_done and status.previous.is_overdue


def test_an_oral_report_counts_on_the_day_of_its_meeting(group, leader, member):
    meeting = held(group, shanghai(2026, 2, 27, 15, 0))
    ThoughtReport.objects.create(
        member=member, mode=ThoughtReport.Mode.ORAL, state=ThoughtReport.State.SUBMITTED, title="口头汇报",
        meeting=meeting, submitted_at=meeting.starts_at, recorded_by=leader,
    )
    status = report_status(member, D(2026, 3, 10))
    assert status.previous.is_done and status.state == State.PENDING


def test_another_members_report_does_not_count(member, other_member):
    ThoughtReportFactory(member=other_member, submitted_at=shanghai(2026, 3, 3, 10, 0))
    assert report_status(member, D(2026, 3, 10)).state == State.PENDING


def test_a_report_links_to_its_page(member):
    report = ThoughtReportFactory(member=member, submitted_at=shanghai(2026, 3, 3, 10, 0))
    assert report_status(member, D(2026, 3, 10)).url == f"/thought-reports/{report.pk}/"


# The branch --------------------------------------------------------------------


def test_the_branch_has_a_row_per_group_and_per_active_member(branch, group, other_group, leader, member, other_member, outsider):
    gone = MemberFactory(group=group, name="离开者")
    gone.user.is_active = False
    gone.user.save()
    board = cadence.branch_cadence(branch, D(2026, 3, 10))
    assert [row.group for row in board.groups] == [group, other_group]
    assert {row.member for row in board.members} == {leader, member, other_member}
    assert all(len(row.statuses) == 4 for row in board.groups)
    assert [rule.obligation for rule, _previous, _current in board.columns] == cadence.GROUP_OBLIGATIONS


def test_the_branch_counts_who_is_overdue(branch, group, other_group, leader, member, other_member):
    held(group, shanghai(2026, 2, 5, 9, 0), kind=Meeting.Kind.SANPING)
    ThoughtReportFactory(member=member, submitted_at=shanghai(2026, 2, 3, 10, 0))
    board = cadence.branch_cadence(branch, D(2026, 3, 10))
    # The first group met in Jan–Feb but missed February's monthly activity; the second did nothing.
    assert board.groups_overdue == 2
    assert board.members_overdue == 2  # the leader and the other member
    assert board.members_due_soon == 0


def test_the_members_can_be_narrowed_to_one_group_but_the_counts_stay_the_branchs(
    branch, group, other_group, leader, member, other_member
):
    board = cadence.branch_cadence(branch, D(2026, 3, 10), member_group_id=other_group.pk)
    assert [row.member for row in board.members] == [other_member]
    assert len(board.groups) == 2
    assert board.members_overdue == 3


def test_a_group_of_another_branch_cannot_narrow_the_members(branch, group, leader, member, outsider):
    board = cadence.branch_cadence(branch, D(2026, 3, 10), member_group_id=outsider.group_id)
    assert board.member_group_id is None
    assert {row.member for row in board.members} == {leader, member}


def make_branch_data(branch, groups: int, per_group: int):
    for g in range(groups):
        group = PartyGroupFactory(branch=branch)
        people = [MemberFactory(group=group) for _ in range(per_group)]
        group.leader = people[0]
        group.save()
        for month in range(1, 7):
            when = shanghai(2026, month, 10, 9, 0)
            held(group, when, kind=[Meeting.Kind.GROUP_MEETING, Meeting.Kind.SANPING][month % 2])
            for person in people:
                ThoughtReportFactory(member=person, submitted_at=when)


def test_the_branch_is_computed_in_the_same_number_of_queries_whatever_its_size(branch, rules):
    make_branch_data(branch, 1, 1)
    with CaptureQueriesContext(connection) as small:
        cadence.branch_cadence(branch, D(2026, 6, 15))
    make_branch_data(branch, 6, 4)
    with CaptureQueriesContext(connection) as large:
        board = cadence.branch_cadence(branch, D(2026, 6, 15))
    assert len(board.groups) == 7 and len(board.members) == 25
    # rules, groups, meetings, members, reports
    assert len(small) == len(large) == 5


def test_the_home_page_helpers_cost_two_queries_each(group, leader, member, rules):
    held(group, shanghai(2026, 3, 5, 9, 0))
    with CaptureQueriesContext(connection) as queries:
        cadence.group_cadence(group, D(2026, 3, 10))
        cadence.thought_report_status(member, D(2026, 3, 10))
    assert len(queries) == 4
    with CaptureQueriesContext(connection) as queries:
        cadence.group_cadence(group, D(2026, 3, 10), rules=rules)
    assert len(queries) == 1


# Rules --------------------------------------------------------------------------


def test_every_branch_gets_the_five_default_rules_once(branch):
    rules = cadence.rules_for(branch)
    assert [(r.obligation, r.period_months, r.kinds) for r in rules] == [
        (O.GROUP_MEETING, 2, []),
        (O.MONTHLY_ACTIVITY, 1, []),
        (O.THEME_DAY, 6, ["theme_day"]),
        (O.DEMOCRATIC_LIFE, 6, ["democratic_life", "sanping"]),
        (O.THOUGHT_REPORT, 2, []),
    ]
    cadence.rules_for(branch)
    assert CadenceRule.objects.filter(branch=branch).count() == 5


def test_missing_rules_are_added_and_changed_ones_kept(branch):
    CadenceRule.objects.create(branch=branch, obligation=O.GROUP_MEETING, period_months=3, kinds=[], due_soon_days=5)
    rules = by_obligation(cadence.rules_for(branch))
    assert len(rules) == 5
    assert (rules[O.GROUP_MEETING].period_months, rules[O.GROUP_MEETING].due_soon_days) == (3, 5)


def test_a_changed_rule_changes_what_satisfies(branch, group, leader, secretary, rules):
    held(group, shanghai(2026, 3, 5, 9, 0), kind=Meeting.Kind.SANPING)
    assert statuses_of(group, D(2026, 3, 10))[O.DEMOCRATIC_LIFE].is_done
    changes = {r.obligation: RuleChange(r.period_months, r.due_soon_days, r.kinds or Meeting.Kind.values) for r in rules}
    changes[O.DEMOCRATIC_LIFE] = RuleChange(12, 30, ["democratic_life"])
    cadence.cadence_rules_update(branch=branch, by=secretary, changes=changes)
    status = statuses_of(group, D(2026, 3, 10))[O.DEMOCRATIC_LIFE]
    assert not status.is_done
    assert status.period == Period(D(2026, 1, 1), D(2026, 12, 31), 12)


def test_ticking_every_kind_is_stored_as_any_kind(branch, secretary, rules):
    cadence.cadence_rules_update(
        branch=branch, by=secretary, changes={O.THEME_DAY: RuleChange(6, 10, list(reversed(Meeting.Kind.values)))}
    )
    assert CadenceRule.objects.get(branch=branch, obligation=O.THEME_DAY).kinds == []


@pytest.mark.parametrize("persona", ["committee", "leader", "member"])
def test_only_the_secretary_changes_the_rules(branch, rules, persona, request):
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        cadence.cadence_rules_update(branch=branch, by=person, changes={O.THEME_DAY: RuleChange(12, 10, ["theme_day"])})
    assert CadenceRule.objects.get(branch=branch, obligation=O.THEME_DAY).period_months == 6


def test_another_branchs_secretary_cannot_change_our_rules(branch, rules, outsider):
    Member.objects.filter(pk=outsider.pk).update(branch_role=Member.BranchRole.SECRETARY)
    outsider.refresh_from_db()
    with pytest.raises(PermissionDenied):
        cadence.cadence_rules_update(branch=branch, by=outsider, changes={O.THEME_DAY: RuleChange(12, 10, [])})


def test_bad_rules_are_refused_together_and_nothing_is_saved(branch, secretary, rules):
    with pytest.raises(ValidationError) as refused:
        cadence.cadence_rules_update(
            branch=branch,
            by=secretary,
            changes={
                O.GROUP_MEETING: RuleChange(3, 10, ["group_meeting"]),
                O.THEME_DAY: RuleChange(5, 10, ["theme_day"]),
                O.DEMOCRATIC_LIFE: RuleChange(6, 10, []),
                O.THOUGHT_REPORT: RuleChange(2, 400),
            },
        )
    errors = refused.value.message_dict
    assert set(errors) == {"theme_day-period_months", "democratic_life-kinds", "thought_report-due_soon_days"}
    assert "1、2、3、6 或 12" in errors["theme_day-period_months"][0]
    assert CadenceRule.objects.get(branch=branch, obligation=O.GROUP_MEETING).period_months == 2
