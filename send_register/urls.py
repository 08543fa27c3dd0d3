from django.contrib import admin
from django.urls import include, path

from pupils.subject_access_views import subject_access_export

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("school/", include("send_register.school_urls")),
    path("accounts/", include("accounts.urls")),
    path("pupils/<int:pk>/subject-access/", subject_access_export, name="pupil_subject_access"),
    path("pupils/", include("pupils.urls")),
    path("concerns/", include("concerns.urls")),
    path("plans/", include("support_plans.urls")),
    path("interventions/", include("support_plans.interventions.urls")),
    path("reviews/", include("reviews.urls")),
    path("reports/", include("reports.urls")),
    path("documents/", include("send_register.pdf_urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "send_register.views.error_403"
handler404 = "send_register.views.error_404"
handler500 = "send_register.views.error_500"
