"""The pages where people and admins create and revoke API tokens."""

from django.urls import path

from . import token_views

app_name = "api_tokens"
urlpatterns = [
    path("me/api-tokens/", token_views.personal_tokens, name="personal"),
    path("me/api-tokens/<id:pk>/revoke/", token_views.personal_token_revoke, name="personal_revoke"),
    path("setup/api/", token_views.service_tokens, name="service"),
    path("setup/api/<id:pk>/revoke/", token_views.service_token_revoke, name="service_revoke"),
]
