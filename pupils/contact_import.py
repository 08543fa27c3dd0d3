"""Import the pupils' parents and carers from a CSV exported by the school's
MIS (SIMS, Arbor, Bromcom, ScholarPack ...): one row per pupil and contact.

The same three steps as the pupil import (pupils.importer), so that a preview
shows every problem before anything changes:

1. `parse_csv(text, saved_maps)`: pure. Reads the header (the usual MIS
   spellings of each column, plus the headings a user mapped in an earlier
   preview, kept in ImportColumnMap) and every row; each row's problems are
   listed by its row number in the file (the header is row 1).
2. `plan_import(parsed, state)`: pure. Finds each row's pupil (UPN, else the
   MIS's pupil id), decides which person each row is (one Contact however
   many of the school's pupils they are a contact of: matched on the contact's
   MIS id, else the email, else the name and phone), and what changes:
   contacts to add or update, pupils' contacts to add, update or remove, and
   the parent links that the change ends.
3. `apply_plan(plan, user)`: one transaction, all or nothing, in bulk
   inserts and updates (with history rows): a fixed number of queries
   whatever the number of rows, plus one or two per contact removed (their
   history rows are written one by one by the delete signals).

Who may reach a child's records (Education Act 1996 s.576; Children and
Families Act 2014 s.68): a link ends when the contact is no longer listed for
the pupil, loses parental responsibility, or gains a court order or
no-contact flag.

Nothing here logs names, emails or phone numbers; messages name row numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from stdnum.gb import upn as upn_check

from send_register.datacache import note_change

from .importer import FALSE, TRUE, ImportFailed, _key, content_hash, decode_upload, open_csv, read_rows  # noqa: F401  (shared helpers)
from .importer import HEADER_ALIASES as PUPIL_HEADER_ALIASES
from .importer import CheckedRows
from .models import Contact, ImportBatch, ImportColumnMap, ParentLink, Pupil, PupilContact

KIND = ImportBatch.Kind.CONTACTS
MAX_ROWS = 20_000
IMPORT_REASON = "Imported from the school's MIS"

# field -> header spellings, compared with importer._key (lower case, letters
# and digits only): "Contact Priority", "contact_priority" and "CONTACT-PRIORITY"
# are the same.
HEADER_ALIASES = {
    "pupil_upn": ["upn", "pupilupn", "studentupn", "uniquepupilnumber", "childupn"],
    "pupil_mis_id": PUPIL_HEADER_ALIASES["mis_id"],  # the pupil import's spellings, so the two files match
    "priority": ["contactpriority", "priority", "contactorder", "priorityorder", "contactprioritynumber", "order",
                 "contactsequence", "prioritynumber"],
    "title": ["title", "contacttitle", "parenttitle", "salutation"],
    "first_name": ["contactforename", "contactfirstname", "contactlegalforename", "contactgivenname", "parentforename",
                   "parentfirstname", "forename", "firstname", "contactpreferredforename"],
    "last_name": ["contactsurname", "contactlastname", "contactlegalsurname", "contactfamilyname", "parentsurname",
                  "parentlastname", "surname", "lastname"],
    "relationship": ["relationship", "contactrelationship", "relationshiptopupil", "relationshiptostudent",
                     "relationshiptochild", "relation", "contacttype", "relationshipdescription"],
    "parental_responsibility": ["parentalresponsibility", "hasparentalresponsibility", "pr", "parentalresp",
                                "contactparentalresponsibility", "parentalresponsibilityflag", "isparentalresponsibility"],
    "email": ["email", "emailaddress", "primaryemail", "contactemail", "contactemailaddress", "mainemail",
              "primaryemailaddress", "emailprimary", "homeemail", "personalemail"],
    "mobile": ["mobilephone", "mobile", "mobilenumber", "contactmobile", "telephonemobile", "mobiletelephone",
               "mobilephonenumber", "primarymobile"],
    "home_phone": ["homephone", "hometelephone", "telephonehome", "homephonenumber", "hometel"],
    "work_phone": ["workphone", "worktelephone", "telephonework", "workphonenumber", "worktel"],
    "phone": ["phone", "telephone", "telephonenumber", "primaryphone", "contactphone", "primarytelephone",
              "phonenumber", "contacttelephone"],
    "lives_with_pupil": ["liveswithpupil", "liveswithstudent", "liveswithchild", "liveswith", "resideswith",
                         "resideswithpupil", "resideswithstudent", "sameaddressaspupil", "sameaddress", "livesatsameaddress"],
    "no_contact": ["courtorder", "nocontact", "contactrestricted", "restricted", "nocontactflag", "courtorderflag",
                   "courtorderinplace", "hascourtorder", "restrictedcontact", "contactrestriction", "donotcontact"],
    "no_contact_note": ["courtordernote", "courtorderdetails", "courtordernotes", "nocontactnote", "nocontactreason",
                        "restrictionnote", "restrictiondetails", "contactrestrictionnote"],
    "contact_mis_id": ["contactid", "contactmisid", "contactpersonid", "contactreference", "parentid", "contactpersonreference",
                       "contactref", "parentmisid"],
}
FIELD_LABELS = {
    "pupil_upn": "pupil's UPN",
    "pupil_mis_id": "pupil's MIS id",
    "priority": "contact priority",
    "title": "title",
    "first_name": "contact's first name",
    "last_name": "contact's surname",
    "relationship": "relationship",
    "parental_responsibility": "parental responsibility (yes or no)",
    "email": "email address",
    "mobile": "mobile phone",
    "home_phone": "home phone",
    "work_phone": "work phone",
    "phone": "other phone",
    "lives_with_pupil": "lives with pupil (yes or no)",
    "no_contact": "court order or no-contact flag (yes or no)",
    "no_contact_note": "court order or no-contact note",
    "contact_mis_id": "contact's MIS id",
}
FIELDS = tuple(FIELD_LABELS)
# The pupil's own columns in a contacts export: known, and not needed here.
IGNORED = {
    "pupilforename", "pupilsurname", "pupilfirstname", "pupillastname", "pupilname", "studentname", "studentforename",
    "studentsurname", "legalforename", "legalsurname", "preferredforename", "preferredsurname", "pupillegalforename",
    "pupillegalsurname", "childname", "name", "dob", "dateofbirth", "pupildob", "yeargroup", "year", "ncyear", "reggroup",
    "registrationgroup", "form", "class", "tutorgroup", "house", "gender", "sex", "address", "contactaddress",
    "postcode", "fullname", "contactname",
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
YES_NO_FIELDS = ("parental_responsibility", "lives_with_pupil", "no_contact")
TRUE_WORDS = TRUE | {"ticked", "x", "on"}
FALSE_WORDS = FALSE | {"unticked", "off"}


def _clean_phone(value: str) -> str:
    return re.sub(r"\s+", " ", value or "").strip()[:40]


def _phone_key(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return "0" + digits[2:] if digits.startswith("44") else digits


# --- Parsing --------------------------------------------------------------------


@dataclass
class ContactRow:
    number: int
    pupil_upn: str = ""
    pupil_mis_id: str = ""
    priority: int | None = None
    values: dict = field(default_factory=dict)  # Contact fields
    link: dict = field(default_factory=dict)  # PupilContact fields
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.values.get("title"), self.values.get("first_name"), self.values.get("last_name")) if p)


@dataclass
class ParsedFile(CheckedRows):
    positions: dict = field(default_factory=dict)  # field -> column index
    unknown: list = field(default_factory=list)  # (heading as written, key) not yet mapped
    header_errors: list[str] = field(default_factory=list)
    rows: list[ContactRow] = field(default_factory=list)


def load_saved_maps() -> dict[str, str]:
    """heading key -> field ("" to ignore), as users mapped them before."""
    return dict(ImportColumnMap.objects.filter(kind=KIND).values_list("heading", "field"))


def save_maps(mapping: dict[str, str], *, user) -> None:
    """Remember how a user matched unrecognised headings to fields, for the
    next contacts import (an empty field: ignore the column)."""
    for heading, target in mapping.items():
        if target and target not in FIELDS:
            raise ValidationError("Choose a field from the list")
        ImportColumnMap.objects.update_or_create(
            kind=KIND, heading=_key(heading)[:100], defaults={"field": target, "saved_by": user},
        )


def read_header(text: str) -> list[str]:
    return open_csv(text, [])[1] or []


def parse_csv(text: str, saved_maps: dict[str, str] | None = None) -> ParsedFile:
    """Read a contacts export. Nothing is looked up in the database here."""
    saved_maps = saved_maps or {}
    parsed = ParsedFile()
    reader, header = open_csv(text, parsed.header_errors)
    if reader is None:
        return parsed

    for index, heading in enumerate(header):
        key = _key(heading)
        if not key:
            continue
        target = _ALIAS_TO_FIELD.get(key)
        if target is None and key in saved_maps:
            target = saved_maps[key] or None
            if target is None:
                continue  # a user chose to ignore this column
        if target is None:
            if key not in IGNORED:
                parsed.unknown.append((heading.strip()[:100], key))
            continue
        if target in parsed.positions:
            parsed.header_errors.append(f"Two columns give the {FIELD_LABELS[target]}: keep one, or map one of them to nothing")
        parsed.positions[target] = index
    if "pupil_upn" not in parsed.positions and "pupil_mis_id" not in parsed.positions:
        parsed.header_errors.append("The file has no column for the pupil's UPN (or the pupil's MIS id)")
    if "last_name" not in parsed.positions:
        parsed.header_errors.append("The file has no column for the contact's surname")
    if parsed.header_errors:
        return parsed

    read_rows(reader, parsed, lambda number, cells: _parse_row(number, cells, parsed.positions), limit=MAX_ROWS, noun="contacts")
    return parsed


def _parse_row(number: int, cells: list[str], positions: dict) -> ContactRow:
    def cell(name):
        index = positions.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    row = ContactRow(number=number)
    row.pupil_upn = upn_check.compact(cell("pupil_upn")).upper()
    row.pupil_mis_id = cell("pupil_mis_id")[:40]
    if not row.pupil_upn and not row.pupil_mis_id:
        row.errors.append("The pupil's UPN (or MIS id) is missing")

    first, last = cell("first_name"), cell("last_name")
    if not last:
        row.errors.append("The contact's surname is missing")
    for value, label in ((first, "first name"), (last, "surname")):
        if len(value) > 100:
            row.errors.append(f"The contact's {label} is longer than 100 characters")
    row.values.update(title=cell("title")[:20], first_name=first[:100], last_name=last[:100],
                      mis_id=cell("contact_mis_id")[:40])

    email = cell("email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append("The email address is not a valid email address")
    row.values["email"] = email if len(email) <= 254 else ""
    # The register keeps one phone number: the one a school calls first.
    row.values["phone"] = next(
        (_clean_phone(cell(name)) for name in ("mobile", "phone", "home_phone", "work_phone") if cell(name)), ""
    )

    text = cell("priority")
    if text:
        try:
            row.priority = int(float(text))
        except ValueError:
            row.priority = None
        if row.priority is None or not 1 <= row.priority <= 99:
            row.errors.append("The contact priority must be a whole number from 1 (first to call) to 99")
            row.priority = None

    row.link["relationship"] = cell("relationship")[:40]
    for name in YES_NO_FIELDS:
        if name not in positions:
            continue
        text = cell(name).lower()
        if text in TRUE_WORDS:
            row.link[name] = True
        elif text in FALSE_WORDS:
            row.link[name] = False
        else:
            row.errors.append(f"The {FIELD_LABELS[name].replace(' (yes or no)', '')} column must say Yes or No")
    row.link["no_contact_note"] = cell("no_contact_note")[:200]
    if row.link["no_contact_note"] and "no_contact" not in positions:
        # A note of a court order with no flag column: the note is the flag.
        row.link["no_contact"] = True
    return row


# --- Planning ---------------------------------------------------------------------


@dataclass
class State:
    """What the plan needs from the database, read in a few queries."""

    pupils_by_upn: dict  # upn -> (pk, name)
    pupils_by_mis: dict  # mis id -> (pk, name)
    contacts: dict  # pk -> Contact
    by_mis: dict  # mis id -> contact pk
    by_email: dict  # email -> contact pk
    by_name_phone: dict  # (first, last, phone digits) -> contact pk
    pupil_contacts: dict  # pupil pk -> {contact pk: PupilContact (with access_link)}


def load_state(parsed: ParsedFile) -> State:
    upns = {r.pupil_upn for r in parsed.rows if r.pupil_upn}
    mis_ids = {r.pupil_mis_id for r in parsed.rows if r.pupil_mis_id}
    pupil_q = Q(upn__in=upns) | (Q(mis_id__in=mis_ids) if mis_ids else Q(pk__in=[]))
    by_upn, by_pupil_mis = {}, {}
    for pk, upn, mis_id, first, last in Pupil.objects.filter(pupil_q).values_list(
        "pk", "upn", "mis_id", "legal_first_name", "legal_last_name"
    ):
        by_upn[upn] = (pk, f"{first} {last}")
        if mis_id:
            by_pupil_mis[mis_id] = (pk, f"{first} {last}")

    contact_mis = {r.values["mis_id"] for r in parsed.rows if r.values.get("mis_id")}
    emails = {r.values["email"] for r in parsed.rows if r.values.get("email")}
    surnames = {r.values["last_name"].lower() for r in parsed.rows if r.values.get("last_name")}
    pupil_ids = {pk for pk, _ in by_upn.values()} | {pk for pk, _ in by_pupil_mis.values()}
    query = Q(pupil_contacts__pupil_id__in=pupil_ids)
    if contact_mis:
        query |= Q(mis_id__in=contact_mis)
    if emails:
        query |= Q(email__in=emails)
    if surnames:
        query |= Q(last_name_key__in=surnames)  # name and phone matching
    contacts = {c.pk: c for c in Contact.objects.annotate(last_name_key=Lower("last_name")).filter(query).distinct()}
    state = State(by_upn, by_pupil_mis, contacts, {}, {}, {}, {})
    for contact in contacts.values():
        if contact.mis_id:
            state.by_mis.setdefault(contact.mis_id, contact.pk)
        if contact.email:
            state.by_email.setdefault(contact.email.lower(), contact.pk)
        if contact.phone and _phone_key(contact.phone):
            state.by_name_phone.setdefault(
                (contact.first_name.lower(), contact.last_name.lower(), _phone_key(contact.phone)), contact.pk
            )
    for pupil_contact in PupilContact.objects.filter(pupil_id__in=pupil_ids).select_related("access_link__parent"):
        state.pupil_contacts.setdefault(pupil_contact.pupil_id, {})[pupil_contact.contact_id] = pupil_contact
    return state


@dataclass
class LinkEnded:
    """A parent's access that the import ends (for the preview)."""

    pupil_name: str
    contact_name: str
    why: str
    row_number: int | None = None


@dataclass
class Plan:
    new_people: list  # [dict of Contact fields]
    contact_updates: dict  # contact pk -> {field: value}
    creates: list  # (row, pupil pk, person: ("new", index) | ("old", pk), link fields)
    updates: list  # (row, PupilContact, {field: value})
    removals: list  # PupilContact no longer listed for a pupil in the file
    links_ended: list  # LinkEnded, for removals and updates alike
    links_to_end: list  # ParentLink pks ended by an update (removals end their link by cascade)
    unchanged: int = 0

    @property
    def counts(self) -> dict:
        return {
            "contacts_created": len(self.new_people), "contacts_updated": len(self.contact_updates),
            "pupil_contacts_created": len(self.creates), "pupil_contacts_updated": len(self.updates),
            "pupil_contacts_removed": len(self.removals), "links_ended": len(self.links_ended),
            "unchanged": self.unchanged,
        }


CONTACT_FIELDS = ("title", "first_name", "last_name", "email", "phone", "mis_id")
LINK_FIELDS = ("priority", "relationship", "parental_responsibility", "lives_with_pupil", "no_contact", "no_contact_note")


def plan_import(parsed: ParsedFile, state: State) -> Plan:
    """Decide what the import would do (pure, but for `state`). Rows whose
    pupil cannot be found get an error here, so the preview shows them."""
    plan = Plan([], {}, [], [], [], [], [])
    new_keys: dict[tuple, int] = {}  # identifier -> index in plan.new_people
    seen: dict[tuple, int] = {}  # (pupil pk, person) -> row number
    listed: dict[int, set] = {}  # pupil pk -> contact pks listed in the file
    next_priority: dict[int, int] = {}
    pupil_names: dict[int, str] = {}

    for row in parsed.rows:
        found = state.pupils_by_upn.get(row.pupil_upn) if row.pupil_upn else None
        if found is None and row.pupil_mis_id:
            found = state.pupils_by_mis.get(row.pupil_mis_id)
        if found is None:
            if row.pupil_upn or row.pupil_mis_id:
                row.errors.append("No pupil with this UPN (or MIS id) is in the register: import the pupils first")
            continue
        pupil_pk, pupil_name = found
        pupil_names[pupil_pk] = pupil_name
        listed.setdefault(pupil_pk, set())
        if row.errors:
            continue

        person = _person(row, state, plan, new_keys, pupil_pk)
        if (pupil_pk, person) in seen:
            row.errors.append(f"The same contact is listed for this pupil on row {seen[pupil_pk, person]}")
            continue
        seen[pupil_pk, person] = row.number
        if row.priority is None:
            row.priority = next_priority.get(pupil_pk, 0) + 1
        next_priority[pupil_pk] = max(next_priority.get(pupil_pk, 0), row.priority)
        link_values = {"priority": row.priority, **row.link}

        kind, ref = person
        if kind == "new":
            plan.creates.append((row, pupil_pk, person, link_values))
            continue
        listed[pupil_pk].add(ref)
        contact = state.contacts[ref]
        changes = {n: row.values[n] for n in CONTACT_FIELDS if row.values.get(n) and getattr(contact, n) != row.values[n]}
        if changes:
            plan.contact_updates.setdefault(ref, {}).update(changes)
        current = state.pupil_contacts.get(pupil_pk, {}).get(ref)
        if current is None:
            plan.creates.append((row, pupil_pk, person, link_values))
            continue
        diff = {n: v for n, v in link_values.items() if getattr(current, n) != v}
        if not diff:
            plan.unchanged += 1
            continue
        plan.updates.append((row, current, diff))
        link = getattr(current, "access_link", None)
        if link is not None:
            why = None
            if diff.get("no_contact") is True:
                why = "A court order or no-contact flag is now recorded"
            elif diff.get("parental_responsibility") is False and link.parental_responsibility:
                why = "No longer has parental responsibility"
            if why:
                plan.links_to_end.append(link.pk)
                plan.links_ended.append(LinkEnded(pupil_name, contact.display_name, why, row.number))

    # A contact no longer listed for a pupil in the file: the MIS is the
    # record of who the child's contacts are, so a row an import made goes,
    # and with it any access it gave. A contact the school added by hand is
    # not the MIS's to remove: it stays until someone removes it.
    for pupil_pk, kept in listed.items():
        for contact_pk, pupil_contact in state.pupil_contacts.get(pupil_pk, {}).items():
            if contact_pk in kept or pupil_contact.source == PupilContact.Source.MANUAL:
                continue
            plan.removals.append(pupil_contact)
            if getattr(pupil_contact, "access_link", None) is not None:
                contact = state.contacts.get(contact_pk)
                plan.links_ended.append(LinkEnded(
                    pupil_names[pupil_pk], contact.display_name if contact else "", "No longer a contact of this pupil in the MIS",
                ))
    return plan


def _person(row: ContactRow, state: State, plan: Plan, new_keys: dict, pupil_pk: int) -> tuple:
    """Which person a row is: ("old", contact pk) or ("new", index). The
    contact's MIS id first, then the email, then the name and phone; with none
    of them, a contact of the same pupil with the same name."""
    values = row.values
    first, last = values["first_name"].lower(), values["last_name"].lower()
    phone = _phone_key(values["phone"])
    keys = []
    if values["mis_id"]:
        keys.append(("mis", values["mis_id"]))
    if values["email"]:
        keys.append(("email", values["email"]))
    if phone:
        keys.append(("name_phone", first, last, phone))
    for key in keys:
        found = {"mis": state.by_mis, "email": state.by_email, "name_phone": state.by_name_phone}[key[0]].get(key[1:] if key[0] == "name_phone" else key[1])
        if found is not None:
            return ("old", found)
    if not keys:
        for contact_pk in state.pupil_contacts.get(pupil_pk, {}):
            contact = state.contacts.get(contact_pk)
            if contact and contact.first_name.lower() == first and contact.last_name.lower() == last:
                return ("old", contact_pk)
        keys.append(("name_pupil", first, last, pupil_pk))
    for key in keys:
        if key in new_keys:
            index = new_keys[key]
            break
    else:
        index = len(plan.new_people)
        plan.new_people.append({n: values[n] for n in CONTACT_FIELDS})
    for key in keys:
        new_keys.setdefault(key, index)
    return ("new", index)


# --- Applying -----------------------------------------------------------------------


@transaction.atomic
def apply_plan(plan: Plan, *, user) -> dict:
    """Apply a plan in one transaction: all of it, or nothing. Returns the
    counts (no personal data)."""
    now = timezone.now()
    new_contacts = [Contact(**values) for values in plan.new_people]
    for contact in new_contacts:
        try:
            contact.full_clean(exclude=["user"])
        except ValidationError as exc:
            raise ImportFailed(None, "; ".join(exc.messages)) from None
    created = bulk_create_with_history(
        new_contacts, Contact, batch_size=500, default_user=user, default_change_reason=IMPORT_REASON
    )

    if plan.contact_updates:
        contacts = Contact.objects.select_for_update().in_bulk(list(plan.contact_updates))
        touched = {"updated_at"}
        for pk, changes in plan.contact_updates.items():
            for name, value in changes.items():
                setattr(contacts[pk], name, value)
                touched.add(name)
            contacts[pk].updated_at = now
        bulk_update_with_history(
            list(contacts.values()), Contact, fields=sorted(touched), batch_size=500,
            default_user=user, default_change_reason=IMPORT_REASON,
        )

    # Ended links first: a link goes before the contact row that gave it.
    ended = 0
    if plan.links_to_end:
        ended += ParentLink.objects.filter(pk__in=plan.links_to_end).delete()[1].get("pupils.ParentLink", 0)
    if plan.removals:
        deleted = PupilContact.objects.filter(pk__in=[pc.pk for pc in plan.removals]).delete()[1]
        ended += deleted.get("pupils.ParentLink", 0)

    if plan.updates:
        rows = PupilContact.objects.select_for_update().in_bulk([pc.pk for _, pc, _ in plan.updates])
        touched = {"updated_at", "source"}
        for _, pupil_contact, diff in plan.updates:
            target = rows[pupil_contact.pk]
            for name, value in diff.items():
                setattr(target, name, value)
                touched.add(name)
            target.source = PupilContact.Source.IMPORT
            target.updated_at = now
        bulk_update_with_history(
            list(rows.values()), PupilContact, fields=sorted(touched), batch_size=500,
            default_user=user, default_change_reason=IMPORT_REASON,
        )

    new_rows = []
    for row, pupil_pk, (kind, ref), values in plan.creates:
        contact_pk = created[ref].pk if kind == "new" else ref
        new_rows.append(PupilContact(pupil_id=pupil_pk, contact_id=contact_pk, source=PupilContact.Source.IMPORT, **values))
    bulk_create_with_history(new_rows, PupilContact, batch_size=500, default_user=user, default_change_reason=IMPORT_REASON)

    counts = plan.counts
    counts["links_ended"] = ended
    return counts


def preview(text: str) -> tuple[ParsedFile, Plan | None]:
    parsed = parse_csv(text, load_saved_maps())
    if parsed.header_errors or not parsed.rows:
        return parsed, None
    plan = plan_import(parsed, load_state(parsed))
    return parsed, plan if parsed.ok else None


def import_text(text: str, *, user) -> dict:
    """Parse, plan and apply at once (tests, a management command)."""
    parsed, plan = preview(text)
    if plan is None:
        problems = parsed.header_errors + [f"Row {r.number}: {'; '.join(r.errors)}" for r in parsed.rows_with_errors]
        raise ImportFailed(None, "; ".join(problems[:5]) or "The file has no contacts")
    with transaction.atomic():
        counts = apply_plan(plan, user=user)
        note_change()
    return counts


def apply_batch(batch: ImportBatch, *, user) -> dict:
    """Apply a previewed contacts ImportBatch exactly once (claimed with a
    conditional update in the same transaction, as pupils.importer does); the
    file's text is cleared once applied, leaving the counts."""
    if content_hash(batch.content) != batch.sha256:
        raise ImportFailed(None, "The stored file has changed since the preview: upload it again")
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, kind=KIND, status=ImportBatch.Status.PREVIEWED).update(
            status=ImportBatch.Status.APPLIED, applied_at=timezone.now()
        )
        if not claimed:
            raise ImportFailed(None, "This file has already been imported or discarded")
        parsed, plan = preview(batch.content)
        if plan is None:
            raise ImportFailed(None, "The file has problems: fix them and upload it again")
        counts = apply_plan(plan, user=user)
        ImportBatch.objects.filter(pk=batch.pk).update(content="", result=counts)
        note_change()
    batch.refresh_from_db()
    return counts
