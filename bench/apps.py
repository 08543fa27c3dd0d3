"""Each app's share of the synthetic school: a year of support plans and
cycles, interventions with sessions, concerns and EHC reviews. Kept apart from
bench/generate.py so each part can follow its app's models."""


def generate_apps(context: dict) -> None:
    for step in (_support_plans, _interventions, _concerns, _reviews):
        step(context)


def _support_plans(context):
    pass


def _interventions(context):
    pass


def _concerns(context):
    pass


def _reviews(context):
    pass
