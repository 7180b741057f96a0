"""Rectification after the session (整改): a member's items across sessions, the
leader's items to verify, the branch's items; one item with its progress notes.

Items are found through sanping.selectors (404 outside the person's reach); an action
that is not the person's is a 403; an action the item's state no longer allows (a
stale page) is a message; blank text is refused by the service and kept in the form.
Progress goes on after the record is approved (the services allow it).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meetings.selectors import member_or_404
from members.decorators import login_required
from members.models import Member, PartyGroup
from members.roles import member_of

from .. import audit, rules, services
from ..forms import DoneForm, ProgressForm, RectificationItemFilter, SendBackForm
from ..models import RectificationItem
from ..selectors import Viewer, items_of_member, items_to_verify_for, rectification_item_get_for

PAGE_SIZE = 30
State = RectificationItem.State
# Open items first (the work to do), then those awaiting verification, then the verified.
STATE_RANK = Case(
    When(state=State.OPEN, then=Value(0)), When(state=State.DONE, then=Value(1)), default=Value(2),
    output_field=IntegerField(),
)


def _with_overdue_days(items, today) -> list[RectificationItem]:
    items = list(items)
    for item in items:
        item.days_overdue = (today - item.deadline).days if item.is_overdue else 0
    return items


def _group_items_led_by(member: Member) -> QuerySet[RectificationItem]:
    """Items of the members of the groups this person leads (the verifier's view),
    other than their own and those awaiting verification (listed first, apart)."""
    return (
        RectificationItem.objects.filter(session__meeting__group__leader=member)
        .exclude(member=member).exclude(state=State.DONE)
        .select_related("member", "session__meeting__group")
        .order_by(STATE_RANK, "deadline", "pk")
    )


def _branch_items(member: Member) -> QuerySet[RectificationItem]:
    """Every item of the branch, for its secretary and committee."""
    return (
        RectificationItem.objects.filter(session__meeting__group__branch_id=member.branch_id)
        .select_related("member", "session__meeting__group")
        .order_by(STATE_RANK, "deadline", "pk")
    )


@login_required
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    today = timezone.localdate()
    mine = sorted(_with_overdue_days(items_of_member(member), today),
                  key=lambda item: ({State.OPEN: 0, State.DONE: 1}.get(item.state, 2), item.deadline, item.pk))
    context = {"member": member, "mine": mine, "today": today}
    if PartyGroup.objects.filter(leader=member).exists():
        context["leads"] = True
        context["to_verify"] = list(items_to_verify_for(member))
        context["group_items"] = _with_overdue_days(_group_items_led_by(member), today)
    if member.is_branch_committee:
        groups = PartyGroup.objects.filter(branch_id=member.branch_id).order_by("name")
        item_filter = RectificationItemFilter(request.GET or None, queryset=_branch_items(member), groups=groups)
        page = Paginator(item_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = _with_overdue_days(page.object_list, today)
        query = request.GET.copy()
        query.pop("page", None)
        context.update({"filter": item_filter, "page": page, "query": query.urlencode()})
        if request.htmx and request.htmx.target == "branch-items":
            return render(request, "sanping/rectification/list.html#branch-items", context)
    return render(request, "sanping/rectification/list.html", context)


def _detail_context(request: HttpRequest, item: RectificationItem, **forms) -> dict:
    user = request.user
    item.days_overdue = (timezone.localdate() - item.deadline).days if item.is_overdue else 0
    source_self = item.source_self_evaluation
    source_mutual = item.source_mutual_evaluation
    # The evaluation the item came from is shown: the leader's or the branch's reading is logged.
    viewer = Viewer(member_of(user), oversees=rules.oversees(user, item), participant=False, runs=False)
    audit.evaluation_reads_record(viewer, item.session, page="rectification_item",
                                  self_evaluations=[source_self], mutuals=[source_mutual] if source_mutual else [])
    return {
        "item": item,
        "session": item.session,
        "meeting": item.session.meeting,
        "progress": list(item.progress.select_related("by").order_by("at", "pk")),
        "source_self": (source_self.presented or source_self) if source_self else None,
        "source_mutual": source_mutual,
        "can": {
            "progress": user.has_perm("sanping.progress_rectificationitem", item),
            "verify": user.has_perm("sanping.verify_rectificationitem", item),
        },
        "is_subject": rules.is_subject(user, item),
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "done_form": forms.get("done_form") or DoneForm(),
        "send_back_form": forms.get("send_back_form") or SendBackForm(),
    }


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = rectification_item_get_for(request.user, pk)
    return render(request, "sanping/rectification/detail.html", _detail_context(request, item))


def _may_verify(user, item: RectificationItem) -> bool:
    return rules.leads_items_group(user, item) or rules.is_branch_committee(user, item)


def _act(request, item, action, form, form_name: str, *, success: str, stale: str, **kwargs) -> HttpResponse:
    """Run a rectification service with the form's data; a refusal of the text stays on
    the page with what was typed; a state that moved on meanwhile is a message."""
    if form.is_valid():
        try:
            action(item=item, by=member_or_404(request.user), **kwargs, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied:
            messages.error(request, stale)
            return redirect("sanping:item", pk=item.pk)
        else:
            messages.success(request, success)
            return redirect("sanping:item", pk=item.pk)
    context = _detail_context(request, item, **{form_name: form})
    return render(request, "sanping/rectification/detail.html", context, status=400)


@login_required
@require_POST
def item_progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = rectification_item_get_for(request.user, pk)
    if not rules.is_subject(request.user, item):
        raise PermissionDenied
    return _act(request, item, services.rectification_progress, ProgressForm(request.POST), "progress_form",
                success=_("Progress recorded."), stale=_("This item is no longer open: it is marked done or verified."))


@login_required
@require_POST
def item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = rectification_item_get_for(request.user, pk)
    if not rules.is_subject(request.user, item):
        raise PermissionDenied
    return _act(request, item, services.rectification_mark_done, DoneForm(request.POST), "done_form",
                success=_("Marked done. Your group leader will verify it."),
                stale=_("This item is no longer open: it is marked done or verified."))


@login_required
@require_POST
def item_verify(request: HttpRequest, pk: int) -> HttpResponse:
    item = rectification_item_get_for(request.user, pk)
    if not _may_verify(request.user, item):
        raise PermissionDenied
    return _act(request, item, services.rectification_verify, forms.Form(request.POST), "verify_form",
                success=_("Verified: the item is rectified."), stale=_("Only an item marked done can be verified or sent back."))


@login_required
@require_POST
def item_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    item = rectification_item_get_for(request.user, pk)
    if not _may_verify(request.user, item):
        raise PermissionDenied
    return _act(request, item, services.rectification_send_back, SendBackForm(request.POST), "send_back_form",
                success=_("Sent back to the member with your reason."),
                stale=_("Only an item marked done can be verified or sent back."))
