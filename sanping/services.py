"""Every write of the 三评 session: one function per action, keyword-only and atomic.

Each checks permission (PermissionDenied), the stage (TransitionError) and, for text
that two tabs could edit, the version (StaleEdit). Blank text is refused with a
ValidationError whose message is for the user.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, StaleEdit, TransitionError
from members.models import Member

from .models import (
    TEXT_LIMIT,
    DEFAULT_METHOD,
    DEFAULT_PURPOSE,
    DEFAULT_REQUIREMENTS,
    GuidanceRemark,
    LeaderComment,
    MutualEvaluation,
    RectificationItem,
    RectificationProgress,
    SanpingSession,
    SelfEvaluation,
    SelfEvaluationVersion,
    SpeakingSlot,
)

Stage = SanpingSession.Stage


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _text(value: str, message: str, field: str) -> str:
    """Required text, stripped; refused when blank or longer than TEXT_LIMIT."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > TEXT_LIMIT:
        raise ValidationError({field: _("At most %(limit)d characters (this text has %(length)d).")
                               % {"limit": TEXT_LIMIT, "length": len(value)}})
    return value


def _lock_session(session: SanpingSession) -> SanpingSession:
    return SanpingSession.objects.select_for_update().select_related("meeting__group").get(pk=session.pk)


def _bump(session: SanpingSession, *fields: str) -> None:
    session.version += 1
    session.save(update_fields=[*fields, "version", "updated_at"])


def participants(session: SanpingSession) -> list[Member]:
    """The members expected at the session (guests are not participants)."""
    return [
        a.member for a in Attendance.objects.filter(meeting_id=session.meeting_id, is_guest=False).select_related("member")
    ]


def _require_participant(session: SanpingSession, member: Member, field: str) -> None:
    if not Attendance.objects.filter(meeting_id=session.meeting_id, member=member, is_guest=False).exists():
        raise ValidationError({field: _("%(name)s is not a member of this group's session.") % {"name": member.name}})


# Preparation ---------------------------------------------------------------------


@transaction.atomic
def session_ensure(meeting: Meeting) -> SanpingSession:
    """The session of a 三评 meeting, created with the seed's defaults and a draft
    self-evaluation for every expected member (and for any added later)."""
    if meeting.kind != Meeting.Kind.SANPING:
        raise ValidationError(_("This meeting is not a 三评 session."))
    with translation.override("zh-hans"):  # the record's language
        session, _created = SanpingSession.objects.get_or_create(
            meeting=meeting,
            defaults={"purpose": str(DEFAULT_PURPOSE), "method": str(DEFAULT_METHOD), "requirements": str(DEFAULT_REQUIREMENTS)},
        )
    if session.stage == Stage.PREPARATION:
        have = set(session.self_evaluations.values_list("member_id", flat=True))
        missing = [m for m in participants(session) if m.pk not in have]
        # With simple-history's bulk create: each draft starts its history, as a saved one would.
        bulk_create_with_history([SelfEvaluation(session=session, member=m) for m in missing], SelfEvaluation,
                                 ignore_conflicts=True)
    return session


@transaction.atomic
def self_evaluation_save(
    *, evaluation: SelfEvaluation, by: Member, problems: str, causes: str, direction: str, version: int
) -> SelfEvaluation:
    """Save the author's draft (autosave). A second tab with an older version is refused."""
    evaluation = SelfEvaluation.objects.select_for_update().select_related("session__meeting__group").get(pk=evaluation.pk)
    require(by.user.has_perm("sanping.change_selfevaluation", evaluation))
    if evaluation.state != SelfEvaluation.State.DRAFT:
        raise TransitionError(_("Your material is submitted; withdraw it to change it."))
    if evaluation.version != version:
        raise StaleEdit(_("This material was saved from another tab or device in the meantime. Your text is kept "
                          "here; reload the page to see the saved version, then merge."))
    evaluation.problems, evaluation.causes, evaluation.direction = problems, causes, direction
    evaluation.version += 1
    evaluation.save()
    return evaluation


@transaction.atomic
def self_evaluation_submit(*, evaluation: SelfEvaluation, by: Member) -> SelfEvaluation:
    """Submit the draft: a new numbered version is kept, and the leader sees it submitted."""
    evaluation = SelfEvaluation.objects.select_for_update().select_related("session__meeting__group").get(pk=evaluation.pk)
    require(by.user.has_perm("sanping.change_selfevaluation", evaluation))
    if evaluation.state != SelfEvaluation.State.DRAFT:
        raise TransitionError(_("This material is already submitted."))
    problems = _text(evaluation.problems, _("Write the problems you found before submitting."), "problems")
    causes = _text(evaluation.causes, _("Analyse the causes before submitting."), "causes")
    direction = _text(evaluation.direction, _("Give the direction of rectification before submitting."), "direction")
    number = (evaluation.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    SelfEvaluationVersion.objects.create(evaluation=evaluation, number=number, problems=problems, causes=causes, direction=direction)
    evaluation.state = SelfEvaluation.State.SUBMITTED
    evaluation.version += 1
    evaluation.save()
    return evaluation


@transaction.atomic
def self_evaluation_withdraw(*, evaluation: SelfEvaluation, by: Member) -> SelfEvaluation:
    """Back to draft, until the session opens; the submitted version stays in the history."""
    evaluation = SelfEvaluation.objects.select_for_update().select_related("session__meeting__group").get(pk=evaluation.pk)
    require(by.user.has_perm("sanping.change_selfevaluation", evaluation))
    if evaluation.state != SelfEvaluation.State.SUBMITTED:
        raise TransitionError(_("Only submitted material can be withdrawn."))
    evaluation.state = SelfEvaluation.State.DRAFT
    evaluation.version += 1
    evaluation.save()
    return evaluation


@transaction.atomic
def mutual_evaluation_add(
    *, session: SanpingSession, by: Member, evaluatee: Member, problems: str, suggestions: str = "",
    evaluator: Member | None = None,
) -> MutualEvaluation:
    """A member's opinion of another: in advance during preparation (征求意见), or during the
    evaluation stage, typed by the author or recorded by the leader on their behalf."""
    session = _lock_session(session)
    evaluator = evaluator or by
    if evaluator.pk == by.pk:
        require(by.user.has_perm("sanping.add_mutualevaluation", session))
    else:
        require(by.user.has_perm("sanping.record_for_others", session))
    if evaluatee.pk == evaluator.pk:
        raise ValidationError({"evaluatee": _("A mutual evaluation is of another member, not of oneself.")})
    _require_participant(session, evaluatee, "evaluatee")
    _require_participant(session, evaluator, "evaluator")
    problems = _text(problems, _("Write the problems and shortcomings you point out."), "problems")
    return MutualEvaluation.objects.create(
        session=session, evaluator=evaluator, evaluatee=evaluatee, problems=problems, suggestions=(suggestions or "").strip(),
        in_advance=session.stage == Stage.PREPARATION, recorded_by=by if evaluator.pk != by.pk else None,
    )


# The leader's console ----------------------------------------------------------------


@transaction.atomic
def opening_save(*, session: SanpingSession, by: Member, purpose: str, method: str, requirements: str, version: int) -> SanpingSession:
    """Edit the opening texts, before or during the meeting (until evaluation starts)."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.chair", session))
    if session.stage > Stage.OPENING:
        raise TransitionError(_("The opening is over; its texts can no longer change."))
    if session.version != version:
        raise StaleEdit(_("The opening texts were saved elsewhere in the meantime. Your text is kept here; reload to see theirs."))
    session.purpose, session.method, session.requirements = purpose, method, requirements
    _bump(session, "purpose", "method", "requirements")
    return session


def _present_members(session: SanpingSession) -> list[Member]:
    return [
        a.member for a in Attendance.objects.filter(
            meeting_id=session.meeting_id, is_guest=False, status=Attendance.Status.PRESENT
        ).select_related("member").order_by("member__name")
    ]


@transaction.atomic
def speaking_order_set(*, session: SanpingSession, by: Member, member_ids: Sequence[int]) -> list[SpeakingSlot]:
    """Set the speaking order: exactly the members marked present, in the order given."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.chair", session))
    if session.stage != Stage.OPENING:
        raise TransitionError(_("The speaking order is set during the opening."))
    present = {m.pk: m for m in _present_members(session)}
    ids = [int(pk) for pk in member_ids]
    if sorted(ids) != sorted(present) or len(set(ids)) != len(ids):
        raise ValidationError(_("The speaking order must list every member present, once each."))
    session.current_slot = None
    session.save(update_fields=["current_slot", "updated_at"])
    session.slots.all().delete()  # one history row per deleted slot (simple-history's post_delete)
    return bulk_create_with_history(
        [SpeakingSlot(session=session, member=present[pk], position=n) for n, pk in enumerate(ids, start=1)],
        SpeakingSlot, default_user=by.user,
    )


def _ensure_order(session: SanpingSession) -> None:
    """Present members not in the order yet go to its end; absent ones leave it."""
    present = _present_members(session)
    slots = list(session.slots.all())
    present_ids = {m.pk for m in present}
    for slot in slots:
        if slot.member_id not in present_ids and slot.spoke_at is None:
            slot.delete()
    have = {s.member_id for s in session.slots.all()}
    position = session.slots.aggregate(n=Max("position"))["n"] or 0
    for member in present:
        if member.pk not in have:
            position += 1
            SpeakingSlot.objects.create(session=session, member=member, position=position)


@transaction.atomic
def session_advance(*, session: SanpingSession, by: Member) -> SanpingSession:
    """Move the session to its next stage, checking that the present one is complete."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.chair", session))
    meeting = session.meeting
    if session.stage == Stage.PREPARATION:
        meeting_services.meeting_open(meeting=meeting, by=by)  # on its day, from scheduled only
        for evaluation in session.self_evaluations.filter(state=SelfEvaluation.State.SUBMITTED):
            evaluation.presented = evaluation.versions.order_by("-number").first()
            evaluation.save(update_fields=["presented", "updated_at"])
        session.opened_at = timezone.now()
    elif session.stage == Stage.OPENING:
        unmarked = Attendance.objects.filter(meeting=meeting, is_guest=False, status=Attendance.Status.UNMARKED)
        if unmarked.exists():
            names = "、".join(unmarked.values_list("member__name", flat=True))
            raise TransitionError(_("Take attendance first: %(names)s not yet marked.") % {"names": names})
        _ensure_order(session)
        first = session.slots.order_by("position").first()
        if first is None:
            raise TransitionError(_("Nobody is present to speak."))
        first.spoke_at = first.spoke_at or timezone.now()
        first.save(update_fields=["spoke_at"])
        session.current_slot = first
    elif session.stage == Stage.EVALUATION:
        waiting = session.slots.filter(spoke_at__isnull=True).select_related("member")
        if waiting.exists():
            names = "、".join(s.member.name for s in waiting)
            raise TransitionError(_("Not everyone has spoken yet: %(names)s.") % {"names": names})
        session.current_slot = None
    elif session.stage == Stage.SUMMARY:
        for part, label in ((session.achievements, _("achievements")), (session.shortcomings, _("shortcomings")),
                            (session.next_steps, _("next steps"))):
            if not part.strip():
                raise TransitionError(_("Write the summary's part on %(part)s first.") % {"part": label})
        commented = set(session.comments.values_list("member_id", flat=True))
        missing = [s.member.name for s in session.slots.select_related("member") if s.member_id not in commented]
        if missing:
            raise TransitionError(_("Comment on every member who spoke first: %(names)s.") % {"names": "、".join(missing)})
    else:
        raise TransitionError(_("This is the last stage: finish the session to close the meeting."))
    session.stage += 1
    _bump(session, "stage", "opened_at", "current_slot")
    return session


@transaction.atomic
def session_step_back(*, session: SanpingSession, by: Member) -> SanpingSession:
    """Go back one stage (not before the opening), while the record is not yet submitted."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.chair", session))
    if session.meeting.state not in (Meeting.State.IN_PROGRESS,):
        raise TransitionError(_("The meeting is closed; its stages can no longer change."))
    if session.stage <= Stage.OPENING:
        raise TransitionError(_("The session has opened: it cannot go back to preparation."))
    session.stage -= 1
    if session.stage == Stage.EVALUATION:
        session.current_slot = session.slots.order_by("-position").first()
    elif session.stage == Stage.OPENING:
        session.current_slot = None
    _bump(session, "stage", "current_slot")
    return session


@transaction.atomic
def speaker_set(*, session: SanpingSession, by: Member, slot: SpeakingSlot) -> SanpingSession:
    """Give the floor to the member of `slot`; their turn is marked as taken."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.chair", session))
    if session.stage != Stage.EVALUATION:
        raise TransitionError(_("Speakers take the floor during the self- and mutual evaluation."))
    if slot.session_id != session.pk:
        raise ValidationError(_("This member is not in this session's speaking order."))
    if slot.spoke_at is None:
        slot.spoke_at = timezone.now()
        slot.save(update_fields=["spoke_at"])
    session.current_slot = slot
    session.clock_started_at, session.clock_seconds = None, 0  # each speaker's clock starts from zero
    session.save(update_fields=["current_slot", "clock_started_at", "clock_seconds", "updated_at"])
    return session


@transaction.atomic
def slot_notes_save(*, slot: SpeakingSlot, by: Member, notes: str, version: int) -> SpeakingSlot:
    """The leader's record of what a speaker said (the leader records personally: the seed)."""
    slot = SpeakingSlot.objects.select_related("session__meeting__group").get(pk=slot.pk)
    require(by.user.has_perm("sanping.chair", slot.session))
    if slot.session.stage < Stage.EVALUATION or slot.spoke_at is None:
        raise TransitionError(_("This member has not had the floor yet."))
    updated = SpeakingSlot.objects.filter(pk=slot.pk, notes_version=version).update(notes=notes, notes_version=F("notes_version") + 1)
    if not updated:
        raise StaleEdit(_("These notes were saved elsewhere in the meantime. Your text is kept here; reload to see theirs."))
    slot.refresh_from_db()
    slot.save()  # a history row per saved version
    return slot


@transaction.atomic
def summary_save(*, session: SanpingSession, by: Member, achievements: str, shortcomings: str, next_steps: str, version: int) -> SanpingSession:
    """The leader's overall summary in three parts."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.summarise", session))
    if session.version != version:
        raise StaleEdit(_("The summary was saved elsewhere in the meantime. Your text is kept here; reload to see theirs."))
    session.achievements, session.shortcomings, session.next_steps = achievements, shortcomings, next_steps
    _bump(session, "achievements", "shortcomings", "next_steps")
    return session


@transaction.atomic
def comment_save(*, session: SanpingSession, by: Member, member: Member, text: str) -> LeaderComment:
    """The leader's comment on one member's self- and mutual evaluation (create or replace)."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.summarise", session))
    _require_participant(session, member, "member")
    text = _text(text, _("Write the comment."), "text")
    comment, created = LeaderComment.objects.get_or_create(session=session, member=member, defaults={"text": text})
    if not created and comment.text != text:
        comment.text = text
        comment.version += 1
        comment.save()
    return comment


@transaction.atomic
def rectification_add(
    *, session: SanpingSession, by: Member, member: Member, problem: str, measure: str, deadline: datetime.date,
    source_self_evaluation: SelfEvaluation | None = None, source_mutual_evaluation: MutualEvaluation | None = None,
) -> RectificationItem:
    """A rectification item for a member: the problem, the concrete measure, the deadline."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.summarise", session))
    _require_participant(session, member, "member")
    problem = _text(problem, _("Name the problem to rectify."), "problem")
    measure = _text(measure, _("Give a concrete measure."), "measure")
    if deadline is None or deadline < timezone.localdate(session.meeting.starts_at):
        raise ValidationError({"deadline": _("The deadline must be after the session.")})
    if source_self_evaluation and (source_self_evaluation.session_id != session.pk or source_self_evaluation.member_id != member.pk):
        raise ValidationError({"source_self_evaluation": _("That self-evaluation is not this member's in this session.")})
    if source_mutual_evaluation and (source_mutual_evaluation.session_id != session.pk or source_mutual_evaluation.evaluatee_id != member.pk):
        raise ValidationError({"source_mutual_evaluation": _("That mutual evaluation is not about this member in this session.")})
    return RectificationItem.objects.create(
        session=session, member=member, problem=problem, measure=measure, deadline=deadline,
        source_self_evaluation=source_self_evaluation, source_mutual_evaluation=source_mutual_evaluation,
    )


@transaction.atomic
def rectification_remove(*, item: RectificationItem, by: Member) -> None:
    item = RectificationItem.objects.select_related("session__meeting__group").get(pk=item.pk)
    require(by.user.has_perm("sanping.summarise", item.session))
    item.delete()


@transaction.atomic
def session_finish(*, session: SanpingSession, by: Member) -> Meeting:
    """Close the meeting at the end of the rectification stage: every member who spoke
    has at least one item. The record then goes to review like any meeting's."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.chair", session))
    if session.stage != Stage.RECTIFICATION:
        raise TransitionError(_("Reach the rectification stage first."))
    with_items = set(session.rectification_items.values_list("member_id", flat=True))
    missing = [s.member.name for s in session.slots.select_related("member") if s.member_id not in with_items]
    if missing:
        raise TransitionError(_("Set at least one rectification item for: %(names)s.") % {"names": "、".join(missing)})
    return meeting_services.meeting_close(meeting=session.meeting, by=by)


# Rectification after the meeting (goes on after approval) ----------------------------


def _lock_item(item: RectificationItem) -> RectificationItem:
    return RectificationItem.objects.select_for_update().select_related("session__meeting__group", "member").get(pk=item.pk)


@transaction.atomic
def rectification_progress(*, item: RectificationItem, by: Member, note: str) -> RectificationProgress:
    item = _lock_item(item)
    require(by.user.has_perm("sanping.progress_rectificationitem", item))
    note = _text(note, _("Write what was done."), "note")
    return RectificationProgress.objects.create(item=item, by=by, note=note)


@transaction.atomic
def rectification_mark_done(*, item: RectificationItem, by: Member, evidence: str = "") -> RectificationItem:
    """The member marks the item done, with an optional note of evidence; the leader verifies it."""
    item = _lock_item(item)
    require(by.user.has_perm("sanping.progress_rectificationitem", item))
    item.state = RectificationItem.State.DONE
    item.evidence = (evidence or "").strip()
    item.done_at = timezone.now()
    item.save()
    RectificationProgress.objects.create(item=item, by=by, kind=RectificationProgress.Kind.DONE, note=item.evidence)
    return item


@transaction.atomic
def rectification_verify(*, item: RectificationItem, by: Member) -> RectificationItem:
    item = _lock_item(item)
    require(by.user.has_perm("sanping.verify_rectificationitem", item))
    item.state = RectificationItem.State.VERIFIED
    item.verified_at, item.verified_by = timezone.now(), by
    item.save()
    RectificationProgress.objects.create(item=item, by=by, kind=RectificationProgress.Kind.VERIFIED)
    return item


@transaction.atomic
def rectification_send_back(*, item: RectificationItem, by: Member, note: str) -> RectificationItem:
    """The leader finds the item not done yet: back to the member, with the reason."""
    item = _lock_item(item)
    require(by.user.has_perm("sanping.verify_rectificationitem", item))
    note = _text(note, _("Say why it is sent back."), "note")
    item.state = RectificationItem.State.OPEN
    item.done_at = None
    item.save()
    RectificationProgress.objects.create(item=item, by=by, kind=RectificationProgress.Kind.SENT_BACK, note=note)
    return item


# Guidance and the clock ------------------------------------------------------------


@transaction.atomic
def guidance_add(*, session: SanpingSession, by: Member, text: str) -> GuidanceRemark:
    session = _lock_session(session)
    require(by.user.has_perm("sanping.guide", session))
    return GuidanceRemark.objects.create(session=session, by=by, text=_text(text, _("Write the remark."), "text"))


@transaction.atomic
def clock_set(*, session: SanpingSession, by: Member, action: str) -> SanpingSession:
    """Start, stop or reset the projector's speaking clock."""
    session = _lock_session(session)
    require(by.user.has_perm("sanping.chair", session))
    now = timezone.now()
    if action == "start" and session.clock_started_at is None:
        session.clock_started_at = now
    elif action == "stop" and session.clock_started_at is not None:
        session.clock_seconds = session.clock_elapsed(now)
        session.clock_started_at = None
    elif action == "reset":
        session.clock_started_at, session.clock_seconds = None, 0
    session.save(update_fields=["clock_started_at", "clock_seconds", "updated_at"])
    return session
