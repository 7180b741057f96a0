from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .accounts import must_change_password


class ForcePasswordChangeMiddleware:
    """A person signed in with a one-time password reaches nothing but the password
    change page (and sign-out, static files and the language switch) until they have
    chosen their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and must_change_password(request) and not self.is_exempt(request.path):
            target = reverse("password_change")
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(target)
            messages.warning(request, _("Please choose your own password before you go on."))
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def is_exempt(path: str) -> bool:
        exempt = [
            reverse("password_change"),
            reverse("password_change_done"),
            reverse("logout"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        ]
        return any(path.startswith(prefix) for prefix in exempt)
