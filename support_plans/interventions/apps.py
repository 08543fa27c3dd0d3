from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    # Lives inside support_plans (issue 6) but keeps its own label and
    # migrations so that plans and interventions can change independently.
    name = "support_plans.interventions"
    label = "interventions"
    verbose_name = "Interventions and the provision map"

    def ready(self):
        from pupils.sections import register_parent_section, register_pupil_section
        from send_register.home import register_home_panel

        from .home import home_panels, parent_section, pupil_section, pupil_section_data

        register_home_panel(home_panels)
        register_pupil_section(pupil_section, data=pupil_section_data)
        register_parent_section(parent_section)
