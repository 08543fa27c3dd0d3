from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    # Lives inside support_plans (issue 6) but keeps its own label and
    # migrations so that plans and interventions can change independently.
    name = "support_plans.interventions"
    label = "interventions"
    verbose_name = "Interventions and the provision map"
