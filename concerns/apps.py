from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns and the graduated response"

    def ready(self):
        from pupils.sections import register_parent_section, register_pupil_section
        from send_register.home import register_home_panel

        from .panels import concern_home_panels, concerns_parent_section, concerns_pupil_section

        register_pupil_section(concerns_pupil_section)
        register_parent_section(concerns_parent_section)
        register_home_panel(concern_home_panels)
