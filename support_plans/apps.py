from django.apps import AppConfig


class SupportPlansConfig(AppConfig):
    name = "support_plans"
    verbose_name = "Support plans and APDR cycles"

    def ready(self):
        # Sections on the pupil and parent pages, the SENCo's home panel and
        # the PDF kinds register themselves, so lower floors never import us.
        from pupils.sections import register_parent_section, register_pupil_section
        from send_register.home import register_home_panel

        from . import pdfs, provision, sections

        register_pupil_section(sections.pupil_section, data=sections.pupil_section_data)
        register_parent_section(sections.parent_section)
        register_home_panel(sections.home_panels)
        pdfs.register()
        provision.register_provision_source(provision.intervention_places)
