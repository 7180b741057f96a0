"""The 三评 session: a party-group meeting of kind 三评 and everything said in it.

Stages follow the seed's procedure (see DESIGN.md): preparation, the leader's opening,
self- and mutual evaluation in speaking order, the leader's summary and comments,
and rectification tracked until verified. The session's record is the meeting's
record: it is reviewed with it and locked with it.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meetings.models import Meeting
from members.models import Member

TEXT_LIMIT = 20_000

# The seed's four points of the opening, as editable defaults.
DEFAULT_PURPOSE = _(
    "This party group meeting holds the 三评 as a democratic life of the party: each of us finds our own "
    "problems, points out our comrades' problems, and the group leader sums up. It is meant to strengthen "
    "our party spirit, raise our political and ideological quality, and make the group more united and "
    "effective. Everyone should take it seriously."
)
DEFAULT_METHOD = _(
    "We speak in the order announced. Each comrade first gives a self-evaluation: measured against the party "
    "constitution and rules and their own work and life, the problems and shortcomings found, their causes, "
    "and the direction of rectification. Then the other comrades point out that comrade's problems and offer "
    "suggestions, face to face. Administrative rank counts for nothing here: everyone takes part as an "
    "ordinary party member."
)
DEFAULT_REQUIREMENTS = _(
    "Take it seriously in thought; analyse yourselves in depth; point out comrades' problems as they are, "
    "neither exaggerating nor playing them down, without evading the serious ones and without the "
    "'good-guy' attitude; accept others' criticism correctly. Every problem found gets a concrete measure "
    "and a deadline."
)


class SanpingSession(models.Model):
    class Stage(models.IntegerChoices):
        PREPARATION = 1, _("preparation")
        OPENING = 2, _("opening")
        EVALUATION = 3, _("self- and mutual evaluation")
        SUMMARY = 4, _("summary and comments")
        RECTIFICATION = 5, _("rectification")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="sanping", verbose_name=_("meeting"))
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=Stage.PREPARATION)
    purpose = models.TextField(_("purpose and significance"), blank=True)
    method = models.TextField(_("method: speaking order and manner"), blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    current_slot = models.ForeignKey(
        "SpeakingSlot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("current speaker")
    )
    achievements = models.TextField(_("achievements affirmed"), blank=True)
    shortcomings = models.TextField(_("shortcomings pointed out"), blank=True)
    next_steps = models.TextField(_("next-step requirements and improvement measures"), blank=True)
    # The projector's speaking clock: running since clock_started_at (None: stopped),
    # plus what had run before it was last stopped.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    clock_seconds = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "clock_started_at", "clock_seconds", "current_slot"])

    class Meta:
        verbose_name = _("三评 session")
        verbose_name_plural = _("三评 sessions")

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def is_locked(self) -> bool:
        return self.meeting.state == Meeting.State.APPROVED

    @property
    def has_opened(self) -> bool:
        return self.stage >= self.Stage.OPENING

    def clock_elapsed(self, now=None) -> int:
        running = 0
        if self.clock_started_at is not None:
            running = int(((now or timezone.now()) - self.clock_started_at).total_seconds())
        return self.clock_seconds + max(running, 0)


class SpeakingSlot(models.Model):
    """One present member's turn, in the speaking order, and what the leader recorded of it."""

    session = models.ForeignKey(SanpingSession, on_delete=models.CASCADE, related_name="slots", verbose_name=_("session"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    position = models.PositiveSmallIntegerField(_("order"))
    notes = models.TextField(_("leader's record of the self-evaluation"), blank=True)
    notes_version = models.PositiveIntegerField(default=1)
    spoke_at = models.DateTimeField(_("spoke at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("speaking turn")
        verbose_name_plural = _("speaking order")
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_turn_per_member")]

    def __str__(self) -> str:
        return f"{self.position}. {self.member}"


class SelfEvaluation(models.Model):
    """A member's self-evaluation material: a private draft until submitted."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    session = models.ForeignKey(SanpingSession, on_delete=models.CASCADE, related_name="self_evaluations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="self_evaluations", verbose_name=_("member"))
    problems = models.TextField(_("problems found against the party constitution and rules"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    direction = models.TextField(_("direction of rectification"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # The version that was presented and recorded: frozen when the session opens.
    presented = models.ForeignKey(
        "SelfEvaluationVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("presented version"),
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")
        ordering = ["session", "member__name"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_self_evaluation_per_member")]

    def __str__(self) -> str:
        return f"{self.member} · {self.session}"

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED


class SelfEvaluationVersion(models.Model):
    """What was submitted, each time it was: never changed afterwards."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    problems = models.TextField()
    causes = models.TextField()
    direction = models.TextField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["evaluation", "number"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "number"], name="self_evaluation_version_once")]

    def __str__(self) -> str:
        return f"{self.evaluation} v{self.number}"


class MutualEvaluation(models.Model):
    """What one member says of another, attributed as it is said face to face."""

    session = models.ForeignKey(SanpingSession, on_delete=models.CASCADE, related_name="mutual_evaluations")
    evaluator = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    evaluatee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("about"))
    problems = models.TextField(_("problems and shortcomings"))
    suggestions = models.TextField(_("suggestions"), blank=True)
    in_advance = models.BooleanField(_("opinion collected in advance"), default=False)
    recorded_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mutual evaluation")
        verbose_name_plural = _("mutual evaluations")
        ordering = ["session", "evaluatee", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(evaluator=models.F("evaluatee")), name="no_mutual_evaluation_of_oneself"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} → {self.evaluatee}"


class LeaderComment(models.Model):
    """The leader's comment (点评) on one member's self- and mutual evaluation."""

    session = models.ForeignKey(SanpingSession, on_delete=models.CASCADE, related_name="comments")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    text = models.TextField(_("comment"))
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leader's comment")
        verbose_name_plural = _("leader's comments")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_comment_per_member")]

    def __str__(self) -> str:
        return f"{self.member} · {self.session}"


class RectificationItem(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("in progress")
        DONE = "done", _("done, awaiting verification")
        VERIFIED = "verified", _("verified")

    session = models.ForeignKey(SanpingSession, on_delete=models.CASCADE, related_name="rectification_items")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="rectification_items", verbose_name=_("member"))
    problem = models.TextField(_("problem"))
    source_self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("from the self-evaluation")
    )
    source_mutual_evaluation = models.ForeignKey(
        MutualEvaluation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("from the mutual evaluation")
    )
    measure = models.TextField(_("concrete measure"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    evidence = models.TextField(_("evidence of completion"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("verified by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["session", "member__name", "deadline", "pk"]
        indexes = [models.Index(fields=["member", "state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.problem[:30]}"

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.deadline < timezone.localdate()


class RectificationProgress(models.Model):
    """A progress note on a rectification item: goes on after the record is approved."""

    class Kind(models.TextChoices):
        NOTE = "note", _("progress")
        DONE = "done", _("marked done")
        VERIFIED = "verified", _("verified")
        SENT_BACK = "sent_back", _("sent back")

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="progress")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_kind_display()}"


class GuidanceRemark(models.Model):
    """A remark of the branch secretary or a committee member who guides the session."""

    session = models.ForeignKey(SanpingSession, on_delete=models.CASCADE, related_name="guidance_remarks")
    by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    text = models.TextField(_("guidance remark"))
    at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guidance remark")
        verbose_name_plural = _("guidance remarks")
        ordering = ["session", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.by} · {self.session}"
