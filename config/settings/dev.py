"""Local development and `make run`: SQLite and the file-based broker unless DATABASE_URL / REDIS_URL say otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
LEEWAY_SIGNUP_DOMAINS = LEEWAY_SIGNUP_DOMAINS or ["acme.example"]  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Security keys are bound to the site's origin; `make run` serves plain http on 127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
