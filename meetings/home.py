"""What the home page shows each person of meetings: what is next for them."""

from members.models import Member

from .cadence import group_cadence, rules_for, thought_report_status
from .models import Meeting
from .selectors import records_to_complete_for, review_queue_for, upcoming_meetings_for


def home_context(member: Member) -> dict:
    context = {
        "upcoming_meetings": upcoming_meetings_for(member),
        "records_to_complete": records_to_complete_for(member),
    }
    rules = rules_for(member.branch)
    context["report_status"] = thought_report_status(member, rules=rules)
    context["group_statuses"] = [group_cadence(group, rules=rules) for group in member.led_groups.all()]
    if member.is_branch_committee:
        context["records_to_review"] = review_queue_for(member.user).filter(state=Meeting.State.SUBMITTED).count()
    return context
