"""A bare view that renders register rows through a minimal Django template:
what a page of N rows costs with nothing else (no sessions, no access checks,
no access log, no filters or counts)."""

from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import path

from pupils.models import ON_REGISTER, Pupil

_TEMPLATE = Engine().from_string(
    "<!DOCTYPE html><html lang=en><title>Register</title><table>"
    "{% for r in rows %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table></html>"
)
COLUMNS = ("upn", "legal_first_name", "legal_last_name", "date_of_birth", "year_group", "form__name", "sen_status",
           "pupil_premium", "eal", "sex")


def rows(request, count: int):
    data = Pupil.objects.filter(sen_status__in=ON_REGISTER).order_by("legal_last_name", "legal_first_name", "pk").values_list(*COLUMNS)[:count]
    return HttpResponse(_TEMPLATE.render(Context({"rows": data})))


urlpatterns = [path("rows/<int:count>/", rows)]
