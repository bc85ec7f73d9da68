"""API tokens: create (the secret is returned once), authenticate a bearer secret, revoke."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.tokens import new_secret, secret_hash

from .models import ApiToken

PERSONAL_PREFIX = "lwpat_"
SERVICE_PREFIX = "lwsvc_"
EXPIRY_DAYS = (30, 90, 365)
# Writing "last used" once a minute is precise enough for a person, and spares a write on every call.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def _create(*, user: User, kind: str, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    if days not in EXPIRY_DAYS:
        raise ValueError(f"A token lasts one of {EXPIRY_DAYS} days.")
    secret = new_secret(SERVICE_PREFIX if kind == ApiToken.Kind.SERVICE else PERSONAL_PREFIX)
    now = timezone.now()
    token = ApiToken.objects.create(
        kind=kind,
        name=name.strip()[:100],
        scope=scope,
        user=user,
        prefix=secret[:10],
        token_hash=secret_hash(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return token, secret


def personal_token_create(*, user: User, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A person's own token: it acts as them, with their access (read only, or read and write)."""
    return _create(user=user, kind=ApiToken.Kind.PERSONAL, name=name, scope=scope, days=days)


def service_token_create(*, admin: User, name: str, days: int) -> tuple[ApiToken, str]:
    """An admin's token for organisation-wide reporting: it reads what an admin reads and never writes."""
    if not admin.is_staff:
        raise PermissionDenied
    return _create(user=admin, kind=ApiToken.Kind.SERVICE, name=name, scope=ApiToken.Scope.READ, days=days)


def token_revoke(*, token: ApiToken, by: User) -> bool:
    """Ends a token at once. A person revokes their own personal tokens; admins revoke service tokens."""
    allowed = token.user_id == by.pk if token.kind == ApiToken.Kind.PERSONAL else by.is_staff
    if not allowed:
        raise PermissionDenied
    return bool(ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()))


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret, or None (unknown, revoked, expired, or its person deactivated; a service
    token whose admin is no longer an admin stops too)."""
    if not secret:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=secret_hash(secret), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None or (token.kind == ApiToken.Kind.SERVICE and not token.user.is_staff):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
    return token
