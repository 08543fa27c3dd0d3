from django.urls import path

from . import school_views

app_name = "school"

urlpatterns = [
    path("", school_views.school_settings_page, name="settings"),
    path("calendar/", school_views.calendar_page, name="calendar"),
    path("calendar/add-year/", school_views.year_add, name="year_add"),
    path("calendar/terms/<int:pk>/", school_views.term_edit, name="term_edit"),
    path("calendar/<int:year_pk>/census-days/", school_views.census_edit, name="census_edit"),
]
