from django.urls import path

from . import views

app_name = "interventions"

urlpatterns = [
    path("", views.intervention_list, name="list"),
    path("new/", views.intervention_create, name="create"),
    path("<int:pk>/", views.intervention_detail, name="detail"),
    path("<int:pk>/edit/", views.intervention_edit, name="edit"),
    path("groups/", views.placement_list, name="placement_list"),
    path("groups/new/", views.placement_create, name="placement_create"),
    path("groups/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("groups/<int:pk>/edit/", views.placement_edit, name="placement_edit"),
    path("groups/<int:pk>/end/", views.placement_end, name="placement_end"),
    path("groups/<int:pk>/pupils/add/", views.placement_add_pupil, name="placement_add_pupil"),
    path("groups/<int:pk>/sessions/new/", views.session_log, name="session_log"),
    path("groups/<int:pk>/sessions/<int:session_pk>/delete/", views.session_delete, name="session_delete"),
    path("places/<int:pk>/assessment/", views.member_assessment, name="member_assessment"),
    path("places/<int:pk>/leave/", views.member_remove, name="member_remove"),
    path("provision-map/", views.provision_map, name="provision_map"),
    path("pupils/<int:pupil_id>/provision-map/", views.pupil_map, name="pupil_map"),
    path("effectiveness/", views.effectiveness, name="effectiveness"),
]
