"""Forms of the leader's chair console: validation only; the services decide the rest.

Text fields reuse the meetings' 20,000-character limit and its message. Blank text
is left to the services, whose refusals say in Chinese what is missing.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetings.forms import long_text_field


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": _("The page is out of date: reload it.")})


class OpeningForm(VersionedForm):
    purpose = long_text_field(_("Purpose and significance"), rows=4)
    method = long_text_field(_("Method: speaking order and manner"), rows=4)
    requirements = long_text_field(_("Requirements"), rows=4)


class SlotNotesForm(VersionedForm):
    notes = long_text_field(_("What was said"), rows=8)


class SummaryForm(VersionedForm):
    achievements = long_text_field(_("Achievements affirmed"), rows=5)
    shortcomings = long_text_field(_("Shortcomings pointed out"), rows=5)
    next_steps = long_text_field(_("Next-step requirements and improvement measures"), rows=5)


class CommentForm(forms.Form):
    text = long_text_field(_("Comment"), rows=4)


class IdListField(forms.Field):
    """A list of numeric ids posted under one name (the speaking order)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("The speaking order must list every member present, once each."),
        "required": _("The speaking order must list every member present, once each."),
    }

    def to_python(self, value):
        try:
            return [int(v) for v in (value or [])]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class OrderForm(forms.Form):
    """The whole order, and optionally one move to apply to it (the buttons without JS)."""

    member = IdListField()
    move = forms.RegexField(regex=r"^(up|down):\d+$", required=False)

    def clean(self):
        data = super().clean()
        order, move = data.get("member"), data.get("move")
        if order is None or not move:
            return data
        direction, pk = move.split(":")
        pk = int(pk)
        if pk not in order:
            raise ValidationError(_("The speaking order must list every member present, once each."))
        i = order.index(pk)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
        data["member"] = order
        return data

    def order(self) -> list[int]:
        return self.cleaned_data["member"]


class SpeakerForm(forms.Form):
    slot = forms.IntegerField(error_messages={"required": _("Choose who takes the floor."), "invalid": _("Choose who takes the floor.")})


class ClockForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("start", _("Start")), ("stop", _("Stop")), ("reset", _("Reset"))],
        error_messages={"required": _("Start, stop or reset the clock."), "invalid_choice": _("Start, stop or reset the clock.")},
    )


class ItemForm(forms.Form):
    """A rectification item of one member (named by the view, outside the form's prefix);
    the problem may come from one of their self- or mutual evaluations (`source` is
    "self:<id>" or "mutual:<id>")."""

    source = forms.ChoiceField(label=_("Comes from"), required=False, choices=[])
    problem = long_text_field(_("Problem"), rows=2, help_text=_("Left blank: the problem of the chosen source is used."))
    measure = long_text_field(_("Concrete measure"), rows=2)
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the deadline."), "invalid": _("Give the deadline as a date, such as 2026-12-31.")},
    )

    def __init__(self, *args, sources=(), **kwargs):
        """`sources`: (value, label) pairs of the member's evaluations."""
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("— not linked —")), *sources]
