"""What the home page shows each person of meetings: what is next for them."""

from members.models import Member

from .selectors import records_to_complete_for, review_queue_for, upcoming_meetings_for
from .models import Meeting


def home_context(member: Member) -> dict:
    context = {
        "upcoming_meetings": upcoming_meetings_for(member),
        "records_to_complete": records_to_complete_for(member),
    }
    if member.is_branch_committee:
        context["records_to_review"] = review_queue_for(member.user).filter(state=Meeting.State.SUBMITTED).count()
    return context
