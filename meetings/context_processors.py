from members.roles import member_of

from .notifications import unread_count


def notification_count(request) -> dict:
    """How many unread notifications the signed-in member has, for the navigation bar (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    member = member_of(user)
    if member is None:
        return {}
    return {"unread_notifications": unread_count(member)}
