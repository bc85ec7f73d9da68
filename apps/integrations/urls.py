from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.index, name="index"),
    path("help-desk/", views.help_desk, name="help_desk"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<id:pk>/", views.channel_edit, name="channel_edit"),
    path("channels/<id:pk>/test/", views.channel_test, name="channel_test"),
    path("channels/<id:pk>/delete/", views.channel_delete, name="channel_delete"),
    path("webhooks/new/", views.webhook_create, name="webhook_create"),
    path("webhooks/<id:pk>/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<id:pk>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<id:pk>/delete/", views.webhook_delete, name="webhook_delete"),
]
