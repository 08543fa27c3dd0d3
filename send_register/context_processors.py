from django.urls import reverse

from .models import School


def school(request):
    """The school (for the header) and the navigation the signed-in user may reach."""
    user = getattr(request, "user", None)
    return {"school": School.get(), "nav_items": navigation_for(user) if user is not None else []}


def navigation_for(user) -> list[dict]:
    """Sections a user's roles reach, in a fixed order. Each app's pages also
    check access themselves: this list is only what to offer."""
    if not user.is_authenticated:
        return []
    items = [("Home", "home", None)]
    staff = user.is_school_staff
    if user.is_senco_or_head or user.has_role("teacher", "ta"):
        items += [("Register", "pupils:register", None)]
    if staff:
        items += [("Concerns", "concerns:list", None)]
    if user.is_senco_or_head or user.has_role("teacher", "ta"):
        items += [("Interventions", "interventions:list", None)]
    if staff:
        items += [("Due dates", "reviews:due", None)]
    if user.is_senco_or_head:
        items += [("EHC plans", "reviews:plan_list", None), ("Reports", "reports:index", None)]
    if user.is_parent:
        items += [("My children", "pupils:parent_children", None)]
    if user.is_governor:
        items += [("Governors", "reports:governors", None)]
    if user.is_administrator or user.is_senco:
        items += [("School", "school:settings", None)]
    if user.is_administrator:
        items += [("People", "accounts:user_list", None)]
    result = []
    for label, name, _ in items:
        try:
            result.append({"label": label, "url": reverse(name)})
        except Exception:  # a section whose pages are not built yet is not offered
            continue
    return result
