from django.urls import path

from . import pdf_views

app_name = "pdfs"

urlpatterns = [
    path("<slug:kind>/<int:object_id>/", pdf_views.pdf_request, name="request"),
    path("job/<int:job_id>/", pdf_views.pdf_status, name="status"),
    path("job/<int:job_id>/download/", pdf_views.pdf_download, name="download"),
]
