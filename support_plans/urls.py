from django.urls import path

from . import views

app_name = "support_plans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("pupil/<int:pupil_id>/", views.pupil_plan, name="pupil_plan"),
    path("pupil/<int:pupil_id>/new/", views.plan_create, name="plan_create"),
    path("pupil/<int:pupil_id>/versions/", views.plan_versions, name="plan_versions"),
    path("pupil/<int:pupil_id>/meetings/new/", views.meeting_add, name="meeting_add"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/new-version/", views.plan_new_version, name="plan_new_version"),
    path("cycle/<int:pk>/", views.cycle_edit, name="cycle_edit"),
    path("cycle/<int:pk>/review/", views.cycle_review, name="cycle_review"),
    path("cycle/<int:pk>/close/", views.cycle_close, name="cycle_close"),
    path("banks/", views.bank_list, name="bank_list"),
    path("banks/<slug:bank>/new/", views.bank_edit, name="bank_add"),
    path("banks/<slug:bank>/<int:pk>/", views.bank_edit, name="bank_edit"),
    path("child/<int:pupil_id>/", views.parent_plan, name="parent_plan"),
    path("child/<int:pupil_id>/views/", views.parent_views, name="parent_views"),
    path("child/<int:pupil_id>/read/", views.parent_confirm_read, name="parent_confirm_read"),
]
