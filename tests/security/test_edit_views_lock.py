"""Lost updates: every edit view carries and checks the record's version
(send_register.locking).

The edit views are found from the URL patterns, not listed by hand. A view is
an edit view when

- its URL name is `edit` or ends in `_edit`, or its view function's name
  does (unless, behind a URL not named so, the page is for a new record:
  every ModelForm on it unsaved, as when one view adds and edits), or
- the page it serves (a GET, as the first persona the access table lets see
  it) has in its context a ModelForm bound to a record already saved.

Each one must

1. render a form that is a LockVersionFormMixin with the version in a hidden
   `lock_version` field, and
2. refuse a POST of the page's own values without `lock_version`, and one
   with a stale version: the page again, with "someone else saved a newer
   version since you opened it", and the version unchanged when the page is
   opened again (nothing saved).

A new edit view without the version fails here; so does an edit view that no
persona can open in the scene of tests/security/test_url_access.py (give it a
variant in SETUP below so that it is checked, rather than skipped)."""

import re

import pytest
from django.forms import BaseForm, ModelForm
from django.urls import resolve

from send_register.locking import FIELD, LockVersionFormMixin

from .test_optimistic_locking import form_data, signed_in
from .test_url_access import PERSONAS, TABLE, build_url, scene  # noqa: F401 (scene is a fixture)

STALE = "Someone else saved a newer version since you opened it"


def _reopened_report(s):
    from reports import services

    s.report.refresh_from_db()
    if not s.report.is_draft:
        services.report_reopen(report=s.report, by=s.senco)
    return {"slug": s.report.slug}


def _teacher_draft(s):
    from concerns import services
    from concerns.models import Concern

    draft = services.concern_create_draft(pupil=s.pupil, raised_by=s.teacher, raised_by_role=Concern.RaisedByRole.STAFF)
    return {"pk": draft.pk}


def _first_item(s):
    from reports.schedule import ORDER

    return {**_reopened_report(s), "item": ORDER[0]}


# Edit views that no persona can open in the shared scene (a published report
# is read-only; only a draft's author edits a concern): the arguments and the
# persona that can.
SETUP = {
    "reports:item_edit": (_first_item, "senco"),
    "reports:report_dates": (_reopened_report, "senco"),
    "concerns:edit": (_teacher_draft, "teacher"),
}


def _forms(response) -> list[BaseForm]:
    found, seen = [], set()
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, BaseForm) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
    return found


def _edits_a_saved_record(form) -> bool:
    return isinstance(form, ModelForm) and form.instance is not None and not form.instance._state.adding


def _is_edit_name(name: str) -> bool:
    return name == "edit" or name.endswith("_edit")


def _named_edit(name: str, url: str) -> bool:
    func = resolve(url.split("?")[0]).func
    return _is_edit_name(name.split(":")[-1]) or _is_edit_name(getattr(func, "view_class", func).__name__)


def _pages(scene, client_for, only=None):
    """(name, url, client, response) for every URL and variant that answers a
    GET with a page for some persona."""
    for name in sorted(only or TABLE):
        variants = list(TABLE[name].values())
        if name in SETUP:
            build, persona = SETUP[name]
            variants = [(build, {persona: 200})]
        for build, expected in variants:
            persona = next((p for p in PERSONAS if expected.get(p) == 200), None)
            url = build_url(scene, name, build)
            if persona is None:
                yield name, url, None, None
                continue
            client = signed_in(getattr(scene.world, persona), client_for)
            response = client.get(url)
            if response.status_code == 200 and not getattr(response, "streaming", False):
                yield name, url, client, response
            else:
                yield name, url, None, None


def _hidden_version(body: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", body):
        if f'name="{FIELD}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return match.group(1) if match else ""
    return None


def edit_view_problems(scene, client_for, only=None) -> tuple[list[str], list[str]]:
    """(the edit views found, what is wrong with them)."""
    found, wrong = [], []
    for name, url, client, response in _pages(scene, client_for, only):
        if response is None:
            if _named_edit(name, url):
                wrong.append(f"{name}: an edit view no persona can open in the scene: give it a SETUP variant")
            continue
        forms = _forms(response)
        # A view function named *_edit behind a URL not named so (bank_add)
        # that serves a page for a new record (every ModelForm on it unsaved)
        # adds, not edits. A URL named *_edit is always an edit view.
        adding = (not _is_edit_name(name.split(":")[-1]) and bool(forms)
                  and all(isinstance(f, ModelForm) and f.instance._state.adding for f in forms))
        if not (any(_edits_a_saved_record(f) for f in forms) or (_named_edit(name, url) and not adding)):
            continue
        found.append(name)
        locked = [f for f in forms if isinstance(f, LockVersionFormMixin) and f.is_locked]
        if not locked:
            wrong.append(f"{name}: its form does not carry the version (LockVersionFormMixin)")
            continue
        body = response.content.decode()
        version = _hidden_version(body)
        if version != str(locked[0].initial[FIELD]):
            wrong.append(f"{name}: the page has no hidden lock_version with the record's version (found {version!r})")
            continue
        data = form_data(response)
        for label, sent in (("without lock_version", None), ("with a stale lock_version", str(int(version) - 1 if int(version) else 99))):
            post = {k: v for k, v in data.items() if k != FIELD}
            if sent is not None:
                post[FIELD] = sent
            answer = client.post(url, post)
            if answer.status_code != 200 or STALE not in answer.content.decode():
                wrong.append(f"{name}: a POST {label} was not refused as a conflict (answer {answer.status_code})")
            again = client.get(url)
            if _hidden_version(again.content.decode()) != version:
                wrong.append(f"{name}: a POST {label} saved something")
    return found, wrong


def test_every_edit_view_carries_and_checks_the_version(scene, client_for):
    found, wrong = edit_view_problems(scene, client_for)
    # The rule finds the edit views the issue names (and so can fail).
    for name in ("support_plans:cycle_edit", "pupils:agency_edit", "pupils:profile_edit", "support_plans:plan_edit",
                 "reviews:review_edit", "reviews:request_edit", "interventions:edit", "interventions:placement_edit",
                 "school:settings", "concerns:edit"):
        assert name in found, f"{name} was not recognised as an edit view"
    assert not wrong, "\n".join(wrong)


def test_it_fails_for_an_edit_view_without_the_version(scene, client_for, monkeypatch):
    """The check can fail: the agency form without its version."""
    from pupils import forms

    class Unlocked(forms.forms.ModelForm):
        class Meta:
            model = forms.AgencyInvolvement
            fields = ["agency", "professional"]

    monkeypatch.setattr("pupils.views.AgencyForm", Unlocked)
    _, wrong = edit_view_problems(scene, client_for, only=["pupils:agency_edit"])
    assert any(line.startswith("pupils:agency_edit: its form does not carry the version") for line in wrong), wrong
