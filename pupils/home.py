"""Home page panels for the pupils app (registered in PupilsConfig.ready()):
the SENCo and the head see the register's counts; teachers and TAs their own
pupils on the register; parents their children."""

from django.urls import reverse

from . import access
from .selectors import caseload_register_pupils, register_counts, register_queryset

CASELOAD_PANEL_LIMIT = 40


def pupil_panels(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    panels = []
    if access.can_manage_register(user):
        panels.append({
            "title": "The SEN register",
            "template": "pupils/panels/register_counts.html",
            "context": register_counts(register_queryset(user)),
            "order": 10,
        })
    elif user.has_role(*access.STAFF_WHO_TEACH):
        pupils = caseload_register_pupils(user).order_by("legal_last_name", "legal_first_name").distinct()
        panels.append({
            "title": "Your pupils on the SEN register",
            "template": "pupils/panels/caseload.html",
            "context": {"pupils": list(pupils[:CASELOAD_PANEL_LIMIT])},
            "order": 10,
        })
    if user.is_parent:
        panels.append({
            "title": "Your children",
            "template": "pupils/panels/children.html",
            "context": {"children": list(access.children_of(user).select_related("form").order_by("legal_first_name")),
                        "to_confirm": access.links_awaiting_confirmation(user).count()},
            "order": 10,
        })
    if access.can_set_up_school(user):
        panels.append({
            "title": "Parents and carers",
            "template": "partials/panel_links.html",
            "context": {"items": [
                {"label": "Pupils' contacts and parents' access", "url": reverse("pupils:contacts_list")},
                {"label": "Import contacts from your MIS", "url": reverse("pupils:contact_import")},
            ]},
            "order": 60,
        })
    return panels
