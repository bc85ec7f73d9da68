from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("stories/", views.stories, name="stories"),
    path("stories/<id:pk>/", views.story, name="story"),
    path("stories/<id:pk>/endorsement/", views.endorsement, name="endorsement"),
    path("leaderboards/<str:board>/", views.leaderboard, name="leaderboard"),
    path("digests/", views.digests, name="digests"),
    path("digests/<id:pk>/", views.digest, name="digest"),
    path("insights/ledger/", views.ledger, name="ledger"),
]
