from django.apps import AppConfig


class SendRegisterConfig(AppConfig):
    name = "send_register"
    verbose_name = "School and calendar"

    def ready(self):
        from . import datacache

        datacache.connect()
