"""Meetings: scheduling, chairing, minutes and review.

Each view finds the meeting through the person's scoped selector (404 outside),
calls one service, and renders; a domain error becomes a message, never a 500.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.decorators import login_required
from members.models import PartyGroup
from members.selectors import groups_for

from .. import services
from ..filters import MeetingFilter
from ..forms import (
    AgendaFormSet,
    AttendanceForm,
    CancelForm,
    MakeupForm,
    MeetingForm,
    MinutesForm,
    NotesForm,
    ReviewCommentForm,
    agenda_initial,
)
from ..history import changes_since_return, record_history
from ..models import AgendaItem, Attendance, AuditEvent, Meeting, StaleEdit, TransitionError
from ..rules import is_branch_committee_of_meeting, is_chair, is_leader_of_meeting_group, is_organiser, runs_the_meeting
from ..selectors import (
    attendance_counts,
    meeting_get_for,
    meeting_record,
    meetings_for,
    member_or_404,
    review_queue_for,
)

PAGE_SIZE = 20


def error_messages(error: Exception) -> list[str]:
    """The user-facing messages of a domain error."""
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    return [str(error)]


def moved_on(role):
    """For a state-changing post of the meeting `pk`: when the service refuses it although
    the person holds the `role` it needs, the record has moved on since their page was
    loaded (a second reviewer approved it first, a double click on publish): back to the
    record with a message to reload, not the 403 page. Without the role it stays a 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, pk, *args, **kwargs)
            except PermissionDenied:
                meeting = meeting_get_for(request.user, pk)
                if not role.test(request.user, meeting):
                    raise
                messages.warning(request, _("This record has moved on since your page was loaded; "
                                            "here it is as it stands now."))
                return redirect("meetings:detail", pk=pk)

        return wrapper

    return decorate


def _groups_to_schedule_for(request) -> list[PartyGroup]:
    return [g for g in groups_for(request.user) if request.user.has_perm("meetings.schedule_in_group", g)]


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    groups = groups_for(request.user) if member.is_branch_committee else PartyGroup.objects.filter(pk=member.group_id)
    meeting_filter = MeetingFilter(
        request.GET, queryset=meetings_for(request.user).order_by("-starts_at"), groups=groups
    )
    page = Paginator(meeting_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": meeting_filter,
        "page": page,
        "query": query.urlencode(),
        "can_schedule": bool(_groups_to_schedule_for(request)),
    }
    return render(request, "meetings/list.html", context)


def _meeting_form_context(request, *, group, form, formset, meeting=None) -> dict:
    return {"group": group, "form": form, "formset": formset, "meeting": meeting}


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    groups = _groups_to_schedule_for(request)
    if not groups:
        raise PermissionDenied
    group = next((g for g in groups if str(g.pk) == request.GET.get("group")), None)
    if group is None:
        group = next((g for g in groups if g.leader_id == member.pk), groups[0])
    if request.method == "POST":
        form = MeetingForm(request.POST, group=group)
        formset = AgendaFormSet(request.POST, prefix="agenda")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    by=member, group=group, kind=data["kind"], title=data["title"], starts_at=data["starts_at"],
                    ends_at=data["ends_at"], place=data["place"], chair=data["chair"], recorder=data["recorder"],
                    agenda=formset.entries(), guests=list(data["guests"]), publish="publish" in request.POST,
                )
            except (ValidationError, TransitionError) as error:
                _attach_errors(form, error)
            else:
                if meeting.state == Meeting.State.SCHEDULED:
                    messages.success(request, _("The meeting is published; the attendees have been notified."))
                else:
                    messages.success(request, _("Saved as a draft: nobody has been notified yet."))
                for warning in form.warnings:
                    messages.warning(request, warning)
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = MeetingForm(group=group, initial={"chair": group.leader_id, "kind": request.GET.get("kind", "group_meeting")})
        formset = AgendaFormSet(prefix="agenda")
    context = _meeting_form_context(request, group=group, form=form, formset=formset)
    context["groups"] = groups
    return render(request, "meetings/form.html", context)


def _attach_errors(form, error: Exception) -> None:
    """Put a service's ValidationError on the form fields it names, the rest on top."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = {"starts_at": "date", "ends_at": "end_time"}.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(error))


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_or_404(request.user)
    meeting = meeting_get_for(request.user, pk)
    if not request.user.has_perm("meetings.change_schedule", meeting):
        raise PermissionDenied
    if request.method == "POST":
        form = MeetingForm(request.POST, group=meeting.group)
        formset = AgendaFormSet(request.POST, prefix="agenda")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_update_schedule(
                    meeting=meeting, by=member, version=data["version"] or 0, kind=data["kind"], title=data["title"],
                    starts_at=data["starts_at"], ends_at=data["ends_at"], place=data["place"], chair=data["chair"],
                    recorder=data["recorder"], agenda=formset.entries(), guests=list(data["guests"]),
                )
            except (ValidationError, TransitionError, StaleEdit) as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("The meeting has been updated."))
                for warning in form.warnings:
                    messages.warning(request, warning)
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = MeetingForm(group=meeting.group, initial=MeetingForm.initial_for(meeting))
        formset = AgendaFormSet(prefix="agenda", initial=agenda_initial(meeting))
    return render(
        request, "meetings/form.html", _meeting_form_context(request, group=meeting.group, form=form, formset=formset, meeting=meeting)
    )


def _detail_context(request, meeting: Meeting, **forms) -> dict:
    record = meeting_record(meeting)
    user = request.user
    reviews = list(record.review_events.all())
    context = {
        "meeting": record,
        "last_review": reviews[-1] if reviews else None,
        "counts": attendance_counts(record),
        "can": {
            "edit": user.has_perm("meetings.change_schedule", record),
            "publish": user.has_perm("meetings.publish", record),
            "cancel": user.has_perm("meetings.cancel", record),
            "chair": user.has_perm("meetings.chair", record),
            "attendance": user.has_perm("meetings.take_attendance", record),
            "minutes": user.has_perm("meetings.write_minutes", record),
            "makeup": user.has_perm("meetings.record_makeup", record),
            "submit": user.has_perm("meetings.submit", record),
            "review": user.has_perm("meetings.review", record),
        },
        "changes": changes_since_return(record) if record.state in (Meeting.State.RETURNED, Meeting.State.SUBMITTED) else None,
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "minutes_form": forms.get("minutes_form")
        or MinutesForm(initial={"minutes": record.minutes, "summary": record.summary, "version": record.version}),
        "review_form": forms.get("review_form") or ReviewCommentForm(),
        "submit_form": forms.get("submit_form") or ReviewCommentForm(),
        "makeup_form": MakeupForm(),
    }
    return context


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    return render(request, "meetings/detail.html", _detail_context(request, meeting))


def _run(request, action, *, success: str, **kwargs) -> bool:
    """Call a state-changing service; report success or the refusal as a message."""
    try:
        action(**kwargs)
    except (ValidationError, TransitionError, StaleEdit) as error:
        for message in error_messages(error):
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
@moved_on(is_organiser)
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    _run(request, services.meeting_publish, meeting=meeting, by=member_or_404(request.user),
         success=_("The meeting is published; the attendees have been notified."))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
@moved_on(is_organiser)
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        if _run(request, services.meeting_cancel, meeting=meeting, by=member_or_404(request.user),
                reason=form.cleaned_data["reason"], success=_("The meeting is cancelled.")):
            return redirect("meetings:detail", pk=pk)
    else:
        messages.error(request, _("Give the reason for cancelling."))
    return render(request, "meetings/detail.html", _detail_context(request, meeting, cancel_form=form), status=400)


@login_required
def meeting_chair(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair's console: open, take attendance, go through the topics, summarise, close."""
    meeting = meeting_get_for(request.user, pk)
    if meeting.kind == Meeting.Kind.SANPING and hasattr(meeting, "sanping"):
        return redirect("sanping:console", pk=meeting.sanping.pk)
    if not request.user.has_perm("meetings.chair", meeting):
        if meeting.state in Meeting.MINUTES_OPEN or meeting.took_place:
            return redirect("meetings:detail", pk=pk)
        raise PermissionDenied
    context = _detail_context(request, meeting)
    record = context["meeting"]
    items = list(record.agenda_items.all())
    current = record.current_item
    context.update({
        "items": items,
        "current": current,
        "current_index": items.index(current) if current in items else None,
        "previous_item": _neighbour(items, current, -1),
        "next_item": _neighbour(items, current, +1),
        "summary_step": record.state == Meeting.State.IN_PROGRESS and current is None,
    })
    # The next group meeting starts with how the last 三评 session's rectification went (the seed).
    from sanping.selectors import previous_rectification_report

    context["previous"], context["previous_items"] = previous_rectification_report(record.group, record.starts_at)
    return render(request, "meetings/chair.html", context)


def _neighbour(items: list[AgendaItem], current: AgendaItem | None, step: int) -> AgendaItem | None:
    if current not in items:
        return None
    index = items.index(current) + step
    return items[index] if 0 <= index < len(items) else None


@login_required
@require_POST
@moved_on(runs_the_meeting)
def meeting_open(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    _run(request, services.meeting_open, meeting=meeting, by=member_or_404(request.user),
         success=_("The meeting is open. Announce the topics, then take them one by one."))
    return redirect("meetings:chair", pk=pk)


@login_required
@require_POST
@moved_on(runs_the_meeting)
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    if _run(request, services.meeting_close, meeting=meeting, by=member_or_404(request.user),
            success=_("The meeting is closed. Complete the minutes and submit the record.")):
        return redirect("meetings:detail", pk=pk)
    return redirect("meetings:chair", pk=pk)


@login_required
@require_POST
@moved_on(runs_the_meeting)
def meeting_mark_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    _run(request, services.meeting_mark_held, meeting=meeting, by=member_or_404(request.user),
         success=_("Recorded as held. Take the attendance and complete the minutes."))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
@moved_on(runs_the_meeting)
def meeting_current_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    item_pk = request.POST.get("item", "")
    if item_pk and not item_pk.isdigit():
        messages.error(request, _("This topic belongs to another meeting."))
        return redirect("meetings:chair", pk=pk)
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting) if item_pk else None
    try:
        services.meeting_set_current_item(meeting=meeting, by=member_or_404(request.user), item=item)
    except (ValidationError, TransitionError) as error:
        for message in error_messages(error):
            messages.error(request, message)
    return redirect("meetings:chair", pk=pk)


@login_required
@require_POST
def attendance_set(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """htmx: mark one person; answers with their row and the recomputed counts."""
    meeting = meeting_get_for(request.user, pk)
    attendance = get_object_or_404(Attendance.objects.select_related("member"), meeting=meeting, member_id=member_pk)
    form = AttendanceForm(request.POST)
    error = None
    if form.is_valid():
        try:
            attendance = services.attendance_set(
                meeting=meeting, by=member_or_404(request.user), member_id=member_pk,
                status=form.cleaned_data["status"], leave_reason=form.cleaned_data["leave_reason"],
            )
        except (ValidationError, TransitionError) as exc:
            error = " ".join(error_messages(exc))
            # Keep what was chosen and typed, unsaved, so it can be completed.
            attendance.status = form.cleaned_data["status"]
            attendance.leave_reason = form.cleaned_data["leave_reason"]
    else:
        error = _("Choose present, on leave or absent.")
    record = meeting_record(meeting)
    context = {"meeting": record, "a": attendance, "error": error, "counts": attendance_counts(record),
               "can": {"attendance": True}}
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("meetings:chair" if meeting.state == Meeting.State.IN_PROGRESS else "meetings:detail", pk=pk)
    return render(request, "meetings/parts.html#attendance-response", context, status=200)


@login_required
@require_POST
@moved_on(runs_the_meeting)
def attendance_makeup(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    attendance = get_object_or_404(Attendance, pk=attendance_pk, meeting=meeting)
    form = MakeupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the make-up study."))
    else:
        _run(request, services.attendance_record_makeup, attendance=attendance, by=member_or_404(request.user),
             done_on=form.cleaned_data["done_on"], note=form.cleaned_data["note"],
             success=_("Make-up study recorded."))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def agenda_notes(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """htmx autosave of one topic's notes. 409 when someone else saved them first;
    the page keeps the typed text in the browser either way."""
    meeting = meeting_get_for(request.user, pk)
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    form = NotesForm(request.POST)
    if not form.is_valid():
        return HttpResponse(" ".join(m for errors in form.errors.values() for m in errors), status=400)
    try:
        item = services.agenda_notes_save(
            item=item, by=member_or_404(request.user), notes=form.cleaned_data["notes"], version=form.cleaned_data["version"]
        )
    except StaleEdit as error:
        return HttpResponse(str(error), status=409)
    return render(request, "meetings/parts.html#autosave-meta", {"version": item.version, "saved": True})


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes and the leader's summary: a full form, or an htmx autosave from the console."""
    meeting = meeting_get_for(request.user, pk)
    if not request.user.has_perm("meetings.write_minutes", meeting):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("meetings:detail", pk=pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            meeting = services.minutes_save(
                meeting=meeting, by=member_or_404(request.user), version=form.cleaned_data["version"],
                minutes=form.cleaned_data["minutes"], summary=form.cleaned_data["summary"],
            )
        except StaleEdit as error:
            if request.htmx:
                return HttpResponse(str(error), status=409)
            form.add_error(None, str(error))
        else:
            if request.htmx:
                return render(request, "meetings/parts.html#autosave-meta", {"version": meeting.version, "saved": True})
            messages.success(request, _("The minutes are saved."))
            return redirect("meetings:detail", pk=pk)
    elif request.htmx:
        return HttpResponse(" ".join(m for errors in form.errors.values() for m in errors), status=400)
    return render(request, "meetings/detail.html", _detail_context(request, meeting, minutes_form=form), status=400)


def _review_step(request, pk: int, action, *, success: str, then: str, form_name: str) -> HttpResponse:
    """Submit, return or approve with an optional comment; a refusal re-renders the
    record page with the comment kept in its form."""
    meeting = meeting_get_for(request.user, pk)
    form = ReviewCommentForm(request.POST)
    if form.is_valid() and _run(
        request, action, meeting=meeting, by=member_or_404(request.user), comment=form.cleaned_data["comment"],
        success=success,
    ):
        return redirect(then)
    return render(request, "meetings/detail.html", _detail_context(request, meeting, **{form_name: form}), status=400)


@login_required
@require_POST
@moved_on(is_leader_of_meeting_group | is_chair)
def meeting_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(request, pk, services.meeting_submit, then=reverse("meetings:detail", args=[pk]), form_name="submit_form",
                        success=_("The record is submitted to the branch for review."))


@login_required
@require_POST
@moved_on(is_branch_committee_of_meeting)
def meeting_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(request, pk, services.meeting_return, then=reverse("meetings:review_queue"), form_name="review_form",
                        success=_("The record is returned to the group leader with your comment."))


@login_required
@require_POST
@moved_on(is_branch_committee_of_meeting)
def meeting_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(request, pk, services.meeting_approve, then=reverse("meetings:review_queue"), form_name="review_form",
                        success=_("The record is approved and locked."))


@login_required
def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The record as a PDF to print, sign and file (marked as a draft until approved)."""
    from ..pdf import export_response, render_meeting_pdf

    meeting = meeting_get_for(request.user, pk)
    return export_response(request, lambda: render_meeting_pdf(meeting), meeting=meeting,
                           back=reverse("meetings:detail", args=[pk]), action=AuditEvent.Action.EXPORT_MEETING_PDF,
                           target=meeting, state=meeting.state)


@login_required
def meeting_history(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    return render(request, "meetings/history.html", {"meeting": meeting, "entries": record_history(meeting)})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    if not member.is_branch_committee:
        raise PermissionDenied
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = Meeting.State.SUBMITTED
    meeting_filter = MeetingFilter(data, queryset=review_queue_for(request.user).order_by("submitted_at", "starts_at"),
                                   groups=groups_for(request.user))
    page = Paginator(meeting_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    data.pop("page", None)
    return render(request, "meetings/review_queue.html", {"filter": meeting_filter, "page": page, "query": data.urlencode()})
