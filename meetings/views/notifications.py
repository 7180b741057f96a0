"""The notification centre: the signed-in member's in-app notifications, and their
choice of which kinds also come by email.

Opening one marks it read and goes to what it is about; only an address of this
site is followed, anything else leads back to the list.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.decorators import login_required

from ..notifications import (
    EMAIL_KINDS,
    email_kinds_for,
    email_opt_outs,
    email_preferences_set,
    mark_read,
    message_of,
    notifications_for,
)
from ..selectors import member_or_404

PAGE_SIZE = 20


def safe_local_url(request: HttpRequest, url: str) -> str | None:
    """`url` if it is a path on this site (not //elsewhere, not http://elsewhere), else None."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return None
    return url


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    notifications = notifications_for(member).order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"notification": n, "message": message_of(n), "unread": n.read_at is None} for n in page.object_list]
    context = {"page": page, "items": items, "has_unread": notifications.filter(read_at__isnull=True).exists()}
    return render(request, "meetings/notifications/list.html", context)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_or_404(request.user)
    notification = get_object_or_404(notifications_for(member), pk=pk)
    mark_read(member=member, pk=notification.pk)
    return redirect(safe_local_url(request, notification.url) or reverse("meetings:notifications"))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    member = member_or_404(request.user)
    count = mark_read(member=member)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("meetings:notifications")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification also come by email: each person's own choice."""
    member = member_or_404(request.user)
    kinds = email_kinds_for(member)
    if request.method == "POST":
        wanted = set(request.POST.getlist("email"))
        email_preferences_set(member=member, email_off=[kind for kind in kinds if kind not in wanted])
        messages.success(request, _("Your email settings are saved."))
        return redirect("meetings:notification_preferences")
    off = email_opt_outs(member)
    rows = [{"kind": kind, "label": EMAIL_KINDS[kind].label, "on": kind not in off} for kind in kinds]
    return render(
        request, "meetings/notifications/preferences.html", {"rows": rows, "address": request.user.email}
    )
