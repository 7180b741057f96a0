"""Forms of a participant's 三评 pages and of rectification: validation only (lengths,
choices); the services refuse blank text with their own messages and do the writing.
The console's forms live in forms_console.py."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.forms import TEXT_LIMIT, TEXT_LIMIT_MESSAGE, MemberChoiceField, long_text_field
from members.models import Member, PartyGroup

from .models import RectificationItem, SanpingSession

__all__ = [
    "TEXT_LIMIT", "TEXT_LIMIT_MESSAGE", "SelfEvaluationForm", "MutualEvaluationForm", "ProgressForm", "DoneForm",
    "SendBackForm", "RectificationItemFilter", "participants_of",
]


def participants_of(session: SanpingSession) -> QuerySet[Member]:
    """The members expected at the session (guests excluded), by name."""
    return Member.objects.filter(
        attendances__meeting_id=session.meeting_id, attendances__is_guest=False
    ).order_by("name")


class SelfEvaluationForm(forms.Form):
    """The three parts of the self-evaluation (自评材料), autosaved as a draft."""

    problems = long_text_field(
        _("Problems found against the party constitution and rules"), rows=6,
        help_text=_("Measured against the party constitution and rules and your own work and life."),
    )
    causes = long_text_field(_("Causes"), rows=5, help_text=_("Analyse the causes in depth."))
    direction = long_text_field(_("Direction of rectification"), rows=5, help_text=_("What you will change, and how."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("problems", "causes", "direction")}


class MutualEvaluationForm(forms.Form):
    """A mutual evaluation (互评): of a colleague of the group, by oneself or, on the
    leader's console, recorded on behalf of its author (evaluator)."""

    evaluatee = MemberChoiceField(
        label=_("About"), queryset=Member.objects.none(), empty_label=_("Choose a colleague"),
        error_messages={"required": _("Choose the colleague you write about."),
                        "invalid_choice": _("Choose a member of this group's session.")},
    )
    evaluator = MemberChoiceField(
        label=_("Said by"), queryset=Member.objects.none(), required=False,
        error_messages={"invalid_choice": _("Choose a member of this group's session.")},
    )
    problems = long_text_field(_("Problems and shortcomings"), rows=4)
    suggestions = long_text_field(_("Suggestions"), rows=3)

    def __init__(self, *args, session: SanpingSession, me: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        members = participants_of(session)
        self.fields["evaluatee"].queryset = members.exclude(pk=me.pk) if me is not None else members
        self.fields["evaluator"].queryset = members


class ProgressForm(forms.Form):
    note = long_text_field(_("What was done"), rows=3)


class DoneForm(forms.Form):
    evidence = long_text_field(
        _("Evidence of completion (optional)"), rows=3,
        help_text=_("For example: the study notes written, the rule drawn up, the meeting held."),
    )


class GuidanceForm(forms.Form):
    """The branch's guidance remark: Django's CharField refuses what the database cannot
    store (NUL characters) with a message, and the length with ours."""

    text = long_text_field(_("Add a guidance remark"), rows=3)


class SendBackForm(forms.Form):
    note = long_text_field(_("Why it is sent back"), rows=3)


class RectificationItemFilter(django_filters.FilterSet):
    """The branch's rectification items: by group, state, and overdue only."""

    group = django_filters.ModelChoiceFilter(
        label=_("Party group"), field_name="session__meeting__group", queryset=PartyGroup.objects.none(), empty_label=_("All")
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=RectificationItem.State.choices, empty_label=_("All"))
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput,
    )

    class Meta:
        model = RectificationItem
        fields = ["group", "state", "overdue"]

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.filters["group"].queryset = groups

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(state=RectificationItem.State.OPEN, deadline__lt=timezone.localdate())
        return queryset
