"""Forms and filters of thought reports (思想汇报): validation only."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from members.models import Member, PartyGroup

from .models import Attendance, Meeting, ThoughtReport

# A thought report is a few pages; this is generous and keeps a pasted book out.
CONTENT_MAX_LENGTH = 20_000
TITLE_MAX_LENGTH = 200

TOO_LONG = _("This is too long: at most %(limit_value)d characters (it has %(show_value)d).")


class ThoughtReportForm(forms.Form):
    """A member's written report; the view decides whether it is saved or submitted."""

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": _("Give the report a title."), "max_length": TOO_LONG},
    )
    content = forms.CharField(
        label=_("Content"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("Write the content of the report."), "max_length": TOO_LONG},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, not at import: the text is in the language of this request.
        self.fields["content"].help_text = _("At most %(limit)d characters.") % {"limit": CONTENT_MAX_LENGTH}


class OralReportForm(forms.Form):
    """The leader records that a member present at a held meeting reported orally."""

    member = forms.ModelChoiceField(
        label=_("Member who reported"),
        queryset=Member.objects.none(),
        empty_label=_("Choose a member present at the meeting"),
        error_messages={
            "required": _("Choose the member who reported."),
            "invalid_choice": _("Only a member present at the meeting can have reported there."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": _("Give the report a title."), "max_length": TOO_LONG},
    )
    content = forms.CharField(
        label=_("Summary (optional)"),
        required=False,
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["member"].queryset = Member.objects.filter(
            attendances__meeting=meeting,
            attendances__status=Attendance.Status.PRESENT,
            attendances__is_guest=False,
        ).order_by("name")

    def clean_member(self):
        member = self.cleaned_data["member"]
        already = ThoughtReport.objects.filter(meeting=self.meeting, member=member, mode=ThoughtReport.Mode.ORAL)
        if already.exists():
            raise forms.ValidationError(_("The oral report of this member at this meeting is already recorded."))
        return member


class ThoughtReportFilter(django_filters.FilterSet):
    """The reports a person may see, by group, form and period of submission."""

    group = django_filters.ModelChoiceFilter(
        label=_("Party group"), field_name="member__group", queryset=PartyGroup.objects.none(), empty_label=_("All")
    )
    mode = django_filters.ChoiceFilter(label=_("Form"), choices=ThoughtReport.Mode.choices, empty_label=_("All"))
    submitted_from = django_filters.DateFilter(
        label=_("Submitted from"), field_name="submitted_at", method="filter_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
        label=_("Submitted until"), field_name="submitted_at", method="filter_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ThoughtReport
        fields = ["group", "mode", "submitted_from", "submitted_to"]

    def __init__(self, *args, groups: QuerySet[PartyGroup] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = groups if groups is not None else PartyGroup.objects.none()

    # Dates are calendar days in the branch's time zone (the site's default).
    def filter_from(self, queryset, name, value):
        return queryset.filter(submitted_at__date__gte=value)

    def filter_to(self, queryset, name, value):
        return queryset.filter(submitted_at__date__lte=value)
