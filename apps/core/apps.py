from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Leeway"

    def ready(self):
        from django.urls import register_converter

        from .converters import IdConverter

        # Before any URL conf is read: every id in Leeway's URLs is <id:...>.
        register_converter(IdConverter, "id")
