"""Every "may this person do that" for meetings and thought reports.

Predicates take (user, meeting) — or (user, group) for scheduling, (user, report)
for thought reports. Whether a person may see a meeting at all is answered by
`selectors.meetings_for`, which returns 404 for the rest.
"""

import rules

from members.models import PartyGroup
from members.roles import member_of
from members.rules import is_branch_committee as is_committee_of_group_branch

from .models import Meeting, ThoughtReport


def _member(user):
    return member_of(user)


@rules.predicate
def is_leader_of_meeting_group(user, meeting: Meeting) -> bool:
    member = _member(user)
    return member is not None and meeting.group.leader_id == member.pk


@rules.predicate
def is_chair(user, meeting: Meeting) -> bool:
    member = _member(user)
    return member is not None and meeting.chair_id == member.pk


@rules.predicate
def is_recorder(user, meeting: Meeting) -> bool:
    member = _member(user)
    return member is not None and meeting.recorder_id == member.pk


@rules.predicate
def is_branch_committee_of_meeting(user, meeting: Meeting) -> bool:
    member = _member(user)
    return member is not None and member.is_branch_committee and member.branch_id == meeting.group.branch_id


@rules.predicate
def is_group_organiser(user, group: PartyGroup) -> bool:
    """The group's leader, or the branch's secretary or a committee member."""
    member = _member(user)
    if member is None or not isinstance(group, PartyGroup):
        return False
    return group.leader_id == member.pk or is_committee_of_group_branch(user, group)


@rules.predicate
def schedule_is_open(user, meeting: Meeting) -> bool:
    return meeting.state in Meeting.SCHEDULE_OPEN


@rules.predicate
def is_draft(user, meeting: Meeting) -> bool:
    return meeting.state == Meeting.State.DRAFT


@rules.predicate
def is_chairable(user, meeting: Meeting) -> bool:
    return meeting.state in (Meeting.State.SCHEDULED, Meeting.State.IN_PROGRESS)


@rules.predicate
def minutes_are_open(user, meeting: Meeting) -> bool:
    return meeting.state in Meeting.MINUTES_OPEN


@rules.predicate
def is_submittable(user, meeting: Meeting) -> bool:
    return meeting.state in (Meeting.State.HELD, Meeting.State.RETURNED)


@rules.predicate
def is_submitted(user, meeting: Meeting) -> bool:
    return meeting.state == Meeting.State.SUBMITTED


@rules.predicate
def took_place(user, meeting: Meeting) -> bool:
    return meeting.took_place


is_organiser = is_leader_of_meeting_group | is_branch_committee_of_meeting
runs_the_meeting = is_organiser | is_chair
keeps_the_record = runs_the_meeting | is_recorder

can_schedule_in_group = is_group_organiser
can_change_schedule = is_organiser & schedule_is_open
can_publish = is_organiser & is_draft
can_cancel = is_organiser & schedule_is_open
can_chair = runs_the_meeting & is_chairable
can_take_attendance = keeps_the_record & minutes_are_open
can_write_minutes = keeps_the_record & minutes_are_open
# Make-up study (补学) happens after the meeting, often after the record is approved:
# it is a fact about the member, recorded separately from the locked minutes.
can_record_makeup = runs_the_meeting & took_place
can_submit = (is_leader_of_meeting_group | is_chair) & is_submittable
can_review = is_branch_committee_of_meeting & is_submitted

rules.add_perm("meetings.schedule_in_group", can_schedule_in_group)
rules.add_perm("meetings.change_schedule", can_change_schedule)
rules.add_perm("meetings.publish", can_publish)
rules.add_perm("meetings.cancel", can_cancel)
rules.add_perm("meetings.chair", can_chair)
rules.add_perm("meetings.take_attendance", can_take_attendance)
rules.add_perm("meetings.write_minutes", can_write_minutes)
rules.add_perm("meetings.record_makeup", can_record_makeup)
rules.add_perm("meetings.submit", can_submit)
rules.add_perm("meetings.review", can_review)
# The yearly ledger of a group (ledger.py): its leader, the branch's secretary and committee.
rules.add_perm("meetings.export_ledger", is_group_organiser)


# Thought reports: the author, their group's leader and the branch see them; other members do not.
@rules.predicate
def is_report_author(user, report: ThoughtReport) -> bool:
    member = _member(user)
    return member is not None and report.member_id == member.pk


@rules.predicate
def leads_report_author(user, report: ThoughtReport) -> bool:
    member = _member(user)
    return member is not None and report.member.group_id is not None and report.member.group.leader_id == member.pk


@rules.predicate
def is_branch_committee_of_report(user, report: ThoughtReport) -> bool:
    member = _member(user)
    return member is not None and member.is_branch_committee and member.branch_id == report.member.branch_id


@rules.predicate
def report_is_draft(user, report: ThoughtReport) -> bool:
    return report.state == ThoughtReport.State.DRAFT


@rules.predicate
def report_is_submitted(user, report: ThoughtReport) -> bool:
    return report.state == ThoughtReport.State.SUBMITTED


can_view_report = is_report_author | ((leads_report_author | is_branch_committee_of_report) & report_is_submitted)
can_edit_report = is_report_author & report_is_draft

rules.add_perm("meetings.view_thoughtreport", can_view_report)
rules.add_perm("meetings.change_thoughtreport", can_edit_report)
