"""The 三评 record as PDF (党小组“三评”会议记录): the meeting record, the opening texts,
every member's self-evaluation in speaking order (the presented version), the mutual
evaluations each received with their authors, the leader's summary and comments, the
rectification table, and how the previous session's rectification went.

Two editions: the full one, for the branch and the group's leader, and one for
circulation, which leaves out the mutual evaluations, the leader's comments and the
leader's notes of what each member said. Who may export which is in rules.py
(`sanping.export_full`, `sanping.export_circulation`). Shared helpers (font, layout,
the meeting's part of the form) are in meetings/pdf.py.
"""

from meetings.pdf import html_to_pdf, meeting_context, render_html

from . import selectors
from .models import LeaderComment, MutualEvaluation, RectificationItem, SanpingSession, SelfEvaluation


class Edition:
    FULL = "full"
    CIRCULATION = "circulation"
    ALL = (FULL, CIRCULATION)


def sanping_context(session: SanpingSession, *, full: bool, loaded: bool = False, user=None) -> dict:
    """Everything the 三评 record prints, in a fixed number of queries (six for the
    meeting, none if `session.meeting` is `loaded` already (see `meeting_context`), then
    slots, self-evaluations, mutual evaluations and comments (full edition only), items,
    guidance remarks, and two for the previous session). With `user`, the rectification
    table holds the items that person may see on the record page (their own, unless they
    oversee the session); without, every item (the ledger, built for the branch)."""
    context = meeting_context(session.meeting, loaded=loaded)
    meeting = context["meeting"]
    evaluations = SelfEvaluation.objects.filter(session=session).select_related("presented")
    mutuals, comments = [], []
    if full:
        mutuals = (MutualEvaluation.objects.filter(session=session)
                   .select_related("evaluator", "recorded_by").order_by("created_at", "pk"))
        comments = LeaderComment.objects.filter(session=session)
    turns, absent_turns = selectors.record_turns(
        session, meeting.attendances.all(), evaluations=evaluations, mutuals=mutuals, comments=comments)
    if user is None:
        items = list(RectificationItem.objects.filter(session=session).select_related("member")
                     .order_by("member__name", "deadline", "pk"))
    else:
        items = selectors.items_visible(selectors.Viewer.of(user, session), session)
    previous, previous_items = selectors.previous_rectification_report(meeting.group, meeting.starts_at)
    return {
        **context,
        "session": session,
        "full": full,
        "turns": turns,
        "absent_turns": absent_turns,
        "items": items,
        "remarks": selectors.guidance_remarks(session),
        "previous": previous,
        "previous_items": previous_items,
    }


def render_sanping_html(session: SanpingSession, *, full: bool = True, user=None) -> str:
    return render_html("sanping/pdf/record.html", sanping_context(session, full=full, user=user))


def render_sanping_pdf(session: SanpingSession, *, full: bool = True, user=None) -> bytes:
    """The 三评 record as PDF bytes, marked 草稿 / 未审核 on every page until approved."""
    return html_to_pdf(render_sanping_html(session, full=full, user=user))
