import functools

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.urls import reverse


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that a page polling in the background
    (requests marked with the header X-Poll: 1) is not activity: it neither writes the
    session nor extends it. Otherwise an open projector or session page would keep its
    sign-in alive for ever, and write the session row every few seconds."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if request.headers.get("X-Poll") == "1" and session is not None and not session.modified:
            return response
        return super().process_response(request, response)


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware with the site's policy everywhere, except that the admin's
    pages may carry inline styles (a few of Django's and simple-history's admin templates
    do); scripts stay 'self' there too."""

    def get_policy_parts(self, request, response, report_only: bool = False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(_admin_prefix()):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts


@functools.cache
def _admin_prefix() -> str:
    return reverse("admin:index")
