from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .services import token_for_secret


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal or service token. An unknown, expired or revoked token is a
    401, never a fall-back to the session."""

    def authenticate(self, request):
        scheme, _sep, secret = get_authorization_header(request).decode(errors="replace").partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = token_for_secret(secret.strip())
        if token is None:
            raise AuthenticationFailed(_("This token is not valid: it is unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request with no credentials.
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (Profile → API tokens) or a service token (Setup → API).",
        }
