"""Framing: every page of Leeway refuses to be shown in a frame (X-Frame-Options: DENY, CSP frame-ancestors 'none'),
except the "Can I?" page and the sign-in that leads to it, which the help desks the admin listed may frame."""

from urllib.parse import urlsplit

from django.urls import reverse

CAN_I_PREFIX = "/can-i/"


def _leads_to_can_i(request) -> bool:
    target = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and parts.path.startswith(CAN_I_PREFIX)


def frameable(request) -> bool:
    if request.path_info.startswith(CAN_I_PREFIX):
        return True
    return request.path_info == reverse("account_login") and _leads_to_can_i(request)


class HelpDeskFrameMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if frameable(request):
            from .selectors import help_desk_origins

            # Read by Django's XFrameOptionsMiddleware and by django-csp's middleware, which run after this one.
            response.xframe_options_exempt = True
            response._csp_replace = {"frame-ancestors": ["'self'", *help_desk_origins()]}
        return response
