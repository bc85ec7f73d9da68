from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI, served by Leeway (its script from a URL, not inline); its page carries one small inline style.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("stories/", views.stories, name="stories"),
    path("stories/<id:pk>/", views.story, name="story"),
    path("stories/<id:pk>/endorsement/", views.endorsement, name="endorsement"),
    path("leaderboards/<str:board>/", views.leaderboard, name="leaderboard"),
    path("digests/", views.digests, name="digests"),
    path("digests/<id:pk>/", views.digest, name="digest"),
    path("insights/ledger/", views.ledger, name="ledger"),
    # Anything else under the API is a JSON 404 (401 without a token), never the site's HTML page.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
