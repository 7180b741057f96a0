import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Member, PartyGroup


class MemberDirectoryFilter(django_filters.FilterSet):
    """The branch directory: by group, status and department, and by name."""

    q = django_filters.CharFilter(label=_("Name"), method="filter_name")
    group = django_filters.ModelChoiceFilter(
        label=_("Party group"), queryset=PartyGroup.objects.none(), empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Member.Status.choices, empty_label=_("All"))
    department = django_filters.ChoiceFilter(label=_("Department"), choices=[], empty_label=_("All"))

    class Meta:
        model = Member
        fields = ["q", "group", "status", "department"]

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.filters["group"].queryset = groups
        departments = self.queryset.order_by("department").values_list("department", flat=True).distinct()
        self.filters["department"].extra["choices"] = [(d, d) for d in departments if d]

    def filter_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(number__iexact=value))
