from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "Pupils and the SEN register"

    def ready(self):
        from send_register.home import register_home_panel

        from . import pdfs, signals  # noqa: F401
        from .home import pupil_panels

        register_home_panel(pupil_panels)
        from .classes import pupil_section, pupil_section_data
        from .contact_views import contacts_section, contacts_section_data
        from .sections import register_pupil_section

        register_pupil_section(pupil_section, data=pupil_section_data)
        register_pupil_section(contacts_section, data=contacts_section_data)
        pdfs.register()
