"""Forms of the cadence rules page: one form per obligation, prefixed by its name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .cadence import GROUP_OBLIGATIONS, MAX_DUE_SOON_DAYS, RuleChange
from .models import CadenceRule, Meeting

PERIOD_LABELS = [
    (1, _("every month")),
    (2, _("every 2 months")),
    (3, _("every 3 months (quarterly)")),
    (6, _("every 6 months (half-yearly)")),
    (12, _("every year")),
]
DAYS_MESSAGE = _("Enter a number of days from 0 to 90.")


class CadenceRuleForm(forms.Form):
    period_months = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=PERIOD_LABELS,
        error_messages={
            "invalid_choice": _("Choose a period of 1, 2, 3, 6 or 12 months."),
            "required": _("Choose a period of 1, 2, 3, 6 or 12 months."),
        },
    )
    kinds = forms.MultipleChoiceField(
        label=_("Meetings that count"),
        choices=Meeting.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Tick at least one kind of meeting that meets this obligation.")},
    )
    due_soon_days = forms.IntegerField(
        label=_("Warn days before the end"),
        min_value=0,
        max_value=MAX_DUE_SOON_DAYS,
        error_messages={
            "invalid": DAYS_MESSAGE,
            "required": DAYS_MESSAGE,
            "min_value": DAYS_MESSAGE,
            "max_value": DAYS_MESSAGE,
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, rule: CadenceRule, read_only: bool = False, **kwargs):
        kwargs.setdefault("prefix", rule.obligation)
        kwargs.setdefault(
            "initial",
            {
                "period_months": rule.period_months,
                # "Any kind" is stored as an empty list and shown with every box ticked.
                "kinds": list(rule.kinds) or list(Meeting.Kind.values),
                "due_soon_days": rule.due_soon_days,
            },
        )
        super().__init__(*args, **kwargs)
        self.rule = rule
        if not self.is_group_obligation:
            del self.fields["kinds"]
        if read_only:
            for form_field in self.fields.values():
                form_field.disabled = True

    @property
    def is_group_obligation(self) -> bool:
        return self.rule.obligation in GROUP_OBLIGATIONS

    def clean_kinds(self) -> list[str]:
        kinds = self.cleaned_data.get("kinds") or []
        if self.is_group_obligation and not kinds:
            raise forms.ValidationError(_("Tick at least one kind of meeting that meets this obligation."))
        return kinds

    def change(self) -> RuleChange:
        data = self.cleaned_data
        return RuleChange(
            period_months=data["period_months"], due_soon_days=data["due_soon_days"], kinds=data.get("kinds", ())
        )
