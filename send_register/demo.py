"""The demo school: a fictional primary with its calendar and one sign-in per
role. Idempotent: running it again changes nothing that is already there.
Each app adds its own demo data in `<app>/demo.py: seed(context)`, called in
floor order by the seed_demo command."""

from django.db import transaction

from accounts.models import Role, RoleGrant, User

from .calendar import ensure_current_and_next_year
from .models import School

DEMO_PASSWORD = "demo-pass-2026"

DEMO_USERS = [
    # email, full name, short name, roles
    ("senco@example.org", "Priya Shah", "Mrs Shah", [Role.SENCO, Role.TEACHER]),
    ("head@example.org", "David Okafor", "Mr Okafor", [Role.HEAD]),
    ("teacher@example.org", "Hannah Wright", "Miss Wright", [Role.TEACHER]),
    ("ta@example.org", "Sam Kowalski", "Mr Kowalski", [Role.TA]),
    ("parent@example.org", "Jo Bennett", "Jo Bennett", [Role.PARENT]),
    ("parent2@example.org", "Alex Morgan", "Alex Morgan", [Role.PARENT]),
    ("governor@example.org", "Ruth Ellis", "Mrs Ellis", [Role.GOVERNOR]),
    ("admin@example.org", "Chris Taylor", "Chris Taylor", [Role.ADMIN]),
]

DEMO_APP_SEEDERS = [
    "pupils.demo.seed",
    "concerns.demo.seed",
    "support_plans.demo.seed",
    "support_plans.interventions.demo.seed",
    "reviews.demo.seed",
    "reports.demo.seed",
]


@transaction.atomic
def seed_school() -> dict:
    school = School.get()
    if school.name == "Our school":
        school.name = "Brookfield Primary School"
        school.urn = "123456"
        school.local_authority = "Derbyshire"
        school.la_code = "830"
        school.phase = School.Phase.PRIMARY
        school.address = "Brook Lane, Brookfield, DE99 1AA"
        school.senco_name = "Mrs Priya Shah"
        school.senco_email = "senco@example.org"
        school.senco_phone = "01234 567890"
        school.sen_governor = "Mrs Ruth Ellis"
        school.headteacher = "Mr David Okafor"
        school.local_offer_url = "https://www.example.org/local-offer"
        school.accessibility_plan_url = "https://www.example.org/brookfield/accessibility-plan"
        school.save()
    years = ensure_current_and_next_year()
    users = {}
    for email, name, short, roles in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name, short_name=short, mfa_exempt=True)
        for role in roles:
            RoleGrant.objects.get_or_create(user=user, role=role)
        user.forget_roles()
        users[email.split("@")[0]] = user
    return {"school": school, "years": years, "users": users}
