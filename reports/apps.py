from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from send_register.home import register_home_panel

        from .home import report_panels
        from .pdfs import register_kinds

        register_kinds()
        register_home_panel(report_panels)
