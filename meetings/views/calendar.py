"""The month calendar of a person's meetings, and their meetings as iCalendar:
a download, and a private subscription address (a feed found by its secret token)."""

import calendar as pycalendar
import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.decorators import login_required
from members.roles import member_of

from ..ical import build_calendar, calendar_feed_for_token, calendar_feed_reset, calendar_meetings_for, calendar_name
from ..models import CalendarFeed, Meeting
from ..selectors import meetings_for, member_or_404

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
# Years a month may be asked for; anything else is treated as a typing mistake.
FIRST_YEAR, LAST_YEAR = 1970, 2999
STATE_BADGES = {
    Meeting.State.DRAFT: "text-bg-secondary",
    Meeting.State.SCHEDULED: "text-bg-primary",
    Meeting.State.IN_PROGRESS: "text-bg-warning",
    Meeting.State.HELD: "text-bg-info",
    Meeting.State.SUBMITTED: "text-bg-info",
    Meeting.State.RETURNED: "text-bg-warning",
    Meeting.State.APPROVED: "text-bg-success",
    Meeting.State.CANCELLED: "text-bg-light border text-decoration-line-through",
}


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    meetings: list = field(default_factory=list)


def parse_month(value: str | None) -> datetime.date | None:
    """The first day of the month `YYYY-MM`, or None if it is not a month we show."""
    match = MONTH_PATTERN.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def shift_month(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_weeks(first: datetime.date) -> list[list[datetime.date]]:
    """The weeks (Monday first) that show the month `first` begins."""
    return pycalendar.Calendar(firstweekday=pycalendar.MONDAY).monthdatescalendar(first.year, first.month)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
def month(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    raw = request.GET.get("month")
    first = parse_month(raw) if raw else None
    if raw and first is None:
        messages.warning(
            request,
            _("“%(value)s” is not a month we can show (write it as 2026-11); here is the current month.")
            % {"value": raw[:20]},
        )
    if first is None:
        first = today.replace(day=1)
    show_cancelled = request.GET.get("cancelled") == "1"

    weeks = month_weeks(first)
    meetings = meetings_for(request.user).filter(
        starts_at__gte=_local_midnight(weeks[0][0]),
        starts_at__lt=_local_midnight(weeks[-1][-1] + datetime.timedelta(days=1)),
    )
    if not show_cancelled:
        meetings = meetings.exclude(state=Meeting.State.CANCELLED)
    by_date: dict[datetime.date, list[Meeting]] = {}
    for meeting in meetings.order_by("starts_at", "pk"):
        meeting.badge = STATE_BADGES.get(meeting.state, "text-bg-secondary")
        by_date.setdefault(timezone.localdate(meeting.starts_at), []).append(meeting)
    grid = [
        [Day(date=d, in_month=d.month == first.month, is_today=d == today, meetings=by_date.get(d, [])) for d in week]
        for week in weeks
    ]
    month_days = [day for week in grid for day in week if day.in_month and day.meetings]

    member = member_of(request.user)
    feed = CalendarFeed.objects.filter(member=member).first() if member else None
    feed_url = request.build_absolute_uri(reverse("meetings:ics_feed", args=[feed.token])) if feed else ""
    previous, following = shift_month(first, -1), shift_month(first, 1)
    context = {
        "first": first,
        "weeks": grid,
        "month_days": month_days,
        "weekday_names": [WEEKDAYS[i] for i in range(7)],
        "previous_month": previous.strftime("%Y-%m") if previous.year >= FIRST_YEAR else "",
        "next_month": following.strftime("%Y-%m") if following.year <= LAST_YEAR else "",
        "this_month": today.strftime("%Y-%m"),
        "is_this_month": first == today.replace(day=1),
        "show_cancelled": show_cancelled,
        "member": member,
        "feed": feed,
        "feed_url": feed_url,
    }
    return render(request, "meetings/calendar/month.html", context)


def _ics_response(request: HttpRequest, member, *, attachment: bool) -> HttpResponse:
    meetings = calendar_meetings_for(member)
    body = build_calendar(
        meetings,
        name=calendar_name(member),
        url_of=lambda meeting: request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if attachment:
        response["Content-Disposition"] = 'attachment; filename="sanping-meetings.ics"'
    # Personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def ics_download(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    return _ics_response(request, member, attachment=True)


def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription feed: no session, the secret token is the key."""
    feed = calendar_feed_for_token(token)
    if feed is None:
        raise Http404
    # Calendar apps send whatever language the phone has; the branch reads Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        return _ics_response(request, feed.member, attachment=False)


@login_required
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    had_feed = CalendarFeed.objects.filter(member=member).exists()
    calendar_feed_reset(member=member)
    if had_feed:
        messages.success(request, _("Your subscription address was replaced: the old address no longer works."))
    else:
        messages.success(request, _("Your subscription address is ready: add it to your calendar app."))
    return redirect(reverse("meetings:calendar") + "#subscription")
