"""Forms of the meeting record: validation only; the services do the writing."""

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member, PartyGroup

from .holidays import holiday_name
from .models import AgendaItem, Attendance, Meeting
from .services import AgendaEntry

TEXT_LIMIT = 20_000
TEXT_LIMIT_MESSAGE = _("At most %(limit_value)d characters (this text has %(show_value)d).")


def long_text_field(label, *, required=False, rows=6, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": TEXT_LIMIT_MESSAGE},
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member: Member) -> str:
        return f"{member.name}（{member.department}）" if member.department else member.name


class GuestChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member: Member) -> str:
        return f"{member.name}（{member.get_branch_role_display()}）"


class MeetingForm(forms.Form):
    """Kind, title, when and where, who chairs and records, guidance guests; the agenda
    comes from AgendaFormSet beside it."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=200)
    chair = MemberChoiceField(label=_("Chair"), queryset=Member.objects.none())
    recorder = MemberChoiceField(label=_("Recorder"), queryset=Member.objects.none(), required=False)
    guests = GuestChoiceField(
        label=_("Guidance from the branch"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The branch secretary or committee members who attend to guide the meeting."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, group: PartyGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        # Things the leader should know but that do not stop the meeting being saved;
        # the view shows them as warning messages.
        self.warnings: list[str] = []
        members = Member.objects.filter(group=group, user__is_active=True).order_by("name")
        committee = Member.objects.filter(
            branch_id=group.branch_id, user__is_active=True,
            branch_role__in=[Member.BranchRole.SECRETARY, Member.BranchRole.COMMITTEE],
        ).order_by("branch_role", "name")
        self.fields["chair"].queryset = (members | committee).distinct().order_by("name")
        self.fields["recorder"].queryset = members
        self.fields["guests"].queryset = committee.exclude(group=group)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        date, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if date and start and end:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(date, start))
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(date, end))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end_time", _("A meeting cannot end before it starts."))
        if date:
            holiday = holiday_name(date)
            if holiday:
                self.warnings.append(
                    _("%(date)s is a statutory holiday (%(holiday)s). The meeting is saved for that day; "
                      "make sure the members can attend.") % {"date": date.isoformat(), "holiday": holiday}
                )
        return data

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        local = timezone.localtime(meeting.starts_at)
        return {
            "kind": meeting.kind, "title": meeting.title, "date": local.date(), "start_time": local.time(),
            "end_time": timezone.localtime(meeting.ends_at).time(), "place": meeting.place,
            "chair": meeting.chair_id, "recorder": meeting.recorder_id, "version": meeting.version,
            "guests": [a.member_id for a in meeting.attendances.all() if a.is_guest],
        }


class AgendaItemForm(forms.Form):
    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Topic"), max_length=200, required=False)
    category = forms.ChoiceField(
        label=_("Content category"), choices=[("", "---------"), *AgendaItem.Category.choices], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("title", "").strip() and not data.get("category"):
            self.add_error("category", _("Choose the content category of this topic."))
        if data.get("category") and not data.get("title", "").strip():
            self.add_error("title", _("Give the topic a title, or clear its category."))
        return data


class BaseAgendaFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.entries():
            raise forms.ValidationError(_("A meeting needs at least one agenda item."))

    def entries(self) -> list[AgendaEntry]:
        """The filled-in rows, in the order shown."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            title = (data.get("title") or "").strip()
            if title and not (self.can_delete and data.get("DELETE")):
                rows.append(AgendaEntry(title=title, category=data["category"], pk=data.get("pk")))
        return rows


AgendaFormSet = forms.formset_factory(AgendaItemForm, formset=BaseAgendaFormSet, extra=1, can_delete=True, max_num=30)


def agenda_initial(meeting: Meeting) -> list[dict]:
    return [{"pk": i.pk, "title": i.title, "category": i.category} for i in meeting.agenda_items.all()]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    leave_reason = forms.CharField(label=_("Reason for leave"), max_length=200, required=False)


class MakeupForm(forms.Form):
    done_on = forms.DateField(label=_("Make-up study done on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("What was studied"), max_length=500, required=False)


class NotesForm(forms.Form):
    notes = long_text_field(_("Notes"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class MinutesForm(forms.Form):
    minutes = long_text_field(_("Minutes"), rows=10, help_text=_("What was discussed and decided, topic by topic."))
    summary = long_text_field(
        _("Leader's summary"), rows=5, help_text=_("The group leader's closing summary of the meeting.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ReviewCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TEXT_LIMIT_MESSAGE},
    )
