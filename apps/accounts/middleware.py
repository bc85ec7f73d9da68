from django.conf import settings
from django.utils import timezone, translation

from apps.org.selectors import time_zone_for


class UserPreferencesMiddleware:
    """Applies a signed-in person's language and time zone (their own, or the organisation's) to every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            timezone.activate(time_zone_for(user))
        else:
            # Threads serve many people: never let the previous person's time zone leak into this request.
            timezone.deactivate()
        response = self.get_response(request)
        if user is not None and user.is_authenticated and user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response
