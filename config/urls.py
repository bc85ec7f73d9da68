from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from apps.digests.views import unsubscribe
from apps.setup.urls import welcome_urlpatterns

admin.site.site_header = _("Leeway administration")
admin.site.site_title = _("Leeway")
admin.site.index_title = _("Organisation, people and rules")
# The admin signs in through the same page as everyone (rate limits, single sign-on).
admin.site.login = secure_admin_login(admin.site.login)

handler500 = "apps.core.views.server_error"

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("apps.accounts.urls")),
    path("stories/", include("apps.decisions.urls")),
    path("recognition/", include("apps.recognition.urls")),
    path("leaderboards/", include("apps.leaderboards.urls")),
    path("digests/", include("apps.digests.urls")),
    path("insights/", include("apps.insights.urls")),
    path("setup/", include("apps.setup.urls")),
    path("welcome/", include(welcome_urlpatterns)),
    path("setup/integrations/", include("apps.integrations.urls")),
    # The help-desk sidebar page (may be framed by the help desks the admin listed).
    path("can-i/", include("apps.integrations.can_i_urls")),
    # SCIM 2.0 provisioning for identity providers (bearer tokens, no session).
    path("scim/v2/", include("apps.setup.scim_urls")),
    # Public: the one-click unsubscribe link of the digest email (signed; GET confirms, POST unsubscribes).
    path("unsubscribe/<str:token>/", unsubscribe, name="digest_unsubscribe"),
    # The REST API (bearer tokens or the session), and the pages where its tokens are made.
    path("api/v1/", include("apps.api.urls")),
    path("", include("apps.api.token_urls")),
    path("admin/", admin.site.urls),
]
