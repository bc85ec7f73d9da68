from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (per person for the browsable API's session), counted in the cache (Redis in production).
    The rate is `LEEWAY_API_RATE_LIMIT` ("600/min" unless set); past it, 429 with Retry-After."""

    scope = "api"

    def get_rate(self):
        return settings.LEEWAY_API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
