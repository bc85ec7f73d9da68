"""Settings shared by every environment. Everything that differs between machines is read from the environment."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.beat import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything the app writes at run time (SQLite database, embedded broker, sent mail) lives under var/.
VAR_DIR = Path(environ.Env().str("LEEWAY_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Where `make run` serves Leeway (the Procfile's web process reads the same two variables).
LEEWAY_HOST = env.str("LEEWAY_HOST", default="127.0.0.1")
LEEWAY_PORT = env.int("LEEWAY_PORT", default=8000)
# The address people use to reach Leeway; links in emails are built from it. Without it, the one `make run` serves.
LEEWAY_BASE_URL = env.str("LEEWAY_BASE_URL", default=f"http://{LEEWAY_HOST}:{LEEWAY_PORT}").rstrip("/")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=sorted({"127.0.0.1", "localhost", LEEWAY_HOST}))
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = [
    "apps.core",
    "apps.accounts",
    "apps.org",
    "apps.decisions",
    "apps.recognition",
    "apps.leaderboards",
    "apps.digests",
    "apps.insights",
    "apps.setup",
    "apps.api",
    "apps.integrations",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First: every request gets an id and one log line, whatever happens further in.
    "apps.core.logging.RequestLogMiddleware",
    "apps.org.models.OneOrganisationReadPerRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An intranet: every page but sign-in (and the health check) needs a signed-in person.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "apps.core.middleware.PrivatePagesMiddleware",
    "apps.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # The help desks the admin listed may frame the "Can I?" page (and its sign-in); no other page is framed.
    "apps.integrations.middleware.HelpDeskFrameMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # People whom the organisation asks for two-factor authentication set it up before they go anywhere else.
    "apps.accounts.mfa.MfaSetupMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.navigation",
                "apps.recognition.context_processors.notifications",
            ],
        },
    },
]

FORM_RENDERER = "apps.core.forms.LeewayFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'leeway.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web process and a Celery worker at once: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short queries on indexes: PostgreSQL's JIT compiler spent more (120–150 ms on an admin's insights at 10,000
    # agents) than it ever saved. Off for Leeway's connections only.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- django-allauth -------------------------------------------------------------------------------------------------
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "apps.accounts.forms.LeewaySignupForm",
    "add_email": "apps.accounts.forms.LeewayAddEmailForm",
}
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# A typed address at an allowed domain proves nothing: people confirm it from their mailbox before they get in.
ACCOUNT_EMAIL_VERIFICATION = env.str("LEEWAY_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Leeway] "
# A change to someone's password, address or two-factor authentication is told to them by email (accounts/adapters.py).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# An office signs in from one address (a NAT, or the TLS proxy): limits per address are wide enough for everyone in
# it, and limits per account are the strict ones, so that one person's typos, or someone guessing one account's
# password, lock that account only and never the office.
ACCOUNT_RATE_LIMITS = {
    "login": env.str("LEEWAY_SIGN_IN_RATE_LIMIT", default="300/m/ip"),
    "login_failed": env.str("LEEWAY_LOGIN_RATE_LIMIT", default="60/m/ip,5/5m/key"),
    "reset_password": "60/m/ip,5/m/key",
    "reset_password_from_key": "60/m/ip",
}
# How many proxies of ours stand in front of Leeway (the TLS proxy, a load balancer): the client's address is then the
# one they add to X-Forwarded-For. 0 (no proxy) ignores the header, which anyone can forge.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("LEEWAY_TRUSTED_PROXY_COUNT", default=0)
# Two-factor authentication: an authenticator app (TOTP) or a security key / passkey (WebAuthn), with recovery codes.
# The organisation's settings say whom it is required of (apps/accounts/mfa.py).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Leeway"
# How long an invitation's link works; sending it again starts a new link and ends the old one.
LEEWAY_INVITATION_DAYS = env.int("LEEWAY_INVITATION_DAYS", default=7)
# Sign-up is open only to these email domains (comma separated). Empty: nobody can sign up on their own.
LEEWAY_SIGNUP_DOMAINS = [d.strip().lower().lstrip("@") for d in env.list("LEEWAY_SIGNUP_DOMAINS", default=[])]

SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {}
if env.str("OIDC_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env.str("OIDC_PROVIDER_ID", default="sso"),
                "name": env.str("OIDC_NAME", default="Single sign-on"),
                "client_id": env.str("OIDC_CLIENT_ID"),
                "secret": env.str("OIDC_CLIENT_SECRET", default=""),
                "settings": {"server_url": env.str("OIDC_SERVER_URL")},
            }
        ],
    }

# --- Languages and time ---
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("nl", _("Dutch"))]
# The organisation's language: new people start in it, and admin-written text without a translation falls back to it.
LANGUAGE_CODE = env.str("LEEWAY_LANGUAGE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LEEWAY_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date, time and number style per language (docs/glossary.md): ours, where Django's defaults differ.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("LEEWAY_DEFAULT_TIME_ZONE", default="UTC")
USE_TZ = True

# --- Static files ---
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ---
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Leeway <leeway@acme.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    # No SMTP server configured: every email is written as a readable .eml file under var/mail/.
    EMAIL_BACKEND = "apps.core.mail.EmlFileBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Seconds any one SMTP operation (connect, a command, the message) may take before the send fails and is retried.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Cache (rate limits, the organisation's time zone) ---
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Fails open: with Redis down or hung, every read is a miss after at most half a second, and no request fails.
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "cache"}
    }

# --- Celery ---
# Without REDIS_URL, Celery runs on kombu's file-based transport under var/celery: a real broker with no server.
CELERY_BROKER_DIR = VAR_DIR / "celery" / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A restarted or briefly unreachable Redis: connections are checked and re-made, never left hanging.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 3,
        "socket_timeout": 5,  # above the 1 s blocking read a worker polls with
        "socket_keepalive": True,
        "retry_on_timeout": True,
        "health_check_interval": 25,
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
    CELERY_REDIS_SOCKET_TIMEOUT = 5
    CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 25
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# A broker that is down must never hang a web request: give up quickly, the outbox retries later.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers outlive a broker restart of any length: they keep reconnecting (with backoff) instead of exiting.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_RESULT_BACKEND_ALWAYS_RETRY = True
# Every task has limits: the soft one raises inside the task (its rows go back to their outbox), the hard one ends
# the worker process. Every SMTP call has its own, shorter timeout (EMAIL_TIMEOUT).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("LEEWAY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("LEEWAY_TASK_TIME_LIMIT", default=360)
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
# Workers log through LOGGING above (with request ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Seconds a worker's claim on a batch of digest emails lasts without a sign of life (it renews it before each email).
# After that, the next tick gives the rest of the batch to another worker. Keep it above a few EMAIL_TIMEOUTs.
LEEWAY_DIGEST_CLAIM_LEASE = env.int("LEEWAY_DIGEST_CLAIM_LEASE", default=120)

# --- Security headers (strict in every environment, so problems show up in development) ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The "Can I?" page inside a help desk on another site (a cross-site frame) needs the session and CSRF cookies sent
# there: set LEEWAY_FRAME_COOKIES=true, over HTTPS only (SameSite=None cookies must be Secure). Off, cookies stay Lax
# and the page works in frames of the same site only.
LEEWAY_FRAME_COOKIES = env.bool("LEEWAY_FRAME_COOKIES", default=False)
if LEEWAY_FRAME_COOKIES:
    SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

# --- Integrations: chat channels and outgoing webhooks (apps/integrations) ---
# Seconds to connect, and then to wait for the answer, on each POST to Teams, Slack or an endpoint.
LEEWAY_WEBHOOK_TIMEOUT = env.float("LEEWAY_WEBHOOK_TIMEOUT", default=5.0)
# Attempts per message, and the wait before the second one (x4 after each further failure).
LEEWAY_WEBHOOK_MAX_ATTEMPTS = env.int("LEEWAY_WEBHOOK_MAX_ATTEMPTS", default=5)
LEEWAY_WEBHOOK_RETRY_SECONDS = env.float("LEEWAY_WEBHOOK_RETRY_SECONDS", default=30.0)
# Webhook addresses must be https:// unless this is on (development and tests against local servers).
LEEWAY_WEBHOOK_ALLOW_HTTP = env.bool("LEEWAY_WEBHOOK_ALLOW_HTTP", default=DEBUG)

# One line per record: time, level, logger, the request (or task) id, then key=value pairs (apps/core/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "apps.core.logging.RequestIdFilter"},
        "no_client_error_tracebacks": {"()": "apps.core.logging.NoTracebackForClientErrors"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "no_client_error_tracebacks"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LEEWAY_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- REST API (/api/v1/) ---
# Bearer tokens (personal or service) and, for the browsable docs, the session (with CSRF on writes).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "apps.api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.exceptions.exception_handler",
}
# Requests per token per period ("600/min", "10000/hour"), counted in the cache (Redis in production).
LEEWAY_API_RATE_LIMIT = env.str("LEEWAY_API_RATE_LIMIT", default="600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Leeway API",
    "DESCRIPTION": "Stories, endorsements, leaderboards, digests and insights, with the same access rules as the "
    "pages. Authenticate with `Authorization: Bearer <token>` (Profile → API tokens).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API also reads form posts, but documents (and is tested with) JSON bodies only.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
}
