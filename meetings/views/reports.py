"""Thought reports (思想汇报): a member writes one (draft, then submitted, then final);
the leader records one delivered orally at a held meeting. The author, their group's
leader and the branch secretary and committee see a submitted report; a draft is its
author's alone; nobody else sees either (404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from members.decorators import login_required
from members.models import Member, PartyGroup

from .. import services
from ..forms_reports import OralReportForm, ThoughtReportFilter, ThoughtReportForm
from ..models import ThoughtReport
from ..rules import keeps_the_record
from ..selectors import meeting_get_for, member_or_404

PAGE_SIZE = 20


def reports_visible_to(member: Member) -> QuerySet[ThoughtReport]:
    """The member's own reports (drafts too), and the submitted reports of the
    people they lead, or of the whole branch for its secretary and committee.

    The authors are chosen first, in a subquery on the members alone, and the reports
    read through their member index: an OR across the join to the members would make
    PostgreSQL scan every report of every branch."""
    authors = Member.objects.filter(branch_id=member.branch_id)
    if not member.is_branch_committee:
        authors = authors.filter(Q(pk=member.pk) | Q(group__leader=member))
    return (
        ThoughtReport.objects.filter(member__in=authors.values("pk"))
        .filter(Q(state=ThoughtReport.State.SUBMITTED) | Q(member=member))
        .select_related("member__group", "meeting")
    )


def _groups_to_filter(member: Member) -> QuerySet[PartyGroup]:
    if member.is_branch_committee:
        return PartyGroup.objects.filter(branch_id=member.branch_id)
    return PartyGroup.objects.filter(leader=member)


def _report_or_404(request: HttpRequest, pk: int) -> ThoughtReport:
    """A report of the person's branch that they may see; anything else is a 404."""
    member = member_or_404(request.user)
    report = get_object_or_404(
        ThoughtReport.objects.filter(member__branch_id=member.branch_id).select_related(
            "member__group", "meeting", "recorded_by"
        ),
        pk=pk,
    )
    if not request.user.has_perm("meetings.view_thoughtreport", report):
        raise Http404
    return report


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    groups = _groups_to_filter(member)
    reports = reports_visible_to(member).order_by(F("submitted_at").desc(nulls_first=True), "-created_at", "-pk")
    report_filter = ThoughtReportFilter(request.GET or None, queryset=reports, groups=groups)
    # The page's ids first, sorted on the reports alone; then its twenty rows with their
    # people: sorting the joined rows would join every visible report (a whole branch's).
    page = Paginator(report_filter.qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = ThoughtReport.objects.select_related("member__group", "meeting").in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]  # one deleted in between is skipped
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": report_filter,
        "page": page,
        "query": query.urlencode(),
        "member": member,
        "sees_others": member.is_branch_committee or groups.exists(),
        "show_group_filter": member.is_branch_committee or groups.count() > 1,
    }
    if request.htmx:
        return render(request, "meetings/reports/list.html#results", context)
    return render(request, "meetings/reports/list.html", context)


def _save_from_form(request: HttpRequest, form: ThoughtReportForm, member: Member, report: ThoughtReport | None):
    """Save or submit; returns the report, or None with the refusal added to the form."""
    submit = request.POST.get("action") == "submit"
    try:
        return services.thought_report_save(
            by=member, report=report, submit=submit,
            title=form.cleaned_data["title"], content=form.cleaned_data["content"],
        )
    except ValidationError as error:
        form.add_error(None, error)
    except PermissionDenied:
        form.add_error(None, _("A submitted report is final and cannot be changed."))
    return None


def _after_save(request: HttpRequest, report: ThoughtReport) -> HttpResponse:
    if report.state == ThoughtReport.State.SUBMITTED:
        messages.success(request, _("Your thought report was submitted. It can no longer be changed."))
        return redirect("meetings:report_detail", pk=report.pk)
    messages.success(request, _("Draft saved. Only you can see it until you submit it."))
    return redirect("meetings:report_edit", pk=report.pk)


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    form = ThoughtReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = _save_from_form(request, form, member, None)
        if report is not None:
            return _after_save(request, report)
    return render(request, "meetings/reports/form.html", {"form": form, "report": None})


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    if not request.user.has_perm("meetings.change_thoughtreport", report):
        messages.warning(request, _("A submitted report is final and cannot be changed."))
        return redirect("meetings:report_detail", pk=report.pk)
    member = member_or_404(request.user)
    form = ThoughtReportForm(request.POST or None, initial={"title": report.title, "content": report.content})
    if request.method == "POST" and form.is_valid():
        saved = _save_from_form(request, form, member, report)
        if saved is not None:
            return _after_save(request, saved)
    return render(request, "meetings/reports/form.html", {"form": form, "report": report})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    context = {
        "report": report,
        "can_edit": request.user.has_perm("meetings.change_thoughtreport", report),
        "is_own": report.member_id == member_or_404(request.user).pk,
    }
    return render(request, "meetings/reports/detail.html", context)


@login_required
def oral_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    if not keeps_the_record.test(request.user, meeting):
        raise PermissionDenied
    member = member_or_404(request.user)
    form = OralReportForm(request.POST or None, meeting=meeting)
    if not meeting.took_place:
        form = None
        messages.warning(request, _("An oral report can only be recorded for a meeting that took place."))
    elif request.method == "POST" and form.is_valid():
        try:
            report = services.thought_report_record_oral(
                by=member, meeting=meeting, member=form.cleaned_data["member"],
                title=form.cleaned_data["title"], content=form.cleaned_data["content"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            form.add_error(None, _("You may not record oral reports for this meeting."))
        else:
            messages.success(
                request, _("The oral report of %(name)s was recorded.") % {"name": report.member.name}
            )
            return redirect("meetings:oral_report_create", pk=meeting.pk)
    recorded = meeting.thought_reports.filter(mode=ThoughtReport.Mode.ORAL).select_related("member").order_by(
        "member__name"
    )
    return render(
        request, "meetings/reports/oral_form.html", {"meeting": meeting, "form": form, "recorded": recorded}
    )
