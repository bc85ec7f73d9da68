import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache

from . import health

# How long a browser or load balancer is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


@login_not_required
@never_cache
@transaction.non_atomic_requests  # ATOMIC_REQUESTS would need the database before the check could report it down
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": "ok" if health.database_ok() else "unreachable",
        "broker": "ok" if health.broker_ok() else "unreachable",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. A database that is down or restarting is not a bug: it answers 503 with a page that says
    so (and never touches the database); the next request after it is back works again, with nothing restarted."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
