"""A participant's 三评 page: the self-evaluation before the session, opinions in
advance, the live progress and the current speaker, mutual evaluations typed on one's
own device, and what comes back afterwards (the leader's comment, rectification items).

Every read goes through sanping.selectors (the visibility rules), every write through
sanping.services; a refusal becomes a message and the typed text stays on the page.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling, reswap, retarget, trigger_client_event

from meetings.models import Meeting, StaleEdit, TransitionError
from meetings.selectors import member_or_404
from meetings.views.records import error_messages
from members.decorators import login_required
from members.models import Member

from .. import audit, rules, services
from ..forms import MutualEvaluationForm, SelfEvaluationForm, participants_of
from ..models import MutualEvaluation, SanpingSession, SelfEvaluation
from ..selectors import (
    Viewer,
    comments_visible,
    items_visible,
    mutual_evaluations_visible,
    self_evaluations_visible,
    session_get_for,
    speaking_order,
    submission_status,
)

Stage = SanpingSession.Stage
# Meeting states in which the session can still change under the participant's eyes.
LIVE_STATES = (Meeting.State.SCHEDULED, Meeting.State.IN_PROGRESS)
MUTUAL_MODES = ("advance", "speaker", "others")


@dataclass
class Step:
    number: int
    label: str
    status: str  # "done", "active" or ""


def stage_steps(session: SanpingSession) -> list[Step]:
    return [
        Step(value, label, "done" if value < session.stage else "active" if value == session.stage else "")
        for value, label in Stage.choices
    ]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _live_context(session: SanpingSession, *, seen: tuple[int, int] | None = None, order=None) -> dict:
    """The progress block: the five stages, the speaking order with the current speaker,
    and a notice when the stage or the speaker changed since the page was drawn.
    `seen` is the (stage, current slot id or 0) the page was drawn with."""
    if order is None:
        order = speaking_order(session) if session.stage >= Stage.OPENING else []
    now = (session.stage, session.current_slot_id or 0)
    seen_stage, seen_slot = seen or now
    stage_changed = seen_stage != now[0]
    current = next((slot for slot in order if slot.pk == session.current_slot_id), None)
    return {
        "session": session,
        "steps": stage_steps(session),
        "order": order,
        "current": current,
        "current_position": order.index(current) + 1 if current else None,
        "seen_stage": seen_stage,
        "seen_slot": seen_slot,
        "stage_changed": stage_changed,
        "speaker_changed": not stage_changed and session.stage == Stage.EVALUATION and seen_slot != now[1],
        "polling": session.meeting.state in LIVE_STATES,
    }


def _participation(request, session: SanpingSession, viewer: Viewer) -> dict:
    """What the viewer may do on the page now (the same predicates the services ask)."""
    user = request.user
    record_open = rules.record_is_open(user, session)
    in_preparation = rules.in_preparation(user, session)
    return {
        "record_open": record_open,
        "in_preparation": in_preparation,
        "write_mutual": viewer.participant and record_open and (in_preparation or rules.in_evaluation(user, session)),
    }


def _page_context(request, session: SanpingSession, viewer: Viewer, *, self_form=None, mutual_form=None,
                  mutual_mode: str | None = None) -> dict:
    me = viewer.member
    can = _participation(request, session, viewer)
    evaluations = self_evaluations_visible(viewer, session)
    mine = next((e for e in evaluations if me is not None and e.member_id == me.pk), None)
    mutuals = mutual_evaluations_visible(viewer, session)
    order = speaking_order(session) if session.stage >= Stage.OPENING else []
    context = {
        "session": session,
        "meeting": session.meeting,
        "viewer": viewer,
        "can": can,
        "mine": mine,
        "received": [m for m in mutuals if me and m.evaluatee_id == me.pk],
        "given": [m for m in mutuals if me and m.evaluator_id == me.pk],
        "others_mutual": [m for m in mutuals if not me or me.pk not in (m.evaluator_id, m.evaluatee_id)],
        **_live_context(session, order=order),
    }
    if session.stage == Stage.PREPARATION:
        if mine is not None and viewer.participant:
            context["edit_self"] = can["in_preparation"] and mine.state == SelfEvaluation.State.DRAFT
            context["withdraw_self"] = can["in_preparation"] and mine.state == SelfEvaluation.State.SUBMITTED
            context["self_form"] = self_form or SelfEvaluationForm(
                initial={"problems": mine.problems, "causes": mine.causes, "direction": mine.direction, "version": mine.version}
            )
        if viewer.oversees:
            # Who has submitted, and the submitted material (never a draft: the selector keeps drafts out).
            submitted = {e.member_id: e for e in evaluations if e.is_submitted}
            rows = submission_status(session)
            context["submissions"] = [(row, submitted.get(row.member.pk)) for row in rows]
            context["submitted_count"] = sum(1 for row in rows if row.submitted)
        if can["write_mutual"]:
            context["colleagues"] = list(participants_of(session).exclude(pk=me.pk))
            context["advance_form"] = mutual_form if mutual_mode == "advance" else MutualEvaluationForm(session=session)
    else:
        speaker = context["current"].member if context["current"] else None
        context["speaker"] = speaker
        if speaker is not None:
            context["speaker_evaluation"] = next((e for e in evaluations if e.member_id == speaker.pk), None)
            context["speaker_mutuals"] = [m for m in mutuals if m.evaluatee_id == speaker.pk
                                          and (viewer.oversees or (me and m.evaluator_id == me.pk))]
            context["speaker_form_id"] = _form_id("speaker", speaker)
            context["speaker_list_id"] = _list_id("speaker", speaker)
            if can["write_mutual"] and session.stage == Stage.EVALUATION and me and speaker.pk != me.pk:
                mine_for_speaker = mutual_mode == "speaker" and _posted_pk(mutual_form) == speaker.pk
                context["speaker_form"] = mutual_form if mine_for_speaker else MutualEvaluationForm(
                    session=session, initial={"evaluatee": speaker.pk})
        if mutual_mode == "speaker" and mutual_form is not None and _posted_pk(mutual_form) != getattr(speaker, "pk", None):
            # A refused evaluation of someone who no longer has the floor: shown apart, about them, text kept.
            about = _posted_member(_posted_pk(mutual_form), session)
            if about is not None:
                context["unsent"] = {"form": mutual_form, "evaluatee": about, "form_id": _form_id("speaker", about),
                                     "list_id": _list_id("speaker", about)}
        if session.stage >= Stage.SUMMARY:
            context["comments"] = comments_visible(viewer, session)
            context["items"] = items_visible(viewer, session)
    return context


def _render_page(request, session: SanpingSession, viewer: Viewer, *, status: int = 200, **forms) -> HttpResponse:
    context = _page_context(request, session, viewer, **forms)
    _log_reads(viewer, session, context)
    return render(request, "sanping/session.html", context, status=status)


def _log_reads(viewer: Viewer, session: SanpingSession, context: dict) -> None:
    """What of other people's evaluations the page shows to one who oversees the session
    (the submitted material, the speaker's, the group's mutual evaluations, the comments)."""
    audit.evaluation_reads_record(
        viewer, session, page="session",
        self_evaluations=[e for _row, e in context.get("submissions", [])] + [context.get("speaker_evaluation")],
        mutuals=context.get("speaker_mutuals", []) + context["others_mutual"],
        comments=context.get("comments", []),
    )


@login_required
@require_GET
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_get_for(request.user, pk)
    return _render_page(request, session, Viewer.of(request.user, session))


@login_required
@require_GET
def live(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every 3 s: the progress and the speaker only, never the forms, so that
    nothing typed is lost; a notice offers a reload when the stage or speaker changed."""
    session = session_get_for(request.user, pk)
    seen_stage = _int(request.GET.get("stage"))
    seen = (seen_stage, _int(request.GET.get("slot")) or 0) if seen_stage is not None else None
    context = _live_context(session, seen=seen)
    # Rendered without the request's context processors (the notification count...): the
    # block needs none of them, and a poll should cost only what it shows.
    response = HttpResponse(render_to_string("sanping/_live.html", context))
    if not context["polling"]:
        response.status_code = HttpResponseStopPolling.status_code  # the meeting is over: htmx stops polling
    return response


# The self-evaluation -------------------------------------------------------------------


def _my_evaluation(viewer: Viewer, session: SanpingSession) -> SelfEvaluation:
    if viewer.member is None or not viewer.participant:
        raise Http404
    mine = next((e for e in self_evaluations_visible(viewer, session) if e.member_id == viewer.member.pk), None)
    if mine is None:
        raise Http404
    return mine


def _closed_message(session: SanpingSession) -> str:
    if session.stage > Stage.PREPARATION:
        return _("The session has opened: your material is the version you submitted and can no longer change.")
    return _("The meeting is no longer in preparation: your material can no longer change.")


@login_required
@require_POST
def self_evaluation_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave of the draft (htmx): 400 too long, 409 saved elsewhere or no longer editable;
    the page keeps the typed text in either case."""
    session = session_get_for(request.user, pk)
    viewer = Viewer.of(request.user, session)
    evaluation = _my_evaluation(viewer, session)
    form = SelfEvaluationForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return HttpResponse(" ".join(m for errors in form.errors.values() for m in errors), status=400)
        return _render_page(request, session, viewer, self_form=form, status=400)
    try:
        evaluation = services.self_evaluation_save(
            evaluation=evaluation, by=viewer.member, version=form.cleaned_data["version"], **form.texts()
        )
    except (StaleEdit, TransitionError, PermissionDenied) as error:
        message = _closed_message(session) if isinstance(error, PermissionDenied) else str(error)
        if request.htmx:
            return HttpResponse(message, status=409)
        form.add_error(None, message)
        return _render_page(request, session, viewer, self_form=form, status=409)
    if request.htmx:
        return render(request, "meetings/parts.html#autosave-meta", {"version": evaluation.version, "saved": True})
    messages.success(request, _("Draft saved. Only you can see it until you submit it."))
    return redirect("sanping:session", pk=pk)


@login_required
@require_POST
def self_evaluation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what is in the form (if it changed) and submit it; blank parts are refused
    with the service's message and the text stays in the form."""
    session = session_get_for(request.user, pk)
    viewer = Viewer.of(request.user, session)
    evaluation = _my_evaluation(viewer, session)
    form = SelfEvaluationForm(request.POST)
    if not form.is_valid():
        return _render_page(request, session, viewer, self_form=form, status=400)
    texts = form.texts()
    try:
        # An autosave may have stored this very text a moment ago: then there is nothing to save.
        if texts != {"problems": evaluation.problems, "causes": evaluation.causes, "direction": evaluation.direction}:
            evaluation = services.self_evaluation_save(
                evaluation=evaluation, by=viewer.member, version=form.cleaned_data["version"], **texts
            )
        services.self_evaluation_submit(evaluation=evaluation, by=viewer.member)
    except ValidationError as error:
        # The text was saved as a draft before the refusal: the form goes on from that version.
        data = request.POST.copy()
        data["version"] = evaluation.version
        form = SelfEvaluationForm(data)
        form.is_valid()
        _attach(form, error)
        return _render_page(request, session, viewer, self_form=form, status=400)
    except (StaleEdit, TransitionError, PermissionDenied) as error:
        form.add_error(None, _closed_message(session) if isinstance(error, PermissionDenied) else str(error))
        return _render_page(request, session, viewer, self_form=form, status=409)
    messages.success(request, _("Your self-evaluation is submitted. You can withdraw it to edit until the session opens."))
    return redirect("sanping:session", pk=pk)


@login_required
@require_POST
def self_evaluation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_get_for(request.user, pk)
    viewer = Viewer.of(request.user, session)
    evaluation = _my_evaluation(viewer, session)
    try:
        services.self_evaluation_withdraw(evaluation=evaluation, by=viewer.member)
    except (TransitionError, PermissionDenied) as error:
        messages.error(request, _closed_message(session) if isinstance(error, PermissionDenied) else str(error))
    else:
        messages.success(request, _("Withdrawn: edit your material and submit it again before the session opens."))
    return redirect("sanping:session", pk=pk)


def _attach(form, error: ValidationError) -> None:
    """A service's ValidationError on the fields it names, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(error))


# Mutual evaluations --------------------------------------------------------------------


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or ""
    if target.startswith("/") and target.isprintable() and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                    require_https=request.is_secure()):
        return target
    return None


def _mutual_context(request, session: SanpingSession, viewer: Viewer, *, mode: str, form, evaluatee: Member | None) -> dict:
    """What the mutual-evaluation partials need: the form and the list it adds to."""
    mutuals = mutual_evaluations_visible(viewer, session)
    me = viewer.member
    if mode == "advance":
        listed = [m for m in mutuals if m.evaluator_id == me.pk]
    else:
        listed = [m for m in mutuals if evaluatee and m.evaluatee_id == evaluatee.pk
                  and (viewer.oversees or m.evaluator_id == me.pk)]
    context = {"session": session, "viewer": viewer, "mode": mode, "form": form, "evaluatee": evaluatee, "listed": listed,
               "form_id": _form_id(mode, evaluatee), "list_id": _list_id(mode, evaluatee), "next": _safe_next(request) or ""}
    if mode == "advance":
        context["colleagues"] = list(participants_of(session).exclude(pk=me.pk))
    elif mode == "others":
        context["participants"] = list(participants_of(session).exclude(pk=evaluatee.pk)) if evaluatee else []
    return context


@login_required
@require_POST
def mutual_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A mutual evaluation: by a participant of a colleague (in advance during preparation,
    or of the current speaker during the evaluation), or recorded by the leader on behalf
    of its author (POST evaluator). htmx gets the updated list (and a fresh form) or the
    form with its errors; otherwise a redirect back with a message."""
    session = session_get_for(request.user, pk)
    viewer = Viewer.of(request.user, session)
    me = member_or_404(request.user)
    mode = request.POST.get("mode")
    if mode not in MUTUAL_MODES:
        mode = "advance" if session.stage == Stage.PREPARATION else "speaker"
    form = MutualEvaluationForm(request.POST, session=session)
    evaluator = None
    if form.is_valid():
        evaluator = form.cleaned_data["evaluator"]
        if evaluator is not None and evaluator.pk == me.pk:
            evaluator = None
    if (evaluator is not None and not viewer.runs) or (evaluator is None and not viewer.participant):
        raise PermissionDenied  # only the leader records for others; only participants write their own
    saved = None
    if form.is_valid():
        try:
            saved = services.mutual_evaluation_add(
                session=session, by=me, evaluatee=form.cleaned_data["evaluatee"], evaluator=evaluator,
                problems=form.cleaned_data["problems"], suggestions=form.cleaned_data["suggestions"],
            )
        except ValidationError as error:
            _attach(form, error)
        except PermissionDenied:
            form.add_error(None, _mutual_closed_message(session, for_others=evaluator is not None))
    evaluatee = form.cleaned_data.get("evaluatee") if hasattr(form, "cleaned_data") else None
    if request.htmx:
        return _mutual_htmx_response(request, session, viewer, mode=mode, form=form, saved=saved, evaluatee=evaluatee)
    if saved is not None:
        if saved.recorded_by_id is None:
            done = _("Your evaluation of %(name)s is recorded.") % {"name": saved.evaluatee.name}
        else:
            done = _("The evaluation of %(name)s by %(author)s is recorded.") % {
                "name": saved.evaluatee.name, "author": saved.evaluator.name}
        messages.success(request, done)
        return redirect(_safe_next(request) or reverse("sanping:session", args=[pk]))
    target = _safe_next(request)
    if target and target != reverse("sanping:session", args=[pk]):
        for message in [m for errors in form.errors.values() for m in errors]:
            messages.error(request, message)
        return redirect(target)
    return _render_page(request, session, viewer, mutual_form=form, mutual_mode=mode, status=400)


def _mutual_closed_message(session: SanpingSession, *, for_others: bool) -> str:
    if session.is_locked or session.meeting.state not in rules.RECORD_OPEN:
        return _("The record is closed: no more evaluations can be added.")
    if for_others:
        return _("Evaluations are recorded for others during the self- and mutual evaluation stage.")
    return _("Mutual evaluations are written as opinions in advance during preparation, or during the self- and mutual "
             "evaluation stage; not now.")


def _mutual_htmx_response(request, session, viewer, *, mode, form, saved: MutualEvaluation | None, evaluatee) -> HttpResponse:
    if saved is not None:
        evaluatee = saved.evaluatee
        fresh = MutualEvaluationForm(session=session, initial={"evaluatee": evaluatee.pk} if mode != "advance" else None)
        context = _mutual_context(request, session, viewer, mode=mode, form=fresh, evaluatee=evaluatee)
        context["just_saved"] = saved
        response = render(request, "sanping/_mutual.html#mutual-saved", context)
        retarget(response, "#" + _list_id(mode, evaluatee))
        reswap(response, "outerHTML")
        return trigger_client_event(response, "mutual-saved", after="receive")
    if mode != "advance" and evaluatee is None:
        evaluatee = _posted_member(request.POST.get("evaluatee"), session)
    context = _mutual_context(request, session, viewer, mode=mode, form=form, evaluatee=evaluatee)
    response = render(request, "sanping/_mutual.html#mutual-form", context)
    retarget(response, "#" + _form_id(mode, evaluatee))
    return reswap(response, "outerHTML")


def _posted_pk(form) -> int | None:
    return _int(form.data.get("evaluatee")) if form is not None and form.is_bound else None


def _posted_member(value, session: SanpingSession) -> Member | None:
    pk = _int(value)
    return participants_of(session).filter(pk=pk).first() if pk else None


def _form_id(mode: str, evaluatee: Member | None) -> str:
    return "mutual-form-advance" if mode == "advance" else f"mutual-form-{evaluatee.pk if evaluatee else 0}"


def _list_id(mode: str, evaluatee: Member | None) -> str:
    return "mutual-sent" if mode == "advance" else f"mutual-list-{evaluatee.pk if evaluatee else 0}"

