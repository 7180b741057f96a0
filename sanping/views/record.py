"""The whole 三评 record, read-only: every stage's content, as far as the viewer may see it."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from meetings.models import AuditEvent
from meetings.selectors import attendance_counts, meeting_record
from members.decorators import login_required

from .. import selectors
from ..audit import evaluation_reads_record
from ..forms import GuidanceForm


@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    return record_page(request, selectors.session_get_for(request.user, pk))


def record_page(request, session, *, guidance_form: GuidanceForm | None = None, status: int = 200) -> HttpResponse:
    """The record page; a refused guidance remark comes back in `guidance_form` as typed."""
    viewer = selectors.Viewer.of(request.user, session)
    meeting = meeting_record(session.meeting)
    turns, absent_turns = selectors.record_turns(
        session, meeting.attendances.all(), evaluations=selectors.self_evaluations_visible(viewer, session),
        mutuals=selectors.mutual_evaluations_visible(viewer, session), comments=selectors.comments_visible(viewer, session))
    shown = turns + absent_turns
    evaluation_reads_record(viewer, session, page="record", self_evaluations=[t.evaluation for t in shown],
                            mutuals=[m for t in shown for m in t.mutuals], comments=[t.comment for t in shown])
    previous, previous_items = selectors.previous_rectification_report(session.meeting.group, session.meeting.starts_at)
    context = {
        "session": session,
        "meeting": meeting,
        "counts": attendance_counts(meeting),
        "turns": turns,
        "absent_turns": absent_turns,
        "items": selectors.items_visible(viewer, session),
        "remarks": selectors.guidance_remarks(session),
        "previous": previous,
        "previous_items": previous_items,
        "viewer": viewer,
        "can_guide": request.user.has_perm("sanping.guide", session),
        "guidance_form": guidance_form or GuidanceForm(),
        "can_export_full": request.user.has_perm("sanping.export_full", session),
        "can_export_circulation": request.user.has_perm("sanping.export_circulation", session),
        "can": {"attendance": False},
    }
    return render(request, "sanping/record.html", context, status=status)


@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The record as a PDF to print, sign and file: ?edition=full (the default for
    those who may have it) or ?edition=circulation, without the mutual evaluations and
    comments. An edition the person may not export is a 404, as is another branch's."""
    from meetings.pdf import export_response

    from ..pdf import Edition, render_sanping_pdf

    session = selectors.session_get_for(request.user, pk)
    default = Edition.FULL if request.user.has_perm("sanping.export_full", session) else Edition.CIRCULATION
    edition = request.GET.get("edition") or default
    if edition not in Edition.ALL or not request.user.has_perm(f"sanping.export_{edition}", session):
        raise Http404
    return export_response(request, lambda: render_sanping_pdf(session, full=edition == Edition.FULL, user=request.user),
                           meeting=session.meeting, suffix="-sanping" if edition == Edition.FULL else "-sanping-circulation",
                           back=reverse("sanping:record", args=[pk]), action=AuditEvent.Action.EXPORT_SANPING_PDF,
                           target=session, edition=edition, state=session.meeting.state)
