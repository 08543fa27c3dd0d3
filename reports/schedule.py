"""What the SEN information report must cover: Schedule 1 to the SEND
Regulations 2014, items 1 to 13 (DOMAIN.md 7.2), and the four disability and
accessibility items of the Children and Families Act 2014 s.69(3)(b)
(DOMAIN.md 7.1). Each item carries the heading of the model SEN information
report (seeds/004, headings 5.1-5.18) that covers it, and guidance in our own
words for the SENCo writing the answer.

Items 8-13 follow the reconstruction in DOMAIN.md 7.2 (marked [S]/[U] there):
check their wording against legislation.gov.uk before relying on it.
"""

from dataclasses import dataclass

from django.db import models


class Item(models.TextChoices):
    KINDS = "1", "1. The kinds of special educational needs we provide for"
    IDENTIFYING = "2", "2. How we identify and assess pupils with SEN"
    EVALUATING = "3a", "3(a). How we evaluate the effectiveness of our SEN provision"
    PROGRESS = "3b", "3(b). How we assess and review pupils' progress"
    TEACHING = "3c", "3(c). Our approach to teaching pupils with SEN"
    ADAPTING = "3d", "3(d). How we adapt the curriculum and learning environment"
    ADDITIONAL = "3e", "3(e). Additional support for learning"
    ACTIVITIES = "3f", "3(f). Taking part in activities alongside other pupils"
    EMOTIONAL = "3g", "3(g). Support for emotional, mental and social development"
    SENCO = "4", "4. Our SENCo and how to contact them"
    EXPERTISE = "5", "5. Staff expertise and training"
    EQUIPMENT = "6", "6. Securing equipment and facilities"
    PARENTS = "7", "7. Consulting and involving parents"
    PUPILS = "8", "8. Consulting and involving pupils"
    COMPLAINTS = "9", "9. Complaints about SEN provision"
    OTHER_BODIES = "10", "10. Working with other agencies"
    SUPPORT_SERVICES = "11", "11. Support services for parents"
    TRANSITIONS = "12", "12. Moving between phases and preparing for adulthood"
    LOCAL_OFFER = "13", "13. The local offer"
    ADMISSIONS = "d1", "Admission of disabled pupils"
    LESS_FAVOURABLY = "d2", "Preventing disabled pupils being treated less favourably"
    FACILITIES = "d3", "Facilities that help disabled pupils"
    ACCESSIBILITY_PLAN = "d4", "Our accessibility plan"


@dataclass(frozen=True)
class ItemSpec:
    item: str
    source: str  # the statutory source
    model_heading: str  # the model report's heading that covers it (seeds/004)
    guidance: str  # our own words
    mainstream_only: bool = False  # Schedule 1 items 2 and 4 apply to mainstream schools
    filled_by: str = ""  # "senco" / "local_offer" / "accessibility_plan": school settings can answer it


SPECS: dict[str, ItemSpec] = {
    s.item: s
    for s in [
        ItemSpec(
            Item.KINDS, "SEND Regulations 2014, Schedule 1, item 1", "5.1 The kinds of SEN that are provided for",
            "Name the four broad areas of need (communication and interaction; cognition and learning; social, "
            "emotional and mental health; sensory and/or physical) and say which needs the school meets now and "
            "can meet. The figures below show the needs recorded on the register this year.",
        ),
        ItemSpec(
            Item.IDENTIFYING, "SEND Regulations 2014, Schedule 1, item 2", "5.2 Identifying pupils with SEN and assessing their needs",
            "Say how a concern is noticed (by a teacher, a parent, the pupil), what is looked at (progress compared "
            "with peers and with the pupil's own earlier progress, attainment gaps, social and emotional needs) and "
            "how the school decides that a pupil needs SEN support rather than better everyday teaching.",
            mainstream_only=True,
        ),
        ItemSpec(
            Item.EVALUATING, "SEND Regulations 2014, Schedule 1, item 3(a)", "5.11 Evaluating the effectiveness of SEN provision",
            "Explain how the school knows its provision works: termly reviews of targets, entry and exit "
            "measures for interventions, pupil and parent views, monitoring by the SENCo and governors. The "
            "intervention figures below can support what you write.",
        ),
        ItemSpec(
            Item.PROGRESS, "SEND Regulations 2014, Schedule 1, item 3(b)", "5.4 Assessing and reviewing pupils' progress towards outcomes",
            "Describe the assess, plan, do, review cycle: how often support plans are reviewed, who takes part "
            "(the pupil, parents, teachers, specialists) and how annual reviews of EHC plans are held.",
        ),
        ItemSpec(
            Item.TEACHING, "SEND Regulations 2014, Schedule 1, item 3(c)", "5.6 Our approach to teaching pupils with SEN",
            "Start from high-quality teaching for every pupil, then describe what is added for pupils with SEN: "
            "adapted teaching, small groups, and the interventions the school offers.",
        ),
        ItemSpec(
            Item.ADAPTING, "SEND Regulations 2014, Schedule 1, item 3(d)", "5.7 Adaptations to the curriculum and learning environment",
            "Give examples of how lessons, resources and rooms are adapted: grouping, pre-teaching vocabulary, "
            "visual timetables, overlays, quiet spaces, extra processing time.",
        ),
        ItemSpec(
            Item.ADDITIONAL, "SEND Regulations 2014, Schedule 1, item 3(e)", "5.8 Additional support for learning",
            "Say what support is available beyond the classroom: teaching assistants, one-to-one and small-group "
            "interventions, and the specialist services the school uses.",
        ),
        ItemSpec(
            Item.ACTIVITIES, "SEND Regulations 2014, Schedule 1, item 3(f)", "5.12 Enabling pupils with SEN to engage in activities",
            "Explain how clubs, trips, residentials, sports and performances are open to every pupil, and how the "
            "school plans ahead so no one is left out because of SEN or disability.",
        ),
        ItemSpec(
            Item.EMOTIONAL, "SEND Regulations 2014, Schedule 1, item 3(g)", "5.13 Support for improving emotional and social development",
            "Describe pastoral support, how pupils' views are heard, and how bullying is prevented and dealt with.",
        ),
        ItemSpec(
            Item.SENCO, "SEND Regulations 2014, Schedule 1, item 4", "5.17 Contact details for raising concerns",
            "The SENCo's name and contact details come from the school settings. Add anything else parents should "
            "know: when the SENCo is available and how to book a meeting.",
            mainstream_only=True, filled_by="senco",
        ),
        ItemSpec(
            Item.EXPERTISE, "SEND Regulations 2014, Schedule 1, item 5", "5.9 Expertise and training of staff",
            "Give the SENCo's experience and time for the role, the number of teaching assistants and their "
            "training this year, and how specialist expertise is brought in when needed.",
        ),
        ItemSpec(
            Item.EQUIPMENT, "SEND Regulations 2014, Schedule 1, item 6", "5.10 Securing equipment and facilities",
            "Explain how the school gets specialist equipment (from its budget, the local authority, health "
            "services) and how decisions are made.",
        ),
        ItemSpec(
            Item.PARENTS, "SEND Regulations 2014, Schedule 1, item 7", "5.3 Consulting and involving pupils and parents",
            "Describe the early conversation with parents, how they are told when SEN support starts or ends, how "
            "often they meet staff (at least three times a year is expected) and how their views shape the plan.",
        ),
        ItemSpec(
            Item.PUPILS, "SEND Regulations 2014, Schedule 1, item 8", "5.3 Consulting and involving pupils and parents",
            "Say how pupils give their views (one-page profiles, taking part in reviews, pupil voice) and how "
            "those views change what the school does.",
        ),
        ItemSpec(
            Item.COMPLAINTS, "SEND Regulations 2014, Schedule 1, item 9", "5.15 Complaints about SEN provision",
            "Explain who to speak to first, how the complaints policy works, and the right to bring disability "
            "discrimination claims to the First-tier Tribunal (SEND).",
        ),
        ItemSpec(
            Item.OTHER_BODIES, "SEND Regulations 2014, Schedule 1, item 10", "5.14 Working with other agencies",
            "Name the services the school works with (educational psychology, speech and language therapy, "
            "health, social care, outreach) and how families are involved and asked for consent.",
        ),
        ItemSpec(
            Item.SUPPORT_SERVICES, "SEND Regulations 2014, Schedule 1, item 11", "5.16 Contact details of support services for parents",
            "Give contact details for the local SEND information, advice and support service (SENDIASS) and "
            "any local parent groups.",
        ),
        ItemSpec(
            Item.TRANSITIONS, "SEND Regulations 2014, Schedule 1, item 12", "5.5 Supporting pupils moving between phases and preparing for adulthood",
            "Describe how pupils are prepared for new classes and new schools: visits, shared information (agreed "
            "with parents), and, for older pupils, preparing for adulthood.",
        ),
        ItemSpec(
            Item.LOCAL_OFFER, "SEND Regulations 2014, Schedule 1, item 13", "5.18 The local authority local offer",
            "The local authority's local offer address comes from the school settings. Describe the school's own "
            "contribution to the local offer.",
            filled_by="local_offer",
        ),
        ItemSpec(
            Item.ADMISSIONS, "Children and Families Act 2014 s.69(3)(b)", "5.12 (disabled pupils: admissions)",
            "Explain how disabled pupils are admitted on the same basis as others, following the admissions "
            "policy, and how the school prepares for a new pupil's needs.",
        ),
        ItemSpec(
            Item.LESS_FAVOURABLY, "Children and Families Act 2014 s.69(3)(b)", "5.12 (disabled pupils: fair treatment)",
            "Describe the steps taken so that disabled pupils are not treated less favourably: reasonable "
            "adjustments, staff training, and how concerns are followed up.",
        ),
        ItemSpec(
            Item.FACILITIES, "Children and Families Act 2014 s.69(3)(b)", "5.12 (disabled pupils: facilities)",
            "List the facilities that help disabled pupils use the school: ramps, lifts, accessible toilets, "
            "hearing loops, specialist furniture.",
        ),
        ItemSpec(
            Item.ACCESSIBILITY_PLAN, "Equality Act 2010, Schedule 10 para 3; CFA 2014 s.69(3)(b)", "5.12 (how to find the accessibility plan)",
            "Summarise the accessibility plan (curriculum, physical environment, information) and say where to "
            "read it. The link in the school settings is shown with your answer.",
            filled_by="accessibility_plan",
        ),
    ]
}

ORDER = list(Item.values)


def spec(item: str) -> ItemSpec:
    return SPECS[item]
