from functools import wraps

from django.contrib.auth.decorators import login_required as django_login_required
from django.http import HttpResponse


def login_required(view):
    """Django's login_required, except that an htmx request of a signed-out person
    (an expired session, say) gets 401 instead of the sign-in page, so that the page
    can keep what was typed and tell the person to sign in again."""
    protected = django_login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and getattr(request, "htmx", False):
            return HttpResponse(status=401)
        return protected(request, *args, **kwargs)

    return wrapper
