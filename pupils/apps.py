from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "Pupils and the SEN register"

    def ready(self):
        from . import signals  # noqa: F401
