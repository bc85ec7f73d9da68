from django.urls import path

from apps.decisions import views as decision_views

from . import views

urlpatterns = [
    path("", decision_views.feed, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
