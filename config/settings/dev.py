"""Local development and `make run`: SQLite and the file-based broker unless DATABASE_URL / REDIS_URL say otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
LEEWAY_SIGNUP_DOMAINS = LEEWAY_SIGNUP_DOMAINS or ["acme.example"]  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
