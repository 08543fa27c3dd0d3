"""Plain English for parents: what a register status and a need type mean,
without codes (STYLE.md: parent pages are written for a parent)."""

from .models import BroadArea, SenStatus

NEED_WORDS = {
    "SLCN": "speech, language and communication: help with talking, understanding others and being understood",
    "ASD": "autism: help with communication, social situations, routines and changes",
    "SPLD": "a specific learning difficulty (such as dyslexia, dyscalculia or dyspraxia): help with particular parts of learning like reading, spelling, numbers or coordination",
    "MLD": "moderate learning difficulties: help to learn at a pace and in small steps that suit them",
    "SLD": "severe learning difficulties: a lot of help with learning and everyday skills",
    "PMLD": "profound and multiple learning difficulties: a high level of care and help with learning",
    "SEMH": "social, emotional and mental health: help with feelings, behaviour, friendships or wellbeing",
    "HI": "hearing: help because of a hearing difficulty",
    "VI": "vision: help because of difficulties with their eyesight",
    "MSI": "hearing and vision together: help because of difficulties with both",
    "PD": "physical needs: help with moving around, using equipment or getting around school",
    "OTH": "another difficulty or disability that is not in the usual list",
    "NSA": "extra help while their needs are still being understood (no specialist assessment yet)",
    "BESD": "behaviour, emotional and social difficulties (an older name for social, emotional and mental health)",
}

AREA_WORDS = {
    BroadArea.COMMUNICATION: "Communicating and getting on with others",
    BroadArea.COGNITION: "Thinking and learning",
    BroadArea.SEMH: "Feelings, behaviour and wellbeing",
    BroadArea.SENSORY: "Senses and physical needs",
    BroadArea.OTHER: "Other needs",
}


def need_in_words(need_type) -> str:
    words = NEED_WORDS.get(need_type.code, need_type.label.lower())
    return words[:1].upper() + words[1:]


def status_in_words(pupil) -> str:
    name = pupil.first_name
    return {
        SenStatus.EHC_PLAN: (
            f"{name} has an education, health and care (EHC) plan. This is a legal document from the local "
            "authority that sets out their needs and the help they must get. The school provides the support in the plan."
        ),
        SenStatus.SEN_SUPPORT: (
            f"{name} gets SEN support. This means the school gives them help that is extra to, or different from, "
            "what most children of the same age get. We plan it with you and review it with you during the year."
        ),
        SenStatus.MONITORING: (
            f"We are keeping a closer eye on how {name} is getting on. This is not SEN support: it means their "
            "teacher is watching their progress and will talk to you if they think extra help is needed."
        ),
        SenStatus.NONE: f"{name} does not get special educational needs (SEN) support at the moment.",
    }[pupil.sen_status]
