from allauth.mfa.models import Authenticator

from apps.org.models import Organisation
from apps.org.selectors import is_department_head, is_manager

# An authenticator app or a security key is a second factor; recovery codes only stand in for one.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def mfa_required_for(*, user) -> bool:
    """Whether the organisation asks this person to use two-factor authentication."""
    organisation = Organisation.current()
    if user.is_staff and organisation.mfa_required_for_admins:
        return True
    return organisation.mfa_required_for_managers and (is_manager(user=user) or is_department_head(user=user))


def mfa_setup_required(*, user) -> bool:
    """The organisation asks this person for two-factor authentication and they have not set it up yet."""
    return mfa_required_for(user=user) and not Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()
