"""Demo data for the reports: last year's SEN information report, published,
and this year's draft started from it and mostly answered, plus a parents'
survey. Idempotent: a report that exists is left alone."""

from datetime import timedelta

from django.db import transaction

from send_register.calendar import ensure_academic_year, today

from . import services
from .models import InformationReport, ParentSurvey
from .schedule import ORDER

ANSWERS = {
    "1": "We support pupils across all four broad areas of need: communication and interaction (including autism and "
         "speech and language needs); cognition and learning (including dyslexia and moderate learning difficulties); "
         "social, emotional and mental health; and sensory and physical needs.",
    "2": "Teachers check every pupil's progress each half term. When a pupil is falling behind their classmates, or "
         "their own earlier progress, the teacher talks to the parents and the SENCo. We first adjust everyday "
         "teaching; if that is not enough, we assess further and may agree SEN support with the family.",
    "3a": "We review each pupil's targets every term, measure progress at the start and end of each intervention, "
          "ask pupils and parents what is working, and the SENCo reports to governors twice a year.",
    "3b": "We follow a cycle of assess, plan, do and review. Each pupil on SEN support has a support plan reviewed "
          "with the family three times a year. Pupils with an EHC plan also have an annual review with the local authority.",
    "3c": "Good teaching for every child comes first. Teachers adapt lessons for pupils with SEN, and teaching "
          "assistants work with small groups and individuals on programmes chosen for each pupil.",
    "3d": "We use visual timetables, pre-teach key words, give extra time, offer quiet spaces and provide equipment "
          "such as coloured overlays, writing slopes and laptops where they help.",
    "3e": "Trained teaching assistants run reading, maths, language and social skills groups. Some pupils have "
          "one-to-one support for part of the day when their plan says so.",
    "3f": "All clubs, trips and the Year 6 residential are open to every pupil. We plan ahead with families so that "
          "any adjustments are in place before the day.",
    "3g": "Our learning mentor runs friendship and emotional literacy groups, pupils can talk to a trusted adult at "
          "any time, and we do not tolerate bullying.",
    "4": "The SENCo works Monday to Thursday and is happy to meet parents; contact the school office to arrange a time.",
    "5": "Our SENCo holds the National Award for SEN Coordination. This year all teaching assistants were trained in "
         "precision teaching and two in speech and language support. We buy in educational psychology when needed.",
    "6": "We fund most equipment from our own budget. For specialist equipment we ask the local authority's sensory "
         "and physical support services or health services.",
    "7": "We talk with parents as soon as we have a concern, tell them in writing when SEN support starts or stops, "
         "and meet them at least three times a year to review their child's plan.",
    "8": "Pupils help write their one-page profile, share their views before each review and are invited to "
         "the part of the meeting about them.",
    "9": "Please speak first to your child's teacher or the SENCo. If that does not settle it, our complaints policy "
         "explains the next steps. Parents of disabled pupils may also bring a discrimination claim to the First-tier "
         "Tribunal (SEND).",
    "10": "We work with the educational psychology service, speech and language therapy, the school nurse, CAMHS, "
          "social care and the local authority's outreach teams, always with parents' consent.",
    "11": "Derbyshire SENDIASS gives free, impartial advice to parents: 01629 533668, www.derbyshiresendiass.org.uk.",
    "12": "Pupils visit their new class before moving up. For secondary transfer we share information (agreed with "
          "parents) and arrange extra visits for pupils who need them.",
    "13": "Our contribution to the local offer is this report and the support described in it.",
    "d1": "Disabled pupils are admitted on the same basis as all pupils, under the local authority's admissions "
          "arrangements. We meet families before a pupil starts to plan any adjustments.",
    "d2": "We make reasonable adjustments, train staff in disability awareness and review our policies so that "
          "disabled pupils are not treated less favourably.",
    "d3": "The school is on one level with ramps to every entrance, has an accessible toilet and a hearing loop in the hall.",
    "d4": "Our accessibility plan covers access to the curriculum, the building and information. It is reviewed every three years.",
}

# Left blank in this year's draft, so the completeness check has something to show.
STILL_TO_WRITE = ("5", "12")


@transaction.atomic
def seed(context: dict) -> None:
    senco = context["users"]["senco"]
    this_year = context["years"][0]
    last_year = ensure_academic_year(this_year.start.year - 1)

    if not InformationReport.objects.filter(academic_year=last_year).exists():
        report = services.report_start(academic_year=last_year, by=senco)
        for item in ORDER:
            services.answer_save(report=report, item=item, text=ANSWERS[item], by=senco)
        approved = min(last_year.end - timedelta(days=50), today())
        services.report_update_dates(report=report, governor_approval_date=approved,
                                     next_review_date=approved + timedelta(days=365), by=senco)
        services.report_publish(report=report, published_on=min(approved + timedelta(days=2), today()), by=senco)

    if not InformationReport.objects.filter(academic_year=this_year).exists():
        report = services.report_start(academic_year=this_year, by=senco)
        services.answer_save(report=report, item="3a", by=senco, text=ANSWERS["3a"] + " This year we also began "
                             "asking pupils to rate each intervention at its end.")
        services.answer_save(report=report, item="3e", by=senco, text=ANSWERS["3e"])
        for item in STILL_TO_WRITE:
            services.answer_save(report=report, item=item, text="", by=senco)

    if not ParentSurvey.objects.filter(academic_year=last_year).exists():
        taken_on = min(last_year.end - timedelta(days=60), today())
        if last_year.contains(taken_on):
            services.survey_record(academic_year=last_year, taken_on=taken_on, question="", responses=34, satisfied=29, by=senco)
