from django.urls import path

from . import scim

app_name = "scim"
urlpatterns = [
    path("ServiceProviderConfig", scim.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", scim.resource_types, name="resource_types"),
    path("ResourceTypes/<str:name>", scim.resource_types, name="resource_type"),
    path("Schemas", scim.schemas, name="schemas"),
    path("Schemas/<str:schema_id>", scim.schemas, name="schema"),
    path("Users", scim.users, name="users"),
    path("Users/<str:pk>", scim.user, name="user"),
    path("Groups", scim.groups, name="groups"),
    path("Groups/<str:pk>", scim.group, name="group"),
]
