"""The branch's cadence (DESIGN.md, "Cadence"): which obligation is done, due soon,
pending or overdue, per group and per member, for the current and previous periods.

Periods are calendar periods in the project's time zone (settings.TIME_ZONE,
Asia/Shanghai): a 2-month rule runs Jan–Feb, Mar–Apr, …; a 6-month rule is a half
year. A group obligation is met in a period by a meeting of the group that took place
(Meeting.TOOK_PLACE), of one of the rule's kinds (none listed: any kind), whose start
falls on a local date inside the period. A member's thought report obligation is met
by a submitted report whose local submission date is inside the period; an oral
report carries the meeting's start as its submission time, so it counts the same way.
One meeting may meet several obligations (the seed allows merging them).

Everything here reads a fixed number of queries, whatever the number of groups,
members and meetings: the rows are fetched once and grouped in Python.
"""

import calendar
import datetime
import functools
import html
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from members.models import Branch, Member, PartyGroup

from .models import CadenceRule, Meeting, ThoughtReport

Obligation = CadenceRule.Obligation

# DESIGN.md's table: (period in months, meeting kinds that satisfy it; empty = any kind).
DEFAULT_RULES: dict[str, tuple[int, list[str]]] = {
    Obligation.GROUP_MEETING: (2, []),
    Obligation.MONTHLY_ACTIVITY: (1, []),
    Obligation.THEME_DAY: (6, [Meeting.Kind.THEME_DAY]),
    Obligation.DEMOCRATIC_LIFE: (6, [Meeting.Kind.DEMOCRATIC_LIFE, Meeting.Kind.SANPING]),
    Obligation.THOUGHT_REPORT: (2, []),
}
DEFAULT_DUE_SOON_DAYS = 10
GROUP_OBLIGATIONS = [
    Obligation.GROUP_MEETING,
    Obligation.MONTHLY_ACTIVITY,
    Obligation.THEME_DAY,
    Obligation.DEMOCRATIC_LIFE,
]
PERIOD_CHOICES = (1, 2, 3, 6, 12)
MAX_DUE_SOON_DAYS = 90
_ORDER = {obligation: index for index, obligation in enumerate(Obligation.values)}


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_today() -> datetime.date:
    return timezone.now().astimezone(local_zone()).date()


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(local_zone()).date()


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


# Periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar period: from `start` to `end`, both days included."""

    start: datetime.date
    end: datetime.date
    months: int

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        return _period_label(get_language(), self)

    def previous(self) -> "Period":
        return period_containing(self.start - datetime.timedelta(days=1), self.months)

    def next(self) -> "Period":
        return period_containing(self.end + datetime.timedelta(days=1), self.months)


def period_containing(day: datetime.date, months: int) -> Period:
    """The calendar period of `months` months (a divisor of 12) that holds `day`."""
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"A period must divide the year, not {months} months.")
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    last_day = calendar.monthrange(day.year, last_month)[1]
    return Period(datetime.date(day.year, first_month, 1), datetime.date(day.year, last_month, last_day), months)


def previous_period(period: Period) -> Period:
    return period.previous()


@functools.lru_cache(maxsize=256)
def _period_label(language: str | None, period: Period) -> str:
    year, first, last = period.start.year, period.start.month, period.end.month
    if period.months == 1:
        return gettext("%(year)d-%(month)02d") % {"year": year, "month": first}
    if period.months == 6:
        if first == 1:
            return gettext("first half of %(year)d") % {"year": year}
        return gettext("second half of %(year)d") % {"year": year}
    if period.months == 12:
        return gettext("year %(year)d") % {"year": year}
    return gettext("%(year)d-%(first)02d to %(last)02d") % {"year": year, "first": first, "last": last}


# Statuses -----------------------------------------------------------------------


class State(models.TextChoices):
    DONE = "done", _("done")
    DUE_SOON = "due_soon", _("due soon")
    PENDING = "pending", _("pending")
    OVERDUE = "overdue", _("overdue")


BADGE_CLASSES = {
    State.DONE: "text-bg-success",
    State.DUE_SOON: "text-bg-warning",
    State.PENDING: "text-bg-light border",
    State.OVERDUE: "text-bg-danger",
}


class _Words:
    """The words of the statuses in one language. The dashboard shows some 1,500
    statuses: translating their words anew each time would cost more than the rest
    of the page, so they are translated once per language."""

    def __init__(self, language: str | None):
        self.language = language
        self.states = {state: str(label) for state, label in State.choices}
        self.day = gettext("%(month)d/%(day)d")
        self._days_left: dict[int, str] = {}

    def period(self, period: Period) -> str:
        return _period_label(self.language, period)

    def days_left(self, days: int) -> str:
        if days not in self._days_left:
            self._days_left[days] = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
        return self._days_left[days]


@functools.lru_cache(maxsize=16)
def _words_in(language: str | None) -> _Words:
    return _Words(language)


def _words() -> _Words:
    return _words_in(get_language())


@dataclass
class ObligationStatus:
    """Where one obligation stands for one group or member in one period.

    A status of the current period carries the previous period's as `previous`.
    The statuses of everyone who has not met an obligation are one shared object:
    treat them as read-only (not frozen only because a frozen dataclass is three
    times slower to build, and the dashboard builds thousands).
    """

    obligation: str
    label: str
    period: Period
    state: str
    satisfied_by: Meeting | ThoughtReport | None = None
    days_left: int | None = None  # days until the period ends; None for a past period
    previous: "ObligationStatus | None" = None
    # The words in the language of the request, handed over by whoever builds many statuses.
    words: _Words | None = field(default=None, repr=False, compare=False)

    @cached_property
    def _w(self) -> _Words:
        return self.words or _words()

    @property
    def state_label(self) -> str:
        return self._w.states[self.state]

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES[self.state]

    @property
    def is_done(self) -> bool:
        return self.state == State.DONE

    @property
    def is_overdue(self) -> bool:
        return self.state == State.OVERDUE

    @property
    def is_due_soon(self) -> bool:
        return self.state == State.DUE_SOON

    @property
    def is_current(self) -> bool:
        return self.days_left is not None

    @cached_property
    def satisfied_on(self) -> datetime.date | None:
        """The local date of the meeting or report that met the obligation."""
        if isinstance(self.satisfied_by, Meeting):
            return local_date(self.satisfied_by.starts_at)
        if isinstance(self.satisfied_by, ThoughtReport):
            return local_date(self.satisfied_by.submitted_at)
        return None

    @cached_property
    def url(self) -> str:
        if isinstance(self.satisfied_by, Meeting):
            return _detail_url("meetings:detail", self.satisfied_by.pk)
        if isinstance(self.satisfied_by, ThoughtReport):
            return _detail_url("meetings:report_detail", self.satisfied_by.pk)
        return ""

    @cached_property
    def detail(self) -> str:
        """A few words after the state: the day it was met, or the days left."""
        if self.is_done:
            day = self.satisfied_on
            return self._w.day % {"month": day.month, "day": day.day} if day else ""
        if self.state in (State.DUE_SOON, State.PENDING) and self.days_left is not None:
            return self._w.days_left(self.days_left)
        return ""

    @cached_property
    def text(self) -> str:
        """What the badge says: the state, and the day it was met or the days left."""
        if self.detail:
            return f"{self.state_label} {self.detail}" if self.is_done else f"{self.state_label} · {self.detail}"
        return self.state_label

    @cached_property
    def title(self) -> str:
        """The badge's tooltip: the period, and the meeting or report that met it."""
        if self.satisfied_by is not None:
            return f"{self._w.period(self.period)} · {self.satisfied_by.title}"
        return self._w.period(self.period)

    @cached_property
    def badge(self) -> str:
        """The coloured badge, linking the meeting or report that met the obligation.

        Built here rather than in a template, in one pass: the dashboard shows some
        1,500 of them (everyone who has not met an obligation shares one status, hence
        one badge). html.escape gives format_html's escaping at a fraction of the cost;
        every value not escaped is our own constant.
        """
        words = self._w
        state_label = words.states[self.state]
        period = words.period(self.period)
        met = self.satisfied_by
        if met is None:
            text = state_label if self.days_left is None else f"{state_label} · {words.days_left(self.days_left)}"
            return SafeString(
                f'<span class="badge {BADGE_CLASSES[self.state]}" title="{html.escape(period)}" '
                f'data-state="{self.state}">{html.escape(text)}</span>'
            )
        day = self.satisfied_on
        text = f"{state_label} {words.day % {'month': day.month, 'day': day.day}}"
        return SafeString(
            f'<a class="badge {BADGE_CLASSES[self.state]} text-decoration-none" href="{self.url}" '
            f'title="{html.escape(period)} · {html.escape(met.title)}" data-state="{self.state}">{html.escape(text)}</a>'
        )

    @property
    def needs_attention(self) -> bool:
        """Overdue last period, or due soon (or overdue) now."""
        return self.state in (State.OVERDUE, State.DUE_SOON) or bool(self.previous and self.previous.is_overdue)


_URL_TEMPLATES: dict[str, str] = {}


def _detail_url(name: str, pk: int) -> str:
    # The dashboard links hundreds of cells; reversing each one costs more than the
    # rest of the page, so reverse once per URL name (and script prefix) and fill in the pk.
    key = f"{name}:{get_script_prefix()}"
    if key not in _URL_TEMPLATES:
        _URL_TEMPLATES[key] = reverse(name, args=[987654321]).replace("987654321", "{pk}")
    return _URL_TEMPLATES[key].format(pk=pk)


class _Clock:
    """One rule as of `today`: its current and previous periods, and the statuses of
    whoever has not met it, built once and shared by every group or member."""

    def __init__(self, rule: CadenceRule, today: datetime.date):
        self.rule = rule
        self.words = _words()
        self.kinds = frozenset(rule.kinds)
        self.label = rule.get_obligation_display()
        self.current = period_containing(today, rule.period_months)
        self.previous = self.current.previous()
        self.days_left = (self.current.end - today).days
        open_state = State.DUE_SOON if self.days_left <= rule.due_soon_days else State.PENDING
        self.missed = self._make(self.previous, State.OVERDUE, None, None)
        self.open = self._make(self.current, open_state, None, self.days_left)
        self.nothing = replace(self.open, previous=self.missed)

    def _make(self, period, state, satisfied_by, days_left, previous=None) -> ObligationStatus:
        return ObligationStatus(
            self.rule.obligation, self.label, period, state, satisfied_by, days_left, previous, self.words
        )

    def accepts(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def status(self, before, now) -> ObligationStatus:
        """The current status, previous attached, given what met the rule in the
        previous period (`before`) and in the current one (`now`), or None."""
        if before is None and now is None:
            return self.nothing
        previous = self.missed if before is None else self._make(self.previous, State.DONE, before, None)
        if now is None:
            return replace(self.open, previous=previous)
        return self._make(self.current, State.DONE, now, self.days_left, previous)


def _earliest(dated: Sequence[tuple[datetime.date, object]], period: Period, accepts=None):
    """The first item of `dated` ((local date, item), earliest first) in `period`."""
    for day, item in dated:
        if day > period.end:
            return None
        if day >= period.start and (accepts is None or accepts(item.kind)):
            return item
    return None


# Rules --------------------------------------------------------------------------


def rules_for(branch: Branch) -> list[CadenceRule]:
    """The branch's rules, one per obligation in the glossary's order; the missing
    ones are created from DESIGN.md's defaults first (one query when none is missing)."""
    return _rules_for_branch_id(branch.pk)


def _rules_for_branch_id(branch_id: int) -> list[CadenceRule]:
    rules = list(CadenceRule.objects.filter(branch_id=branch_id))
    if len(rules) < len(DEFAULT_RULES):
        present = {rule.obligation for rule in rules}
        CadenceRule.objects.bulk_create(
            [
                CadenceRule(
                    branch_id=branch_id,
                    obligation=obligation,
                    period_months=months,
                    kinds=[str(kind) for kind in kinds],
                    due_soon_days=DEFAULT_DUE_SOON_DAYS,
                )
                for obligation, (months, kinds) in DEFAULT_RULES.items()
                if obligation not in present
            ],
            ignore_conflicts=True,
        )
        rules = list(CadenceRule.objects.filter(branch_id=branch_id))
    return sorted(rules, key=lambda rule: _ORDER.get(rule.obligation, len(_ORDER)))


def can_view_cadence(member: Member | None, branch: Branch) -> bool:
    """The branch's secretary and committee members watch its cadence."""
    return member is not None and member.is_branch_committee and member.branch_id == branch.pk


def can_edit_rules(member: Member | None, branch: Branch) -> bool:
    """Only the branch secretary changes the branch's cadence rules."""
    return member is not None and member.branch_role == Member.BranchRole.SECRETARY and member.branch_id == branch.pk


@dataclass(frozen=True)
class RuleChange:
    period_months: int
    due_soon_days: int
    kinds: Sequence[str] = ()


def _clean_change(obligation: str, change: RuleChange) -> tuple[tuple[int, int, list[str]] | None, dict[str, str]]:
    """The values to store, or the refusals keyed by field."""
    errors: dict[str, str] = {}
    if change.period_months not in PERIOD_CHOICES:
        errors["period_months"] = gettext("Choose a period of 1, 2, 3, 6 or 12 months.")
    if not (0 <= change.due_soon_days <= MAX_DUE_SOON_DAYS):
        errors["due_soon_days"] = gettext("Enter a number of days from 0 to 90.")
    kinds: list[str] = []
    if obligation in GROUP_OBLIGATIONS:
        unknown = set(change.kinds) - set(Meeting.Kind.values)
        if unknown or not change.kinds:
            errors["kinds"] = gettext("Tick at least one kind of meeting that meets this obligation.")
        # Every kind ticked is stored as "any kind", so that a kind added later counts too.
        elif set(change.kinds) != set(Meeting.Kind.values):
            kinds = [kind for kind in Meeting.Kind.values if kind in change.kinds]
    if errors:
        return None, errors
    return (change.period_months, change.due_soon_days, kinds), {}


@transaction.atomic
def cadence_rules_update(*, branch: Branch, by: Member, changes: Mapping[str, RuleChange]) -> list[CadenceRule]:
    """The branch secretary changes the branch's cadence rules (period, kinds that
    satisfy a group obligation, warning days). All are saved or none; they take
    effect on the dashboard at once. Nothing else is triggered.

    Raises PermissionDenied for anyone but the secretary, and ValidationError for bad
    values, keyed "<obligation>-<field>" (the names of the rules page's inputs).
    """
    if not can_edit_rules(by, branch):
        raise PermissionDenied
    rules_for(branch)
    rules = {rule.obligation: rule for rule in CadenceRule.objects.select_for_update().filter(branch=branch)}
    errors: dict[str, str] = {}
    changed = []
    for obligation, change in changes.items():
        if obligation not in rules:
            errors[f"{obligation}-obligation"] = gettext("There is no such obligation.")
            continue
        values, refusals = _clean_change(obligation, change)
        if values is None:
            errors.update({f"{obligation}-{name}": message for name, message in refusals.items()})
            continue
        rule = rules[obligation]
        rule.period_months, rule.due_soon_days, rule.kinds = values
        changed.append(rule)
    if errors:
        raise ValidationError(errors)
    CadenceRule.objects.bulk_update(changed, ["period_months", "due_soon_days", "kinds"])
    return sorted(rules.values(), key=lambda rule: _ORDER.get(rule.obligation, len(_ORDER)))


# Computation --------------------------------------------------------------------


def _window(rules: Iterable[CadenceRule], today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From the start of the earliest previous period to the end of the latest current
    one, as aware datetimes [start, end) for a query on starts_at / submitted_at."""
    currents = [period_containing(today, rule.period_months) for rule in rules]
    if not currents:
        currents = [period_containing(today, 1)]
    start = min(period.previous().start for period in currents)
    end = max(period.end for period in currents)
    return local_midnight(start), local_midnight(end + datetime.timedelta(days=1))


def _meetings_in_window(group_filter: dict, rules: Sequence[CadenceRule], today: datetime.date) -> list[Meeting]:
    start, end = _window(rules, today)
    return list(
        Meeting.objects.filter(**group_filter, state__in=Meeting.TOOK_PLACE, starts_at__gte=start, starts_at__lt=end)
        .only("pk", "group_id", "kind", "title", "starts_at")
        .order_by("starts_at", "pk")
    )


def _reports_in_window(member_filter: dict, rule: CadenceRule, today: datetime.date) -> list[ThoughtReport]:
    start, end = _window([rule], today)
    return list(
        ThoughtReport.objects.filter(
            **member_filter, state=ThoughtReport.State.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end
        )
        .only("pk", "member_id", "title", "submitted_at")
        .order_by("submitted_at", "pk")
    )


def _group_statuses(clocks: Sequence[_Clock], dated_meetings) -> list[ObligationStatus]:
    """`dated_meetings`: (local date, meeting) of one group, earliest first."""
    return [
        clock.status(
            _earliest(dated_meetings, clock.previous, clock.accepts),
            _earliest(dated_meetings, clock.current, clock.accepts),
        )
        for clock in clocks
    ]


def _report_status(clock: _Clock, dated_reports) -> ObligationStatus:
    return clock.status(_earliest(dated_reports, clock.previous), _earliest(dated_reports, clock.current))


def _group_clocks(rules: Sequence[CadenceRule], today: datetime.date) -> list[_Clock]:
    return [_Clock(rule, today) for rule in rules if rule.obligation in GROUP_OBLIGATIONS]


def _thought_report_rule(rules: Sequence[CadenceRule]) -> CadenceRule:
    return next(rule for rule in rules if rule.obligation == Obligation.THOUGHT_REPORT)


@dataclass
class GroupCadence:
    group: PartyGroup
    statuses: list[ObligationStatus]  # one per group obligation, current period, `previous` attached

    @property
    def overdue(self) -> bool:
        return any(s.is_overdue or (s.previous and s.previous.is_overdue) for s in self.statuses)

    @property
    def due_soon(self) -> bool:
        return any(s.is_due_soon for s in self.statuses)


@dataclass
class MemberCadence:
    member: Member
    status: ObligationStatus  # the thought report, current period, `previous` attached
    group: PartyGroup | None = None

    @property
    def overdue(self) -> bool:
        return self.status.is_overdue or bool(self.status.previous and self.status.previous.is_overdue)


@dataclass
class BranchCadence:
    branch: Branch
    today: datetime.date
    rules: list[CadenceRule]
    groups: list[GroupCadence]
    all_members: list[MemberCadence]  # every active member of the branch: the counts
    member_group_id: int | None = None  # the group whose members `members` keeps, if any
    # Headings of the dashboard: one per group obligation (rule, previous period, current period).
    columns: list[tuple[CadenceRule, Period, Period]] = field(default_factory=list)

    @cached_property
    def members(self) -> list[MemberCadence]:
        """The members to list: those of `member_group_id`, or everyone."""
        if self.member_group_id is None:
            return self.all_members
        return [row for row in self.all_members if row.member.group_id == self.member_group_id]

    @cached_property
    def members_html(self) -> SafeString:
        """The member table's rows, grouped under their party group's name: built in one
        pass for the same reason as the badges (a branch lists hundreds of members)."""
        rows, current = [], object()
        no_group = html.escape(gettext("no party group"))
        for row in self.members:
            if row.group != current:
                current = row.group
                name = html.escape(row.group.name) if row.group is not None else no_group
                rows.append(f'<tr class="table-light" data-testid="member-group"><th colspan="3" scope="rowgroup">{name}</th></tr>')
            previous = row.status.previous.badge if row.status.previous is not None else ""
            rows.append(
                f'<tr data-testid="member-row"><td>{html.escape(row.member.name)}</td>'
                f"<td>{previous}</td><td>{row.status.badge}</td></tr>"
            )
        return SafeString("\n".join(rows))

    @cached_property
    def groups_overdue(self) -> int:
        return sum(1 for row in self.groups if row.overdue)

    @cached_property
    def groups_due_soon(self) -> int:
        return sum(1 for row in self.groups if row.due_soon)

    @cached_property
    def members_overdue(self) -> int:
        return sum(1 for row in self.all_members if row.overdue)

    @cached_property
    def members_due_soon(self) -> int:
        return sum(1 for row in self.all_members if row.status.is_due_soon)

    @property
    def report_rule(self) -> CadenceRule:
        return _thought_report_rule(self.rules)

    @property
    def report_periods(self) -> tuple[Period, Period]:
        current = period_containing(self.today, self.report_rule.period_months)
        return current.previous(), current


def branch_cadence(branch: Branch, today: datetime.date | None = None, *, member_group_id: int | None = None) -> BranchCadence:
    """Every group × group obligation, and every active member's thought report, for
    the current and previous periods. Five queries (rules, groups, meetings, members,
    reports), whatever the size of the branch. `member_group_id` lists the members of
    one group only; the group rows and the counts stay those of the whole branch."""
    today = today or local_today()
    rules = rules_for(branch)
    groups = list(PartyGroup.objects.filter(branch=branch).select_related("leader").order_by("position", "name", "pk"))
    group_ids = {group.pk for group in groups}

    zone = local_zone()
    by_group: dict[int, list] = defaultdict(list)
    for meeting in _meetings_in_window({"group__branch": branch}, rules, today):
        by_group[meeting.group_id].append((meeting.starts_at.astimezone(zone).date(), meeting))
    clocks = _group_clocks(rules, today)
    group_rows = [GroupCadence(group, _group_statuses(clocks, by_group[group.pk])) for group in groups]

    if member_group_id not in group_ids:
        member_group_id = None
    members = list(
        Member.objects.filter(branch=branch, user__is_active=True)
        .only("pk", "name", "group_id", "branch_id")
        .order_by("name", "number")
    )
    groups_by_id = {group.pk: group for group in groups}
    positions = {group.pk: index for index, group in enumerate(groups)}
    members.sort(key=lambda m: (positions.get(m.group_id, len(positions)), m.name))

    report_clock = _Clock(_thought_report_rule(rules), today)
    by_member: dict[int, list] = defaultdict(list)
    for report in _reports_in_window({"member__branch": branch, "member__user__is_active": True}, report_clock.rule, today):
        by_member[report.member_id].append((report.submitted_at.astimezone(zone).date(), report))
    # The member's group comes from the groups already fetched, not from a query per member.
    member_rows = [
        MemberCadence(member, _report_status(report_clock, by_member[member.pk]), groups_by_id.get(member.group_id))
        for member in members
    ]

    columns = [(clock.rule, clock.previous, clock.current) for clock in clocks]
    return BranchCadence(
        branch=branch,
        today=today,
        rules=rules,
        groups=group_rows,
        all_members=member_rows,
        member_group_id=member_group_id,
        columns=columns,
    )


def group_cadence(
    group: PartyGroup, today: datetime.date | None = None, *, rules: Sequence[CadenceRule] | None = None
) -> GroupCadence:
    """One group's obligations, for its leader's home page: two queries (rules,
    meetings), or one when the branch's `rules` are passed in."""
    today = today or local_today()
    rules = list(rules) if rules is not None else _rules_for_branch_id(group.branch_id)
    dated = [(local_date(m.starts_at), m) for m in _meetings_in_window({"group": group}, rules, today)]
    return GroupCadence(group, _group_statuses(_group_clocks(rules, today), dated))


def thought_report_status(
    member: Member, today: datetime.date | None = None, *, rules: Sequence[CadenceRule] | None = None
) -> ObligationStatus:
    """A member's thought report obligation, current period (`previous` attached):
    two queries (rules, reports), or one when the branch's `rules` are passed in."""
    today = today or local_today()
    rules = list(rules) if rules is not None else _rules_for_branch_id(member.branch_id)
    rule = _thought_report_rule(rules)
    dated = [(local_date(r.submitted_at), r) for r in _reports_in_window({"member": member}, rule, today)]
    return _report_status(_Clock(rule, today), dated)
