"""Group meetings (党小组会 and its kinds), their agenda, attendance, minutes and review;
thought reports (思想汇报); the branch's cadence rules; in-app notifications.

The allowed state changes of a meeting are the table TRANSITIONS below; services
check it through `Meeting.transition_to`, which raises TransitionError otherwise.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Branch, Member, PartyGroup


class TransitionError(Exception):
    """A state change the table does not allow; its message is for the user."""


class StaleEdit(Exception):
    """Someone else saved the record since this form was loaded."""


class Meeting(models.Model):
    class Kind(models.TextChoices):
        GROUP_MEETING = "group_meeting", _("party group meeting")
        THEME_DAY = "theme_day", _("thematic party day")
        DEMOCRATIC_LIFE = "democratic_life", _("democratic life meeting")
        SANPING = "sanping", _("三评 session")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        IN_PROGRESS = "in_progress", _("in progress")
        HELD = "held", _("held, minutes being written")
        SUBMITTED = "submitted", _("submitted for review")
        RETURNED = "returned", _("returned for changes")
        APPROVED = "approved", _("approved")
        CANCELLED = "cancelled", _("cancelled")

    # (from, to): the only state changes there are.
    TRANSITIONS = {
        (State.DRAFT, State.SCHEDULED),  # publish
        (State.DRAFT, State.CANCELLED),
        (State.SCHEDULED, State.CANCELLED),
        (State.SCHEDULED, State.IN_PROGRESS),  # the chair opens the meeting
        (State.SCHEDULED, State.HELD),  # recorded after the fact
        (State.IN_PROGRESS, State.HELD),  # the chair closes the meeting
        (State.HELD, State.SUBMITTED),
        (State.RETURNED, State.SUBMITTED),  # resubmitted
        (State.SUBMITTED, State.APPROVED),
        (State.SUBMITTED, State.RETURNED),
    }
    # A meeting in these states took place: it counts for the cadence.
    TOOK_PLACE = (State.IN_PROGRESS, State.HELD, State.SUBMITTED, State.RETURNED, State.APPROVED)
    # The minutes may be written in these states.
    MINUTES_OPEN = (State.IN_PROGRESS, State.HELD, State.RETURNED)
    # The schedule (time, place, agenda, attendees) may be changed in these states.
    SCHEDULE_OPEN = (State.DRAFT, State.SCHEDULED)

    group = models.ForeignKey(PartyGroup, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("party group"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GROUP_MEETING)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="chaired_meetings", verbose_name=_("chair")
    )
    recorder = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="recorded_meetings", verbose_name=_("recorder"),
        null=True, blank=True,
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    current_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("current agenda item"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    summary = models.TextField(_("leader's summary"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    reschedule_count = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every save of the record bumps it; a form that was loaded
    # with an older version is refused (StaleEdit) instead of overwriting.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["updated_at", "current_item"])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["group", "starts_at"]), models.Index(fields=["state", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def branch_id(self) -> int:
        return self.group.branch_id

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.APPROVED

    @property
    def took_place(self) -> bool:
        return self.state in self.TOOK_PLACE

    @property
    def local_date(self):
        return timezone.localdate(self.starts_at)

    def can_transition_to(self, state: str) -> bool:
        return (self.state, state) in self.TRANSITIONS

    def transition_to(self, state: str) -> None:
        if not self.can_transition_to(state):
            raise TransitionError(
                _("A meeting that is “%(current)s” cannot become “%(target)s”.")
                % {"current": self.get_state_display(), "target": self.State(state).label}
            )
        self.state = state


class AgendaItem(models.Model):
    class Category(models.TextChoices):
        STUDY = "study", _("organised study and discussion")
        DIRECTIVES = "directives", _("implementing instructions from above")
        THOUGHT_REPORTS = "thought_reports", _("members reporting their thinking")
        CRITICISM = "criticism", _("criticism and self-criticism")
        PARTY_AFFAIRS = "party_affairs", _("party affairs")
        THINKING_ANALYSIS = "thinking_analysis", _("analysing members' thinking")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("topic"), max_length=200)
    category = models.CharField(_("content category"), max_length=30, choices=Category.choices)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    class Status(models.TextChoices):
        UNMARKED = "unmarked", _("not yet marked")
        PRESENT = "present", _("present")
        LEAVE = "leave", _("on leave")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("member"))
    # A guest is a branch secretary or committee member attending to guide (指导);
    # guests are not counted among those expected.
    is_guest = models.BooleanField(_("guidance guest"), default=False)
    status = models.CharField(_("attendance"), max_length=20, choices=Status.choices, default=Status.UNMARKED)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    makeup_done_on = models.DateField(_("make-up study done on"), null=True, blank=True)
    makeup_note = models.CharField(_("make-up study note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "is_guest", "member__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"

    @property
    def owes_makeup(self) -> bool:
        """A member on leave owes make-up study (补学) until it is recorded."""
        return self.status == self.Status.LEAVE and not self.is_guest and self.makeup_done_on is None


class ReviewEvent(models.Model):
    """One step of a record's review: submitted, returned (with comments) or approved."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="review_events", verbose_name=_("meeting"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["meeting", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_action_display()}"


class ThoughtReport(models.Model):
    class Mode(models.TextChoices):
        WRITTEN = "written", _("written")
        ORAL = "oral", _("oral, at a meeting")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="thought_reports", verbose_name=_("member"))
    mode = models.CharField(_("form"), max_length=10, choices=Mode.choices, default=Mode.WRITTEN)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="thought_reports",
        verbose_name=_("delivered at meeting"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("thought report")
        verbose_name_plural = _("thought reports")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [models.Index(fields=["member", "state", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="written") | Q(meeting__isnull=False), name="oral_report_names_its_meeting"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CadenceRule(models.Model):
    """One obligation of the branch's cadence (DESIGN.md): who, how often, satisfied by what."""

    class Obligation(models.TextChoices):
        GROUP_MEETING = "group_meeting", _("group meeting")
        MONTHLY_ACTIVITY = "monthly_activity", _("group activity")
        THEME_DAY = "theme_day", _("thematic party day")
        DEMOCRATIC_LIFE = "democratic_life", _("democratic life meeting")
        THOUGHT_REPORT = "thought_report", _("thought report")

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="cadence_rules", verbose_name=_("branch"))
    obligation = models.CharField(_("obligation"), max_length=30, choices=Obligation.choices)
    period_months = models.PositiveSmallIntegerField(
        _("every (months)"), help_text=_("Calendar periods: 1 = monthly, 2 = every two months, 6 = half-yearly.")
    )
    # Meeting kinds that satisfy a group obligation; empty for thought reports.
    kinds = models.JSONField(_("meeting kinds that satisfy it"), default=list, blank=True)
    due_soon_days = models.PositiveSmallIntegerField(_("warn this many days before the period ends"), default=10)

    class Meta:
        verbose_name = _("cadence rule")
        verbose_name_plural = _("cadence rules")
        ordering = ["branch", "obligation"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "obligation"], name="cadence_rule_once_per_branch"),
            models.CheckConstraint(condition=Q(period_months__in=[1, 2, 3, 4, 6, 12]), name="cadence_period_divides_year"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} · {self.get_obligation_display()}"


class CalendarFeed(models.Model):
    """The private address of a person's meeting calendar (.ics subscription)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.member)


class Notification(models.Model):
    """One reminder or notice to one person on one channel, never sent twice:
    (recipient, kind, subject_key, channel) is unique, and a sender inserts the row in
    the same transaction that decides to send."""

    class Channel(models.TextChoices):
        APP = "app", _("in the app")
        EMAIL = "email", _("email")

    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    subject_key = models.CharField(max_length=100, help_text="What it is about, e.g. meeting:12:published")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.APP)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Email rows only: when a sender task was last enqueued for it. The row's inserter
    # sets it; a sweep enqueues again a row still unsent an hour later (meetings/reminders.py).
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key", "channel"], name="notification_sent_once"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(
                fields=["queued_at"], condition=Q(channel="email", sent_at__isnull=True), name="notification_email_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.kind} · {self.subject_key}"


class EmailOptOut(models.Model):
    """A person who does not want email for one kind of notification (in-app ones stay)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="email_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.member} · {self.kind}"


class LedgerBuild(models.Model):
    """One build of a group's yearly ledger PDF (年度台账), made by a Celery task.

    `source_key` fingerprints what went into it (the approved records and reports of
    the year); asking again for the same group, year and source finds this row
    instead of building a second time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    group = models.ForeignKey(PartyGroup, on_delete=models.CASCADE, related_name="ledger_builds")
    year = models.PositiveSmallIntegerField()
    source_key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    file = models.FileField(upload_to="ledgers/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("yearly ledger")
        verbose_name_plural = _("yearly ledgers")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "year", "source_key"], name="ledger_built_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.year}"


class AuditEvent(models.Model):
    """Who exported what, and who of the branch read another person's evaluation, when.

    Written by `meetings.audit.record`; shown to administrators with filters."""

    class Action(models.TextChoices):
        EXPORT_MEETING_PDF = "export_meeting_pdf", _("exported a meeting record")
        EXPORT_SANPING_PDF = "export_sanping_pdf", _("exported a 三评 record")
        EXPORT_LEDGER = "export_ledger", _("exported a yearly ledger")
        EXPORT_ROSTER = "export_roster", _("exported the roster")
        VIEW_EVALUATION = "view_evaluation", _("read another person's evaluation")

    actor = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+", null=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.PositiveBigIntegerField(null=True)
    target_label = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["branch", "action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.actor} · {self.get_action_display()}"
