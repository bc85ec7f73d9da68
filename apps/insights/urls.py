from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("ledger/", views.ledger, name="ledger"),
    path("managers/", views.managers, name="managers"),
    path("me/", views.my_stats, name="mine"),
]
