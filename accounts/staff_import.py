"""Import staff from a CSV file (docs/imports/staff.md): the same three steps
and the same all-or-nothing commit as the pupil import (pupils.importer).

1. `parse_csv(text)`: pure. Reads the header (the usual spellings of each
   column), every row, and lists each row's problems by its row number in the
   file (the header is row 1).
2. `plan_import(parsed)`: reads the accounts and classes there are and
   decides, row by row: a new person, roles or classes added to someone who
   has an account, or no change; which classes will be created; and refuses
   rows that cannot be imported (a deactivated account, say).
3. `apply_batch(batch, user=...)`: one transaction, claimed once. Any refused
   row means nothing is saved.

New people get an account with no usable password; the administrator then
invites everyone imported who has not signed in yet (`invite_batch`), one
invitation email each through the outbox. Roles are only ever added here:
taking a role away is done on the person's page, where the rule that someone
stays an administrator is checked.

Nothing here logs names or email addresses; messages name row numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from pupils.importer import ImportFailed, content_hash, decode_upload, open_csv, read_rows  # noqa: F401 - one way to read an upload
from pupils.models import ClassGroup, ClassStaff, ImportBatch
from send_register.datacache import note_change

from .models import Role, SecurityEvent, User

MAX_ROWS = 2_000
NAME_MAX = User._meta.get_field("full_name").max_length
CLASS_NAME_MAX = ClassGroup._meta.get_field("name").max_length

HEADER_ALIASES = {
    "full_name": ["name", "fullname", "staffname", "displayname", "staffmember"],
    "first_name": ["firstname", "forename", "forenames", "givenname", "legalforename", "preferredforename"],
    "last_name": ["lastname", "surname", "familyname", "legalsurname", "preferredsurname"],
    "short_name": ["knownas", "shortname", "title", "salutation"],
    "email": ["email", "emailaddress", "workemail", "schoolemail", "staffemail", "mail"],
    "roles": ["roles", "role", "jobtitle", "jobrole", "post", "position"],
    "classes": [
        "classes", "class", "classestaught", "classtaught", "teachinggroups", "teachinggroup", "groups",
        "groupstaught", "classesorteachinggroups", "classesandteachinggroups", "forms",
    ],
}
HEADER_LABELS = {"full_name": "name", "email": "email", "roles": "roles"}
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}

# Words schools use for each role, compared lower-case with punctuation as spaces.
ROLE_WORDS = {
    Role.TEACHER: [
        "teacher", "teachers", "class teacher", "classteacher", "subject teacher", "form teacher", "form tutor",
        "tutor", "ect", "nqt", "early career teacher", "supply teacher", "teaching staff",
    ],
    Role.TA: [
        "ta", "tas", "teaching assistant", "teaching assistants", "hlta", "higher level teaching assistant",
        "lsa", "learning support assistant", "classroom assistant", "learning support",
    ],
    Role.SENCO: [
        "senco", "sendco", "senco teacher", "sen coordinator", "sen co ordinator", "send coordinator",
        "send co ordinator", "special educational needs coordinator", "special educational needs co ordinator",
    ],
    Role.HEAD: ["head", "headteacher", "head teacher", "headmaster", "headmistress", "principal", "executive headteacher"],
    Role.GOVERNOR: ["governor", "governors", "sen governor", "send governor", "chair of governors", "trustee"],
    Role.ADMIN: ["administrator", "admin", "school administrator", "office administrator", "office manager"],
}
_WORD_TO_ROLE = {word: role for role, words in ROLE_WORDS.items() for word in words}
PARENT_WORDS = {"parent", "parents", "carer", "carers", "parent or carer"}
# Who may be linked to a class: a link gives a teacher or TA the class's
# pupils (pupils.access); the SENCo and the head see every pupil anyway.
ROLES_WHO_TEACH = {Role.TEACHER, Role.TA, Role.SENCO, Role.HEAD}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").lower())


def role_from_word(word: str) -> str | None:
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", (word or "").lower()).split())
    return _WORD_TO_ROLE.get(text)


@dataclass
class StaffRow:
    number: int
    full_name: str = ""
    short_name: str = ""
    email: str = ""
    roles: set = field(default_factory=set)
    classes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.roles]


@dataclass
class ParsedFile:
    header_errors: list[str] = field(default_factory=list)
    rows: list[StaffRow] = field(default_factory=list)


def parse_csv(text: str) -> ParsedFile:
    """Read a staff CSV; every problem is reported by its row number."""
    parsed = ParsedFile()
    reader, header = open_csv(text, parsed.header_errors)
    if reader is None:
        return parsed
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        target = _ALIAS_TO_FIELD.get(_key(name))
        if target is None:
            continue
        if target in positions:
            parsed.header_errors.append(f"Two columns give the {target.replace('_', ' ')}: keep one")
        positions[target] = index
    missing = []
    if "full_name" not in positions and not {"first_name", "last_name"} <= set(positions):
        missing.append("name (or first name and last name)")
    missing += [HEADER_LABELS[name] for name in ("email", "roles") if name not in positions]
    if missing:
        parsed.header_errors.append(f"The file has no column for: {', '.join(missing)}")
    if parsed.header_errors:
        return parsed

    seen_emails: dict[str, int] = {}
    read_rows(reader, parsed, lambda number, cells: _parse_row(number, cells, positions, seen_emails), limit=MAX_ROWS, noun="people")
    return parsed


def _parse_row(number, cells, positions, seen_emails) -> StaffRow:
    def cell(name):
        index = positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    row = StaffRow(number=number)
    name = cell("full_name") or " ".join(p for p in (cell("first_name"), cell("last_name")) if p)
    name = " ".join(name.split())
    if not name:
        row.errors.append("The name is missing")
    elif len(name) > NAME_MAX:
        row.errors.append(f"The name is longer than {NAME_MAX} characters")
    row.full_name = name
    row.short_name = cell("short_name")[:60]

    email = cell("email").lower()
    row.email = email
    if not email:
        row.errors.append("The email address is missing")
    else:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append("The email address is not a valid one, like name@school.example.org")
        else:
            if email in seen_emails:
                row.errors.append(f"The same email address is on row {seen_emails[email]}")
            else:
                seen_emails[email] = number

    words = [w.strip() for w in re.split(r"[;,]", cell("roles")) if w.strip()]
    for word in words:
        role = role_from_word(word)
        if role is not None:
            row.roles.add(role)
        elif " ".join(word.lower().split()) in PARENT_WORDS:
            row.errors.append("Parents and carers are not staff: they are given access from the pupils' contacts")
        else:
            row.errors.append(
                f'"{word[:40]}" is not a role we know (use teacher, teaching assistant, SENCo, head, governor or administrator)'
            )
    if not words:
        row.errors.append("The roles are missing (teacher, teaching assistant, SENCo, head, governor or administrator)")

    classes = []
    for class_name in (c.strip() for c in cell("classes").split(";")):
        class_name = " ".join(class_name.split())
        if not class_name or class_name.lower() in {c.lower() for c in classes}:
            continue
        if len(class_name) > CLASS_NAME_MAX:
            row.errors.append(f"A class name is longer than {CLASS_NAME_MAX} characters")
            continue
        classes.append(class_name)
    row.classes = classes
    return row


# --- Planning ----------------------------------------------------------------


@dataclass
class Change:
    row: StaffRow
    action: str  # "create" | "update" | "unchanged" | "refused"
    user_id: int | None = None
    roles_added: set = field(default_factory=set)
    roles_after: set = field(default_factory=set)
    classes_added: list[str] = field(default_factory=list)  # as named in the file

    def roles_added_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.roles_added]


@dataclass
class Plan:
    changes: list[Change]
    header_errors: list[str]
    new_classes: dict[str, list[int]]  # class name -> row numbers that name it

    @property
    def refused(self) -> list[Change]:
        return [c for c in self.changes if c.action == "refused"]

    @property
    def ok(self) -> bool:
        return not self.header_errors and not self.refused and bool(self.changes)

    def of(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def counts(self) -> dict:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
        for change in self.changes:
            counts[{"create": "created", "update": "updated", "unchanged": "unchanged", "refused": "refused"}[change.action]] += 1
        counts["classes_created"] = len(self.new_classes)
        counts["class_links"] = sum(len(c.classes_added) for c in self.changes if c.action != "refused")
        return counts


def _class_link_role(roles: set) -> str:
    return ClassStaff.Role.TA if Role.TA in roles and not roles & {Role.TEACHER, Role.SENCO, Role.HEAD} else ClassStaff.Role.TEACHER


def plan_import(parsed: ParsedFile) -> Plan:
    """Match each row to an account by email and each class by name (in a few
    queries, whatever the number of rows)."""
    emails = [row.email for row in parsed.rows if row.email]
    users = {u.email.lower(): u for u in User.objects.filter(email__in=emails).prefetch_related("role_grants")}
    classes = {c.name.lower(): c for c in ClassGroup.objects.all().only("pk", "name")}
    links = set(
        ClassStaff.objects.filter(user__in=list(users.values())).values_list("user_id", "class_group_id")
    )
    changes: list[Change] = []
    new_classes: dict[str, list[int]] = {}
    for row in parsed.rows:
        user = users.get(row.email)
        if user is not None and not user.is_active:
            row.errors.append("There is a deactivated account with this email address: reactivate it from the list of people first")
        current_roles = {g.role for g in user.role_grants.all()} if user is not None else set()
        roles_after = current_roles | row.roles
        if row.classes and not roles_after & ROLES_WHO_TEACH:
            row.errors.append("Classes are given, but the roles include no teacher or teaching assistant")
        if row.errors:
            changes.append(Change(row=row, action="refused", user_id=user.pk if user else None))
            continue
        change = Change(row=row, action="create" if user is None else "unchanged", user_id=user.pk if user else None)
        change.roles_added = row.roles - current_roles
        change.roles_after = roles_after
        for name in row.classes:
            existing = classes.get(name.lower())
            if existing is None:
                new_classes.setdefault(name.lower(), []).append(row.number)
                change.classes_added.append(name)
            elif user is None or (user.pk, existing.pk) not in links:
                change.classes_added.append(existing.name)
        if user is not None and (change.roles_added or change.classes_added):
            change.action = "update"
        changes.append(change)
    # Keep the first spelling of each new class name, as the file gives it.
    spelled = {}
    for change in changes:
        for name in change.classes_added:
            if name.lower() in new_classes:
                spelled.setdefault(name.lower(), name)
    return Plan(
        changes=changes,
        header_errors=list(parsed.header_errors),
        new_classes={spelled[key]: rows for key, rows in new_classes.items()},
    )


# --- Applying ----------------------------------------------------------------


def _apply(plan: Plan, *, actor: User, request=None) -> dict:
    from .services import _grant

    if not plan.ok:
        raise ImportFailed(None, "The file has problems: fix them and upload it again")
    classes = {c.name.lower(): c for c in ClassGroup.objects.select_for_update().all()}
    for name in plan.new_classes:
        # A name the file gives that is not a class yet: a teaching group
        # (the pupil import makes registration classes).
        group = ClassGroup(name=name, kind=ClassGroup.Kind.TEACHING)
        group.full_clean()
        group.save()
        classes[name.lower()] = group
    people = []
    for change in plan.changes:
        row = change.row
        if change.action == "create":
            user = User(email=row.email, full_name=row.full_name, short_name=row.short_name)
            user.set_unusable_password()
            try:
                user.full_clean()
            except ValidationError as exc:
                raise ImportFailed(row.number, "; ".join(exc.messages)) from None
            user.save()
            change.user_id = user.pk
        elif change.action == "update":
            user = User.objects.select_for_update().get(pk=change.user_id)
        else:
            people.append(change.user_id)
            continue
        people.append(user.pk)
        if change.roles_added:
            _grant(user=user, roles=change.roles_added, actor=actor, request=request)
        if change.classes_added:
            link_role = _class_link_role(change.roles_after)
            for name in change.classes_added:
                ClassStaff.objects.get_or_create(class_group=classes[name.lower()], user=user, defaults={"role": link_role})
    return {**plan.counts, "people": people}


def apply_batch(batch: ImportBatch, *, user: User, request=None) -> dict:
    """Apply a previewed staff batch exactly once, all or nothing: the batch is
    claimed with a conditional update in the same transaction, the file is
    read and planned again, and any refused row rolls everything back. The
    file's text is cleared once applied; the result keeps counts and the ids
    of the accounts in the file (for the invitations), no names or emails."""
    if content_hash(batch.content) != batch.sha256:
        raise ImportFailed(None, "The stored file has changed since the preview: upload it again")
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(
            pk=batch.pk, kind=ImportBatch.Kind.STAFF, status=ImportBatch.Status.PREVIEWED
        ).update(status=ImportBatch.Status.APPLIED, applied_at=timezone.now())
        if not claimed:
            raise ImportFailed(None, "This file has already been imported or discarded")
        result = _apply(plan_import(parse_csv(batch.content)), actor=user, request=request)
        ImportBatch.objects.filter(pk=batch.pk).update(content="", result=result)
        note_change()
    batch.refresh_from_db()
    return result


def not_signed_in(batch: ImportBatch):
    """The people of an applied batch who have never signed in and have no
    password yet (so an invitation is what they need)."""
    return User.objects.filter(
        pk__in=batch.result.get("people", []), is_active=True, last_login__isnull=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    )


def invite_batch(*, batch: ImportBatch, actor: User, base_url: str, request=None) -> int:
    """Email a set-password link to everyone imported by `batch` who has not
    signed in yet: one invitation each, through the outbox, in one
    transaction. Returns how many were invited."""
    from .services import _send_invitation, security_event_record

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.kind != ImportBatch.Kind.STAFF or batch.status != ImportBatch.Status.APPLIED:
            raise ValidationError("Import the file before sending invitations.")
        if batch.result.get("invited_at"):
            # One round per file: a second click (or a double submit) must not
            # send everyone a second email. A single invitation can be sent
            # again from the person's page.
            raise ValidationError("The invitations for this file have been sent already. To send one again, use the person's page.")
        people = list(not_signed_in(batch).order_by("pk"))
        if not people:
            raise ValidationError("Everyone in this file has signed in already or been invited and set a password.")
        for person in people:
            security_event_record(
                kind=SecurityEvent.Kind.INVITED, user=person, actor=actor, request=request, detail="Invited after a staff import"
            )
            _send_invitation(user=person, invited_by=actor, base_url=base_url)
        result = dict(batch.result)
        result["invited"] = result.get("invited", 0) + len(people)
        result["invited_at"] = timezone.now().isoformat()
        ImportBatch.objects.filter(pk=batch.pk).update(result=result)
    return len(people)
