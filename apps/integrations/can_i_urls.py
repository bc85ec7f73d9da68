from django.urls import path

from . import can_i

app_name = "can_i"
urlpatterns = [path("", can_i.page, name="page")]
