from django.conf import settings

from apps.org.selectors import roles_of


def navigation(request):
    """What the layout needs on every page: the person's role and the language switcher's choices."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    is_manager, is_department_head = roles_of(user=user) if signed_in else (False, False)
    return {
        "nav_is_manager": is_manager,
        "nav_is_department_head": is_department_head,
        "nav_is_admin": signed_in and user.is_staff,
        "nav_languages": settings.LANGUAGES,
    }
