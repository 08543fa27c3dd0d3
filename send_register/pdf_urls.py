from django.urls import path

from . import pdf_views

app_name = "pdfs"

# The job/ routes come first: "job/5/" also matches <slug:kind>/<int:object_id>/.
urlpatterns = [
    path("job/<int:job_id>/", pdf_views.pdf_status, name="status"),
    path("job/<int:job_id>/download/", pdf_views.pdf_download, name="download"),
    path("<slug:kind>/<int:object_id>/", pdf_views.pdf_request, name="request"),
]
