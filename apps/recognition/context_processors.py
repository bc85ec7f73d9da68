from functools import cached_property

from .selectors import unread_notification_count


class Bell:
    """The bell's unread count, counted (one query) only if the page shows the bell."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_notification_count(user=self.user)


def notifications(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"bell": Bell(user)}
