"""The test suite: PostgreSQL and Redis on their usual local addresses, overridable by DATABASE_URL / REDIS_URL."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leeway")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# Parallel test processes (pytest-xdist) each get their own Redis database, so that one process's Celery worker
# never takes another's tasks: gw0 uses the given database number + 0, gw1 + 1, and so on.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and os.environ["REDIS_URL"]:
    _base, _, _db = os.environ["REDIS_URL"].rstrip("/").rpartition("/")
    if _db.isdigit() and "://" in _base:
        os.environ["REDIS_URL"] = f"{_base}/{int(_db) + int(_xdist_worker[2:])}"

from .base import *  # noqa: E402, F403
from .base import BASE_DIR  # noqa: E402

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test outbox, unless a test's Celery worker subprocess is pointed at a local SMTP server with EMAIL_URL.
if not os.environ.get("EMAIL_URL"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LEEWAY_SIGNUP_DOMAINS = ["acme.example"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Each test gets a clean rate-limit slate; the tests that are about rate limits use the real cache explicitly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
# The tests' stand-ins for Teams, Slack and webhook receivers listen on plain http://127.0.0.1.
LEEWAY_WEBHOOK_ALLOW_HTTP = True
TEST_ARTIFACTS_DIR = BASE_DIR / "test-artifacts"
