from functools import lru_cache

from django.urls import NoReverseMatch, reverse

from .datacache import cached
from .models import School

# What each section is for, shown on the home page under its link.
SECTION_DESCRIPTIONS = {
    "pupils:register": "The SEN register: who is on SEN support or has an EHC plan, their needs and history.",
    "concerns:list": "Raise a concern about a pupil's learning or progress, and follow what happened to it.",
    "interventions:list": "Interventions on offer, who is in each group, sessions and their impact.",
    "reviews:due": "Reviews, plans and statutory deadlines falling due.",
    "reviews:plan_list": "Education, health and care plans, needs assessment requests and annual reviews.",
    "reports:index": "The SEN information report, census returns and exports.",
    "pupils:parent_children": "Your child's support: their plan, targets and who to talk to.",
    "reports:governors": "Figures about SEN at the school for governors, with no child's name.",
    "school:settings": "The school's details, term dates and census days.",
    "support_plans:plan_list": "Support plans and their termly assess, plan, do, review cycles.",
    "concerns:parent_list": "Tell the school about a worry, and see what happened to concerns you raised.",
    "accounts:security_log": "Sign-ins, failed sign-ins, two-step set-ups and role changes.",
    "pupils:class_list": "Classes and teaching groups: their teachers and teaching assistants, and their pupils.",
    "accounts:user_list": "Invite staff, parents and governors, give roles and deactivate accounts.",
}


def school(request):
    """The school (for the header) and the navigation the signed-in user may
    reach, with the section holding the current page marked."""
    user = getattr(request, "user", None)
    items = navigation_for(user) if user is not None else []
    path = getattr(request, "path", "")
    for item in items:
        item["current"] = path == item["url"]
        # The home page ("/") is a prefix of everything: only mark it on itself.
        item["active"] = item["current"] or (item["url"] != "/" and path.startswith(item["url"]))
    # On every page: from the data cache until the school's details change.
    return {"school": cached("school", School.get), "nav_items": items}


def navigation_for(user) -> list[dict]:
    """Sections a user's roles reach, in a fixed order: a list of
    {"label", "url", "name", "description"}. Each app's pages also check
    access themselves: this list is only what to offer."""
    if user is None or not user.is_authenticated:
        return []
    items = [("Home", "home")]
    staff = user.is_school_staff
    if user.is_senco_or_head or user.has_role("teacher", "ta"):
        items += [("Register", "pupils:register")]
    if staff:
        items += [("Concerns", "concerns:list"), ("Support plans", "support_plans:plan_list")]
    if user.is_senco_or_head or user.has_role("teacher", "ta"):
        items += [("Interventions", "interventions:list")]
    if staff:
        items += [("Due dates", "reviews:due")]
    if user.is_senco_or_head:
        items += [("EHC plans", "reviews:plan_list"), ("Reports", "reports:index")]
    if user.is_parent:
        items += [("My children", "pupils:parent_children"), ("Your concerns", "concerns:parent_list")]
    if user.is_governor:
        items += [("Governors", "reports:governors")]
    if user.is_administrator or user.is_senco:
        items += [("School", "school:settings")]
    if user.is_administrator:
        items += [("People", "accounts:user_list")]
    if user.is_senco_or_head or user.is_administrator:
        items += [("Classes", "pupils:class_list")]
    if user.is_senco_or_head or user.is_administrator:
        items += [("Security log", "accounts:security_log")]
    result = []
    for label, name in items:
        url = _section_url(name)
        if url is not None:
            result.append({"label": label, "url": url, "name": name, "description": SECTION_DESCRIPTIONS.get(name, "")})
    return result


@lru_cache(maxsize=64)
def _section_url(name: str) -> str | None:
    """A section's address (the URLconf does not change while the process runs)."""
    try:
        return reverse(name)
    except NoReverseMatch:  # a section whose pages are not built yet is not offered
        return None
