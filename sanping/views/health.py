from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The web process answers: no database, no template, no sign-in. For a load
    balancer's health check, and the ceiling of the stack in the load test (bench/load)."""
    return HttpResponse("ok", content_type="text/plain")
