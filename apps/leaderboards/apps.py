from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaderboardsConfig(AppConfig):
    name = "apps.leaderboards"
    verbose_name = _("Leaderboards and badges")

    def ready(self):
        from . import signals  # noqa: F401
