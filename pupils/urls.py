from django.urls import path
from django.views.generic import RedirectView

from . import class_views, contact_views, notice_views, views

app_name = "pupils"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="pupils:register"), name="index"),
    path("register/", views.register, name="register"),
    path("all/", views.pupil_list, name="list"),
    path("export.csv", views.register_export, name="register_export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("access-log/people/<int:user_pk>/", views.access_log_user, name="access_log_user"),
    path("children/", views.parent_children, name="parent_children"),
    path("children/<int:pk>/", views.parent_child, name="parent_child"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status_change, name="status"),
    path("<int:pk>/needs/", views.needs_edit, name="needs"),
    path("<int:pk>/profile/", views.profile, name="profile"),
    path("<int:pk>/profile/new/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/agencies/add/", views.agency_add, name="agency_add"),
    path("<int:pk>/agencies/<int:agency_pk>/", views.agency_edit, name="agency_edit"),
    path("<int:pk>/agencies/<int:agency_pk>/end/", views.agency_end, name="agency_end"),
    path("<int:pk>/documents/add/", views.document_add, name="document_add"),
    path("<int:pk>/access-log/", views.access_log, name="access_log"),
    path("<int:pk>/register/<int:event_pk>/parents/", notice_views.event_notices, name="event_notices"),
    path("<int:pk>/register/<int:event_pk>/parents/tell/", notice_views.event_notices_queue, name="event_notices_queue"),
    path("<int:pk>/parents-told/<int:notice_pk>/", notice_views.notice_record, name="notice_record"),
    # Parents and carers (pupils.contact_views)
    path("contacts/", contact_views.contacts_list, name="contacts_list"),
    path("contacts/import/", contact_views.contact_import_upload, name="contact_import"),
    path("contacts/import/<int:pk>/", contact_views.contact_import_preview, name="contact_import_preview"),
    path("contacts/import/<int:pk>/discard/", contact_views.contact_import_discard, name="contact_import_discard"),
    path("contacts/invite-all/", contact_views.contacts_invite_all, name="contacts_invite_all"),
    path("<int:pk>/contacts/", contact_views.pupil_contacts, name="contacts"),
    path("<int:pk>/contacts/<int:contact_pk>/invite/", contact_views.contact_invite, name="contact_invite"),
    path("<int:pk>/contacts/<int:contact_pk>/link/", contact_views.contact_link, name="contact_link"),
    path("<int:pk>/contacts/<int:contact_pk>/unlink/", contact_views.contact_unlink, name="contact_unlink"),
    path("children/confirm/", contact_views.parent_confirm, name="parent_confirm"),
    # Classes and teaching groups, their staff and pupils; a pupil's key staff (pupils.class_views)
    path("classes/", class_views.class_list, name="class_list"),
    path("classes/add/", class_views.class_add, name="class_add"),
    path("classes/<int:class_pk>/", class_views.class_detail, name="class_detail"),
    path("classes/<int:class_pk>/edit/", class_views.class_edit, name="class_edit"),
    path("classes/<int:class_pk>/delete/", class_views.class_delete, name="class_delete"),
    path("classes/<int:class_pk>/staff/add/", class_views.class_staff_add, name="class_staff_add"),
    path("classes/<int:class_pk>/staff/<int:link_pk>/remove/", class_views.class_staff_remove, name="class_staff_remove"),
    path("classes/<int:class_pk>/pupils/add/", class_views.class_members_add, name="class_members_add"),
    path("classes/<int:class_pk>/pupils/<int:pupil_pk>/remove/", class_views.class_member_remove, name="class_member_remove"),
    path("<int:pk>/key-staff/", class_views.key_staff, name="key_staff"),
    path("<int:pk>/key-staff/<int:user_pk>/remove/", class_views.key_staff_remove, name="key_staff_remove"),
]
