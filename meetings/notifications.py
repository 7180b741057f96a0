"""In-app notifications: inserted once per (recipient, kind, subject, channel).

The text is rendered when shown, in the reader's language, from the kind and the
parameters stored with the row.
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member

from .models import Notification

MESSAGES = {
    "meeting_published": _("New meeting: “%(title)s” on %(when)s at %(place)s."),
    "meeting_rescheduled": _("Meeting rescheduled: “%(title)s” is now on %(when)s at %(place)s."),
    "meeting_cancelled": _("Meeting cancelled: “%(title)s” (%(when)s). Reason: %(reason)s"),
    "record_submitted": _("Record submitted for review: “%(title)s” of %(group)s."),
    "record_returned": _("Record returned: “%(title)s”. Comment: %(comment)s"),
    "record_approved": _("Record approved: “%(title)s”."),
}


def notify(*, recipients: Iterable[Member], kind: str, subject_key: str, params: dict, url: str = "") -> int:
    """Insert one in-app notification per recipient; an existing one is left alone.

    Returns how many were new. Call it inside the transaction that decides to notify.
    """
    rows = [
        Notification(recipient=recipient, kind=kind, subject_key=subject_key, params=params, url=url)
        for recipient in {r.pk: r for r in recipients}.values()
    ]
    before = Notification.objects.filter(kind=kind, subject_key=subject_key).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return Notification.objects.filter(kind=kind, subject_key=subject_key).count() - before


def message_of(notification: Notification) -> str:
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return str(template) % notification.params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notifications_for(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=member, channel=Notification.Channel.APP)


def unread_count(member: Member) -> int:
    return notifications_for(member).filter(read_at__isnull=True).count()


def mark_read(*, member: Member, pk: int | None = None) -> int:
    """Mark one notification (or all of them) of `member` as read."""
    unread = notifications_for(member).filter(read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())
