from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "apps.decisions"
    verbose_name = _("Stories and playbook")

    def ready(self):
        from . import signals  # noqa: F401
