"""The test suite: PostgreSQL and Redis on their usual local addresses, overridable by DATABASE_URL / REDIS_URL."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leeway")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: E402, F403
from .base import BASE_DIR  # noqa: E402

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LEEWAY_SIGNUP_DOMAINS = ["acme.example"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Each test gets a clean rate-limit slate; the tests that are about rate limits use the real cache explicitly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
TEST_ARTIFACTS_DIR = BASE_DIR / "test-artifacts"
