"""What interventions adds to other apps' pages, registered in apps.py:
home panels, a section of the staff pupil page, and a section of the
parent's page for their child. Each provider shows only what its viewer may
see: costs only for the SENCo and the head; parents never see costs, rates
or salaries."""

from datetime import timedelta
from decimal import Decimal

from pupils.models import Tier
from send_register.calendar import today

from . import access, calc, selectors


def home_panels(user) -> list[dict]:
    panels = []
    if not access.can_use(user):
        return panels
    groups = list(selectors.groups_run_by(user))
    if groups:
        panels.append({
            "title": "Your intervention groups",
            "template": "interventions/partials/home_groups.html",
            "context": {"groups": groups},
            "order": 30,
        })
    if access.can_manage(user):
        due = list(selectors.exits_due(on=today())[:10])
        panels.append({
            "title": "Intervention exit assessments due",
            "template": "interventions/partials/home_exits_due.html",
            "context": {"due": due, "today": today(), "within": selectors.EXIT_DUE_WITHIN_DAYS},
            "order": 35,
        })
    return panels


def pupil_section_data(pupil, tier) -> dict:
    """The pupil's intervention places as plain data for the staff pupil page
    (pupils.sections: cached until the data changes, so the same whoever
    asks). Costs are worked out here and dropped by pupil_section for anyone
    who may not see them."""
    if tier < Tier.PLAN:
        return {}
    places = selectors.pupil_places(pupil)
    facts = selectors.member_costs(pupil_ids=[pupil.pk]) if places else {}
    rows = []
    for m in places:
        placement = m.placement
        intervention = placement.intervention
        staff = facts.get((m.placement_id, pupil.pk), {}).get("staff", 0.0)
        rows.append({
            "name": intervention.name, "frequency": intervention.frequency,
            "staff_name": placement.staff.full_name, "days": placement.days,
            "joined_on": m.joined_on, "left_on": m.left_on, "planned_end": placement.planned_end,
            "impact": selectors.member_impact(m, intervention),
            "cost": calc.round_pence(Decimal(str(staff)) + intervention.other_cost_pence),
        })
    return {"rows": rows}


def pupil_section(user, pupil, tier, data: dict | None = None) -> list[dict]:
    """The pupil's intervention places, for staff who see the plan tier
    (provision is plan-tier: ARCHITECTURE.md). Costs for the SENCo and head."""
    if tier < Tier.PLAN or not access.can_use(user):
        return []
    if data is None:
        data = pupil_section_data(pupil, tier)
    show_costs = access.can_see_costs(user)
    rows = data["rows"] if show_costs else [{**row, "cost": None} for row in data["rows"]]
    return [{
        "title": "Interventions",
        "template": "interventions/partials/pupil_section.html",
        "context": {"rows": rows, "pupil": pupil, "show_costs": show_costs, "can_manage": access.can_manage(user)},
        "order": 40,
    }]


def parent_section(user, pupil) -> list[dict]:
    """What a parent sees of their child's interventions: what, how often,
    when, who (the role, not the person's pay) and the aim; current ones, and
    those that finished in the last year. No costs."""
    places = selectors.pupil_places(pupil)
    year_ago = today() - timedelta(days=365)
    current, past = [], []
    for m in places:
        finished = m.left_on or m.placement.ended_on
        if finished is None:
            current.append(m)
        elif finished >= year_ago:
            past.append(m)
    if not current and not past:
        return []
    return [{
        "title": "Extra help (interventions)",
        "template": "interventions/partials/parent_section.html",
        "context": {"current": current, "past": past, "pupil": pupil},
        "order": 40,
    }]
