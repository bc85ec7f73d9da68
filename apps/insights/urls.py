from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("ledger/", views.ledger, name="ledger"),
    path("managers/", views.managers, name="managers"),
    path("calibration/", views.calibration, name="calibration"),
    path("calibration/adopt/", views.adopt_limit, name="adopt_limit"),
    path("autonomy/", views.autonomy, name="autonomy"),
    path("reach/", views.reach, name="reach"),
    path("me/", views.my_stats, name="mine"),
]
