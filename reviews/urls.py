from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("due/", views.due, name="due"),
    path("settings/", views.review_settings, name="settings"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/start/", views.plan_start, name="plan_start"),
    path("pupils/<int:pupil_id>/plan/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/sections/", views.plan_sections, name="plan_sections"),
    path("plans/<int:pk>/cease/", views.plan_cease, name="plan_cease"),
    path("plans/<int:plan_pk>/reviews/new/", views.review_create, name="review_create"),
    path("pupils/<int:pupil_id>/request/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/step/", views.request_step, name="request_step"),
    path("requests/<int:pk>/evidence/", views.request_evidence, name="request_evidence"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/invitees/", views.review_invitees, name="review_invitees"),
    path("reviews/<int:pk>/progress/", views.review_progress, name="review_progress"),
    path("reviews/<int:pk>/cancel/", views.review_cancel, name="review_cancel"),
    path("children/<int:pupil_id>/reviews/<int:review_id>/views/", views.parent_views, name="parent_views"),
]
