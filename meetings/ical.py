"""A person's meetings as an iCalendar (RFC 5545), for the .ics download and the
private subscription feed.

One VEVENT per meeting, with a UID that never changes (meeting-<pk>@sanping) and a
SEQUENCE that is the meeting's reschedule count, so that a phone updates the event
it already has instead of adding a second one. Cancelled meetings that had been
published stay in the feed with STATUS:CANCELLED: that is how a calendar learns to
remove them. Drafts are nobody's business yet and are left out.
"""

import datetime
import secrets

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from members.models import Member

from .models import AgendaItem, CalendarFeed, Meeting

PRODID = "-//sanping//party group meetings//ZH"
UID_DOMAIN = "sanping"
# VTIMEZONE rules are written for this span; it covers any meeting we keep.
TZ_FIRST_DATE = datetime.date(2000, 1, 1)
TZ_LAST_DATE = datetime.date(2100, 1, 1)


def calendar_meetings_for(member: Member) -> QuerySet[Meeting]:
    """The meetings `member` is expected at (attendee or guest) or chairs.

    Drafts are left out, and so are drafts that were cancelled before anyone was
    told; a published meeting that was cancelled stays, to be removed by calendars.
    """
    return (
        Meeting.objects.filter(Q(attendances__member=member) | Q(chair=member))
        .exclude(state=Meeting.State.DRAFT)
        .exclude(state=Meeting.State.CANCELLED, published_at__isnull=True)
        .select_related("group")
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "pk")))
        .distinct()
        .order_by("starts_at", "pk")
    )


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def _description(meeting: Meeting) -> str:
    lines = [_("Party group: %(group)s") % {"group": meeting.group.name}]
    items = list(meeting.agenda_items.all())
    if items:
        lines.append(_("Agenda:"))
        lines.extend(f"{number}. {item.title}" for number, item in enumerate(items, start=1))
    if meeting.state == Meeting.State.CANCELLED and meeting.cancel_reason:
        lines.append(_("Reason for cancelling: %(reason)s") % {"reason": meeting.cancel_reason})
    return "\n".join(lines)


def meeting_event(meeting: Meeting, *, url: str = "") -> Event:
    zone = timezone.get_default_timezone()
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at or timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at, zone))
    event.add("dtend", timezone.localtime(meeting.ends_at, zone))
    event.add("sequence", meeting.reschedule_count)
    # Every published state but cancelled is a meeting that is (or was) going ahead.
    event.add("status", "CANCELLED" if meeting.state == Meeting.State.CANCELLED else "CONFIRMED")
    event.add("summary", _("%(kind)s: %(title)s") % {"kind": meeting.get_kind_display(), "title": meeting.title})
    event.add("location", meeting.place)
    event.add("description", _description(meeting))
    if url:
        event.add("url", url)
    return event


def build_calendar(meetings, *, name: str, url_of=None) -> bytes:
    """The iCalendar text of `meetings`; `url_of(meeting)` gives each event's link."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(timezone.get_default_timezone()))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, url=url_of(meeting) if url_of else ""))
    calendar.add_missing_timezones(first_date=TZ_FIRST_DATE, last_date=TZ_LAST_DATE)
    return calendar.to_ical()


def calendar_name(member: Member) -> str:
    return _("Meetings of %(name)s") % {"name": member.name}


@transaction.atomic
def calendar_feed_reset(*, member: Member) -> CalendarFeed:
    """Create the member's private feed, or give it a new token: the old address stops working."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(member=member)
    if not created:
        feed.token = secrets.token_urlsafe()
        feed.save(update_fields=["token"])
    return feed


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The feed of an active member with this token, or None."""
    return (
        CalendarFeed.objects.select_related("member__user")
        .filter(token=token, member__user__is_active=True)
        .first()
    )
