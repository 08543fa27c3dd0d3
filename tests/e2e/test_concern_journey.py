"""Concerns and the graduated response in a real browser (issues 4 and 11).

- A teacher raises a concern about Dara Hill, a pupil in their class who is
  not on SEN support, with a photo of her work as evidence. The main form is
  done with the KEYBOARD ONLY (Tab, Space, typing, Enter), the focus visible
  at every stop; a bad submission shows an error summary whose link takes the
  focus to the field. The teacher saves a draft, then sends it.
- The SENCo records that it was received and an observation, then the
  outcome "place on SEN support": the pupil goes on the register through the
  register service (history written, her father told by email).
- Dara's father signs in and reads the decision on her page.
- A parent raises a concern about their own child through the form with one
  question per screen, on a 320-pixel-wide screen, with no sideways scrolling.

After each step the database is read back. Every page visited is checked with
axe-core (WCAG 2.2 AA) and for Content Security Policy violations.
"""

import re
import struct
import zlib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from concerns.models import Concern, ConcernAttachment, ConcernStep
from pupils.models import ParentLink, RegisterEvent, SenStatus
from send_register.models import OutboundEmail
from tests.factories import PupilFactory, UserFactory, link_parent

from .conftest import assert_accessible, assert_no_csp_violations, assert_no_horizontal_scroll, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 800}


# -- helpers -----------------------------------------------------------------

def check_page(page, csp_violations, *, width=None):
    """Every page of the journeys: axe-core clean, no CSP violation and, on a
    phone, no sideways scrolling."""
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)
    if width:
        assert_no_horizontal_scroll(page, width)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


# The focused element shows a focus indicator: an outline or a box-shadow on
# it or, for GOV.UK radios and checkboxes (whose input is invisible), on the
# box drawn by its label.
FOCUS_IS_VISIBLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "nothing has the focus";
    const shows = s => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                        && s.outlineColor !== "rgba(0, 0, 0, 0)" && s.outlineColor !== "transparent")
                       || (s.boxShadow && s.boxShadow !== "none");
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.textContent ? " '" + el.textContent.trim().slice(0, 40) + "'" : "");
    if (el.type === "checkbox" || el.type === "radio") {
        const label = el.labels && el.labels[0];
        return label && (shows(getComputedStyle(label, "::before")) || shows(getComputedStyle(label, "::after")))
            ? "" : name + " shows no focus indicator";
    }
    return shows(getComputedStyle(el)) ? "" : name + " shows no focus indicator";
}"""


def assert_focus_visible(page):
    problem = page.evaluate(FOCUS_IS_VISIBLE)
    assert not problem, problem


def is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, limit=120):
    """Press Tab until `locator` has the focus, checking at every stop that
    the focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if is_focused(locator):
            return
    pytest.fail(f"{locator} was not reached with the Tab key")


def skip_to_main_content(page):
    """The first Tab stop is the skip link; Enter moves to the main content."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")


def tiny_png() -> bytes:
    """A real 1x1 white PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


# -- fixtures ----------------------------------------------------------------

@pytest.fixture
def dara(world, settings, tmp_path):
    """Dara Hill, in the teacher's class 3 Oak, not on SEN support, and her
    father (persona "dara_father") with parental responsibility. Uploads go to
    a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pupil = PupilFactory(legal_first_name="Dara", legal_last_name="Hill", form=world.form, year_group="3")
    father = UserFactory(email="dara.father@test.example.org", full_name="Dev Hill", roles=[Role.PARENT])
    link_parent(father, pupil, relationship=ParentLink.Relationship.FATHER, parental_responsibility=True)
    world.dara_father = father
    pupil.father = father
    return pupil


# -- the teacher, the SENCo and the parent -------------------------------------

def test_a_teachers_concern_goes_through_to_sen_support_and_the_parent_sees_it(
    sign_in, live_server, world, dara, csp_violations, tmp_path
):
    assert dara.sen_status == SenStatus.NONE
    evidence = tmp_path / "dara-writing.png"
    evidence.write_bytes(tiny_png())

    # The teacher opens the form.
    page = sign_in("teacher")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Concerns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your concerns")
    check_page(page, csp_violations)
    page.get_by_role("link", name="Raise a concern").click()
    expect(page).to_have_title(re.compile(r"^Raise a concern"))
    check_page(page, csp_violations)

    # From here on, the keyboard only.
    skip_to_main_content(page)
    pupil = page.get_by_label("Pupil", exact=True)
    tab_to(page, pupil, limit=5)
    page.keyboard.type("Dara")
    expect(pupil).to_have_value(str(dara.pk))
    # Only the teacher's own pupils are offered.
    options = pupil.locator("option").all_text_contents()
    assert any(o.startswith("Dara Hill (3 Oak, born") for o in options)
    assert not any("Bilal" in o or "Cara" in o for o in options)

    # Sending it with nothing but the pupil: refused, nothing saved.
    send = page.get_by_role("button", name="Send to the SENCo")
    tab_to(page, send)
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Describe your concern in at least one area of need")
    expect(summary).to_contain_text("Add at least one thing you have tried in class")
    expect(summary).to_contain_text("Choose the support you think would help")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, csp_violations)
    assert not Concern.objects.exists()
    # The error summary took the focus as the page loaded, so the first Tab
    # reaches its first link, which takes the focus to the field.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    communication = page.get_by_label("Communication and interaction")
    expect(communication).to_be_focused()
    assert_focus_visible(page)
    expect(pupil).to_have_value(str(dara.pk))

    page.keyboard.type("Dara rarely answers in class discussions and struggles to follow instructions with two steps.")
    tab_to(page, page.get_by_label("Cognition and learning"), limit=3)
    page.keyboard.type("Her reading age is about 18 months behind.")
    tab_to(page, page.get_by_label("What have the parents said? (if anything)"))
    page.keyboard.type("Her father says she is tired and upset after school.")
    tab_to(page, page.get_by_label("What did you try? (1)"))
    page.keyboard.type("A visual timetable on her desk")
    page.keyboard.press("Tab")
    effect = page.get_by_label("How well did it work? (1)")
    expect(effect).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type("It helped")
    expect(effect).to_have_value("some")
    tab_to(page, page.get_by_label("What did you try? (2)"), limit=3)
    page.keyboard.type("Instructions chunked and written on a whiteboard")
    page.keyboard.press("Tab")
    page.keyboard.type("Too soon")
    expect(page.get_by_label("How well did it work? (2)")).to_have_value("too_soon")
    observation = page.get_by_label("An observation by the SENCo")
    tab_to(page, observation)
    page.keyboard.press("Space")
    expect(observation).to_be_checked()
    tab_to(page, page.get_by_label("Tell us more about the support that would help"), limit=6)
    page.keyboard.type("Ideas for helping her follow spoken instructions.")
    # The evidence: the file input is reached with the keyboard and shows its
    # focus. The file dialog it opens belongs to the browser and the operating
    # system, not to the page (headless chromium does not always open it for a
    # key press), so the file is then given to the focused input directly.
    evidence_input = page.get_by_label("Add evidence (optional)")
    tab_to(page, evidence_input, limit=3)
    expect(evidence_input).to_be_focused()
    evidence_input.set_input_files(str(evidence))
    expect(evidence_input).to_be_focused()
    page.keyboard.press("Tab")
    kind = page.get_by_label("What kind of evidence is it?")
    expect(kind).to_be_focused()
    page.keyboard.type("Photo")
    expect(kind).to_have_value("photo")
    screenshot(page, "teacher-concern-form")

    # Save a draft.
    tab_to(page, page.get_by_role("button", name="Save as draft"), limit=4)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your draft has been saved")
    expect(page).to_have_title(re.compile(r"^Continue your draft concern"))
    expect(page.get_by_role("main")).to_contain_text("dara-writing.png")
    check_page(page, csp_violations)

    concern = Concern.objects.get()
    assert (concern.pupil, concern.raised_by, concern.step) == (dara, world.teacher, Concern.Step.DRAFT)
    assert concern.submitted_at is None
    assert {a.broad_area: a.details for a in concern.areas.all()} == {
        "CI": "Dara rarely answers in class discussions and struggles to follow instructions with two steps.",
        "CL": "Her reading age is about 18 months behind.",
    }
    assert concern.parents_said == "Her father says she is tired and upset after school."
    assert [(s.description, s.effect) for s in concern.strategies.order_by("position")] == [
        ("A visual timetable on her desk", "some"),
        ("Instructions chunked and written on a whiteboard", "too_soon"),
    ]
    assert concern.support_wanted == ["observation"]
    attachment = ConcernAttachment.objects.get(concern=concern)
    assert (attachment.original_name, attachment.content_type, attachment.kind) == ("dara-writing.png", "image/png", "photo")
    assert attachment.file.read() == evidence.read_bytes()
    assert not OutboundEmail.objects.filter(purpose="concern_new").exists()

    # Send it (still with the keyboard; the success banner has the focus).
    tab_to(page, page.get_by_role("button", name="Send to the SENCo"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Concern {concern.reference} has been sent to the SENCo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Concern about Dara Hill")
    check_page(page, csp_violations)
    concern.refresh_from_db()
    assert concern.step == Concern.Step.SUBMITTED and concern.submitted_at is not None
    assert ConcernStep.objects.filter(concern=concern, step=Concern.Step.SUBMITTED, recorded_by=world.teacher).exists()
    assert concern.attachments.count() == 1
    assert list(OutboundEmail.objects.filter(purpose="concern_new").values_list("to", flat=True)) == [world.senco.email]
    # The email names no child in its subject.
    assert [m.subject for m in mail.outbox if m.to == [world.senco.email]] == [f"New concern {concern.reference} to triage"]
    sign_out(page)

    # The SENCo triages it.
    page = sign_in("senco")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Concerns").click()
    check_page(page, csp_violations)
    page.get_by_role("link", name=concern.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concern about Dara Hill")
    expect(page.get_by_role("main")).to_contain_text("A visual timetable on her desk")
    check_page(page, csp_violations)
    # The evidence opens for the SENCo.
    href = page.get_by_role("link", name="dara-writing.png").get_attribute("href")
    download = page.request.get(f"{live_server.url}{href}")
    assert download.status == 200 and download.body() == evidence.read_bytes()

    page.get_by_role("link", name="Record: Received by the SENCo").click()
    check_page(page, csp_violations)
    page.get_by_role("button", name="Record this step").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Received by the SENCo: recorded")
    concern.refresh_from_db()
    assert concern.step == Concern.Step.RECEIVED

    page.get_by_role("link", name="Record: SENCo observation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SENCo observation")
    check_page(page, csp_violations)
    # An observation needs notes: the summary links to the box.
    page.get_by_role("button", name="Record this step").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Write what you saw during the observation")
    check_page(page, csp_violations)
    summary.get_by_role("link", name="Write what you saw during the observation").click()
    expect(page.get_by_label("What you observed")).to_be_focused()
    concern.refresh_from_db()
    assert concern.step == Concern.Step.RECEIVED
    page.get_by_label("What you observed").fill(
        "Observed a literacy lesson: Dara needed each instruction repeated and did not start work alone."
    )
    page.get_by_role("button", name="Record this step").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("SENCo observation: recorded")
    concern.refresh_from_db()
    assert concern.step == Concern.Step.OBSERVATION
    observed = ConcernStep.objects.get(concern=concern, step=Concern.Step.OBSERVATION)
    assert observed.recorded_by == world.senco and observed.occurred_on == timezone.localdate()
    assert observed.notes.startswith("Observed a literacy lesson")
    check_page(page, csp_violations)

    page.get_by_role("link", name="Record the outcome").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the outcome")
    check_page(page, csp_violations)
    page.get_by_role("radio", name="Place on SEN support").check()
    page.get_by_label("Reason for the decision").fill("Needs confirmed by the observation; a plan is needed")
    page.get_by_label("A note for the family (optional)").fill("We would like to meet you next week to plan Dara's support together.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The outcome has been recorded")
    expect(page.locator(".govuk-panel")).to_contain_text("Outcome: Place on SEN support")
    check_page(page, csp_violations)

    # Read back: the concern is closed, Dara is on the register through the
    # register service, her father and the teacher were told.
    concern.refresh_from_db()
    assert (concern.step, concern.outcome) == (Concern.Step.OUTCOME, Concern.Outcome.SEN_SUPPORT)
    assert concern.closed_at is not None and concern.register_event is not None
    dara.refresh_from_db()
    assert dara.sen_status == SenStatus.SEN_SUPPORT
    event = RegisterEvent.objects.get(pupil=dara)
    assert event == concern.register_event and event.kind == RegisterEvent.Kind.PLACED
    assert event.decided_by == world.senco and event.reason.startswith(f"Outcome of concern {concern.reference}")
    assert event.parents_told_on == timezone.localdate()
    notice = OutboundEmail.objects.get(purpose="register_notice", to=dara.father.email)
    assert notice.status == OutboundEmail.Status.SENT and "Dara is now receiving special educational needs (SEN) support" in notice.body
    to_teacher = OutboundEmail.objects.get(purpose="concern_outcome")
    assert to_teacher.to == world.teacher.email and to_teacher.subject == f"Concern {concern.reference}: outcome recorded"
    sign_out(page)

    # Her father sees the decision on Dara's page, in plain English.
    page = sign_in("dara_father")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="My children").click()
    page.get_by_role("link", name="Dara Hill").click()
    expect(page.locator("#status-words")).to_contain_text("Dara gets SEN support.")
    check_page(page, csp_violations)
    page.get_by_role("link", name="A decision on a concern raised by Dara's teacher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A decision about Dara's support")
    main = page.get_by_role("main")
    expect(main).to_contain_text("A decision has been made")
    expect(main).to_contain_text("Your child will get special educational needs (SEN) support")
    expect(main).to_contain_text("We would like to meet you next week to plan Dara's support together.")
    # Never the staff's notes, the evidence or the reason.
    expect(main).not_to_contain_text("Observed a literacy lesson")
    expect(main).not_to_contain_text("visual timetable")
    expect(main).not_to_contain_text("dara-writing.png")
    check_page(page, csp_violations)
    # The staff pages of the concern are not there for a parent (404).
    assert page.goto(f"{live_server.url}/concerns/{concern.pk}/").status == 404
    assert page.request.get(f"{live_server.url}{href}").status == 404


# -- the parent's own concern, on a phone ----------------------------------------

def test_a_parent_raises_a_concern_one_question_per_screen_on_a_phone(sign_in, live_server, world, csp_violations):
    amelia = world.pupil
    page = sign_in("parent")
    page.set_viewport_size(PHONE)
    check_page(page, csp_violations, width=320)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="My children").click()
    check_page(page, csp_violations, width=320)
    page.get_by_role("link", name="Amelia Brook").click()
    check_page(page, csp_violations, width=320)
    page.get_by_role("link", name="Tell the SENCo about a worry about Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell the SENCo about a worry")
    # Her only child is already chosen.
    expect(page.get_by_role("radio", name="Amelia Brook")).to_be_checked()
    check_page(page, csp_violations, width=320)
    page.get_by_role("button", name="Start").click()

    concern = Concern.objects.get()
    assert (concern.pupil, concern.raised_by, concern.raised_by_role, concern.step) == (
        amelia, world.parent, Concern.RaisedByRole.PARENT, Concern.Step.DRAFT
    )

    # Question 1, sent empty: an error that takes her to the box.
    expect(page).to_have_title(re.compile(r"Question 1 of 4: your concern about Amelia"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What is worrying you?")
    check_page(page, csp_violations, width=320)
    screenshot(page, "parent-concern")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Tell us what is worrying you")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, csp_violations, width=320)
    summary.get_by_role("link", name="Tell us what is worrying you").click()
    box = page.get_by_role("textbox", name="What is worrying you?")
    expect(box).to_be_focused()
    concern.refresh_from_db()
    assert concern.parent_concern == ""
    box.fill("Amelia cries before school and says the other children talk too fast for her.")
    page.get_by_role("button", name="Continue").click()
    concern.refresh_from_db()
    assert concern.parent_concern.startswith("Amelia cries before school")

    # Question 2: what it is about.
    expect(page.get_by_role("heading", level=1)).to_have_text("What is it about?")
    check_page(page, csp_violations, width=320)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tick at least one")
    check_page(page, csp_violations, width=320)
    page.locator(".govuk-error-summary").get_by_role("link").first.click()
    expect(page.get_by_role("checkbox").first).to_be_focused()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("checkbox").nth(2).check()
    page.get_by_role("button", name="Continue").click()
    concern.refresh_from_db()
    assert sorted(a.broad_area for a in concern.areas.all()) == ["CI", "SEMH"]

    # Question 3 (may be left empty) and question 4.
    expect(page.get_by_role("heading", level=1)).to_have_text("What have you already tried at home, and how did it go?")
    check_page(page, csp_violations, width=320)
    page.get_by_role("textbox").fill("A calm bedtime routine and a picture of the day's plan. The plan helped a little.")
    page.get_by_role("button", name="Continue").click()
    concern.refresh_from_db()
    assert concern.home_strategies.startswith("A calm bedtime routine")
    expect(page.get_by_role("heading", level=1)).to_have_text("What would you like from the SENCo?")
    check_page(page, csp_violations, width=320)
    page.get_by_role("textbox").fill("To talk about whether she needs help with listening and friendships.")
    page.get_by_role("button", name="Continue").click()
    concern.refresh_from_db()
    assert concern.parents_want.startswith("To talk about whether")
    assert concern.step == Concern.Step.DRAFT

    # Check and send.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Amelia cries before school")
    check_page(page, csp_violations, width=320)
    page.get_by_role("button", name="Send to the SENCo").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your concern has been sent to the SENCo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your concern about Amelia")
    expect(page.get_by_role("main")).to_contain_text("Sent to the SENCo")
    check_page(page, csp_violations, width=320)
    concern.refresh_from_db()
    assert concern.step == Concern.Step.SUBMITTED and concern.submitted_at is not None
    assert timezone.now() - concern.submitted_at < timedelta(minutes=5)
    assert list(OutboundEmail.objects.filter(purpose="concern_new").values_list("to", flat=True)) == [world.senco.email]

    # Her list of concerns shows it.
    page.goto(f"{live_server.url}/concerns/parent/")
    expect(page.get_by_role("main")).to_contain_text("Amelia")
    check_page(page, csp_violations, width=320)
