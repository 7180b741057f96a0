"""Every write to meetings: one function per action, keyword-only and atomic.

Each checks permission (PermissionDenied), the state table (TransitionError) and
the record's version (StaleEdit); history rows come from simple-history; the
people concerned are notified in the same transaction.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from members.models import Member, PartyGroup

from .models import AgendaItem, Attendance, Meeting, ReviewEvent, StaleEdit, ThoughtReport, TransitionError
from .notifications import notify


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@dataclass(frozen=True)
class AgendaEntry:
    title: str
    category: str
    pk: int | None = None


def _when(meeting: Meeting) -> str:
    return formats.date_format(timezone.localtime(meeting.starts_at), "Y-m-d H:i")


def _attendee_members(meeting: Meeting) -> list[Member]:
    return [a.member for a in meeting.attendances.select_related("member")]


def _notify_attendees(meeting: Meeting, kind: str, subject_key: str, **params) -> None:
    notify(
        recipients=_attendee_members(meeting),
        kind=kind,
        subject_key=subject_key,
        params={"title": meeting.title, "when": _when(meeting), "place": meeting.place, **params},
        url=reverse("meetings:detail", args=[meeting.pk]),
    )


def _lock(meeting: Meeting, version: int | None = None) -> Meeting:
    """Fetch the meeting again under a row lock; refuse a stale version."""
    locked = Meeting.objects.select_for_update().select_related("group__branch").get(pk=meeting.pk)
    if version is not None and locked.version != version:
        raise StaleEdit(
            _("Someone else saved this record in the meantime. Your text is still in the form: "
              "copy it, reload the page and apply your changes again.")
        )
    return locked


def _save(meeting: Meeting, *fields: str) -> None:
    meeting.version += 1
    meeting.save(update_fields=[*fields, "version", "updated_at"] if fields else None)


def _validate_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A meeting cannot end before it starts.")})


def _require_future(starts_at: datetime.datetime) -> None:
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("A meeting in the past cannot be scheduled; choose a later time.")})


def _sync_agenda(meeting: Meeting, agenda: Sequence[AgendaEntry]) -> None:
    """Make the agenda the given list, in order, keeping the notes of kept items."""
    if not agenda:
        raise ValidationError({"agenda": _("A meeting needs at least one agenda item.")})
    existing = {item.pk: item for item in meeting.agenda_items.all()}
    kept = set()
    for position, entry in enumerate(agenda, start=1):
        item = existing.get(entry.pk) if entry.pk else None
        if item is None:
            AgendaItem.objects.create(meeting=meeting, position=position, title=entry.title, category=entry.category)
            continue
        kept.add(item.pk)
        if (item.position, item.title, item.category) != (position, entry.title, entry.category):
            item.position, item.title, item.category = position, entry.title, entry.category
            item.save()
    for pk, item in existing.items():
        if pk not in kept:
            item.delete()


def _sync_guests(meeting: Meeting, guests: Sequence[Member]) -> None:
    branch_id = meeting.group.branch_id
    for guest in guests:
        if guest.branch_id != branch_id or not guest.is_branch_committee:
            raise ValidationError({"guests": _("Only the branch secretary and committee members can attend as guidance.")})
    wanted = {g.pk for g in guests}
    current = {a.member_id: a for a in meeting.attendances.filter(is_guest=True)}
    for pk, attendance in current.items():
        if pk not in wanted:
            attendance.delete()
    expected = set(meeting.attendances.filter(is_guest=False).values_list("member_id", flat=True))
    for guest in guests:
        if guest.pk not in current and guest.pk not in expected:
            Attendance.objects.create(meeting=meeting, member=guest, is_guest=True)


def _check_people(group: PartyGroup, chair: Member, recorder: Member | None) -> None:
    if chair.branch_id != group.branch_id or (chair.group_id != group.pk and not chair.is_branch_committee):
        raise ValidationError({"chair": _("The chair must be a member of the group or of the branch committee.")})
    if recorder is not None and recorder.group_id != group.pk and recorder.pk != chair.pk:
        raise ValidationError({"recorder": _("The recorder must be a member of the group.")})


@transaction.atomic
def meeting_create(
    *,
    by: Member,
    group: PartyGroup,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    chair: Member,
    recorder: Member | None,
    agenda: Sequence[AgendaEntry],
    guests: Sequence[Member] = (),
    publish: bool = False,
) -> Meeting:
    """Create a meeting of `group` as a draft (notifies nobody), or publish it at once.

    The expected attendees are the group's current active members; `guests` (branch
    committee) attend as guidance.
    """
    require(by.user.has_perm("meetings.schedule_in_group", group))
    _validate_times(starts_at, ends_at)
    _check_people(group, chair, recorder)
    meeting = Meeting.objects.create(
        group=group, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, place=place,
        chair=chair, recorder=recorder, created_by=by,
    )
    bulk_create_with_history(
        [Attendance(meeting=meeting, member=member) for member in group.members.filter(user__is_active=True)],
        Attendance,
        default_user=by.user,
    )
    _sync_agenda(meeting, agenda)
    _sync_guests(meeting, guests)
    _ensure_sanping(meeting)
    if publish:
        meeting = meeting_publish(meeting=meeting, by=by)
    return meeting


def _ensure_sanping(meeting: Meeting) -> None:
    """A 三评 meeting comes with its session: every expected member gets a self-evaluation to prepare."""
    if meeting.kind == Meeting.Kind.SANPING:
        from sanping.services import session_ensure

        session_ensure(meeting)


def _has_sanping_session(meeting: Meeting) -> bool:
    from sanping.models import SanpingSession

    return SanpingSession.objects.filter(meeting=meeting).exists()


@transaction.atomic
def meeting_update_schedule(
    *,
    meeting: Meeting,
    by: Member,
    version: int,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    chair: Member,
    recorder: Member | None,
    agenda: Sequence[AgendaEntry],
    guests: Sequence[Member] = (),
) -> Meeting:
    """Change a draft or scheduled meeting. A new time or place of a published meeting
    is a reschedule: the attendees are told."""
    meeting = _lock(meeting, version)
    require(by.user.has_perm("meetings.change_schedule", meeting))
    _validate_times(starts_at, ends_at)
    _check_people(meeting.group, chair, recorder)
    if meeting.kind == Meeting.Kind.SANPING and kind != meeting.kind and _has_sanping_session(meeting):
        raise ValidationError({"kind": _("Members are preparing for this 三评 session: its kind cannot change.")})
    moved = (starts_at, ends_at, place) != (meeting.starts_at, meeting.ends_at, meeting.place)
    if moved and meeting.state == Meeting.State.SCHEDULED:
        _require_future(starts_at)
        meeting.reschedule_count += 1
    meeting.kind, meeting.title, meeting.place = kind, title, place
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.chair, meeting.recorder = chair, recorder
    _save(meeting)
    _sync_agenda(meeting, agenda)
    _sync_guests(meeting, guests)
    _ensure_sanping(meeting)
    if moved and meeting.state == Meeting.State.SCHEDULED:
        _notify_attendees(meeting, "meeting_rescheduled", f"meeting:{meeting.pk}:rescheduled:{meeting.reschedule_count}")
    return meeting


@transaction.atomic
def meeting_publish(*, meeting: Meeting, by: Member) -> Meeting:
    """Draft → scheduled; the attendees are notified."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.publish", meeting))
    _require_future(meeting.starts_at)
    meeting.transition_to(Meeting.State.SCHEDULED)
    meeting.published_at = timezone.now()
    _save(meeting)
    _notify_attendees(meeting, "meeting_published", f"meeting:{meeting.pk}:published")
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: Member, reason: str) -> Meeting:
    """Cancel a draft or scheduled meeting, with a reason; attendees of a published one are told."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.cancel", meeting))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    was_published = meeting.state == Meeting.State.SCHEDULED
    meeting.transition_to(Meeting.State.CANCELLED)
    meeting.cancel_reason = reason
    _save(meeting)
    if was_published:
        _notify_attendees(meeting, "meeting_cancelled", f"meeting:{meeting.pk}:cancelled", reason=reason)
    return meeting


@transaction.atomic
def meeting_open(*, meeting: Meeting, by: Member) -> Meeting:
    """The chair opens the meeting (scheduled → in progress) on its day; the first topic becomes current."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.chair", meeting))
    if timezone.localdate() < timezone.localdate(meeting.starts_at):
        raise TransitionError(_("This meeting is scheduled for a later day; it can be opened on that day."))
    meeting.transition_to(Meeting.State.IN_PROGRESS)
    meeting.opened_at = timezone.now()
    meeting.current_item = meeting.agenda_items.first()
    _save(meeting)
    return meeting


@transaction.atomic
def meeting_set_current_item(*, meeting: Meeting, by: Member, item: AgendaItem | None) -> Meeting:
    """Move the meeting to another topic (or to the closing summary, item=None)."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.chair", meeting))
    if meeting.state != Meeting.State.IN_PROGRESS:
        raise TransitionError(_("Open the meeting first."))
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError(_("This topic belongs to another meeting."))
    meeting.current_item = item
    meeting.save(update_fields=["current_item", "updated_at"])
    return meeting


def _unmarked(meeting: Meeting) -> list[str]:
    return list(
        meeting.attendances.filter(is_guest=False, status=Attendance.Status.UNMARKED).values_list("member__name", flat=True)
    )


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: Member) -> Meeting:
    """The chair closes the meeting (in progress → held); attendance must be complete."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.chair", meeting))
    unmarked = _unmarked(meeting)
    if unmarked:
        raise TransitionError(
            _("Take attendance first: %(names)s not yet marked.") % {"names": "、".join(unmarked)}
        )
    _require_sanping_finished(meeting)
    meeting.transition_to(Meeting.State.HELD)
    meeting.closed_at = timezone.now()
    meeting.current_item = None
    _save(meeting)
    return meeting


def _require_sanping_finished(meeting: Meeting) -> None:
    """A 三评 meeting closes only from its console, once its stages are done."""
    if meeting.kind != Meeting.Kind.SANPING:
        return
    from sanping.models import SanpingSession

    if not SanpingSession.objects.filter(meeting=meeting, stage=SanpingSession.Stage.RECTIFICATION).exists():
        raise TransitionError(_("A 三评 session is closed from its console, after the rectification stage."))


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, by: Member) -> Meeting:
    """Record a scheduled meeting that took place without being opened here (scheduled → held)."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.chair", meeting))
    if meeting.starts_at > timezone.now():
        raise TransitionError(_("This meeting has not started yet."))
    _require_sanping_finished(meeting)
    meeting.transition_to(Meeting.State.HELD)
    meeting.closed_at = timezone.now()
    _save(meeting)
    return meeting


@transaction.atomic
def attendance_set(
    *, meeting: Meeting, by: Member, member_id: int, status: str, leave_reason: str = ""
) -> Attendance:
    """Mark one person present, on leave (a reason is required) or absent."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.take_attendance", meeting))
    attendance = meeting.attendances.select_related("member").filter(member_id=member_id).first()
    if attendance is None:
        raise ValidationError(_("This person is not expected at this meeting."))
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance status."))
    leave_reason = leave_reason.strip()
    if status == Attendance.Status.LEAVE and not leave_reason:
        raise ValidationError({"leave_reason": _("Give the reason for the leave.")})
    attendance.status = status
    attendance.leave_reason = leave_reason if status == Attendance.Status.LEAVE else ""
    attendance.save()  # its own history row; the minutes' version is untouched
    return attendance


@transaction.atomic
def attendance_record_makeup(*, attendance: Attendance, by: Member, done_on: datetime.date, note: str = "") -> Attendance:
    """Record the make-up study (补学) of a member who was on leave."""
    meeting = _lock(attendance.meeting)
    require(by.user.has_perm("meetings.record_makeup", meeting))
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.status != Attendance.Status.LEAVE or attendance.is_guest:
        raise ValidationError(_("Only a member who was on leave owes make-up study."))
    if done_on < timezone.localdate(meeting.starts_at):
        raise ValidationError({"done_on": _("Make-up study cannot be before the meeting.")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("Make-up study cannot be in the future.")})
    attendance.makeup_done_on = done_on
    attendance.makeup_note = note.strip()
    attendance.save()
    return attendance


@transaction.atomic
def agenda_notes_save(*, item: AgendaItem, by: Member, notes: str, version: int) -> AgendaItem:
    """Save the notes of one topic; refused (StaleEdit) if someone saved them since `version`."""
    meeting = _lock(item.meeting)
    require(by.user.has_perm("meetings.write_minutes", meeting))
    updated = AgendaItem.objects.filter(pk=item.pk, version=version).update(notes=notes, version=F("version") + 1)
    if not updated:
        raise StaleEdit(_("Someone else saved these notes in the meantime. Your text is kept here; reload to see theirs."))
    item = AgendaItem.objects.get(pk=item.pk)
    item.save()  # one history row per saved version of the notes
    return item


@transaction.atomic
def minutes_save(*, meeting: Meeting, by: Member, version: int, minutes: str, summary: str) -> Meeting:
    """Save the minutes and the leader's summary of a meeting that is held or returned."""
    meeting = _lock(meeting, version)
    require(by.user.has_perm("meetings.write_minutes", meeting))
    meeting.minutes, meeting.summary = minutes, summary
    _save(meeting, "minutes", "summary")
    return meeting


@transaction.atomic
def meeting_submit(*, meeting: Meeting, by: Member, comment: str = "") -> Meeting:
    """Held or returned → submitted; the branch's reviewers are notified."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.submit", meeting))
    if not meeting.summary.strip():
        raise ValidationError({"summary": _("Write the leader's summary before submitting the record.")})
    unmarked = _unmarked(meeting)
    if unmarked:
        raise ValidationError(_("Take attendance first: %(names)s not yet marked.") % {"names": "、".join(unmarked)})
    resubmission = meeting.state == Meeting.State.RETURNED
    meeting.transition_to(Meeting.State.SUBMITTED)
    meeting.submitted_at = timezone.now()
    _save(meeting)
    event = ReviewEvent.objects.create(meeting=meeting, action=ReviewEvent.Action.SUBMITTED, by=by, comment=comment.strip())
    reviewers = Member.objects.filter(
        branch_id=meeting.group.branch_id, branch_role__in=[Member.BranchRole.SECRETARY, Member.BranchRole.COMMITTEE],
        user__is_active=True,
    )
    notify(
        recipients=reviewers, kind="record_submitted", subject_key=f"meeting:{meeting.pk}:submitted:{event.pk}",
        params={"title": meeting.title, "group": meeting.group.name, "resubmission": resubmission},
        url=reverse("meetings:detail", args=[meeting.pk]),
    )
    return meeting


@transaction.atomic
def meeting_return(*, meeting: Meeting, by: Member, comment: str) -> Meeting:
    """Submitted → returned with comments; the leader (and chair) are notified."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.review", meeting))
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what needs to change: a returned record needs a comment.")})
    meeting.transition_to(Meeting.State.RETURNED)
    _save(meeting)
    event = ReviewEvent.objects.create(meeting=meeting, action=ReviewEvent.Action.RETURNED, by=by, comment=comment)
    recipients = [m for m in (meeting.group.leader, meeting.chair) if m is not None]
    notify(
        recipients=recipients, kind="record_returned", subject_key=f"meeting:{meeting.pk}:returned:{event.pk}",
        params={"title": meeting.title, "comment": comment}, url=reverse("meetings:detail", args=[meeting.pk]),
    )
    return meeting


@transaction.atomic
def meeting_approve(*, meeting: Meeting, by: Member, comment: str = "") -> Meeting:
    """Submitted → approved: the record is locked for good."""
    meeting = _lock(meeting)
    require(by.user.has_perm("meetings.review", meeting))
    meeting.transition_to(Meeting.State.APPROVED)
    meeting.approved_at = timezone.now()
    meeting.approved_by = by
    _save(meeting)
    event = ReviewEvent.objects.create(meeting=meeting, action=ReviewEvent.Action.APPROVED, by=by, comment=comment.strip())
    recipients = [m for m in (meeting.group.leader, meeting.chair) if m is not None]
    notify(
        recipients=recipients, kind="record_approved", subject_key=f"meeting:{meeting.pk}:approved:{event.pk}",
        params={"title": meeting.title}, url=reverse("meetings:detail", args=[meeting.pk]),
    )
    return meeting


# Thought reports ---------------------------------------------------------------


def _clean_report(title: str, content: str) -> tuple[str, str]:
    title, content = title.strip(), content.strip()
    if not title:
        raise ValidationError({"title": _("Give the report a title.")})
    return title, content


@transaction.atomic
def thought_report_save(
    *, by: Member, title: str, content: str, report: ThoughtReport | None = None, submit: bool = False
) -> ThoughtReport:
    """Create or change the author's own draft report; `submit` hands it in (then it is final)."""
    title, content = _clean_report(title, content)
    if report is None:
        report = ThoughtReport(member=by)
    else:
        report = ThoughtReport.objects.select_for_update().get(pk=report.pk)
        require(by.user.has_perm("meetings.change_thoughtreport", report))
    if submit and not content:
        raise ValidationError({"content": _("A written report cannot be submitted empty.")})
    report.title, report.content = title, content
    if submit:
        report.state = ThoughtReport.State.SUBMITTED
        report.submitted_at = timezone.now()
    report.save()
    return report


@transaction.atomic
def thought_report_record_oral(*, by: Member, meeting: Meeting, member: Member, title: str, content: str = "") -> ThoughtReport:
    """The leader records that `member` reported their thinking orally at a held meeting."""
    require(by.user.has_perm("meetings.write_minutes", meeting) or by.user.has_perm("meetings.record_makeup", meeting))
    if not meeting.took_place:
        raise ValidationError(_("An oral report can only be recorded for a meeting that took place."))
    if not meeting.attendances.filter(member=member, status=Attendance.Status.PRESENT).exists():
        raise ValidationError({"member": _("Only a member present at the meeting can have reported there.")})
    title, content = _clean_report(title, content)
    return ThoughtReport.objects.create(
        member=member, mode=ThoughtReport.Mode.ORAL, state=ThoughtReport.State.SUBMITTED, title=title,
        content=content, meeting=meeting, submitted_at=meeting.starts_at, recorded_by=by,
    )
