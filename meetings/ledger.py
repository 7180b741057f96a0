"""The yearly group ledger (年度台账): one PDF with a cover, a table of contents with
page numbers, the group's cadence compliance for the year, every approved record of
the year in date order (meeting records; 三评 records in their full edition) and the
thought-report register.

It can take a while, so it is built by a Celery task (ledger_tasks.py) into a
LedgerBuild row, which the ledger page polls for its progress and then offers for
download. A build is keyed by a fingerprint of what goes into it (`ledger_source_key`):
asking twice for the same group and year, with nothing changed, finds the same build
instead of making a second one.
"""

import datetime
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from members.models import Member, PartyGroup
from sanping.models import RectificationItem, SanpingSession
from sanping.pdf import sanping_context

from . import cadence
from .models import Attendance, CadenceRule, LedgerBuild, Meeting, ThoughtReport
from .pdf import collector_paused, layout, meeting_context, render_html, require_cjk_font
from .selectors import with_records

logger = logging.getLogger(__name__)

# Bump when the ledger's content or layout changes, so that builds made by older code
# are not handed out as if they were current.
LEDGER_FORMAT = 1
# A build still waiting or running after this long lost its worker: it may be queued again.
STALE_AFTER = datetime.timedelta(minutes=30)
MIN_YEAR = 2000


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year in the project's time zone, as aware datetimes [start, end)."""
    return (cadence.local_midnight(datetime.date(year, 1, 1)), cadence.local_midnight(datetime.date(year + 1, 1, 1)))


def ledger_years(group: PartyGroup) -> list[int]:
    """The years the ledger page offers: from the group's first meeting to this year, newest first."""
    this_year = cadence.local_today().year
    first = Meeting.objects.filter(group=group).order_by("starts_at").values_list("starts_at", flat=True).first()
    start = cadence.local_date(first).year if first else this_year
    return list(range(this_year, max(min(start, this_year), MIN_YEAR) - 1, -1))


def _approved_records(group: PartyGroup, year: int):
    start, end = year_bounds(year)
    return Meeting.objects.filter(group=group, state=Meeting.State.APPROVED, starts_at__gte=start, starts_at__lt=end)


def _register_reports(group: PartyGroup, year: int):
    """Submitted thought reports of the year by the group's members, or delivered at its meetings."""
    start, end = year_bounds(year)
    return ThoughtReport.objects.filter(
        Q(member__group=group) | Q(meeting__group=group),
        state=ThoughtReport.State.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end,
    )


def ledger_source_key(group: PartyGroup, year: int, today: datetime.date | None = None) -> str:
    """A fingerprint of everything the ledger prints: the meetings of the year (their
    states and versions), the 三评 sessions and every rectification item's state up to
    the year's end (the records report on the previous session's), make-up study noted
    after approval, the thought reports, the group's members and leader, the branch's
    cadence rules, and — for a year not yet over — the day, since its compliance is
    "as of" a date. Seven small queries."""
    today = today or cadence.local_today()
    start, end = year_bounds(year)
    parts: list = [LEDGER_FORMAT, group.pk, group.name, group.leader_id, year]
    if today.year <= year:
        parts.append(today.isoformat())
    parts.append(list(
        Meeting.objects.filter(group=group, starts_at__gte=start, starts_at__lt=end, state__in=Meeting.TOOK_PLACE)
        .order_by("pk").values_list("pk", "state", "kind", "version", "updated_at")
    ))
    parts.append(list(
        SanpingSession.objects.filter(meeting__group=group, meeting__starts_at__lt=end)
        .order_by("pk").values_list("pk", "updated_at")
    ))
    parts.append(list(
        RectificationItem.objects.filter(session__meeting__group=group, session__meeting__starts_at__lt=end)
        .order_by("pk").values_list("pk", "state", "deadline", "verified_at")
    ))
    parts.append(list(
        Attendance.objects.filter(meeting__in=_approved_records(group, year)).exclude(makeup_done_on=None)
        .order_by("pk").values_list("pk", "makeup_done_on")
    ))
    parts.append(list(_register_reports(group, year).order_by("pk").values_list("pk", "updated_at")))
    parts.append(list(group.members.filter(user__is_active=True).order_by("pk").values_list("pk", "name")))
    # Through rules_for, which creates the branch's missing rules as the build will.
    parts.append([(rule.obligation, rule.period_months, rule.kinds) for rule in cadence.rules_for(group.branch)])
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# Requests and builds --------------------------------------------------------------


def ledger_request(*, group: PartyGroup, year: int, by: Member, enqueue: bool = True) -> tuple[LedgerBuild, bool]:
    """The secretary, a committee member or the group's leader asks for the group's
    ledger of `year`. Finds the build made from the same records, or creates one and
    enqueues its task after commit; a failed build, or one whose worker vanished
    (still not done after STALE_AFTER), is queued again. Returns (build, queued).

    Raises PermissionDenied for anyone else, ValidationError for a year to come. Two
    requests at once make one row (the unique group + year + source key); a retry is
    claimed with a conditional update, so only one of them enqueues."""
    if not by.user.has_perm("meetings.export_ledger", group):
        raise PermissionDenied
    if not MIN_YEAR <= year <= cadence.local_today().year:
        raise ValidationError({"year": _("Choose a year from %(first)d to this one.") % {"first": MIN_YEAR}})
    key = ledger_source_key(group, year)
    build, queued = LedgerBuild.objects.get_or_create(
        group=group, year=year, source_key=key, defaults={"requested_by": by}
    )
    now = timezone.now()
    stuck = build.status in (LedgerBuild.Status.PENDING, LedgerBuild.Status.RUNNING) and build.requested_at < now - STALE_AFTER
    if not queued and (build.status == LedgerBuild.Status.FAILED or stuck):
        queued = LedgerBuild.objects.filter(pk=build.pk, status=build.status, requested_at=build.requested_at).update(
            status=LedgerBuild.Status.PENDING, progress=0, error="", requested_by=by, requested_at=now, finished_at=None,
        ) == 1
        build.refresh_from_db()
    if queued and enqueue:
        from .ledger_tasks import task_build_ledger

        task_build_ledger.delay_on_commit(build.pk)
    return build, queued


class _Progress:
    """Writes a build's percentage as it goes: only forward, and at most every
    `interval` seconds (the page polls every two seconds). `callback` hears every step."""

    interval = 0.5

    def __init__(self, build_id: int, callback: Callable[[int], None] | None = None):
        self.build_id, self.callback = build_id, callback
        self.percent, self.written_at = 0, 0.0

    def __call__(self, percent: float) -> None:
        percent = min(int(percent), 100)
        if percent <= self.percent:
            return
        self.percent = percent
        now = time.monotonic()
        if percent == 100 or now - self.written_at >= self.interval:
            self.written_at = now
            LedgerBuild.objects.filter(pk=self.build_id).update(progress=percent)
        if self.callback:
            self.callback(percent)


class _LayoutProgress(logging.Handler):
    """WeasyPrint announces each page it lays out on the 'weasyprint.progress' logger
    (meetings/pdf.py keeps those lines out of the log); this maps them onto the build's
    progress between `start` and `end`, against an estimate of the page count."""

    def __init__(self, progress: _Progress, start: int, end: int, pages: int):
        super().__init__(logging.INFO)
        self.progress, self.start, self.end, self.pages = progress, start, end, max(pages, 1)
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        if record.msg.startswith("Step 5 - Creating layout - Page") and record.args:
            self.progress(self.start + (self.end - self.start - 1) * min(record.args[0] / self.pages, 1))
        elif record.msg.startswith("Step 6"):
            self.progress(self.end)


def ledger_build(*, build_id: int, on_progress: Callable[[int], None] | None = None) -> LedgerBuild | None:
    """Build the PDF of a requested ledger and store it under MEDIA_ROOT/ledgers/.
    Claimed with a conditional update: a second run of the same task (Celery may
    deliver twice) or a build already done does nothing and returns None. A failure
    is kept on the row with its message, for the page to show and a new request to retry."""
    claimed = LedgerBuild.objects.filter(pk=build_id, status=LedgerBuild.Status.PENDING).update(
        status=LedgerBuild.Status.RUNNING, progress=1
    )
    if not claimed:
        return None
    build = LedgerBuild.objects.select_related("group__branch", "group__leader").get(pk=build_id)
    progress = _Progress(build_id, on_progress)
    try:
        data, pages = render_ledger_pdf(build.group, build.year, progress=progress)
        build.file.save(f"{build.group_id}-{build.year}-{build.source_key[:16]}.pdf", ContentFile(data), save=False)
    except Exception as error:  # noqa: BLE001 — whatever went wrong is shown on the page, not lost in a worker log
        logger.exception("Ledger build %s failed", build_id)
        LedgerBuild.objects.filter(pk=build_id).update(
            status=LedgerBuild.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return LedgerBuild.objects.get(pk=build_id)
    LedgerBuild.objects.filter(pk=build_id).update(
        status=LedgerBuild.Status.DONE, progress=100, file=build.file.name, pages=pages, finished_at=timezone.now()
    )
    if on_progress:
        on_progress(100)
    return LedgerBuild.objects.get(pk=build_id)


# What the ledger prints ------------------------------------------------------------


@dataclass
class PeriodRow:
    """One period of one obligation: met (by `meeting`), missed, running or to come."""

    period: cadence.Period
    state: str  # "met", "missed", "open", "future"
    meeting: Meeting | None = None


@dataclass
class ObligationYear:
    rule: CadenceRule
    rows: list[PeriodRow]

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.state == "met")

    @property
    def missed(self) -> int:
        return sum(1 for row in self.rows if row.state == "missed")


def cadence_year(group: PartyGroup, year: int, today: datetime.date | None = None) -> list[ObligationYear]:
    """Each group obligation of the branch's rules, period by period through the year,
    met by the first meeting of the group that took place in it (as on the cadence
    dashboard: held meetings count, approved or not). Two queries."""
    today = today or cadence.local_today()
    start, end = year_bounds(year)
    meetings = list(
        Meeting.objects.filter(group=group, state__in=Meeting.TOOK_PLACE, starts_at__gte=start, starts_at__lt=end)
        .only("pk", "kind", "title", "starts_at", "state").order_by("starts_at", "pk")
    )
    dated = [(cadence.local_date(m.starts_at), m) for m in meetings]
    result = []
    for rule in cadence.rules_for(group.branch):
        if rule.obligation not in cadence.GROUP_OBLIGATIONS:
            continue
        rows = []
        for month in range(1, 13, rule.period_months):
            period = cadence.period_containing(datetime.date(year, month, 1), rule.period_months)
            met = next((m for day, m in dated if day in period and (not rule.kinds or m.kind in rule.kinds)), None)
            if met is not None:
                state = "met"
            elif period.end < today:
                state = "missed"
            elif period.start <= today:
                state = "open"
            else:
                state = "future"
            rows.append(PeriodRow(period, state, met))
        result.append(ObligationYear(rule, rows))
    return result


@dataclass
class RegisterRow:
    member: Member
    cells: list[list[ThoughtReport]]  # one list per report period of the year


@dataclass
class Register:
    periods: list[cadence.Period]
    rows: list[RegisterRow]
    reports: list[ThoughtReport] = field(default_factory=list)


def thought_report_register(group: PartyGroup, year: int) -> Register:
    """The year's thought reports: per member and report period (the branch's rule),
    then each report in date order. Three queries."""
    rule = next(r for r in cadence.rules_for(group.branch) if r.obligation == CadenceRule.Obligation.THOUGHT_REPORT)
    periods = [cadence.period_containing(datetime.date(year, m, 1), rule.period_months) for m in range(1, 13, rule.period_months)]
    reports = list(_register_reports(group, year).select_related("member", "meeting").order_by("submitted_at", "pk"))
    members = {m.pk: m for m in group.members.filter(user__is_active=True)}
    for report in reports:
        members.setdefault(report.member_id, report.member)
    rows = {pk: RegisterRow(member, [[] for _ in periods]) for pk, member in members.items()}
    for report in reports:
        day = cadence.local_date(report.submitted_at)
        index = next(i for i, period in enumerate(periods) if day in period)
        rows[report.member_id].cells[index].append(report)
    ordered = sorted(rows.values(), key=lambda row: (row.member.pk != group.leader_id, row.member.name))
    return Register(periods, ordered, reports)


@dataclass
class Entry:
    """One record of the ledger, rendered on its own (for progress) and placed as is."""

    meeting: Meeting
    html: SafeString

    @property
    def anchor(self) -> str:
        return f"record-{self.meeting.pk}"


def render_ledger_html(group: PartyGroup, year: int, progress: Callable[[float], None] = lambda p: None) -> str:
    """The ledger's HTML; `progress` hears 5 % to 40 % as the records are rendered."""
    require_cjk_font()  # before the records' work, not after it
    today = cadence.local_today()
    records = list(with_records(_approved_records(group, year)).order_by("starts_at", "pk"))
    entries = []
    with translation.override("zh-hans"):
        for index, meeting in enumerate(records):
            session = getattr(meeting, "sanping", None) if meeting.kind == Meeting.Kind.SANPING else None
            if session is not None:
                session.meeting = meeting  # with its record read above
                html = render_to_string("sanping/pdf/_record.html", sanping_context(session, full=True, loaded=True))
            else:
                html = render_to_string("meetings/pdf/_meeting_record.html", meeting_context(meeting, loaded=True))
            entries.append(Entry(meeting, mark_safe(html)))  # noqa: S308 — our own template's output, escaped there
            progress(5 + 35 * (index + 1) / max(len(records), 1))
    return render_html("meetings/pdf/ledger.html", {
        "group": group,
        "branch": group.branch,
        "year": year,
        "today": today,
        "year_over": today.year > year,
        "entries": entries,
        "sanping_count": sum(1 for e in entries if e.meeting.kind == Meeting.Kind.SANPING),
        "members_count": group.members.filter(user__is_active=True).count(),
        "obligations": cadence_year(group, year, today),
        "register": thought_report_register(group, year),
    })


# HTML per page laid out, measured on the bench's records: only to estimate progress.
HTML_BYTES_PER_PAGE = 2500


def render_ledger_pdf(group: PartyGroup, year: int, *, progress: Callable[[float], None] = lambda p: None) -> tuple[bytes, int]:
    """The ledger as PDF bytes and its page count; `progress` hears the percentage."""
    progress(3)
    html = render_ledger_html(group, year, progress)
    handler = _LayoutProgress(progress, 40, 95, len(html.encode()) // HTML_BYTES_PER_PAGE)
    weasy = logging.getLogger("weasyprint.progress")
    weasy.addHandler(handler)
    try:
        with collector_paused():
            document = layout(html)
            data = document.write_pdf()
    finally:
        weasy.removeHandler(handler)
    progress(98)
    return data, len(document.pages)
