"""The yearly group ledger (年度台账): ask for it, watch it being built, download it.
The building is in meetings/ledger.py and its Celery task; the file is served here,
after the same permission check, never from a public media URL."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from members.decorators import login_required
from members.selectors import group_get_for

from .. import audit, ledger
from ..models import AuditEvent, LedgerBuild
from ..selectors import member_or_404


def _group_for(request: HttpRequest, pk: int):
    """The group, if the person may have its ledger: 404 for anyone else."""
    member = member_or_404(request.user)
    group = group_get_for(request.user, pk)
    if not request.user.has_perm("meetings.export_ledger", group):
        raise Http404
    return group, member


def _build_for(request: HttpRequest, pk: int):
    build = get_object_or_404(LedgerBuild.objects.select_related("group__branch"), pk=pk)
    _group, member = _group_for(request, build.group_id)
    return build, member


def _offered_year(value: str | None, years: list[int]) -> int | None:
    """The year asked for, if the page offers it; None for anything else (abc, 99999, -1)."""
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if year in years else None


@login_required
def ledger_page(request: HttpRequest, pk: int) -> HttpResponse:
    group, member = _group_for(request, pk)
    years = ledger.ledger_years(group)
    if request.method == "POST":
        year = _offered_year(request.POST.get("year"), years)
        if year is None:  # never build another year than the one asked for
            messages.error(request, _("Choose a year from the list."))
            return redirect("meetings:ledger", pk=pk)
        build, queued = ledger.ledger_request(group=group, year=year, by=member)
        build.refresh_from_db()  # a worker may have finished it already (or, in tests, the eager task)
        if build.status == LedgerBuild.Status.DONE:
            messages.success(request, _("The ledger is ready.") if queued else _(
                "Nothing has changed since this ledger was built: here it is."))
        elif build.status == LedgerBuild.Status.FAILED:
            pass  # the status card says why
        elif queued:
            messages.success(request, _("The ledger is being built. This page shows how far it has got."))
        else:
            messages.info(request, _("This ledger is already being built."))
        return redirect(f"{reverse('meetings:ledger', args=[pk])}?year={year}")
    year = _offered_year(request.GET.get("year"), years) or years[0]
    builds = list(LedgerBuild.objects.filter(group=group, year=year).select_related("requested_by")[:5])
    build = builds[0] if builds else None
    context = {
        "group": group,
        "years": years,
        "year": year,
        "build": build,
        "earlier": [b for b in builds[1:] if b.status == LedgerBuild.Status.DONE],
        "up_to_date": build is not None and build.source_key == ledger.ledger_source_key(group, year),
    }
    return render(request, "meetings/ledger.html", context)


@login_required
def ledger_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The build's status, for the page's poll (an htmx partial of the page)."""
    build, _member = _build_for(request, pk)
    return render(request, "meetings/ledger.html#status", {"build": build, "group": build.group, "year": build.year})


@login_required
def ledger_download(request: HttpRequest, pk: int) -> HttpResponse:
    build, member = _build_for(request, pk)
    if build.status != LedgerBuild.Status.DONE or not build.file:
        raise Http404
    try:
        handle = build.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit.record(actor=member, action=AuditEvent.Action.EXPORT_LEDGER, target=build.group,
                 label=f"{build.group.name} {build.year}", year=build.year, build=build.pk, pages=build.pages)
    return FileResponse(handle, content_type="application/pdf", filename=f"{build.group.name}{build.year}年度台账.pdf")
