from django.urls import path

from . import views

app_name = "digests"
urlpatterns = [
    path("", views.digest_list, name="list"),
    path("<id:pk>/", views.digest_detail, name="detail"),
    path("<id:pk>/week/", views.digest_week, name="week"),
    path("preview/", views.preview, name="preview"),
    path("preview/email.html", views.preview_html, name="preview_html"),
]
