from django.conf import settings


def absolute_url(path: str) -> str:
    """A link for an email: the address people use to reach Leeway (LEEWAY_BASE_URL) plus a path."""
    return f"{settings.LEEWAY_BASE_URL}{path}"
