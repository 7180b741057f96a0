"""What the home page shows each person of the 三评: material to prepare, items to work off or verify."""

from meetings.models import Meeting
from members.models import Member

from .models import RectificationItem, SanpingSession, SelfEvaluation
from .selectors import items_to_verify_for


def home_context(member: Member) -> dict:
    preparing = (
        SelfEvaluation.objects.filter(
            member=member, session__stage=SanpingSession.Stage.PREPARATION, session__meeting__state=Meeting.State.SCHEDULED,
        )
        .select_related("session__meeting")
        .order_by("session__meeting__starts_at")
    )
    my_items = (
        RectificationItem.objects.filter(member=member)
        .exclude(state=RectificationItem.State.VERIFIED)
        .select_related("session__meeting")
        .order_by("deadline")
    )
    return {
        "sanping_to_prepare": list(preparing),
        "my_rectification_items": list(my_items[:10]),
        "items_to_verify": list(items_to_verify_for(member)[:10]),
    }
