from django.conf import settings

from apps.org.selectors import layout_roles_for


def navigation(request):
    """What the layout needs on every page: the person's role and the language switcher's choices."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    roles = layout_roles_for(request) if signed_in else {"manages": False, "heads": False, "in_team": False}
    return {
        "nav_is_manager": roles["manages"],
        "nav_is_department_head": roles["heads"],
        "nav_in_team": roles["in_team"],
        "nav_is_admin": signed_in and user.is_staff,
        "nav_languages": settings.LANGUAGES,
    }
