from django.urls import path

from . import views

app_name = "recognition"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/approve-covered/", views.approve_covered, name="approve_covered"),
    path("decisions/<int:pk>/return/", views.return_to_author, name="return"),
    path("decisions/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("decisions/<int:pk>/endorse/comment/", views.endorse_comment, name="endorse_comment"),
    path("decisions/<int:pk>/unendorse/", views.unendorse, name="unendorse"),
    path("decisions/<int:pk>/approve/", views.approve, name="approve"),
    path("decisions/<int:pk>/celebrate/", views.celebrate, name="celebrate"),
    path("decisions/<int:pk>/review/open/", views.review_open, name="review_open"),
    path("decisions/<int:pk>/review/request/", views.review_request, name="review_request"),
    path("decisions/<int:pk>/review/", views.review, name="review"),
    path("decisions/<int:pk>/review/close/", views.review_close, name="review_close"),
    path("decisions/<int:pk>/review/share/", views.review_share, name="review_share"),
    path("notifications/", views.notifications, name="notifications"),
    path("audit/", views.audit, name="audit"),
]
