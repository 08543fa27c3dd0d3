from django.urls import path

from . import views

app_name = "concerns"

urlpatterns = [
    path("", views.concern_list, name="list"),
    path("mine/", views.concern_mine, name="mine"),
    path("new/", views.concern_new, name="new"),
    path("<int:pk>/", views.concern_detail, name="detail"),
    path("<int:pk>/edit/", views.concern_edit, name="edit"),
    path("<int:pk>/delete/", views.concern_delete, name="delete"),
    path("<int:pk>/step/<slug:step>/", views.concern_step, name="step"),
    path("<int:pk>/skip/", views.concern_skip, name="skip"),
    path("<int:pk>/outcome/", views.concern_outcome, name="outcome"),
    path("evidence/<int:pk>/", views.attachment_download, name="attachment"),
    path("evidence/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("parent/", views.parent_list, name="parent_list"),
    path("parent/new/", views.parent_new, name="parent_new"),
    path("parent/<int:pk>/", views.parent_detail, name="parent_detail"),
    path("parent/<int:pk>/question/<int:number>/", views.parent_question, name="parent_question"),
    path("parent/<int:pk>/check/", views.parent_check, name="parent_check"),
]
