"""The audit log of the branch reading other people's evaluations.

Whoever oversees a session (its leader or chair, the branch's secretary and committee)
reads members' self-evaluations, the mutual evaluations about them and the leader's
comments. Each page that shows them writes one audit event per member whose
evaluations it showed (one INSERT for the page), in `meetings.models.AuditEvent`
with the action VIEW_EVALUATION; the administrator's audit log lists them.

Not logged: a person reading their own material, the evaluations they wrote or those
written about them; a participant reading the submitted material of their own group
once the session has opened (the seed has it read aloud at the meeting); the parts
the console polls every few seconds (the page they belong to was logged when opened).
"""

from collections.abc import Iterable

from django.utils import timezone

from meetings.models import AuditEvent

from .models import LeaderComment, MutualEvaluation, SanpingSession, SelfEvaluation
from .selectors import Viewer


def evaluation_reads_record(
    viewer: Viewer,
    session: SanpingSession,
    *,
    page: str,
    self_evaluations: Iterable[SelfEvaluation | None] = (),
    mutuals: Iterable[MutualEvaluation] = (),
    comments: Iterable[LeaderComment | None] = (),
) -> list[AuditEvent]:
    """Log that `viewer` was shown these evaluations on `page`, one event per member
    they are about; nothing when the viewer does not oversee the session or everything
    shown is their own. The objects must carry their members (select_related)."""
    me = viewer.member
    if me is None or not viewer.oversees:
        return []
    read: dict[int, dict] = {}

    def about(member) -> dict:
        return read.setdefault(member.pk, {"member": member, "self_evaluation": None, "mutual_evaluations": set(),
                                           "comment": None})

    for evaluation in self_evaluations:
        if evaluation is not None and evaluation.member_id != me.pk:
            about(evaluation.member)["self_evaluation"] = evaluation.pk
    for mutual in mutuals:
        if me.pk not in (mutual.evaluator_id, mutual.evaluatee_id):
            about(mutual.evaluatee)["mutual_evaluations"].add(mutual.pk)
    for comment in comments:
        if comment is not None and comment.member_id != me.pk:
            about(comment.member)["comment"] = comment.pk
    if not read:
        return []
    meeting = session.meeting
    now = timezone.now()
    events = [
        AuditEvent(
            actor=me, branch_id=me.branch_id, action=AuditEvent.Action.VIEW_EVALUATION, created_at=now,
            target_type=entry["member"]._meta.label_lower, target_id=member_pk,
            target_label=f"{entry['member'].name} · {meeting.title} {timezone.localdate(meeting.starts_at):%Y-%m-%d}"[:200],
            detail={"page": page, "session": session.pk, "self_evaluation": entry["self_evaluation"],
                    "mutual_evaluations": sorted(entry["mutual_evaluations"]), "comment": entry["comment"]},
        )
        for member_pk, entry in sorted(read.items())
    ]
    return AuditEvent.objects.bulk_create(events)
