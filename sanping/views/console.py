"""The leader's chair console for the 三评 session, and the meeting-room projector.

The console follows the seed's procedure stage by stage (preparation, opening,
self- and mutual evaluation, summary and comments, rectification). Those who run the
session write through it; the branch's secretary and committee read it. Every read
goes through `sanping.selectors`, every write through `sanping.services`; a refusal
becomes a Chinese message (or, for htmx autosave, a 400/409 with the message), never
a 500. Without JavaScript every action is a plain form post that redirects back here.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meetings.models import Meeting, StaleEdit, TransitionError
from meetings.selectors import attendance_counts, meeting_record
from meetings.views.records import error_messages
from members.decorators import login_required
from members.models import Member

from .. import audit, selectors, services
from ..rules import RECORD_OPEN
from ..forms_console import (
    ClockForm,
    CommentForm,
    ItemForm,
    OpeningForm,
    OrderForm,
    SlotNotesForm,
    SpeakerForm,
    SummaryForm,
)
from ..models import MutualEvaluation, SanpingSession, SelfEvaluation, SpeakingSlot

Stage = SanpingSession.Stage
DOMAIN_ERRORS = (ValidationError, TransitionError, StaleEdit)


# Finding the session and who is looking -----------------------------------------------


def _console_session(request, pk: int) -> tuple[SanpingSession, selectors.Viewer]:
    """The session for those who run it or oversee it (403 for a plain member, 404 outside)."""
    session = selectors.session_get_for(request.user, pk)
    viewer = selectors.Viewer.of(request.user, session)
    if not viewer.oversees:
        raise PermissionDenied
    return session, viewer


def _by(viewer: selectors.Viewer) -> Member:
    if viewer.member is None:
        raise PermissionDenied
    return viewer.member


def _back(session: SanpingSession, anchor: str = "") -> HttpResponse:
    url = reverse("sanping:console", args=[session.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refusal_of_perm(request, session: SanpingSession, viewer: selectors.Viewer, perm: str) -> str | None:
    """Why the person who runs the session may not do this now, in words (None: they may).
    Those who only oversee it get 403: the console is read-only for them."""
    if request.user.has_perm(perm, session):
        return None
    if not viewer.runs:
        raise PermissionDenied
    if session.meeting.state not in RECORD_OPEN:
        return _("The record is with the branch or locked: the session can no longer change.")
    if perm == "sanping.summarise":
        return _("Reach the summary stage first.")
    if perm == "sanping.record_for_others":
        return _("Mutual evaluations are recorded during the self- and mutual evaluation.")
    raise PermissionDenied


def _refused(request, session: SanpingSession, message: str, anchor: str = "") -> HttpResponse:
    """A refusal before any service was called: a 400 for htmx, a message otherwise."""
    if request.htmx:
        return HttpResponse(message, status=400)
    messages.error(request, message)
    return _back(session, anchor)


def _report(request, error: Exception) -> None:
    for message in error_messages(error):
        messages.error(request, message)


def _first_error(form) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


def _refusal(error: Exception) -> str:
    return " ".join(error_messages(error))


# What each stage shows ------------------------------------------------------------------


@dataclass
class Turn:
    """A member's place in the console: their slot (if any), material and evaluations."""

    member: Member
    slot: SpeakingSlot | None = None
    evaluation: SelfEvaluation | None = None
    received: list | None = None
    comment: object = None
    items: list | None = None
    item_form: ItemForm | None = None
    comment_form: CommentForm | None = None

    @property
    def presented(self):
        """The version presented at the session, or None (no written material)."""
        return self.evaluation.presented if self.evaluation is not None else None


def _by_member(rows, key="member_id") -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _proposed_order(slots: list[SpeakingSlot], present: list[Member]) -> list[Member]:
    """The order as the service will take it: the saved order of those still present,
    then the other present members by name (as `session_advance` completes it)."""
    remaining = {m.pk: m for m in present}
    ordered = [remaining.pop(s.member_id) for s in slots if s.member_id in remaining]
    return ordered + [m for m in present if m.pk in remaining]


def _sources(turn: Turn) -> list[tuple[str, str]]:
    """The evaluations a member's rectification item may come from, as select options."""
    def short(text: str) -> str:
        return Truncator(" ".join(text.split())).chars(40)

    sources = []
    if turn.presented is not None:
        sources.append((f"self:{turn.evaluation.pk}", _("Self-evaluation: %(text)s") % {"text": short(turn.presented.problems)}))
    for mutual in turn.received or []:
        sources.append((f"mutual:{mutual.pk}", _("From %(name)s: %(text)s") % {"name": mutual.evaluator.name, "text": short(mutual.problems)}))
    return sources


def _order_context(session: SanpingSession, statuses) -> dict:
    present = [row.member for row in statuses if row.present]
    slots = selectors.speaking_order(session)
    return {"order": _proposed_order(slots, present), "order_saved": bool(slots)}


def _context(request, session: SanpingSession, viewer: selectors.Viewer, **overrides) -> dict:
    user = request.user
    meeting = session.meeting
    can = {
        "chair": user.has_perm("sanping.chair", session),
        "summarise": user.has_perm("sanping.summarise", session),
        "record_for_others": user.has_perm("sanping.record_for_others", session),
    }
    stage = session.stage
    context = {
        "session": session, "meeting": meeting, "viewer": viewer, "can": can, "Stage": Stage,
        "in_progress": meeting.state == Meeting.State.IN_PROGRESS,
        "opening_editable": can["chair"] and stage <= Stage.OPENING,
    }
    if stage <= Stage.OPENING:
        context["opening_form"] = overrides.get("opening_form") or OpeningForm(
            initial={"purpose": session.purpose, "method": session.method, "requirements": session.requirements,
                     "version": session.version})
    statuses = selectors.submission_status(session)
    context["statuses"] = statuses
    if stage == Stage.PREPARATION:
        context["submitted_count"] = sum(1 for row in statuses if row.submitted)
        context["previous"], context["previous_items"] = selectors.previous_rectification_report(meeting.group, meeting.starts_at)
        return context
    if stage == Stage.OPENING:
        record = meeting_record(meeting)
        can["attendance"] = user.has_perm("meetings.take_attendance", record)
        context.update({"meeting": record, "counts": attendance_counts(record), "attendances": list(record.attendances.all())})
        context.update(_order_context(session, statuses))
        return context

    slots = selectors.speaking_order(session)
    evaluations = {e.member_id: e for e in selectors.self_evaluations_visible(viewer, session)}
    received = _by_member(selectors.mutual_evaluations_visible(viewer, session), "evaluatee_id")
    slotted = {s.member_id for s in slots}
    turns = [Turn(member=s.member, slot=s) for s in slots]
    turns += [Turn(member=row.member) for row in statuses if row.member.pk not in slotted and not row.present]
    for turn in turns:
        turn.evaluation = evaluations.get(turn.member.pk)
        turn.received = received.get(turn.member.pk, [])
    on_leave = {row.member.pk for row in statuses if row.on_leave}
    context["turns"] = [t for t in turns if t.slot is not None]
    context["on_leave"] = [t for t in turns if t.slot is None and t.member.pk in on_leave]

    if stage == Stage.EVALUATION:
        current = next((t for t in turns if t.slot is not None and t.slot.pk == session.current_slot_id), None)
        context.update({
            "current": current,
            "next_turn": _next_turn(context["turns"], current),
            "spoken_count": sum(1 for t in context["turns"] if t.slot.spoke_at),
            "coverage": selectors.coverage(session),
            "authors": [row.member for row in statuses if row.present and (current is None or row.member.pk != current.member.pk)],
            "notes_form": overrides.get("notes_form"),
            **_clock(session),
        })
    elif stage == Stage.SUMMARY:
        comments = {c.member_id: c for c in selectors.comments_visible(viewer, session)}
        forms = overrides.get("comment_forms", {})
        for turn in turns:
            turn.comment = comments.get(turn.member.pk)
            turn.comment_form = forms.get(turn.member.pk)
        context["summary_form"] = overrides.get("summary_form") or SummaryForm(initial={
            "achievements": session.achievements, "shortcomings": session.shortcomings, "next_steps": session.next_steps,
            "version": session.version})
        context["commented"] = sum(1 for t in context["turns"] if t.comment)
    else:  # rectification
        items = _by_member(selectors.items_visible(viewer, session))
        forms = overrides.get("item_forms", {})
        for turn in turns:
            turn.items = items.get(turn.member.pk, [])
            turn.item_form = forms.get(turn.member.pk) or ItemForm(
                sources=_sources(turn), prefix=f"m{turn.member.pk}")
        context["missing_items"] = [t.member for t in context["turns"] if not t.items]
        context["all_turns"] = context["turns"] + context["on_leave"]
    # From the evaluation stage on, the console shows every member's material, the mutual
    # evaluations they received and the comments: the audit log keeps who read them.
    audit.evaluation_reads_record(
        viewer, session, page="console", self_evaluations=[t.evaluation for t in turns],
        mutuals=[m for t in turns for m in t.received], comments=[t.comment for t in turns],
    )
    return context


def _next_turn(turns: list[Turn], current: Turn | None) -> Turn | None:
    if current is None:
        return next((t for t in turns if not t.slot.spoke_at), turns[0] if turns else None)
    index = turns.index(current)
    later = [t for t in turns[index + 1:]] + [t for t in turns[:index] if not t.slot.spoke_at]
    return later[0] if later else None


# The console page and its polled parts --------------------------------------------------


@login_required
@require_GET
def console(request: HttpRequest, pk: int) -> HttpResponse:
    session, viewer = _console_session(request, pk)
    part = request.GET.get("part")
    if part == "mutual":
        return _mutual_part(request, session, viewer)
    if part == "order":
        if session.stage != Stage.OPENING:
            return HttpResponse(status=204)
        context = {"session": session, "can": {"chair": request.user.has_perm("sanping.chair", session)}}
        context.update(_order_context(session, selectors.submission_status(session)))
        return render(request, "sanping/_console_opening.html#order", context)
    return render(request, "sanping/console.html", _context(request, session, viewer))


def _mutual_part(request, session: SanpingSession, viewer) -> HttpResponse:
    """The mutual evaluations of one speaker, polled while they have the floor."""
    try:
        member_pk = int(request.GET.get("member", ""))
    except ValueError:
        raise Http404 from None
    received = [m for m in selectors.mutual_evaluations_visible(viewer, session) if m.evaluatee_id == member_pk]
    return _polled(request, "sanping/_console_evaluation.html#mutual-list",
                   {"session": session, "received": received, "member_pk": member_pk})


def _polled(request, template: str, context: dict) -> HttpResponse:
    """A part polled every few seconds: rendered without the site's context processors
    (the navigation's unread count), which it does not show, to keep each poll cheap."""
    return HttpResponse(render_to_string(template, context))


@login_required
@require_GET
def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has evaluated whom (polled): nobody should be skipped."""
    session, _viewer = _console_session(request, pk)
    return _polled(request, "sanping/_console_coverage.html#coverage", {"session": session, "coverage": selectors.coverage(session)})


# Opening texts, order, stages -----------------------------------------------------------


def _autosave_meta(request, version: int) -> HttpResponse:
    return render(request, "meetings/parts.html#autosave-meta", {"version": version, "saved": True})


def _autosave(request, session, viewer, form, save, *, form_key: str, anchor: str, success: str) -> HttpResponse:
    """An autosaved text (opening, notes, summary). For htmx: the autosave-meta part with
    the new version, or 400 (invalid, refused) / 409 (saved elsewhere) with the message;
    the page keeps the typed text. Without JS: back to the console, or the console again
    with what was typed and the refusal."""
    status = 400
    if form.is_valid():
        try:
            version = save(form.cleaned_data)
        except DOMAIN_ERRORS as error:
            status = 409 if isinstance(error, StaleEdit) else 400
            if request.htmx:
                return HttpResponse(_refusal(error), status=status)
            form.add_error(None, error_messages(error))
        else:
            if request.htmx:
                return _autosave_meta(request, version)
            messages.success(request, success)
            return _back(session, anchor)
    elif request.htmx:
        return HttpResponse(_first_error(form), status=400)
    return render(request, "sanping/console.html", _context(request, session, viewer, **{form_key: form}), status=status)


@login_required
@require_POST
def opening_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The opening texts, before and during the opening."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.chair"):
        return _refused(request, session, refusal, "opening")

    def save(data) -> int:
        return services.opening_save(session=session, by=_by(viewer), purpose=data["purpose"], method=data["method"],
                                     requirements=data["requirements"], version=data["version"]).version

    return _autosave(request, session, viewer, OpeningForm(request.POST), save, form_key="opening_form", anchor="opening",
                     success=_("The opening texts are saved."))


@login_required
@require_POST
def order_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The speaking order: the whole list, with an optional up/down move applied."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.chair"):
        return _refused(request, session, refusal, "order")
    form = OrderForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.speaking_order_set(session=session, by=_by(viewer), member_ids=form.order())
        except DOMAIN_ERRORS as exc:
            error = _refusal(exc)
    else:
        error = _first_error(form)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _back(session, "order")
    context = {"session": session, "can": {"chair": request.user.has_perm("sanping.chair", session)}, "order_error": error}
    context.update(_order_context(session, selectors.submission_status(session)))
    return render(request, "sanping/_console_opening.html#order", context)


def _move_stage(request, pk: int, move, *, level: int, text: str) -> HttpResponse:
    """Move the session one stage with the service `move`, then tell the new stage:
    `text` with its %(stage)s filled in, at the messages `level`."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.chair"):
        return _refused(request, session, refusal)
    try:
        session = move(session=session, by=_by(viewer))
    except DOMAIN_ERRORS as error:
        _report(request, error)
    else:
        messages.add_message(request, level, text % {"stage": session.get_stage_display()})
    return _back(session)


@login_required
@require_POST
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _move_stage(request, pk, services.session_advance, level=messages.SUCCESS, text=_("Now: %(stage)s."))


@login_required
@require_POST
def step_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _move_stage(request, pk, services.session_step_back, level=messages.INFO, text=_("Back to: %(stage)s."))


# Self- and mutual evaluation -------------------------------------------------------------


@login_required
@require_POST
def speaker_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the floor to a member of the speaking order (the clock starts from zero)."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.chair"):
        return _refused(request, session, refusal, "speaker")
    form = SpeakerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(session)
    slot = next((s for s in selectors.speaking_order(session) if s.pk == form.cleaned_data["slot"]), None)
    if slot is None:
        messages.error(request, _("This member is not in this session's speaking order."))
        return _back(session)
    try:
        services.speaker_set(session=session, by=_by(viewer), slot=slot)
    except DOMAIN_ERRORS as error:
        _report(request, error)
    else:
        messages.success(request, _("%(name)s has the floor.") % {"name": slot.member.name})
    return _back(session, "speaker")


@login_required
@require_POST
def slot_notes(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    """The leader's record of what a speaker said (the leader records personally: the seed)."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.chair"):
        return _refused(request, session, refusal, "notes")
    slot = next((s for s in selectors.speaking_order(session) if s.pk == slot_pk), None)
    if slot is None:
        raise Http404
    form = SlotNotesForm(request.POST)

    def save(data) -> int:
        return services.slot_notes_save(slot=slot, by=_by(viewer), notes=data["notes"], version=data["version"]).notes_version

    success = _("The record of %(name)s's self-evaluation is saved.") % {"name": slot.member.name}
    if request.htmx or slot.pk == session.current_slot_id:
        return _autosave(request, session, viewer, form, save, form_key="notes_form", anchor="notes", success=success)
    # A plain post for an earlier speaker, whose notes are no longer on the page.
    try:
        if not form.is_valid():
            raise ValidationError(_first_error(form))
        save(form.cleaned_data)
    except DOMAIN_ERRORS as error:
        _report(request, error)
    else:
        messages.success(request, success)
    return _back(session, "notes")


@login_required
@require_POST
def clock(request: HttpRequest, pk: int) -> HttpResponse:
    """Start, stop or reset the speaking clock shown on the projector."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.chair"):
        return _refused(request, session, refusal, "speaker")
    form = ClockForm(request.POST)
    error = None
    if form.is_valid():
        try:
            session = services.clock_set(session=session, by=_by(viewer), action=form.cleaned_data["action"])
        except DOMAIN_ERRORS as exc:
            error = _refusal(exc)
    else:
        error = _first_error(form)
    if request.htmx:
        return render(request, "sanping/_console_evaluation.html#clock",
                      {"session": session, "can": {"chair": True}, "clock_error": error, **_clock(session)})
    if error:
        messages.error(request, error)
    return _back(session, "speaker")


def _ms(moment) -> int | None:
    return int(moment.timestamp() * 1000) if moment is not None else None


def _clock(session: SanpingSession) -> dict:
    """The speaking clock as the page first shows it; the browser then ticks it from
    the server's clock_seconds and clock_started_at (corrected for its own clock)."""
    now = timezone.now()
    elapsed = session.clock_elapsed(now)
    return {
        "clock_running": session.clock_started_at is not None, "clock_started_ms": _ms(session.clock_started_at),
        "clock_now_ms": _ms(now), "clock_text": f"{elapsed // 60:02d}:{elapsed % 60:02d}",
    }


# Summary and comments --------------------------------------------------------------------


@login_required
@require_POST
def summary_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The overall summary in three parts: achievements, shortcomings, next steps."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.summarise"):
        return _refused(request, session, refusal, "summary")

    def save(data) -> int:
        return services.summary_save(session=session, by=_by(viewer), achievements=data["achievements"],
                                     shortcomings=data["shortcomings"], next_steps=data["next_steps"], version=data["version"]).version

    return _autosave(request, session, viewer, SummaryForm(request.POST), save, form_key="summary_form", anchor="summary",
                     success=_("The summary is saved."))


def _participant(session: SanpingSession, member_pk) -> Member | None:
    return next((row.member for row in selectors.submission_status(session) if str(row.member.pk) == str(member_pk)), None)


@login_required
@require_POST
def comment_save(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """The leader's comment on one member (autosave, or a plain post)."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.summarise"):
        return _refused(request, session, refusal, "comments")
    member = _participant(session, member_pk)
    if member is None:
        raise Http404
    form = CommentForm(request.POST)
    error = None
    if form.is_valid():
        try:
            comment = services.comment_save(session=session, by=_by(viewer), member=member, text=form.cleaned_data["text"])
        except DOMAIN_ERRORS as exc:
            error = _refusal(exc)
    else:
        error = _first_error(form)
    if request.htmx:
        if error:
            return HttpResponse(error, status=400)
        return _autosave_meta(request, comment.version)
    if error:
        if not form.errors:
            form.add_error(None, error)
        return render(request, "sanping/console.html",
                      _context(request, session, viewer, comment_forms={member.pk: form}), status=400)
    messages.success(request, _("The comment on %(name)s is saved.") % {"name": member.name})
    return _back(session, f"member-{member.pk}")


# Rectification ---------------------------------------------------------------------------


def _source(viewer, session: SanpingSession, value: str):
    """The evaluation a `self:<id>` / `mutual:<id>` choice names, among those the viewer sees."""
    kind, _sep, pk = (value or "").partition(":")
    if kind == "self":
        return next((e for e in selectors.self_evaluations_visible(viewer, session) if str(e.pk) == pk), None)
    if kind == "mutual":
        return next((m for m in selectors.mutual_evaluations_visible(viewer, session) if str(m.pk) == pk), None)
    return None


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.summarise"):
        return _refused(request, session, refusal, "items")
    member = _participant(session, request.POST.get("member", ""))
    if member is None:
        messages.error(request, _("Choose the member."))
        return _back(session, "items")
    prefix = f"m{member.pk}"
    form = ItemForm(request.POST, prefix=prefix, sources=_sources_of(viewer, session, member))
    if form.is_valid():
        data = form.cleaned_data
        source = _source(viewer, session, data["source"])
        problem = data["problem"]
        if not problem.strip() and source is not None:
            problem = source.presented.problems if isinstance(source, SelfEvaluation) and source.presented else source.problems
        try:
            services.rectification_add(
                session=session, by=_by(viewer), member=member, problem=problem, measure=data["measure"],
                deadline=data["deadline"],
                source_self_evaluation=source if isinstance(source, SelfEvaluation) else None,
                source_mutual_evaluation=source if isinstance(source, MutualEvaluation) else None,
            )
        except DOMAIN_ERRORS as error:
            _attach(form, error)
        else:
            messages.success(request, _("Rectification item added for %(name)s.") % {"name": member.name})
            return _back(session, f"member-{member.pk}")
    return render(request, "sanping/console.html", _context(request, session, viewer, item_forms={member.pk: form}), status=400)


def _sources_of(viewer, session: SanpingSession, member: Member) -> list[tuple[str, str]]:
    evaluation = next((e for e in selectors.self_evaluations_visible(viewer, session) if e.member_id == member.pk), None)
    received = [m for m in selectors.mutual_evaluations_visible(viewer, session) if m.evaluatee_id == member.pk]
    return _sources(Turn(member=member, evaluation=evaluation, received=received))


def _attach(form, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = {"source_self_evaluation": "source", "source_mutual_evaluation": "source"}.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(error))


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.summarise"):
        return _refused(request, session, refusal, "items")
    item = next((i for i in selectors.items_visible(viewer, session) if i.pk == item_pk), None)
    if item is None:
        raise Http404
    try:
        services.rectification_remove(item=item, by=_by(viewer))
    except DOMAIN_ERRORS as error:
        _report(request, error)
    else:
        messages.success(request, _("Rectification item removed."))
    return _back(session, f"member-{item.member_id}")


@login_required
@require_POST
def finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the meeting; the minutes and the review follow on the record page."""
    session, viewer = _console_session(request, pk)
    if refusal := _refusal_of_perm(request, session, viewer, "sanping.chair"):
        return _refused(request, session, refusal, "finish")
    try:
        services.session_finish(session=session, by=_by(viewer))
    except DOMAIN_ERRORS as error:
        _report(request, error)
        return _back(session, "finish")
    messages.success(request, _("The meeting is closed."))
    return _back(session, "finish")


# The projector ---------------------------------------------------------------------------


def _projector_state(session: SanpingSession) -> dict:
    """What the meeting-room screen shows. The clock is sent as the server keeps it
    (seconds run before, the moment it was started, the server's now) for the browser
    to tick; times are also given in epoch milliseconds for JavaScript."""
    slots = selectors.speaking_order(session)
    order = [{"id": s.pk, "position": s.position, "name": s.member.name, "spoke": s.spoke_at is not None} for s in slots]
    if session.stage == Stage.OPENING:  # the order being arranged, as the console shows it
        present = [row.member for row in selectors.submission_status(session) if row.present]
        order = [{"id": None, "position": n, "name": m.name, "spoke": False}
                 for n, m in enumerate(_proposed_order(slots, present), start=1)]
    clock = _clock(session)
    return {
        "stage": session.stage,
        "stage_label": str(session.get_stage_display()),
        "current": session.current_slot_id,
        "order": order,
        "clock_seconds": session.clock_seconds,
        "clock_started_at": session.clock_started_at.isoformat() if session.clock_started_at else None,
        "clock_started_ms": clock["clock_started_ms"],
        "server_now_ms": clock["clock_now_ms"],
        "clock_text": clock["clock_text"],
        "clock_visible": session.stage == Stage.EVALUATION,
    }


@login_required
@require_GET
def projector(request: HttpRequest, pk: int) -> HttpResponse:
    """Read-only, full screen, for the meeting room: anyone who may see the session."""
    session = selectors.session_get_for(request.user, pk)
    state = _projector_state(session)
    current = next((s for s in state["order"] if s["id"] == state["current"]), None)
    return render(request, "sanping/projector.html", {"session": session, "meeting": session.meeting, "state": state,
                                                      "current": current, "Stage": Stage})


@login_required
@require_GET
def projector_state(request: HttpRequest, pk: int) -> JsonResponse:
    session = selectors.session_get_for(request.user, pk)
    return JsonResponse(_projector_state(session))
