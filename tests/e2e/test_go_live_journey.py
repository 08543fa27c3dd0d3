"""Go live: a real school sets itself up from an empty database, in a browser.

No `world` fixture and no demo data. The administrator is created by the
documented command; from then on everything is done in the pages, with CSV
files written here in the layout an MIS exports (headings as SIMS or Arbor
write them):

1. the administrator signs in, fills in the school's details, imports the
   staff (a bad row is refused and nothing is saved; the fixed file is
   imported) and invites them all;
2. the SENCo accepts the invitation, imports the pupils (classes and teaching
   groups from the file) and their contacts (a bad row refused, nothing saved);
3. the teacher accepts the invitation and sees exactly the pupils of their
   class and teaching group;
4. the SENCo places a pupil on SEN support: the mother (who has an email) is
   emailed, the father (no email) gets a printable letter, recorded as handed
   over; the SENCo invites the mother to the parent pages;
5. the mother accepts, confirms her child's date of birth, and reads the plan.

Every page visited is checked with axe-core (WCAG 2.2 AA) and for Content
Security Policy violations; screenshots for docs/guide/setting-up.md.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role, User
from pupils.models import ClassGroup, ClassStaff, ParentLink, ParentNotice, Pupil, PupilContact, RegisterEvent, SenStatus
from pupils.upn import make_upn
from send_register.models import School

from .conftest import assert_accessible, assert_no_csp_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PASSWORD = "lantern-orchard-marble-42"
NEW_PASSWORD = "harbour-violet-copper-17"
LINK = re.compile(r"https?://\S+")


def check(page, csp_violations):
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)


def sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def link_sent_to(address: str) -> str:
    """The link in the newest email to `address`."""
    bodies = [m.body for m in mail.outbox if m.to == [address]]
    assert bodies, f"no email to {address}"
    return LINK.search(bodies[-1]).group(0)


def accept_invitation(page, csp_violations, address: str):
    page.goto(link_sent_to(address))
    page.wait_for_load_state()
    check(page, csp_violations)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_load_state()


def upload(page, label: str, path, button: str = "Check the file"):
    page.get_by_label(label).set_input_files(str(path))
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


UPNS = {n: make_upn(n, la="886", establishment="2345", year="19") for n in range(1, 6)}


def files(tmp_path):
    staff_bad = tmp_path / "staff-bad.csv"
    staff_bad.write_text(
        "First name,Last name,Email,Role,Classes taught\n"
        "Ada,Okafor,a.okafor@oakfield.example.org,SENCo; Class teacher,3 Oak\n"
        "Tom,Hughes,t.hughes@oakfield,Class teacher,4 Ash; Year 4 Maths\n",
        encoding="utf-8",
    )
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "First name,Last name,Email,Role,Classes taught\n"
        "Ada,Okafor,a.okafor@oakfield.example.org,SENCo; Class teacher,3 Oak\n"
        "Tom,Hughes,t.hughes@oakfield.example.org,Class teacher,4 Ash; Year 4 Maths\n"
        "Tariq,Ahmed,t.ahmed@oakfield.example.org,Teaching assistant,3 Oak\n",
        encoding="utf-8",
    )
    pupils = tmp_path / "pupils.csv"
    pupils.write_text(
        "UPN,Legal Forename,Legal Surname,DOB,Gender,NC Year Actual,Reg Group,Teaching Groups\n"
        f"{UPNS[1]},Amelia,Brook,20/01/2018,F,4,4 Ash,Year 4 Maths\n"
        f"{UPNS[2]},Bilal,Stone,02/02/2018,M,4,4 Birch,Year 4 Maths\n"
        f"{UPNS[3]},Cara,Field,06/06/2018,F,4,4 Birch,\n"
        f"{UPNS[4]},Dev,Patel,11/11/2019,M,3,3 Oak,\n",
        encoding="utf-8",
    )
    contacts_bad = tmp_path / "contacts-bad.csv"
    contacts_bad.write_text(
        "UPN,Contact Priority,Title,Forename,Surname,Relationship,Parental Responsibility,Email Address,Mobile Phone,Lives With Pupil,Court Order\n"
        f"{UPNS[1]},1,Mrs,Mia,Brook,Mother,Yes,mia.brook@example.org,07700 900001,Yes,No\n"
        "Z999999999999,1,Mr,Nobody,Known,Father,Yes,,07700 900009,Yes,No\n",
        encoding="utf-8",
    )
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "UPN,Contact Priority,Title,Forename,Surname,Relationship,Parental Responsibility,Email Address,Mobile Phone,Lives With Pupil,Court Order\n"
        f"{UPNS[1]},1,Mrs,Mia,Brook,Mother,Yes,mia.brook@example.org,07700 900001,Yes,No\n"
        f"{UPNS[1]},2,Mr,Dan,Brook,Father,Yes,,07700 900002,No,No\n"
        f"{UPNS[2]},1,Ms,Sara,Stone,Mother,Yes,sara.stone@example.org,07700 900003,Yes,No\n",
        encoding="utf-8",
    )
    return staff_bad, staff, pupils, contacts_bad, contacts


def test_a_school_sets_itself_up_from_an_empty_database(page, live_server, e2e_settings, csp_violations, tmp_path, monkeypatch):
    base = live_server.url
    assert not User.objects.exists() and not Pupil.objects.exists()
    staff_bad, staff_csv, pupils_csv, contacts_bad, contacts_csv = files(tmp_path)

    # --- 1. The first administrator, from the documented command.
    monkeypatch.setenv("CREATE_ADMINISTRATOR_PASSWORD", ADMIN_PASSWORD)
    call_command("create_administrator", "office@oakfield.example.org", "Sam Office")
    admin = User.objects.get()
    assert admin.has_role(Role.ADMIN) and not Pupil.objects.exists()

    sign_in(page, base, "office@oakfield.example.org", ADMIN_PASSWORD)
    checklist = page.get_by_role("main")
    expect(checklist).to_contain_text("School details")
    check(page, csp_violations)
    screenshot(page, "setup-checklist")

    # The school's details.
    page.goto(f"{base}/school/")
    page.get_by_label("School name").fill("Oakfield Primary School")
    page.get_by_label("Headteacher").fill("Priya Patel")
    page.get_by_role("button", name=re.compile("^Save")).click()
    page.wait_for_load_state()
    check(page, csp_violations)
    assert School.get().name == "Oakfield Primary School"

    # Staff from a CSV: a bad email is refused by its row, nothing saved.
    page.goto(f"{base}/accounts/people/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff")
    check(page, csp_violations)
    upload(page, re.compile("CSV file"), staff_bad)
    expect(page.get_by_role("main")).to_contain_text("3")  # the row number of the bad row
    check(page, csp_violations)
    assert User.objects.count() == 1
    page.goto(f"{base}/accounts/people/import/")
    upload(page, re.compile("CSV file"), staff_csv)
    check(page, csp_violations)
    screenshot(page, "setup-staff-import")
    page.get_by_role("button", name=re.compile(r"^Import 3 people")).click()
    page.wait_for_load_state()
    check(page, csp_violations)
    senco = User.objects.get(email="a.okafor@oakfield.example.org")
    teacher = User.objects.get(email="t.hughes@oakfield.example.org")
    assert senco.has_role(Role.SENCO) and teacher.has_role(Role.TEACHER)
    assert set(ClassStaff.objects.filter(user=teacher).values_list("class_group__name", flat=True)) == {"4 Ash", "Year 4 Maths"}
    page.get_by_role("button", name="Invite everyone imported who has not signed in yet").click()
    page.wait_for_load_state()
    check(page, csp_violations)
    assert link_sent_to(senco.email) and link_sent_to(teacher.email)
    sign_out(page)

    # --- 2. The SENCo accepts the invitation and imports pupils and contacts.
    accept_invitation(page, csp_violations, senco.email)
    sign_in(page, base, senco.email, NEW_PASSWORD)
    page.goto(f"{base}/pupils/import/")
    upload(page, "CSV file from your MIS", pupils_csv)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    check(page, csp_violations)
    page.get_by_role("button", name="Import 4 pupils").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import done")
    check(page, csp_violations)
    amelia, bilal = Pupil.objects.get(upn=UPNS[1]), Pupil.objects.get(upn=UPNS[2])
    maths = ClassGroup.objects.get(name="Year 4 Maths")
    assert maths.kind == ClassGroup.Kind.TEACHING
    assert set(maths.group_pupils.values_list("upn", flat=True)) == {UPNS[1], UPNS[2]}

    page.goto(f"{base}/pupils/contacts/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import parents and carers from your MIS")
    check(page, csp_violations)
    upload(page, re.compile("CSV file"), contacts_bad)
    expect(page.get_by_role("heading", level=1)).to_have_text("Problems in the contacts file")
    check(page, csp_violations)
    assert not PupilContact.objects.exists()
    page.goto(f"{base}/pupils/contacts/import/")
    upload(page, re.compile("CSV file"), contacts_csv)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the contacts import")
    check(page, csp_violations)
    screenshot(page, "setup-contacts-import")
    page.get_by_role("button", name=re.compile(r"^Import 3 rows")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts imported")
    check(page, csp_violations)
    assert PupilContact.objects.filter(pupil=amelia).count() == 2
    sign_out(page)

    # --- 3. The teacher sees exactly the pupils of their class and group.
    accept_invitation(page, csp_violations, teacher.email)
    sign_in(page, base, teacher.email, NEW_PASSWORD)
    page.goto(f"{base}/pupils/all/")
    check(page, csp_violations)
    listed = page.get_by_role("main")
    expect(listed).to_contain_text("Brook, Amelia")  # 4 Ash
    expect(listed).to_contain_text("Stone, Bilal")  # Year 4 Maths
    expect(listed).not_to_contain_text("Field, Cara")
    expect(listed).not_to_contain_text("Patel, Dev")
    assert page.goto(f"{base}/pupils/{amelia.pk}/profile/").status == 200
    assert page.goto(f"{base}/pupils/{Pupil.objects.get(upn=UPNS[3]).pk}/").status == 404
    page.goto(f"{base}/")
    sign_out(page)

    # --- 4. The SENCo places Amelia on SEN support; both parents are told.
    sign_in(page, base, senco.email, NEW_PASSWORD)
    page.goto(f"{base}/pupils/{amelia.pk}/status/")
    today = timezone.localdate()
    page.get_by_role("radio", name=re.compile(r"^SEN support \(census K\)")).check()
    page.get_by_label("Date of the decision").fill(today.isoformat())
    page.get_by_label("Reason for the decision").fill("Reading two years behind after two cycles of targeted help")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parents told")
    check(page, csp_violations)
    screenshot(page, "setup-parents-told")
    event = RegisterEvent.objects.get(pupil=amelia)
    mother = ParentNotice.objects.get(event=event, contact__contact__first_name="Mia")
    father = ParentNotice.objects.get(event=event, contact__contact__first_name="Dan")
    assert mother.method == "email" and mother.told_on == today  # the outbox sent it
    assert [m.to for m in mail.outbox if "Amelia" in m.subject] == [["mia.brook@example.org"]]
    assert father.method == "letter" and father.told_on is None
    # The letter to print, then recorded as handed over.
    page.get_by_role("link", name=re.compile("Record how")).first.click()
    page.wait_for_load_state()
    check(page, csp_violations)
    page.get_by_role("radio", name=re.compile("letter", re.I)).first.check()
    page.get_by_label(re.compile("Date")).fill(today.isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    check(page, csp_violations)
    father.refresh_from_db()
    assert father.told_on == today and father.recorded_by == senco

    # A plan for the mother to read (its own journey covers writing one).
    from support_plans import services as plan_services

    plan_services.plan_create(pupil=amelia, by=senco, next_review_date=today + timedelta(days=42),
                              teaching_strategies="Instructions one step at a time",
                              targets=[{"text": "Read 50 common words by sight", "success_looks_like": "All 50, twice", "area": "CL"}])
    # The SENCo invites the mother by the email the MIS holds.
    page.goto(f"{base}/pupils/{amelia.pk}/contacts/")
    check(page, csp_violations)
    screenshot(page, "setup-pupil-contacts")
    page.get_by_role("link", name=re.compile("^Invite")).first.click()
    page.wait_for_load_state()
    check(page, csp_violations)
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    check(page, csp_violations)
    link = ParentLink.objects.get(pupil=amelia)
    assert link.confirmed_at is None and link.parent.email == "mia.brook@example.org"
    sign_out(page)

    # --- 5. The mother accepts, confirms Amelia's date of birth, reads the plan.
    accept_invitation(page, csp_violations, "mia.brook@example.org")
    sign_in(page, base, "mia.brook@example.org", NEW_PASSWORD)
    page.goto(f"{base}/pupils/children/")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your child's details")
    expect(page.get_by_role("main")).not_to_contain_text("Amelia")  # nothing of the child before the answer
    check(page, csp_violations)
    screenshot(page, "setup-parent-confirm")
    dob = amelia.date_of_birth
    answer = page.get_by_label("Your child's date of birth")
    answer.fill((dob + timedelta(days=1)).isoformat())  # a wrong answer: said so, never the right one
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(str(dob.year))
    check(page, csp_violations)
    page.get_by_label("Your child's date of birth").fill(dob.isoformat())
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    link.refresh_from_db()
    assert link.confirmed_at is not None
    page.goto(f"{base}/pupils/children/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My children")
    page.get_by_role("link", name=re.compile("Amelia")).first.click()
    page.wait_for_load_state()
    check(page, csp_violations)
    page.goto(f"{base}/plans/child/{amelia.pk}/")
    page.wait_for_load_state()
    expect(page.get_by_role("main")).to_contain_text("Read 50 common words by sight")
    check(page, csp_violations)
