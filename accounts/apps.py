from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and sign-in"

    def ready(self):
        from send_register.home import register_home_panel

        from . import checks, signals  # noqa: F401
        from .home import people_panels
        from .setup import setup_panels

        register_home_panel(people_panels)
        register_home_panel(setup_panels)
