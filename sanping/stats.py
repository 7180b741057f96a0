"""Per-session figures the branch watches: submission rate, completeness, rectification."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from meetings.models import Attendance

from .models import LeaderComment, RectificationItem, SanpingSession, SelfEvaluation, SpeakingSlot

@dataclass
class SessionStats:
    expected: int = 0
    submitted: int = 0
    speakers: int = 0
    spoken: int = 0
    commented: int = 0
    with_items: int = 0
    items: int = 0
    verified: int = 0
    overdue: int = 0
    stage: int = 1

    @staticmethod
    def _percent(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def submission_rate(self) -> int | None:
        return self._percent(self.submitted, self.expected)

    @property
    def completeness(self) -> int:
        """How much of the procedure is done: the stages reached, and within them everyone
        heard, commented on and given a rectification item."""
        checks = [self.stage >= s for s in range(2, 6)]
        if self.speakers:
            checks += [self.spoken == self.speakers, self.commented >= self.speakers, self.with_items >= self.speakers]
        else:
            checks += [False, False, False]
        return round(100 * sum(checks) / len(checks))

    @property
    def rectification_rate(self) -> int | None:
        return self._percent(self.verified, self.items)

def session_stats(sessions: list[SanpingSession]) -> dict[int, SessionStats]:
    """Figures for many sessions in six queries, whatever their number and size. Each
    count clears the model's default ordering (`.order_by()`), whose join to the members
    would otherwise stay in the query."""
    stats = {s.pk: SessionStats(stage=s.stage) for s in sessions}
    by_meeting = {s.meeting_id: s.pk for s in sessions}
    for meeting_id, n in (
        Attendance.objects.filter(meeting_id__in=by_meeting, is_guest=False).order_by().values_list("meeting_id")
        .annotate(n=Count("pk"))
    ):
        stats[by_meeting[meeting_id]].expected = n
    for session_id, n in (
        SelfEvaluation.objects.filter(session_id__in=stats, state=SelfEvaluation.State.SUBMITTED)
        .order_by().values_list("session_id").annotate(n=Count("pk"))
    ):
        stats[session_id].submitted = n
    for session_id, total, spoken in (
        SpeakingSlot.objects.filter(session_id__in=stats).values_list("session_id")
        .annotate(total=Count("pk"), spoken=Count("pk", filter=Q(spoke_at__isnull=False)))
    ):
        stats[session_id].speakers, stats[session_id].spoken = total, spoken
    for session_id, n in LeaderComment.objects.filter(session_id__in=stats).values_list("session_id").annotate(n=Count("pk")):
        stats[session_id].commented = n

    today = timezone.localdate()
    for session_id, total, verified, overdue, members in (
        RectificationItem.objects.filter(session_id__in=stats).order_by().values_list("session_id").annotate(
            total=Count("pk"),
            verified=Count("pk", filter=Q(state=RectificationItem.State.VERIFIED)),
            overdue=Count("pk", filter=Q(state=RectificationItem.State.OPEN, deadline__lt=today)),
            members=Count("member", distinct=True),
        )
    ):
        row = stats[session_id]
        row.items, row.verified, row.overdue, row.with_items = total, verified, overdue, members
    return stats
