"""Demo pupils for the fictional Brookfield Primary School: about 200 pupils
from Reception to Year 6 in seven classes (each with a teacher and teaching
assistants), about 40 of them on the register with histories, needs, one-page
profiles, agencies and two small PDF documents.

Every name is made up. Deterministic (random.Random with a fixed seed; dates
are counted back from today) and idempotent: a second run adds nothing.

- teacher@example.org teaches 4 Willow, which has several pupils on the register;
- ta@example.org is assigned to some of them individually;
- parent@example.org and parent2@example.org are parents of two different
  children on the register (context["pupils"] names them for later seeders).
"""

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, RoleGrant, User

from . import contacts, services
from .models import (
    AgencyInvolvement,
    ClassGroup,
    ClassStaff,
    Contact,
    NeedType,
    PupilContact,
    Pupil,
    PupilDocument,
    RegisterEvent,
    SenStatus,
    Tier,
)
from .upn import make_upn

SEED = 20261123
PUPILS_PER_CLASS = 29  # 7 classes: 203 pupils
DEMO_ESTABLISHMENT = "2001"

# class name, year group, teacher (email, name, short name), TAs
CLASSES = [
    ("R Acorn", "R", ("l.fenwick@example.org", "Laura Fenwick", "Mrs Fenwick"), [("b.collins@example.org", "Beth Collins", "Mrs Collins"), ("r.parry@example.org", "Ruth Parry", "Mrs Parry")]),
    ("1 Birch", "1", ("o.price@example.org", "Owen Price", "Mr Price"), [("i.ali@example.org", "Imran Ali", "Mr Ali")]),
    ("2 Cedar", "2", ("m.joshi@example.org", "Meera Joshi", "Mrs Joshi"), [("j.walsh@example.org", "Jenny Walsh", "Mrs Walsh")]),
    ("3 Elm", "3", ("d.hughes@example.org", "Daniel Hughes", "Mr Hughes"), [("k.mensah@example.org", "Kofi Mensah", "Mr Mensah")]),
    ("4 Willow", "4", None, [("l.barnes@example.org", "Lucy Barnes", "Miss Barnes")]),  # teacher@example.org
    ("5 Hazel", "5", ("g.adeyemi@example.org", "Grace Adeyemi", "Ms Adeyemi"), [("n.foster@example.org", "Neil Foster", "Mr Foster")]),
    ("6 Oak", "6", ("t.nowak@example.org", "Tomasz Nowak", "Mr Nowak"), [("a.rahman@example.org", "Aisha Rahman", "Mrs Rahman")]),
]

GIRLS = [
    "Amara", "Isla", "Freya", "Poppy", "Maya", "Zara", "Ellie", "Hana", "Nia", "Lily", "Ruby", "Ava", "Orla", "Esme",
    "Priya", "Chloe", "Imogen", "Layla", "Tilly", "Evie", "Niamh", "Aisha", "Martha", "Rosa", "Keira", "Jasmine",
    "Holly", "Sofia", "Aaliyah", "Bethan", "Lottie", "Megan", "Iqra", "Willow", "Daisy", "Harriet",
]
BOYS = [
    "Oliver", "Kai", "Arlo", "Finley", "Reuben", "Theo", "Yusuf", "Callum", "Ethan", "Jude", "Leo", "Rory", "Samir",
    "Toby", "Alfie", "Dylan", "Hamza", "Isaac", "Jacob", "Kian", "Louis", "Mason", "Noah", "Owen", "Rhys", "Seb",
    "Tyler", "Zain", "Ezra", "Felix", "Harvey", "Ibrahim", "Jack", "Luca", "Max", "Ollie",
]
SURNAMES = [
    "Ashworth", "Bamford", "Carrow", "Dunmore", "Ellery", "Farrant", "Gadsby", "Hartwell", "Ingram", "Jessop",
    "Kettering", "Lomax", "Marlow", "Nuttall", "Okonjo", "Pemberton", "Quayle", "Radcliffe", "Sadler", "Thornbury",
    "Underhill", "Varley", "Wetherby", "Yardley", "Abbott", "Brindley", "Cresswell", "Dobson", "Eastwood", "Fairbairn",
    "Greaves", "Holroyd", "Iqbal", "Kaur", "Lund", "Mahmood", "Nwosu", "Oduya", "Pickering", "Rowntree", "Shackleton",
    "Tasker", "Umeh", "Whitlock", "Yeadon", "Bhatti", "Chowdhury", "Dempsey", "Fenton", "Gill",
]

# need codes with weights (roughly a primary school's mix)
NEED_WEIGHTS = [("SLCN", 9), ("SEMH", 7), ("ASD", 6), ("SPLD", 5), ("MLD", 5), ("NSA", 2), ("PD", 1), ("HI", 1), ("VI", 1)]

PROFILE_BITS = {
    "like": [
        "I am kind and I always say hello to everyone in the morning.",
        "People say I am funny and I make them laugh.",
        "I work hard and I don't give up, even when it is tricky.",
        "I am brilliant at drawing and building with Lego.",
        "I know lots of facts about animals, especially sharks.",
    ],
    "important": [
        "My family, my dog Biscuit and playing football at break.",
        "Knowing what is happening next in the day.",
        "Having a friend to sit with at lunch.",
        "Being allowed to finish what I started.",
        "My grandma, who picks me up on Fridays.",
    ],
    "support": [
        "Give me one instruction at a time and check I have understood. Show me a picture of what to do.",
        "Warn me before things change. Let me use my break card when it all gets too much.",
        "Sit me near the front, away from the door. Let me use my coloured overlay for reading.",
        "Give me a task list I can tick off. Let me move about between tasks.",
        "Use my name before you ask me a question. Give me time to think before I answer.",
    ],
    "hard": [
        "Lots of noise, especially in the hall at lunchtime.",
        "Reading long words and copying from the board.",
        "Waiting for my turn and losing at games.",
        "Writing neatly; my hand gets tired.",
        "Knowing what to say when I join a game.",
    ],
    "words": [
        "\"I like it when my teacher shows me how to do it first.\"",
        "\"Sometimes my brain goes too fast and I need a break.\"",
        "\"I am good at maths when I can use the cubes.\"",
        "\"I want to be a vet when I grow up.\"",
        "\"I like Mr Kowalski helping me with reading.\"",
    ],
}

AGENCY_PROFESSIONALS = {
    AgencyInvolvement.Agency.EP: ("Dr Helen Marsh, educational psychologist", "Assessment of learning needs"),
    AgencyInvolvement.Agency.SALT: ("Anna Reeve, speech and language therapist", "Expressive and receptive language programme"),
    AgencyInvolvement.Agency.OT: ("Mark Bell, occupational therapist", "Fine motor skills and sensory advice"),
    AgencyInvolvement.Agency.CAMHS: ("Primary mental health worker", "Anxiety support"),
    AgencyInvolvement.Agency.HI: ("Teacher of the deaf, county sensory service", "Hearing aids and classroom acoustics"),
    AgencyInvolvement.Agency.OUTREACH: ("Specialist teacher, autism outreach", "Advice on communication and routines"),
}
AREA_AGENCY = {
    "SLCN": AgencyInvolvement.Agency.SALT, "ASD": AgencyInvolvement.Agency.OUTREACH, "SPLD": AgencyInvolvement.Agency.EP,
    "MLD": AgencyInvolvement.Agency.EP, "SEMH": AgencyInvolvement.Agency.CAMHS, "PD": AgencyInvolvement.Agency.OT,
    "HI": AgencyInvolvement.Agency.HI, "VI": AgencyInvolvement.Agency.OUTREACH, "NSA": AgencyInvolvement.Agency.EP,
}


def _staff(email, name, short, role) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        from send_register.demo import DEMO_PASSWORD

        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name, short_name=short, mfa_exempt=True)
    RoleGrant.objects.get_or_create(user=user, role=role)
    user.forget_roles()
    return user


def _academic_year_start(today: date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def _birth_date(rng, year_group: str, start_year: int) -> date:
    offset = 0 if year_group == "R" else int(year_group)
    first = date(start_year - 5 - offset, 9, 1)
    return first + timedelta(days=rng.randrange(365))


def _demo_pdf(title: str, paragraphs: list[str]) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return HTML(string=f"<html><body><h1>{title}</h1>{body}<p><em>Fictional demo document.</em></p></body></html>").write_pdf()


@transaction.atomic
def seed(context: dict) -> None:
    users = context["users"]
    senco, teacher, ta = users["senco"], users["teacher"], users["ta"]
    today = timezone.localdate()
    start_year = _academic_year_start(today)
    rng = random.Random(SEED)

    classes = {}
    for name, year, teacher_row, tas in CLASSES:
        group, _ = ClassGroup.objects.get_or_create(name=name, defaults={"year_group": year, "kind": ClassGroup.Kind.FORM})
        class_teacher = teacher if teacher_row is None else _staff(*teacher_row, Role.TEACHER)
        ClassStaff.objects.get_or_create(class_group=group, user=class_teacher, defaults={"role": ClassStaff.Role.TEACHER})
        for row in tas:
            ClassStaff.objects.get_or_create(class_group=group, user=_staff(*row, Role.TA), defaults={"role": ClassStaff.Role.TA})
        classes[name] = group

    first_upn = make_upn(1, establishment=DEMO_ESTABLISHMENT)
    if not Pupil.objects.filter(upn=first_upn).exists():
        _seed_pupils(rng, classes, start_year, today, senco=senco, ta=ta, parent=users["parent"], parent2=users["parent2"])

    parent_child = Pupil.objects.filter(parent_links__parent=users["parent"]).order_by("pk").first()
    parent2_child = Pupil.objects.filter(parent_links__parent=users["parent2"]).order_by("pk").first()
    context["pupils"] = {"parent_child": parent_child, "parent2_child": parent2_child}


def _demo_parent(user: User, pupil: Pupil, relationship: str, title: str) -> None:
    """A demo parent: a contact of the child with parental responsibility, as
    the MIS would send them, linked to their account and already confirmed."""
    first, _, last = user.full_name.rpartition(" ")
    contact = Contact.objects.create(title=title, first_name=first, last_name=last, email=user.email)
    pupil_contact = contacts.contact_add(
        pupil=pupil, contact=contact, priority=1, relationship=relationship,
        parental_responsibility=True, lives_with_pupil=True, source=PupilContact.Source.IMPORT,
    )
    contacts.parent_link_create(pupil_contact=pupil_contact, user=user, confirmed=True)


def _seed_pupils(rng, classes, start_year, today, *, senco, ta, parent, parent2) -> None:
    serial = 0
    by_class: dict[str, list[Pupil]] = {}
    used_names = set()
    for name, year, _teacher, _tas in CLASSES:
        pupils = []
        for _ in range(PUPILS_PER_CLASS):
            serial += 1
            sex = rng.choice([Pupil.Sex.FEMALE, Pupil.Sex.MALE])
            while True:
                first = rng.choice(GIRLS if sex == Pupil.Sex.FEMALE else BOYS)
                last = rng.choice(SURNAMES)
                if (first, last) not in used_names:
                    used_names.add((first, last))
                    break
            pupil_premium = rng.random() < 0.25
            pupils.append(
                Pupil(
                    upn=make_upn(serial, establishment=DEMO_ESTABLISHMENT),
                    legal_first_name=first,
                    legal_last_name=last,
                    preferred_first_name="Ollie" if first == "Oliver" and rng.random() < 0.5 else "",
                    date_of_birth=_birth_date(rng, year, start_year),
                    sex=sex,
                    year_group=year,
                    form=classes[name],
                    admission_date=date(start_year - (0 if year == "R" else int(year)), 9, 1),
                    eal=rng.random() < 0.15,
                    pupil_premium=pupil_premium,
                    fsm=pupil_premium and rng.random() < 0.8,
                    looked_after=rng.random() < 0.02,
                )
            )
        for pupil in pupils:
            pupil.full_clean(exclude=["form"])
        by_class[name] = bulk_create_with_history(pupils, Pupil, default_user=senco, default_change_reason="Demo school")

    need_types = {n.code: n for n in NeedType.objects.all()}
    codes = [c for c, w in NEED_WEIGHTS for _ in range(w)]

    # Who goes on the register: 8 in 4 Willow (the demo teacher's class), the
    # rest spread over the other classes; about 40 in all.
    chosen: list[tuple[Pupil, str]] = []
    for name, _year, _t, _tas in CLASSES:
        count = 8 if name == "4 Willow" else 5
        for pupil in rng.sample(by_class[name], count):
            roll = rng.random()
            status = SenStatus.EHC_PLAN if roll < 0.15 else SenStatus.MONITORING if roll < 0.25 else SenStatus.SEN_SUPPORT
            chosen.append((pupil, status))

    willow = [p for p, s in chosen if p.form_id == classes["4 Willow"].pk]
    # The demo parents' children: a pupil on SEN support in 4 Willow, and a
    # pupil with an EHC plan in another class.
    parent_child = willow[0]
    parent2_child = next(p for p, s in chosen if p.form_id == classes["2 Cedar"].pk)
    chosen = [(p, SenStatus.SEN_SUPPORT if p is parent_child else SenStatus.EHC_PLAN if p is parent2_child else s) for p, s in chosen]
    _demo_parent(parent, parent_child, "Mother", "Mrs")
    _demo_parent(parent2, parent2_child, "Father", "Mr")
    # The demo TA is assigned to some of the 4 Willow pupils on the register.
    for pupil in willow[:4]:
        pupil.key_staff.add(ta)

    for index, (pupil, status) in enumerate(chosen):
        _place(rng, pupil, status, need_types, codes, today, senco)
        if status != SenStatus.MONITORING or rng.random() < 0.5:
            _profile(rng, pupil, today, senco if index % 3 else ta)
        if status != SenStatus.MONITORING and (rng.random() < 0.4 or pupil in (parent_child, parent2_child)):
            _agency(rng, pupil, today, senco)
    _documents(parent_child, parent2_child, today, senco)

    # The demo's letters to parents are sent now (after the commit); date them
    # as if they had gone on the day of each decision, as they would have.
    def backdate_notices():
        for event in RegisterEvent.objects.filter(notices__isnull=False).distinct():
            RegisterEvent.objects.filter(pk=event.pk).update(parents_told_on=event.effective_date)

    transaction.on_commit(backdate_notices)


def _place(rng, pupil: Pupil, status: str, need_types, codes, today: date, senco) -> None:
    placed = max(pupil.admission_date + timedelta(days=40), today - timedelta(days=rng.randint(90, 1000)))
    placed = min(placed, today - timedelta(days=30))
    first_status = SenStatus.MONITORING if status == SenStatus.MONITORING else SenStatus.SEN_SUPPORT
    if status == SenStatus.SEN_SUPPORT and rng.random() < 0.3:
        first_status = SenStatus.MONITORING  # watched first, then SEN support
    services.register_set_status(
        pupil=pupil, status=first_status, effective_date=placed,
        reason="Concern raised by the class teacher; assess-plan-do-review cycle started" if first_status == SenStatus.SEN_SUPPORT
        else "Class teacher's concern: monitoring progress for a term",
        decided_by=senco,
    )
    if first_status == SenStatus.MONITORING and status != SenStatus.MONITORING:
        later = min(placed + timedelta(days=rng.randint(60, 120)), today - timedelta(days=7))
        services.register_set_status(
            pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=later,
            reason="Progress still well below expected after a term of quality-first teaching", decided_by=senco,
        )
        placed = later
    if status == SenStatus.MONITORING:
        return
    primary = rng.choice(codes)
    if status == SenStatus.EHC_PLAN and primary == "NSA":
        primary = "ASD"
    secondary = rng.choice([c for c in ("SLCN", "SEMH", "SPLD", "MLD", None, None) if c != primary])
    if primary == "NSA" and rng.random() < 0.5:
        # Assessed later: NSA gives way to the need found.
        services.needs_set(pupil=pupil, primary=need_types["NSA"], effective_date=placed,
                           reason="Needs not yet assessed by a specialist", decided_by=senco)
        primary = "SPLD"
        placed = min(placed + timedelta(days=rng.randint(30, 90)), today - timedelta(days=3))
    services.needs_set(
        pupil=pupil, primary=need_types[primary], secondary=need_types[secondary] if secondary else None,
        effective_date=placed, reason="Agreed at the review meeting with parents", decided_by=senco,
    )
    if status == SenStatus.EHC_PLAN:
        issued = min(placed + timedelta(days=rng.randint(150, 400)), today - timedelta(days=2))
        services.register_set_status(
            pupil=pupil, status=SenStatus.EHC_PLAN, effective_date=issued,
            reason="EHC plan issued by the local authority", decided_by=senco,
        )


def _profile(rng, pupil: Pupil, today: date, author) -> None:
    versions = 2 if rng.random() < 0.3 else 1
    for v in range(versions):
        gathered = today - timedelta(days=(versions - v) * rng.randint(60, 150))
        services.profile_save(
            pupil=pupil, gathered_on=gathered, written_by=author,
            like_and_admire=rng.choice(PROFILE_BITS["like"]),
            important_to_me=rng.choice(PROFILE_BITS["important"]),
            how_to_support=rng.choice(PROFILE_BITS["support"]),
            find_hard=rng.choice(PROFILE_BITS["hard"]),
            pupil_words=rng.choice(PROFILE_BITS["words"]),
        )


def _agency(rng, pupil: Pupil, today: date, senco) -> None:
    need = pupil.primary_need
    kind = AREA_AGENCY.get(need.need_type_id if need else "NSA", AgencyInvolvement.Agency.EP)
    professional, reason = AGENCY_PROFESSIONALS[kind]
    start = today - timedelta(days=rng.randint(20, 300))
    services.agency_add(
        pupil=pupil, added_by=senco, agency=kind, professional=professional, contact="Via the SENCo",
        start_date=start, reason=reason,
        consent_given_on=start - timedelta(days=7), consent_given_by="Parent, with parental responsibility",
    )


def _documents(parent_child: Pupil, parent2_child: Pupil, today: date, senco) -> None:
    if PupilDocument.objects.filter(pupil__in=[parent_child, parent2_child]).exists():
        return
    for pupil, title, tier, paragraphs in (
        (parent_child, "Speech and language therapy report", Tier.PLAN, [
            f"{parent_child.first_name} was seen in school for a language assessment.",
            "Recommendations: simplify instructions, pre-teach vocabulary, use visual supports.",
        ]),
        (parent2_child, "Educational psychologist's report", Tier.CONFIDENTIAL, [
            f"Assessment of {parent2_child.first_name}'s learning for the EHC needs assessment.",
            "Summary of strengths, needs and recommended provision.",
        ]),
    ):
        pdf = _demo_pdf(title, paragraphs)
        services.document_add(
            pupil=pupil, uploaded_file=SimpleUploadedFile("report.pdf", pdf, content_type="application/pdf"),
            title=title, kind=PupilDocument.Kind.REPORT, tier=tier, document_date=today - timedelta(days=20),
            uploaded_by=senco,
        )

