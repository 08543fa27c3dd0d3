from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "EHC plans, assessments and reviews"

    def ready(self):
        from . import integrations

        integrations.register()
