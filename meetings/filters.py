import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import PartyGroup

from .models import Meeting


class MeetingFilter(django_filters.FilterSet):
    """The meeting list and the review queue: by group, kind, state and period."""

    WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past"))]

    group = django_filters.ModelChoiceFilter(label=_("Party group"), queryset=PartyGroup.objects.none(), empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Meeting.Kind.choices, empty_label=_("All"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=Meeting.State.choices, empty_label=_("All"))
    when = django_filters.ChoiceFilter(label=_("When"), choices=WHEN_CHOICES, method="filter_when", empty_label=_("All"))
    period = django_filters.DateFromToRangeFilter(
        label=_("Date range"), field_name="starts_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Meeting
        fields = ["group", "kind", "state", "when", "period"]

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.filters["group"].queryset = groups

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gte=now).order_by("starts_at")
        if value == "past":
            return queryset.filter(ends_at__lt=now).order_by("-starts_at")
        return queryset
