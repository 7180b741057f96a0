"""The whole 三评 record, read-only: every stage's content, as far as the viewer may see it."""

from collections import defaultdict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meetings.models import Attendance
from meetings.selectors import attendance_counts, meeting_record
from members.decorators import login_required

from .. import selectors


@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(request.user, pk)
    viewer = selectors.Viewer.of(request.user, session)
    meeting = meeting_record(session.meeting)
    evaluations = {e.member_id: e for e in selectors.self_evaluations_visible(viewer, session)}
    mutuals = defaultdict(list)
    for mutual in selectors.mutual_evaluations_visible(viewer, session):
        mutuals[mutual.evaluatee_id].append(mutual)
    comments = {c.member_id: c for c in selectors.comments_visible(viewer, session)}
    slots = selectors.speaking_order(session)
    speakers = {slot.member_id for slot in slots}
    turns = [
        {"slot": slot, "member": slot.member, "evaluation": evaluations.get(slot.member_id),
         "mutuals": mutuals.get(slot.member_id, []), "comment": comments.get(slot.member_id)}
        for slot in slots
    ]
    # Members on leave keep their written material in the record, marked as not presented in person.
    absent_turns = [
        {"member": a.member, "attendance": a, "evaluation": evaluations.get(a.member_id),
         "mutuals": mutuals.get(a.member_id, []), "comment": comments.get(a.member_id)}
        for a in meeting.attendances.all()
        if not a.is_guest and a.member_id not in speakers and a.status != Attendance.Status.PRESENT
    ]
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
        "can": {"attendance": False},
    }
    return render(request, "sanping/record.html", context)
