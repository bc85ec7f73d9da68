from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "apps.insights"
    verbose_name = _("Insights")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import signals  # noqa: F401
        from .aggregates import register_sqlite_percentile

        connection_created.connect(register_sqlite_percentile)
