"""Reads of the 三评 session, scoped to the person asking and to the visibility rules.

Every page fetches its session through `session_get_for` (404 outside the person's
reach) and its evaluations through the functions here, which filter by the same
predicates as `rules.py` but in bulk, with a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from meetings.models import Attendance, Meeting
from meetings.selectors import meetings_for
from members.models import Member, PartyGroup
from members.roles import member_of

from .models import (
    GuidanceRemark,
    LeaderComment,
    MutualEvaluation,
    RectificationItem,
    SanpingSession,
    SelfEvaluation,
    SelfEvaluationVersion,
    SpeakingSlot,
)

Stage = SanpingSession.Stage


def sessions_for(user) -> QuerySet[SanpingSession]:
    return SanpingSession.objects.filter(meeting__in=meetings_for(user)).select_related(
        "meeting__group__branch", "meeting__group__leader", "meeting__chair", "current_slot__member"
    )


def newest_sessions_for(user, limit: int) -> list[SanpingSession]:
    """The `limit` newest sessions visible to the person whose meeting is neither a draft
    nor cancelled, newest first (a tie on the start goes to the newer session).

    Two queries, whatever the branch's size: the ids first, from sessions and meetings
    alone, and then those rows with everything a row of the overview shows. Asked in one
    query, PostgreSQL joins every session to its people before it keeps `limit` of them."""
    member = member_of(user)
    visible = SanpingSession.objects.filter(meeting__in=meetings_for(user))
    if member is not None and not member.is_branch_committee:
        # Outside the branch committee `meetings_for` allows only meetings of the person's
        # group and meetings they attend: narrow to those first, by index, so that its
        # OR of the two is tested on a few meetings rather than on every one.
        candidates = Meeting.objects.filter(group_id=member.group_id).order_by().values("pk").union(
            Attendance.objects.filter(member=member).order_by().values("meeting_id")
        )
        visible = visible.filter(meeting__in=candidates)
    newest = ("-meeting__starts_at", "-pk")
    ids = list(
        visible.exclude(meeting__state__in=[Meeting.State.DRAFT, Meeting.State.CANCELLED])
        .order_by(*newest).values_list("pk", flat=True)[:limit]
    )
    return list(sessions_for(user).filter(pk__in=ids).order_by(*newest)) if ids else []


def session_get_for(user, pk: int) -> SanpingSession:
    session = get_object_or_404(sessions_for(user), pk=pk)
    if not user.has_perm("sanping.view_session", session):
        raise Http404
    return session


@dataclass
class Viewer:
    """Who is looking at a session, computed once per request."""

    member: Member | None
    oversees: bool  # the leader, the chair, or the branch's secretary or committee
    participant: bool
    runs: bool

    @classmethod
    def of(cls, user, session: SanpingSession) -> "Viewer":
        member = member_of(user)
        if member is None:
            return cls(None, False, False, False)
        meeting = session.meeting
        runs = member.pk in (meeting.group.leader_id, meeting.chair_id)
        committee = member.is_branch_committee and member.branch_id == meeting.group.branch_id
        participant = Attendance.objects.filter(meeting_id=meeting.pk, member=member, is_guest=False).exists()
        return cls(member, runs or committee, participant, runs)


def self_evaluations_visible(viewer: Viewer, session: SanpingSession) -> list[SelfEvaluation]:
    """The self-evaluations the viewer may read: their own (draft or not); submitted ones
    for those who oversee; for participants, submitted ones once the session has opened."""
    evaluations = SelfEvaluation.objects.filter(session=session).select_related("member", "presented")
    if viewer.member is None:
        return []
    if viewer.oversees or (viewer.participant and session.has_opened):
        rows = evaluations.filter(Q(state=SelfEvaluation.State.SUBMITTED) | Q(member=viewer.member))
    else:
        rows = evaluations.filter(member=viewer.member)
    return list(rows.order_by("member__name"))


def mutual_evaluations_visible(viewer: Viewer, session: SanpingSession) -> list[MutualEvaluation]:
    rows = MutualEvaluation.objects.filter(session=session).select_related("evaluator", "evaluatee", "recorded_by")
    if viewer.member is None:
        return []
    if not viewer.oversees:
        rows = rows.filter(Q(evaluator=viewer.member) | Q(evaluatee=viewer.member))
    return list(rows.order_by("evaluatee__name", "created_at", "pk"))


def comments_visible(viewer: Viewer, session: SanpingSession) -> list[LeaderComment]:
    rows = LeaderComment.objects.filter(session=session).select_related("member")
    if viewer.member is None:
        return []
    if not viewer.oversees:
        rows = rows.filter(member=viewer.member)
    return list(rows.order_by("member__name"))


def items_visible(viewer: Viewer, session: SanpingSession) -> list[RectificationItem]:
    rows = RectificationItem.objects.filter(session=session).select_related("member", "verified_by")
    if viewer.member is None:
        return []
    if not viewer.oversees:
        rows = rows.filter(member=viewer.member)
    return list(rows.order_by("member__name", "deadline", "pk"))


def speaking_order(session: SanpingSession) -> list[SpeakingSlot]:
    return list(session.slots.select_related("member").order_by("position"))


@dataclass
class RecordTurn:
    """One member's part of the record: their self-evaluation, the mutual evaluations
    they received and the leader's comment on them (as far as the caller fetched them)."""

    member: Member
    slot: SpeakingSlot | None = None  # None: not presented in person
    attendance: Attendance | None = None
    evaluation: SelfEvaluation | None = None
    mutuals: list[MutualEvaluation] = field(default_factory=list)
    comment: LeaderComment | None = None

    @property
    def presented(self) -> SelfEvaluationVersion | None:
        return self.evaluation.presented if self.evaluation is not None else None


def record_turns(session: SanpingSession, attendances, *, evaluations=(), mutuals=(), comments=()
                 ) -> tuple[list[RecordTurn], list[RecordTurn]]:
    """The record's members in speaking order (one query), then those not present, who
    keep their written material in the record marked as not presented in person.
    `attendances` are the meeting's rows (with their members); the evaluations, mutual
    evaluations and comments are those the caller may show, as fetched by the caller."""
    by_member = {e.member_id: e for e in evaluations}
    received: dict[int, list[MutualEvaluation]] = defaultdict(list)
    for mutual in mutuals:
        received[mutual.evaluatee_id].append(mutual)
    comment_of = {c.member_id: c for c in comments}

    def turn(member: Member, **kwargs) -> RecordTurn:
        return RecordTurn(member=member, evaluation=by_member.get(member.pk), mutuals=received.get(member.pk, []),
                          comment=comment_of.get(member.pk), **kwargs)

    slots = speaking_order(session)
    speakers = {slot.member_id for slot in slots}
    turns = [turn(slot.member, slot=slot) for slot in slots]
    absent = [
        turn(a.member, attendance=a) for a in attendances
        if not a.is_guest and a.member_id not in speakers and a.status != Attendance.Status.PRESENT
    ]
    return turns, absent


@dataclass
class SubmissionRow:
    member: Member
    submitted: bool
    on_leave: bool = False
    present: bool = False


def submission_status(session: SanpingSession) -> list[SubmissionRow]:
    """Who has submitted their material and who has not — never the drafts' contents."""
    states = dict(SelfEvaluation.objects.filter(session=session).values_list("member_id", "state"))
    rows = []
    for attendance in Attendance.objects.filter(meeting_id=session.meeting_id, is_guest=False).select_related("member").order_by("member__name"):
        rows.append(SubmissionRow(
            member=attendance.member,
            submitted=states.get(attendance.member_id) == SelfEvaluation.State.SUBMITTED,
            on_leave=attendance.status == Attendance.Status.LEAVE,
            present=attendance.status == Attendance.Status.PRESENT,
        ))
    return rows


@dataclass
class Coverage:
    """Who has evaluated whom, so that nobody is skipped."""

    members: list[Member]
    matrix: dict[int, dict[int, int]]  # evaluator -> evaluatee -> count
    given: dict[int, int] = field(default_factory=dict)
    received: dict[int, int] = field(default_factory=dict)

    @property
    def rows(self):
        return [
            (m, [self.matrix.get(m.pk, {}).get(other.pk, 0) if other.pk != m.pk else None for other in self.members],
             self.given.get(m.pk, 0), self.received.get(m.pk, 0))
            for m in self.members
        ]

    @property
    def gave_none(self) -> list[Member]:
        return [m for m in self.members if not self.given.get(m.pk)]

    @property
    def received_none(self) -> list[Member]:
        return [m for m in self.members if not self.received.get(m.pk)]


def coverage(session: SanpingSession) -> Coverage:
    members = [a.member for a in Attendance.objects.filter(
        meeting_id=session.meeting_id, is_guest=False).exclude(status=Attendance.Status.LEAVE).select_related("member").order_by("member__name")]
    matrix: dict[int, dict[int, int]] = defaultdict(dict)
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    for evaluator, evaluatee, n in MutualEvaluation.objects.filter(session=session).values_list(
        "evaluator_id", "evaluatee_id").annotate(n=Count("pk")):
        matrix[evaluator][evaluatee] = n
        given[evaluator] += n
        received[evaluatee] += n
    return Coverage(members, dict(matrix), dict(given), dict(received))


def previous_rectification_report(group: PartyGroup, before) -> tuple[SanpingSession | None, list[RectificationItem]]:
    """The items of the group's last 三评 session before `before`: how its rectification went
    (上次整改落实情况)."""
    previous = (
        SanpingSession.objects.filter(meeting__group=group, meeting__starts_at__lt=before)
        .exclude(meeting__state__in=[Meeting.State.DRAFT, Meeting.State.CANCELLED, Meeting.State.SCHEDULED])
        .select_related("meeting").order_by("-meeting__starts_at").first()
    )
    if previous is None:
        return None, []
    items = list(previous.rectification_items.select_related("member", "verified_by").order_by("member__name", "deadline"))
    return previous, items


def guidance_remarks(session: SanpingSession) -> list[GuidanceRemark]:
    return list(session.guidance_remarks.select_related("by").order_by("at"))


def items_of_member(member: Member) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.filter(member=member).select_related("session__meeting__group").prefetch_related(
        Prefetch("progress")
    ).order_by("state", "deadline")


def items_to_verify_for(member: Member) -> QuerySet[RectificationItem]:
    """Items marked done in the groups this member leads."""
    return RectificationItem.objects.filter(
        state=RectificationItem.State.DONE, session__meeting__group__leader=member
    ).select_related("member", "session__meeting").order_by("done_at")


def rectification_item_get_for(user, pk: int) -> RectificationItem:
    item = get_object_or_404(
        RectificationItem.objects.select_related(
            "session__meeting__group__branch", "member", "verified_by", "source_self_evaluation__member",
            "source_self_evaluation__presented", "source_mutual_evaluation__evaluator",
            "source_mutual_evaluation__evaluatee",
        )
        .filter(session__meeting__in=meetings_for(user)),
        pk=pk,
    )
    if not user.has_perm("sanping.view_rectificationitem", item):
        raise Http404
    return item


def overdue_items(queryset: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    return queryset.filter(state=RectificationItem.State.OPEN, deadline__lt=timezone.localdate())
