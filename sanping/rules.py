"""Every "may this person do that" of the 三评 session (DESIGN.md, Visibility).

- a draft self-evaluation is its author's alone;
- submitted material is seen by the leader and the branch's secretary and committee,
  and by the group's participants once the session has opened;
- a mutual evaluation (and the leader's comment) is seen by its author, its subject,
  the leader, and the branch's secretary and committee;
- no one outside the branch sees any of it (the selectors answer 404).
Writes also need the session's stage to have been reached and the record to be open.
"""

import rules

from meetings.models import Attendance, Meeting
from members.roles import member_of

from .models import (
    LeaderComment,
    MutualEvaluation,
    RectificationItem,
    SanpingSession,
    SelfEvaluation,
    SpeakingSlot,
)

Stage = SanpingSession.Stage
# Meeting states in which the session's record may still be written.
RECORD_OPEN = (Meeting.State.SCHEDULED, Meeting.State.IN_PROGRESS, Meeting.State.HELD, Meeting.State.RETURNED)


def session_of(obj) -> SanpingSession | None:
    if isinstance(obj, SanpingSession):
        return obj
    if isinstance(obj, (SelfEvaluation, MutualEvaluation, LeaderComment, RectificationItem, SpeakingSlot)):
        return obj.session
    return None


@rules.predicate
def runs_session(user, obj) -> bool:
    """The group's leader or the meeting's chair."""
    member, session = member_of(user), session_of(obj)
    if member is None or session is None:
        return False
    meeting = session.meeting
    return member.pk in (meeting.group.leader_id, meeting.chair_id)


@rules.predicate
def is_branch_committee(user, obj) -> bool:
    member, session = member_of(user), session_of(obj)
    return (
        member is not None and session is not None and member.is_branch_committee
        and member.branch_id == session.meeting.group.branch_id
    )


@rules.predicate
def is_participant(user, obj) -> bool:
    """Expected at the session as a member of the group (not as a guest)."""
    member, session = member_of(user), session_of(obj)
    if member is None or session is None:
        return False
    return Attendance.objects.filter(meeting_id=session.meeting_id, member=member, is_guest=False).exists()


@rules.predicate
def record_is_open(user, obj) -> bool:
    session = session_of(obj)
    return session is not None and session.meeting.state in RECORD_OPEN


@rules.predicate
def in_preparation(user, obj) -> bool:
    session = session_of(obj)
    return session is not None and session.stage == Stage.PREPARATION and session.meeting.state == Meeting.State.SCHEDULED


@rules.predicate
def has_opened(user, obj) -> bool:
    session = session_of(obj)
    return session is not None and session.stage >= Stage.OPENING


@rules.predicate
def in_evaluation(user, obj) -> bool:
    session = session_of(obj)
    return session is not None and session.stage == Stage.EVALUATION


@rules.predicate
def summary_reached(user, obj) -> bool:
    session = session_of(obj)
    return session is not None and session.stage >= Stage.SUMMARY


@rules.predicate
def is_author(user, evaluation) -> bool:
    member = member_of(user)
    return member is not None and getattr(evaluation, "member_id", None) == member.pk


@rules.predicate
def is_submitted(user, evaluation: SelfEvaluation) -> bool:
    return evaluation.state == SelfEvaluation.State.SUBMITTED


@rules.predicate
def is_evaluator_or_subject(user, mutual: MutualEvaluation) -> bool:
    member = member_of(user)
    return member is not None and member.pk in (mutual.evaluator_id, mutual.evaluatee_id)


@rules.predicate
def is_subject(user, obj) -> bool:
    member = member_of(user)
    return member is not None and getattr(obj, "member_id", None) == member.pk


@rules.predicate
def leads_items_group(user, item: RectificationItem) -> bool:
    """The item's verifier: the current leader of the session's group."""
    member = member_of(user)
    return member is not None and item.session.meeting.group.leader_id == member.pk


@rules.predicate
def item_is_open(user, item: RectificationItem) -> bool:
    return item.state == RectificationItem.State.OPEN


@rules.predicate
def item_is_done(user, item: RectificationItem) -> bool:
    return item.state == RectificationItem.State.DONE


oversees = runs_session | is_branch_committee

can_view_session = is_participant | oversees
can_view_self_evaluation = is_author | (is_submitted & (oversees | (is_participant & has_opened)))
can_edit_self_evaluation = is_author & in_preparation
can_view_mutual = is_evaluator_or_subject | oversees
can_write_mutual = is_participant & record_is_open & (in_preparation | in_evaluation)
can_chair = runs_session & record_is_open
can_record_for_others = runs_session & record_is_open & in_evaluation
can_summarise = runs_session & record_is_open & summary_reached
can_view_comment = is_subject | oversees
can_view_item = is_subject | oversees
can_progress_item = is_subject & item_is_open
can_verify_item = (leads_items_group | is_branch_committee) & item_is_done
can_guide = is_branch_committee & record_is_open

rules.add_perm("sanping.view_session", can_view_session)
rules.add_perm("sanping.view_selfevaluation", can_view_self_evaluation)
rules.add_perm("sanping.change_selfevaluation", can_edit_self_evaluation)
rules.add_perm("sanping.view_mutualevaluation", can_view_mutual)
rules.add_perm("sanping.add_mutualevaluation", can_write_mutual)
rules.add_perm("sanping.chair", can_chair)
rules.add_perm("sanping.record_for_others", can_record_for_others)
rules.add_perm("sanping.summarise", can_summarise)
rules.add_perm("sanping.view_leadercomment", can_view_comment)
rules.add_perm("sanping.view_rectificationitem", can_view_item)
rules.add_perm("sanping.progress_rectificationitem", can_progress_item)
rules.add_perm("sanping.verify_rectificationitem", can_verify_item)
rules.add_perm("sanping.guide", can_guide)


@rules.predicate
def is_approved(user, obj) -> bool:
    session = session_of(obj)
    return session is not None and session.meeting.state == Meeting.State.APPROVED


# The PDF record (pdf.py): the full edition, mutual evaluations and comments included,
# for those who oversee the session; the edition for circulation, without them, also
# for its participants once the branch has approved the record.
can_export_full = oversees
can_export_circulation = oversees | (is_participant & is_approved)

rules.add_perm("sanping.export_full", can_export_full)
rules.add_perm("sanping.export_circulation", can_export_circulation)
