"""Home page panels from the pupils app."""

from django.urls import reverse


def panel_titles(response):
    return [p["title"] for p in response.context["panels"]]


def test_the_senco_sees_register_counts(world, client_for):
    response = client_for(world.senco).get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p["title"] == "The SEN register")
    assert panel["context"]["support"] == 2 and panel["context"]["total"] == 2
    assert reverse("pupils:register_export") in response.content.decode()


def test_a_teacher_sees_their_caseload_on_the_register(world, client_for):
    response = client_for(world.teacher).get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p["title"] == "Your pupils on the SEN register")
    assert panel["context"]["pupils"] == [world.pupil]  # not Bilal (another class)
    assert "The SEN register" not in panel_titles(response)


def test_a_parent_sees_their_children(world, client_for):
    response = client_for(world.parent).get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p["title"] == "Your children")
    assert panel["context"]["children"] == [world.pupil]


def test_a_governor_sees_no_pupil_panel(world, client_for):
    response = client_for(world.governor).get(reverse("home"))
    assert not {"The SEN register", "Your pupils on the SEN register", "Your children"} & set(panel_titles(response))
    assert "Amelia" not in response.content.decode()
