from django.conf import settings

from apps.org.selectors import is_department_head, is_manager


def navigation(request):
    """What the layout needs on every page: the person's role and the language switcher's choices."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "nav_is_manager": signed_in and is_manager(user=user),
        "nav_is_department_head": signed_in and is_department_head(user=user),
        "nav_is_admin": signed_in and user.is_staff,
        "nav_languages": settings.LANGUAGES,
    }
