"""The reminder sweep: every reminder that is due, computed from the data at a moment.

Beat runs `sweep()` every hour from 07:00 to 22:00 (CELERY_BEAT_SCHEDULE); nothing is ever
scheduled with a countdown or an ETA, which a Redis broker may deliver twice or lose.
Each reminder is a Notification row whose subject key names the object and the
period or moment it is about, so it is inserted once however often the sweep runs,
and a change (a meeting moved, a new deadline, a new period) makes a new key:

| kind | to | when | subject key |
|---|---|---|---|
| meeting_coming | expected attendees (not on leave) | the day before (REMINDER_MEETING_DAYS_BEFORE), and again on the day if the meeting was moved since | meeting:<pk>:coming:r<times rescheduled> |
| obligation_due_soon | group leader | current period not met, no meeting of a kind that meets it scheduled in it, ≤ REMINDER_OBLIGATION_WORKING_DAYS working days left | group:<pk>:<obligation>:<period start>/<months> |
| obligation_overdue | group leader, branch secretary | previous period not met | same, of the previous period |
| thought_report_due_soon | member | current period not met, ≤ REMINDER_THOUGHT_REPORT_WORKING_DAYS working days left | thought_report:<member>:<period start>/<months> |
| thought_report_overdue, member_thought_report_overdue | member; their group's leader | previous period not met | same, of the previous period |
| self_evaluation_due | member with an unsubmitted 三评 self-evaluation | 3 and 1 days before the session (REMINDER_SELF_EVALUATION_DAYS_BEFORE) | sanping:<session>:self_evaluation:<date>:<days>d |
| rectification_due_soon | member | open item, ≤ REMINDER_RECTIFICATION_WORKING_DAYS working days to its deadline | rectification:<pk>:<deadline> |
| rectification_overdue, member_rectification_overdue | member; the session group's leader | open item past its deadline | same |
| record_waiting | branch secretary | record submitted REMINDER_REVIEW_WAITING_DAYS days ago and not reviewed | meeting:<pk>:waiting:<submitted at> |

"Due soon" counts working days (statutory holidays and 调休, meetings/holidays.py),
so a period ending after a long holiday is announced before the holiday. Cadence
periods and "met" are those of the dashboard (meetings/cadence.py). Only what is
true at `now` is sent: after a week without sweeps, the first one sends the
overdue reminders still open, once, and nothing about what was since done.

A sweep costs a fixed number of queries (about fifteen), whatever the number of
groups and members: each kind of data is read in one query and grouped in Python,
and the rows are inserted in one statement (meetings/notifications.py, `insert`).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from members.models import Member, PartyGroup
from sanping.models import RectificationItem, SanpingSession, SelfEvaluation

from . import notifications as n
from .cadence import DEFAULT_RULES, GROUP_OBLIGATIONS, Period, _Clock, _detail_url, _window, local_date, local_midnight
from .holidays import working_days_between
from .models import Attendance, CadenceRule, EmailOptOut, Meeting, Notification, ThoughtReport

Obligation = CadenceRule.Obligation

# Which kind of meeting to propose to a leader whose obligation is due: the create
# form opens with it.
_KIND_TO_SCHEDULE = {
    Obligation.GROUP_MEETING: Meeting.Kind.GROUP_MEETING,
    Obligation.MONTHLY_ACTIVITY: Meeting.Kind.GROUP_MEETING,
    Obligation.THEME_DAY: Meeting.Kind.THEME_DAY,
    Obligation.DEMOCRATIC_LIFE: Meeting.Kind.DEMOCRATIC_LIFE,
}
PROBLEM_CHARS = 60


def parse_moment(value: str) -> datetime.datetime | None:
    """An ISO date-time (local time unless it has an offset), or a date (its local
    midnight), to sweep as of then; None for anything else, 2026-02-30 included."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time.min) if day else None
    except ValueError:  # well formed but no such day or time
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def lead_times() -> dict:
    """The lead times, from the "Reminders" block of sanping/settings.py."""
    return {
        "meeting_days": settings.REMINDER_MEETING_DAYS_BEFORE,
        "obligation_working_days": settings.REMINDER_OBLIGATION_WORKING_DAYS,
        "report_working_days": settings.REMINDER_THOUGHT_REPORT_WORKING_DAYS,
        "self_evaluation_days": tuple(sorted(settings.REMINDER_SELF_EVALUATION_DAYS_BEFORE)),
        "rectification_working_days": settings.REMINDER_RECTIFICATION_WORKING_DAYS,
        "review_days": settings.REMINDER_REVIEW_WAITING_DAYS,
    }


@dataclass
class SweepResult:
    """What one sweep inserted: counts per channel and per kind, and the rows."""

    now: datetime.datetime
    dry_run: bool = False
    created_app: int = 0
    created_email: int = 0
    requeued_email: int = 0  # unsent emails enqueued again (their task was lost or gave up)
    by_kind: Counter = field(default_factory=Counter)  # kind → new in-app rows
    email_by_kind: Counter = field(default_factory=Counter)  # kind → new email rows
    rows: list[n.Inserted] = field(default_factory=list)  # every new row, both channels
    enqueued: list[int] = field(default_factory=list)  # email rows whose send task is enqueued after commit
    drafts: dict[tuple, n.Draft] = field(default_factory=dict, repr=False)

    @property
    def created(self) -> int:
        return self.created_app + self.created_email

    def notifications(self) -> list[Notification]:
        """The new rows as (unsaved) Notification objects, for showing them: after a
        dry run they are not in the database."""
        result = []
        for row in self.rows:
            draft = self.drafts[(row.recipient_id, row.kind, row.subject_key, row.channel)]
            result.append(
                Notification(
                    pk=row.pk, recipient_id=row.recipient_id, kind=row.kind, subject_key=row.subject_key,
                    channel=row.channel, params=draft.params, url=draft.url, created_at=self.now,
                )
            )
        return result

    def listing(self) -> list[tuple[str, Notification]]:
        """The new rows with their recipient's name, by kind, name and channel: what
        the dry run of the admin and of the command lists. One query."""
        rows = self.notifications()
        names = dict(Member.objects.filter(pk__in={r.recipient_id for r in rows}).values_list("pk", "name"))
        named = [(names.get(row.recipient_id, str(row.recipient_id)), row) for row in rows]
        return sorted(named, key=lambda item: (item[1].kind, item[0], item[1].channel))

    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.by_kind.items())) or "nothing new"
        return (
            f"{self.created_app} in-app and {self.created_email} email notifications new "
            f"({kinds}); {self.requeued_email} unsent emails enqueued again"
        )

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "created_app": self.created_app,
            "created_email": self.created_email,
            "requeued_email": self.requeued_email,
            "by_kind": dict(self.by_kind),
            "email_by_kind": dict(self.email_by_kind),
        }


def sweep(now: datetime.datetime | None = None, *, dry_run: bool = False) -> SweepResult:
    """Insert every reminder due at `now` (default: now) that is not there yet, in
    one transaction, and enqueue the new emails after commit; enqueue again the
    emails still unsent an hour after they were queued. Safe to run twice or at once.

    `dry_run`: do the same in a savepoint that is rolled back, so the result says
    exactly what a sweep at `now` would insert, and nothing is kept or sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        result = _sweep(now)
        if dry_run:
            transaction.set_rollback(True)
            result.dry_run = True
    return result


def _sweep(now: datetime.datetime) -> SweepResult:
    data = _Data.load(now)
    drafts = [
        *_meetings_coming(data),
        *_group_obligations(data),
        *_thought_reports(data),
        *_self_evaluations(data),
        *_rectification(data),
        *_records_waiting(data),
    ]
    drafts = [draft for draft in drafts if draft.recipient_id in data.people]
    opted_out = set(EmailOptOut.objects.filter(kind__in=n.EMAIL_KINDS).values_list("member_id", "kind"))
    addresses = {pk: person.email for pk, person in data.people.items()}
    drafts = n.with_email(drafts, addresses=addresses, opted_out=opted_out)
    inserted = n.insert(drafts)
    requeued = n.requeue_stale_emails()

    result = SweepResult(now=now, rows=inserted, requeued_email=len(requeued))
    result.drafts = {(d.recipient_id, d.kind, d.subject_key, d.channel): d for d in drafts}
    for row in inserted:
        if row.channel == n.APP:
            result.created_app += 1
            result.by_kind[row.kind] += 1
        else:
            result.created_email += 1
            result.email_by_kind[row.kind] += 1
    result.enqueued = sorted(row.pk for row in inserted if row.channel == n.EMAIL) + requeued
    n.enqueue_emails(result.enqueued)
    return result


# The data of one sweep --------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    pk: int
    name: str
    branch_id: int
    group_id: int | None
    email: str
    is_secretary: bool


@dataclass(frozen=True)
class _Group:
    pk: int
    name: str
    branch_id: int
    leader_id: int | None


class _Urls:
    """reverse() once per URL name: a sweep links thousands of rows. With a pk, the
    dashboard's template of the URL (cadence._detail_url) is filled in."""

    def __init__(self):
        self._plain: dict[str, str] = {}

    def __call__(self, name: str, pk: int | None = None) -> str:
        if pk is not None:
            return _detail_url(name, pk)
        if name not in self._plain:
            self._plain[name] = reverse(name)
        return self._plain[name]


@dataclass
class _Data:
    now: datetime.datetime
    today: datetime.date
    lead: dict
    people: dict[int, _Person]  # every active member
    groups: dict[int, _Group]
    rules: dict[int, list[CadenceRule]]  # branch pk → its rules (unsaved defaults where none are stored)
    secretaries: dict[int, list[int]]  # branch pk → active secretaries
    urls: _Urls
    _working_days: dict[datetime.date, int] = field(default_factory=dict)
    _clocks: dict[tuple, _Clock] = field(default_factory=dict)

    @classmethod
    def load(cls, now: datetime.datetime) -> "_Data":
        people = {
            row["pk"]: _Person(
                row["pk"], row["name"], row["branch_id"], row["group_id"], row["user__email"] or "",
                row["branch_role"] == Member.BranchRole.SECRETARY,
            )
            for row in Member.objects.filter(user__is_active=True).values(
                "pk", "name", "branch_id", "group_id", "branch_role", "user__email"
            )
        }
        groups = {
            row["pk"]: _Group(row["pk"], row["name"], row["branch_id"], row["leader_id"])
            for row in PartyGroup.objects.values("pk", "name", "branch_id", "leader_id")
        }
        stored: dict[int, dict[str, CadenceRule]] = defaultdict(dict)
        for rule in CadenceRule.objects.only("branch_id", "obligation", "period_months", "kinds", "due_soon_days"):
            stored[rule.branch_id][rule.obligation] = rule
        # The dashboard stores a branch's missing rules with these values (cadence.rules_for);
        # the sweep writes no rule, it reads the same values.
        defaults = {
            obligation: CadenceRule(obligation=str(obligation), period_months=months, kinds=[str(k) for k in kinds])
            for obligation, (months, kinds) in DEFAULT_RULES.items()
        }
        branches = {g.branch_id for g in groups.values()} | {p.branch_id for p in people.values()}
        rules = {branch: [stored[branch].get(o, defaults[o]) for o in defaults] for branch in branches}
        secretaries: dict[int, list[int]] = defaultdict(list)
        for person in people.values():
            if person.is_secretary:
                secretaries[person.branch_id].append(person.pk)
        return cls(now, local_date(now), lead_times(), people, groups, rules, secretaries, _Urls())

    def clock(self, rule: CadenceRule) -> _Clock:
        """The dashboard's view of `rule` today: its previous and current periods, and
        which meeting kinds meet it; one per distinct rule, shared by the branches."""
        key = (rule.obligation, rule.period_months, tuple(rule.kinds or ()))
        if key not in self._clocks:
            self._clocks[key] = _Clock(rule, self.today)
        return self._clocks[key]

    def window(self, obligations) -> tuple[datetime.datetime, datetime.datetime]:
        """The dashboard's query window (cadence._window) over the rules of
        `obligations` in any branch: one rule per period length is enough."""
        by_months = {
            rule.period_months: rule for rules in self.rules.values() for rule in rules if rule.obligation in obligations
        }
        return _window(by_months.values(), self.today)

    def working_days_left(self, last: datetime.date) -> int:
        """Working days from today to `last`, both included."""
        if last not in self._working_days:
            self._working_days[last] = working_days_between(self.today, last)
        return self._working_days[last]


def _period_params(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "months": period.months}


def _period_key(period: Period) -> str:
    return f"{period.start.isoformat()}/{period.months}"


# Meetings coming --------------------------------------------------------------


def _meetings_coming(data: _Data) -> list[n.Draft]:
    """Expected attendees of a published meeting starting before the end of the day
    REMINDER_MEETING_DAYS_BEFORE days from today. Before the meeting's day, only who
    had no reminder of it yet; on the day, also who was reminded of a time or place
    that has changed since."""
    horizon = local_midnight(data.today + datetime.timedelta(days=data.lead["meeting_days"] + 1))
    rows = list(
        Attendance.objects.filter(
            meeting__state=Meeting.State.SCHEDULED, meeting__starts_at__gt=data.now, meeting__starts_at__lt=horizon,
            member__user__is_active=True,
        )
        .exclude(status=Attendance.Status.LEAVE)
        .values_list(
            "member_id", "meeting_id", "meeting__title", "meeting__starts_at", "meeting__place",
            "meeting__reschedule_count", "meeting__group__name",
        )
    )
    # Earlier reminders of meetings moved since, for the days before the meeting's day.
    earlier_keys = {
        f"meeting:{meeting_id}:coming:r{count}"
        for _m, meeting_id, _t, starts_at, _p, rescheduled, _g in rows
        if local_date(starts_at) > data.today
        for count in range(rescheduled)
    }
    reminded = set()
    if earlier_keys:
        reminded = {
            (recipient, key.split(":")[1])
            for recipient, key in Notification.objects.filter(
                kind=n.MEETING_COMING, channel=n.APP, subject_key__in=earlier_keys
            ).values_list("recipient_id", "subject_key")
        }
    drafts = []
    for member_id, meeting_id, title, starts_at, place, rescheduled, group in rows:
        if local_date(starts_at) > data.today and (member_id, str(meeting_id)) in reminded:
            continue  # told of the old time, and of the move when it happened: again on the day
        drafts.append(
            n.Draft(
                member_id, n.MEETING_COMING, f"meeting:{meeting_id}:coming:r{rescheduled}",
                {"title": title, "starts_at": starts_at.isoformat(), "place": place, "group": group},
                data.urls("meetings:detail", meeting_id),
            )
        )
    return drafts


# Group obligations ------------------------------------------------------------


def _group_obligations(data: _Data) -> list[n.Draft]:
    """Per group and group obligation: overdue if not met in the previous period (to
    the leader and the branch secretary), due soon if not met in the current one, no
    meeting that would meet it is scheduled, and few working days are left (leader)."""
    start, end = data.window(GROUP_OBLIGATIONS)
    states = [*Meeting.TOOK_PLACE, Meeting.State.SCHEDULED]
    by_group: dict[int, list[tuple[datetime.date, str, bool]]] = defaultdict(list)
    for group_id, kind, starts_at, state in Meeting.objects.filter(
        starts_at__gte=start, starts_at__lt=end, state__in=states
    ).values_list("group_id", "kind", "starts_at", "state"):
        by_group[group_id].append((local_date(starts_at), kind, state in Meeting.TOOK_PLACE))

    drafts = []
    for group in data.groups.values():
        meetings = by_group.get(group.pk, ())
        for rule in data.rules.get(group.branch_id, ()):
            if rule.obligation not in GROUP_OBLIGATIONS:
                continue
            clock = data.clock(rule)
            previous, current = clock.previous, clock.current

            def met(period, *, planned=False):
                return any(
                    day in period and (took or planned) and clock.accepts(kind) for day, kind, took in meetings
                )

            base = {"group": group.name, "obligation": rule.obligation}
            if not met(previous):
                key = f"group:{group.pk}:{rule.obligation}:{_period_key(previous)}"
                params = {**base, **_period_params(previous)}
                if group.leader_id:
                    drafts.append(n.Draft(group.leader_id, n.OBLIGATION_OVERDUE, key, params, _schedule_url(data, group, rule)))
                for secretary in data.secretaries.get(group.branch_id, ()):
                    drafts.append(n.Draft(secretary, n.OBLIGATION_OVERDUE, key, params, data.urls("meetings:cadence")))
            if (
                group.leader_id
                and data.working_days_left(current.end) <= data.lead["obligation_working_days"]
                and not met(current, planned=True)
            ):
                key = f"group:{group.pk}:{rule.obligation}:{_period_key(current)}"
                drafts.append(
                    n.Draft(
                        group.leader_id, n.OBLIGATION_DUE_SOON, key, {**base, **_period_params(current)},
                        _schedule_url(data, group, rule),
                    )
                )
    return drafts


def _schedule_url(data: _Data, group: _Group, rule: CadenceRule) -> str:
    return f"{data.urls('meetings:create')}?group={group.pk}&kind={_KIND_TO_SCHEDULE[rule.obligation]}"


# Thought reports --------------------------------------------------------------


def _thought_reports(data: _Data) -> list[n.Draft]:
    """Per active member: overdue if no report was submitted in the previous period
    (to the member and their group's leader), due soon if none yet in the current one
    and few working days are left (to the member)."""
    start, end = data.window([Obligation.THOUGHT_REPORT])
    dates: dict[int, list[datetime.date]] = defaultdict(list)
    for member_id, submitted_at in ThoughtReport.objects.filter(
        state=ThoughtReport.State.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end,
        member__user__is_active=True,
    ).values_list("member_id", "submitted_at"):
        dates[member_id].append(local_date(submitted_at))

    rule_of = {
        branch: next(rule for rule in rules if rule.obligation == Obligation.THOUGHT_REPORT)
        for branch, rules in data.rules.items()
    }
    write_url, home_url = data.urls("meetings:report_create"), data.urls("home")
    drafts = []
    for person in data.people.values():
        clock = data.clock(rule_of[person.branch_id])
        previous, current = clock.previous, clock.current
        submitted = dates.get(person.pk, ())
        if not any(day in previous for day in submitted):
            key = f"thought_report:{person.pk}:{_period_key(previous)}"
            params = {"member": person.name, **_period_params(previous)}
            drafts.append(n.Draft(person.pk, n.THOUGHT_REPORT_OVERDUE, key, params, write_url))
            group = data.groups.get(person.group_id)
            if group and group.leader_id and group.leader_id != person.pk:
                drafts.append(n.Draft(group.leader_id, n.MEMBER_THOUGHT_REPORT_OVERDUE, key, params, home_url))
        if (
            data.working_days_left(current.end) <= data.lead["report_working_days"]
            and not any(day in current for day in submitted)
        ):
            key = f"thought_report:{person.pk}:{_period_key(current)}"
            drafts.append(
                n.Draft(person.pk, n.THOUGHT_REPORT_DUE_SOON, key, _period_params(current), write_url)
            )
    return drafts


# 三评 self-evaluations ----------------------------------------------------------


def _self_evaluations(data: _Data) -> list[n.Draft]:
    """A member whose self-evaluation is still a draft, 3 and 1 days before a
    published 三评 session (on the day too, if the 1-day reminder was missed)."""
    stages = data.lead["self_evaluation_days"]
    if not stages:
        return []
    horizon = local_midnight(data.today + datetime.timedelta(days=max(stages) + 1))
    rows = SelfEvaluation.objects.filter(
        state=SelfEvaluation.State.DRAFT, session__stage=SanpingSession.Stage.PREPARATION,
        session__meeting__state=Meeting.State.SCHEDULED, session__meeting__starts_at__gt=data.now,
        session__meeting__starts_at__lt=horizon, member__user__is_active=True,
    ).values_list("member_id", "session_id", "session__meeting__title", "session__meeting__starts_at")
    drafts = []
    for member_id, session_id, title, starts_at in rows:
        day = local_date(starts_at)
        days_left = (day - data.today).days
        stage = min(days for days in stages if days >= days_left)
        drafts.append(
            n.Draft(
                member_id, n.SELF_EVALUATION_DUE, f"sanping:{session_id}:self_evaluation:{day:%Y%m%d}:{stage}d",
                {"title": title, "starts_at": starts_at.isoformat(), "days": stage},
                data.urls("sanping:session", session_id),
            )
        )
    return drafts


# Rectification ----------------------------------------------------------------


def _rectification(data: _Data) -> list[n.Draft]:
    """Open items: deadline passed (to the member and the leader of the session's
    group), or few working days left (to the member). An item marked done waits for
    the leader's verification: no reminder."""
    lead = data.lead["rectification_working_days"]
    # Enough calendar days to hold `lead` working days, even across the Spring Festival.
    bound = data.today + datetime.timedelta(days=lead * 2 + 14)
    rows = RectificationItem.objects.filter(
        state=RectificationItem.State.OPEN, deadline__lte=bound, member__user__is_active=True
    ).values_list("pk", "member_id", "member__name", "problem", "deadline", "session__meeting__group__leader_id")
    drafts = []
    for pk, member_id, name, problem, deadline, leader_id in rows:
        key = f"rectification:{pk}:{deadline:%Y%m%d}"
        problem = problem if len(problem) <= PROBLEM_CHARS else problem[: PROBLEM_CHARS - 1] + "…"
        params = {"member": name, "problem": problem, "deadline": deadline.isoformat()}
        url = data.urls("sanping:item", pk)
        if deadline < data.today:
            drafts.append(n.Draft(member_id, n.RECTIFICATION_OVERDUE, key, params, url))
            if leader_id and leader_id != member_id:
                drafts.append(n.Draft(leader_id, n.MEMBER_RECTIFICATION_OVERDUE, key, params, url))
        elif data.working_days_left(deadline) <= lead:
            drafts.append(n.Draft(member_id, n.RECTIFICATION_DUE_SOON, key, params, url))
    return drafts


# Records waiting for review ---------------------------------------------------


def _records_waiting(data: _Data) -> list[n.Draft]:
    """A record submitted REMINDER_REVIEW_WAITING_DAYS days ago and still not reviewed:
    to the branch secretary. A resubmission starts the wait again (a new key)."""
    since = data.now - datetime.timedelta(days=data.lead["review_days"])
    rows = Meeting.objects.filter(state=Meeting.State.SUBMITTED, submitted_at__lte=since).values_list(
        "pk", "title", "group__name", "group__branch_id", "submitted_at"
    )
    drafts = []
    for pk, title, group, branch_id, submitted_at in rows:
        key = f"meeting:{pk}:waiting:{int(submitted_at.timestamp())}"
        params = {"title": title, "group": group, "submitted_at": submitted_at.isoformat()}
        for secretary in data.secretaries.get(branch_id, ()):
            drafts.append(n.Draft(secretary, n.RECORD_WAITING, key, params, data.urls("meetings:detail", pk)))
    return drafts
