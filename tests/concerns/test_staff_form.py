"""The staff concern form (appendix C): drafts, sending, validation, evidence."""

import pytest
from django.core import mail
from django.urls import reverse

from concerns.models import Concern, ConcernAttachment
from tests.locking import with_version

from .conftest import PDF, PNG, docx_bytes, staff_concern, upload


def form_data(pupil, **overrides):
    data = {
        "pupil": pupil.pk,
        "area_CL": "Finds it hard to start writing",
        "parents_said": "",
        "parents_want": "",
        "strategy_1": "Sentence starters",
        "effect_1": "some",
        "support_wanted": ["observation"],
        "support_detail": "",
        "evidence_kind": "work",
    }
    data.update(overrides)
    return data


def test_it_sends_anonymous_users_to_sign_in(client):
    for name in ("concerns:new", "concerns:list", "concerns:mine"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_it_offers_only_the_teachers_own_pupils_with_status_class_and_birth_date(world, client_for, new_pupil):
    response = client_for(world.teacher).get(reverse("concerns:new"))
    assert response.status_code == 200
    pupils = list(response.context["form"].fields["pupil"].queryset)
    assert set(pupils) == {world.pupil, new_pupil}
    html = response.content.decode()
    assert "Amelia Brook (3 Oak, born 20/01/2018, SEN support)" in html
    assert "Bilal" not in html and "Cara" not in html


def test_it_offers_the_senco_every_pupil(world, client_for):
    response = client_for(world.senco).get(reverse("concerns:new"))
    assert {world.pupil, world.other_pupil, world.unlisted_pupil} <= set(response.context["form"].fields["pupil"].queryset)


@pytest.mark.parametrize("persona", ["parent", "governor", "admin"])
def test_it_refuses_the_staff_form_to_non_staff(world, client_for, persona):
    response = client_for(world.personas()[persona]).get(reverse("concerns:new"))
    assert response.status_code == 403


def test_it_saves_a_draft_the_author_can_continue(world, client_for, new_pupil, django_capture_on_commit_callbacks):
    client = client_for(world.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("concerns:new"), form_data(new_pupil, save="1", strategy_1="", effect_1=""))
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("concerns:edit", args=[concern.pk])
    assert concern.is_draft and concern.areas.get().details == "Finds it hard to start writing"
    assert mail.outbox == []
    page = client.get(reverse("concerns:edit", args=[concern.pk]))
    assert page.status_code == 200 and "Finds it hard to start writing" in page.content.decode()
    # Days later: completes and sends it.
    with django_capture_on_commit_callbacks(execute=True):
        url = reverse("concerns:edit", args=[concern.pk])
        response = client.post(url, with_version(client, url, form_data(new_pupil, submit="1")))
    assert response.status_code == 302 and response["Location"] == reverse("concerns:detail", args=[concern.pk])
    concern.refresh_from_db()
    assert concern.step == Concern.Step.SUBMITTED
    assert [m.to for m in mail.outbox] == [[world.senco.email]]


def test_it_shows_a_draft_only_to_its_author(world, client_for, new_pupil):
    draft = staff_concern(world.teacher, new_pupil, submit=False)
    expected_edit = {"senco": 404, "head": 404, "ta": 404, "other_teacher": 404, "parent": 403, "governor": 403}
    for persona, edit_status in expected_edit.items():
        client = client_for(world.personas()[persona])
        assert client.get(reverse("concerns:detail", args=[draft.pk])).status_code == 404, persona
        assert client.get(reverse("concerns:edit", args=[draft.pk])).status_code == edit_status, persona
    listing = client_for(world.senco).get(reverse("concerns:list"))
    assert draft not in list(listing.context["page"])
    assert client_for(world.teacher).get(reverse("concerns:detail", args=[draft.pk])).status_code == 200


def test_it_explains_what_is_missing_and_sends_nothing(world, client_for, new_pupil, django_capture_on_commit_callbacks):
    client = client_for(world.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("concerns:new"),
            form_data(new_pupil, submit="1", area_CL="", strategy_1="", effect_1="", support_wanted=[]),
        )
    assert response.status_code == 200
    form = response.context["form"]
    assert "Add at least one thing you have tried in class" in form.errors["strategy_1"][0]
    assert form.errors["support_wanted"] and form.errors["area_CI"]
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_strategy_1"' in html and 'href="#id_support_wanted_1"' in html
    assert not Concern.objects.exists() and mail.outbox == []


def test_it_asks_how_well_a_strategy_worked(world, client_for, new_pupil):
    response = client_for(world.teacher).post(reverse("concerns:new"), form_data(new_pupil, save="1", effect_1=""))
    assert response.status_code == 200
    assert response.context["form"].errors["effect_1"] == ["Say how well it worked"]
    assert not Concern.objects.exists()


def test_it_refuses_a_pupil_the_teacher_does_not_teach(world, client_for):
    response = client_for(world.teacher).post(reverse("concerns:new"), form_data(world.other_pupil, save="1"))
    assert response.status_code == 200
    assert response.context["form"].errors["pupil"] == ["Choose a pupil you teach or support"]
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    "name, content",
    [("work.pdf", PDF), ("photo.png", PNG), ("notes.docx", docx_bytes())],
)
def test_it_keeps_allowed_evidence_outside_the_web_root(world, client_for, new_pupil, media_in_tmp, name, content):
    client = client_for(world.teacher)
    response = client.post(reverse("concerns:new"), form_data(new_pupil, save="1", evidence=upload(name, content)))
    assert response.status_code == 302
    attachment = ConcernAttachment.objects.get()
    assert attachment.original_name == name and attachment.size == len(content)
    assert str(media_in_tmp) in attachment.file.path and name not in attachment.file.name
    download = client.get(reverse("concerns:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("script.exe", b"MZ" + b"\x00" * 40, "must be a PDF, PNG, JPEG or Word"),
        ("fake.pdf", b"<html>not a pdf</html>", "is not a real PDF"),
        ("fake.png", PDF, "is not a real PNG"),
        ("fake.docx", b"PK\x03\x04rubbish", "is not a real DOCX"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_it_refuses_evidence_of_the_wrong_type(world, client_for, new_pupil, name, content, message):
    response = client_for(world.teacher).post(reverse("concerns:new"), form_data(new_pupil, save="1", evidence=upload(name, content)))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["evidence"])
    assert not Concern.objects.exists() and not ConcernAttachment.objects.exists()


def test_it_refuses_evidence_over_the_size_limit(world, client_for, new_pupil, settings):
    settings.SEND_MAX_UPLOAD_BYTES = 100
    response = client_for(world.teacher).post(
        reverse("concerns:new"), form_data(new_pupil, save="1", evidence=upload("big.pdf", PDF + b"0" * 200))
    )
    assert response.status_code == 200
    assert "must be smaller than" in response.context["form"].errors["evidence"][0]
    assert not ConcernAttachment.objects.exists()


def test_it_serves_evidence_only_to_those_who_may_open_the_concern(world, client_for, new_pupil):
    client = client_for(world.teacher)
    client.post(reverse("concerns:new"), form_data(new_pupil, submit="1", evidence=upload("work.pdf", PDF)))
    attachment = ConcernAttachment.objects.get()
    url = reverse("concerns:attachment", args=[attachment.pk])
    assert client_for(world.senco).get(url).status_code == 200
    for persona in ("ta", "other_teacher", "parent", "other_parent", "governor", "admin"):
        assert client_for(world.personas()[persona]).get(url).status_code == 404, persona


def test_it_lets_the_author_remove_evidence_from_a_draft(world, client_for, new_pupil):
    client = client_for(world.teacher)
    client.post(reverse("concerns:new"), form_data(new_pupil, save="1", evidence=upload("work.pdf", PDF)))
    attachment = ConcernAttachment.objects.get()
    assert client_for(world.senco).post(reverse("concerns:attachment_remove", args=[attachment.pk])).status_code == 404
    client = client_for(world.teacher)
    response = client.post(reverse("concerns:attachment_remove", args=[attachment.pk]))
    assert response.status_code == 302 and not ConcernAttachment.objects.exists()


def test_it_lets_the_author_delete_a_draft(world, client_for, new_pupil):
    draft = staff_concern(world.teacher, new_pupil, submit=False)
    client = client_for(world.teacher)
    assert client.get(reverse("concerns:delete", args=[draft.pk])).status_code == 200
    assert client.post(reverse("concerns:delete", args=[draft.pk])).status_code == 302
    assert not Concern.objects.exists()


def test_it_lists_the_teachers_own_concerns(world, client_for, new_pupil):
    draft = staff_concern(world.teacher, new_pupil, submit=False)
    sent = staff_concern(world.teacher, world.pupil)
    staff_concern(world.senco, world.other_pupil)
    response = client_for(world.teacher).get(reverse("concerns:mine"))
    assert response.context["drafts"] == [draft] and [row.pk for row in response.context["sent"]] == [sent.pk]
    assert client_for(world.teacher).get(reverse("concerns:list"))["Location"] == reverse("concerns:mine")


def test_it_lets_a_ta_raise_a_concern_about_a_pupil_they_support(world, client_for):
    response = client_for(world.ta).post(reverse("concerns:new"), form_data(world.pupil, submit="1"))
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.raised_by == world.ta and concern.step == Concern.Step.SUBMITTED


@pytest.mark.parametrize("persona", ["parent", "governor", "admin"])
def test_it_refuses_my_concerns_to_non_staff(world, client_for, persona):
    assert client_for(world.personas()[persona]).get(reverse("concerns:mine")).status_code == 403
