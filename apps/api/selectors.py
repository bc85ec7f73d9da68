from django.db.models import QuerySet

from .models import ApiToken


def personal_tokens_of(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, kind=ApiToken.Kind.PERSONAL)


def service_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(kind=ApiToken.Kind.SERVICE).select_related("user")
