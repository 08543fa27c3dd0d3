"""Optimistic locking: the one way an edit form keeps two people from silently
overwriting each other's changes.

A record that two people can change carries a `lock_version` (a number that
goes up by one on every save). Its edit form carries, in a hidden field, the
version it was opened from (`LockVersionFormMixin`). The service that saves
re-reads the row under `select_for_update()` and calls `check_and_bump()`: if
someone saved in between, or the POST carries no version at all, nothing is
saved and the editor is told why (`STALE_MESSAGE`). The form checks the same
thing when it is validated, so the message is shown even when other fields
have errors; the service's check is the one that counts, because it runs with
the row locked.

A record kept as a series of versions (the one-page profile: each save is a
new row) uses the newest row's `lock_version` as the version, 0 when there
is none yet, and the service passes that number to `check_version()`.

tests/security/test_edit_views_lock.py finds every edit view from the URL
patterns and fails for one that does not carry and check the version.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

FIELD = "lock_version"

STALE_MESSAGE = (
    "Someone else saved a newer version since you opened it, so your changes to this {what} have not been saved. "
    "Copy anything you want to keep from this page, then open it again to see their changes and make yours."
)


class _Unchecked:
    def __repr__(self):
        return "UNCHECKED"


# A service's default for `lock_version`: a caller that does not save from an
# edit form (the demo, an import, a background job). A view always passes the
# form's version, and a missing one (None) is refused.
UNCHECKED = _Unchecked()


def version_of(obj) -> int:
    """The version an edit of `obj` starts from: 0 for no record yet."""
    return getattr(obj, FIELD, None) or 0


def check_version(current: int, submitted, what: str = "record") -> None:
    """Refuse (ValidationError, code "stale") a save started from a version
    other than `current`, or from no version at all (a POST without the
    hidden field is a conflict, never a pass). UNCHECKED: not from a form."""
    if submitted is UNCHECKED:
        return
    try:
        submitted = int(submitted)
    except (TypeError, ValueError):
        submitted = None
    if submitted is None or submitted != current:
        raise ValidationError(STALE_MESSAGE.format(what=what), code="stale")


def check_and_bump(obj, submitted, what: str = "record") -> None:
    """For a service, on the row it has just re-read with select_for_update():
    check the editor's version, then count this save (the caller saves)."""
    check_version(version_of(obj), submitted, what)
    obj.lock_version = version_of(obj) + 1


def lock_row(obj, submitted, what: str = "record") -> None:
    """For a service given an instance it did not read itself (a ModelForm's
    unsaved instance): lock the stored row, check the editor's version
    against it, and count this save on `obj` (the caller saves). Must run
    inside transaction.atomic. A new record (no pk yet) has nothing to lock."""
    if obj.pk is None:
        return
    current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list(FIELD, flat=True).first()
    check_version(current or 0, submitted, what)
    obj.lock_version = (current or 0) + 1


_INSTANCE = object()  # lock_from's default: the ModelForm's instance


class LockVersionFormMixin(forms.Form):
    """An edit form that carries the version it was opened from.

    A ModelForm locks its `instance` (and, adding a new record, has nothing
    to lock: the field is left out). Any other form, or a ModelForm that
    writes a new version of something, is given the record with
    `lock_from=` (None: nothing saved yet, version 0); without it a plain
    form locks nothing. Set `lock_what` to
    name the record in the message ("plan", "review"). The view passes
    `form.submitted_version()` to the service."""

    lock_what = "record"

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, lock_from=_INSTANCE, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if lock_from is _INSTANCE:
            if instance is None or instance._state.adding:
                # Adding a new record (or no record given): nothing to lock.
                del self.fields[FIELD]
                return
            lock_from = instance
        self.lock_record = lock_from
        # The version is the record's, never anything passed in as initial.
        self.initial[FIELD] = version_of(self.lock_record)
        self.fields[FIELD].initial = version_of(self.lock_record)

    @property
    def is_locked(self) -> bool:
        return FIELD in self.fields

    def clean(self):
        data = super().clean()
        if not self.is_locked:
            return data
        try:
            check_version(version_of(self.lock_record), self.data.get(self.add_prefix(FIELD)), self.lock_what)
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def submitted_version(self) -> int | None:
        return (self.cleaned_data or {}).get(FIELD)

    def values(self) -> dict:
        """The cleaned data without the version (what the service saves)."""
        return {k: v for k, v in self.cleaned_data.items() if k != FIELD}


@transaction.atomic
def save_locked(form: LockVersionFormMixin):
    """Save a locked ModelForm whose record has no service of its own (the
    school's settings, a term's dates): the row locked, the version checked,
    then saved. Raises the stale ValidationError; the caller puts it on the
    form."""
    lock_row(form.instance, form.submitted_version(), form.lock_what)
    return form.save()
