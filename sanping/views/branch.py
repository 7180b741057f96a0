"""The 三评 sessions a person can see, with each one's progress; the branch's guidance."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.selectors import member_or_404
from members.decorators import login_required

from .. import selectors, services
from ..forms import GuidanceForm
from ..stats import session_stats
from .record import record_page


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every session visible to the person, newest first, with submission rate,
    completeness and rectification completion (the branch watches these per group)."""
    member = member_or_404(request.user)
    sessions = selectors.newest_sessions_for(request.user, limit=200)
    stats = session_stats(sessions)
    rows = [(session, stats[session.pk]) for session in sessions]
    return render(request, "sanping/overview.html", {"rows": rows, "is_branch": member.is_branch_committee})


@login_required
@require_POST
def guidance_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(request.user, pk)
    if not request.user.has_perm("sanping.guide", session):
        raise PermissionDenied
    form = GuidanceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        services.guidance_add(session=session, by=member_or_404(request.user), text=form.cleaned_data["text"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return record_page(request, session, guidance_form=form, status=400)  # the remark kept as typed
    messages.success(request, _("Your guidance remark is recorded."))
    # The form is on the record page only: back there, whatever `next` a request carries.
    return redirect("sanping:record", pk=pk)
