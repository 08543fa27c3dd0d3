"""Import pupils from a CSV exported by the school's MIS (SIMS, Arbor,
Bromcom ...).

Three steps, so that a preview can show every problem before anything changes:

1. `parse_csv(text, need_rules)`: pure. Reads the header (accepting the usual
   variants of each column name) and every row, and lists each row's problems
   by its row number in the file (the header is row 1).
2. `plan_import(parsed, existing)`: pure. Matches rows to pupils on UPN and
   decides, for each row, create / update / unchanged, and which pupils on roll
   are missing from the file ("left").
3. `apply_import(plan, ...)`: one transaction, all or nothing. Bulk inserts and
   updates (with history rows), then register status and need changes through
   the register services, so that the register history and the parents'
   notices are the same as for a change made in the browser.

`load_need_rules()` and `load_existing()` read what the pure steps need from the
database in a few queries, whatever the number of rows.

Nothing here logs names, UPNs or dates of birth; messages name row numbers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from send_register.datacache import note_change
from stdnum.gb import upn as upn_check

from .models import ClassGroup, ImportBatch, NeedType, Pupil, PupilNeed, SenStatus, YearGroup, validate_upn
from .services import needs_set, register_place_new_pupils, register_set_status

MAX_ROWS = 10_000
NAME_MAX = ClassGroup._meta.get_field("name").max_length
IMPORT_REASON = "Imported from the school's MIS"

# field -> header spellings (compared lower-case with everything but letters
# and digits removed, so "Legal Forename", "legal_forename" and "LEGAL-FORENAME"
# are the same).
HEADER_ALIASES = {
    "upn": ["upn", "uniquepupilnumber", "pupilupn"],
    # The MIS's own id for the pupil, which the contacts export may use instead of the UPN.
    "mis_id": ["pupilid", "pupilmisid", "studentid", "misid", "pupilpersonid", "admissionnumber", "admissionno",
               "adno", "pupiladmissionnumber", "pupilreference", "studentreference", "childid"],
    "legal_first_name": ["legalfirstname", "legalforename", "legalforenames", "forename", "forenames", "firstname", "givenname"],
    "legal_last_name": ["legallastname", "legalsurname", "surname", "lastname", "familyname"],
    "preferred_first_name": ["preferredfirstname", "preferredforename", "knownas", "chosenforename"],
    "preferred_last_name": ["preferredlastname", "preferredsurname", "chosensurname"],
    "date_of_birth": ["dateofbirth", "dob", "birthdate"],
    "sex": ["sex", "gender", "legalsex"],
    "year_group": ["yeargroup", "year", "ncyear", "ncyearactual", "curriculumyear", "nationalcurriculumyear"],
    "class_name": ["class", "classname", "form", "formgroup", "reggroup", "registrationgroup", "tutorgroup"],
    # Teaching groups (secondary sets and subject groups): several names in
    # one cell, separated by ; or , (as SIMS, Arbor and Bromcom export them).
    "teaching_groups": [
        "teachinggroups", "teachinggroup", "groups", "classes", "sets", "teachingsets",
        "subjectgroups", "classgroups", "teachingclasses",
    ],
    "sen_status": ["senprovision", "senstatus", "sen", "senstage", "provision"],
    "primary_need": ["primaryneed", "senprimaryneed", "primarysenneed", "primarysentype", "senneed1", "need1", "sentype1", "senneedrank1"],
    "secondary_need": ["secondaryneed", "sensecondaryneed", "secondarysenneed", "secondarysentype", "senneed2", "need2", "sentype2", "senneedrank2"],
    "needs": ["needs", "needcodes", "senneeds", "sentypes", "senneedcodes", "senneedtypes"],
    "admission_date": ["admissiondate", "dateofadmission", "entrydate", "dateofentry"],
    "eal": ["eal", "englishasanadditionallanguage"],
    "fsm": ["fsm", "freeschoolmeals", "fsmeligible"],
    "pupil_premium": ["pupilpremium", "pp", "pupilpremiumindicator", "ppi"],
    "looked_after": ["lookedafter", "incare", "cla", "lac", "lookedafterchild"],
}
REQUIRED = ("upn", "legal_first_name", "legal_last_name", "date_of_birth", "sex", "year_group", "class_name")
HEADER_LABELS = {
    "upn": "UPN",
    "legal_first_name": "legal first name",
    "legal_last_name": "legal last name",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "year_group": "year group",
    "class_name": "class",
    "teaching_groups": "teaching groups",
}
FLAG_FIELDS = ("eal", "fsm", "pupil_premium", "looked_after")
# Fields compared and copied on re-import (when their column is in the file).
PUPIL_FIELDS = (
    "legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name",
    "date_of_birth", "sex", "year_group", "admission_date", "mis_id", *FLAG_FIELDS,
)
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
TRUE = {"y", "yes", "true", "t", "1"}
FALSE = {"n", "no", "false", "f", "0", ""}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").lower())


@dataclass(frozen=True)
class NeedRule:
    code: str
    only_with_sen_support: bool
    current: bool


@dataclass
class ImportRow:
    number: int
    upn: str = ""
    values: dict = field(default_factory=dict)  # PUPIL_FIELDS present in the file
    class_name: str | None = None  # None: no class given
    groups: list[str] | None = None  # teaching groups; None: the file has no groups column
    sen_status: str | None = None  # None: the file says nothing about SEN
    needs: list[str] = field(default_factory=list)  # [primary, secondary, others...]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class CheckedRows:
    """What a parsed import file (pupils, contacts) says of itself: its rows
    with errors, and whether it can be imported. Needs `header_errors` and
    `rows` (each with `errors`)."""

    @property
    def rows_with_errors(self) -> list:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.header_errors and not self.rows_with_errors and bool(self.rows)


@dataclass
class ParsedFile(CheckedRows):
    columns: set = field(default_factory=set)
    header_errors: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)


def decode_upload(raw: bytes) -> str:
    """MIS exports come as UTF-8 (often with a byte-order mark) or Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def batch_start(*, kind: str, text: str, user) -> ImportBatch:
    """Keep an uploaded file (of any import: pupils, contacts, staff) for its
    preview. One waiting preview per person and kind, and none older than a
    day: the personal data in a file nobody confirmed is not kept."""
    stale = Q(uploaded_by=user) | Q(created_at__lt=timezone.now() - timedelta(days=1))
    ImportBatch.objects.filter(stale, kind=kind, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.DISCARDED, content=""
    )
    return ImportBatch.objects.create(
        kind=kind, uploaded_by=user, content=text, sha256=content_hash(text), row_count=max(text.count("\n") - 1, 0),
    )


def recent_batches(kind: str, count: int = 5):
    """The last imports of this kind that were done, for the upload page."""
    return ImportBatch.objects.filter(kind=kind, status=ImportBatch.Status.APPLIED).select_related("uploaded_by")[:count]


def parse_date(value: str) -> date | None:
    value = (value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_year_group(value: str) -> str | None:
    text = (value or "").strip().lower()
    text = re.sub(r"^(nc\s*)?(year|yr|y)\s*", "", text).strip()
    if text in {"r", "rec", "reception"}:
        return YearGroup.R
    if text in {"n1", "nursery 1", "nursery1"}:
        return YearGroup.N1
    if text in {"n2", "nursery 2", "nursery2"}:
        return YearGroup.N2
    if text.isdigit() and 1 <= int(text) <= 13:
        return str(int(text))
    return None


def parse_sex(value: str) -> str | None:
    return {"m": "M", "male": "M", "f": "F", "female": "F"}.get((value or "").strip().lower())


SEN_WORDS = {
    "e": SenStatus.EHC_PLAN, "ehc plan": SenStatus.EHC_PLAN, "ehcp": SenStatus.EHC_PLAN,
    "education, health and care plan": SenStatus.EHC_PLAN,
    "k": SenStatus.SEN_SUPPORT, "sen support": SenStatus.SEN_SUPPORT,
    "n": SenStatus.NONE, "no sen": SenStatus.NONE, "none": SenStatus.NONE, "no special educational need": SenStatus.NONE,
}


def open_csv(text: str, errors: list[str]):
    """A CSV reader past its header row, and that row; (None, None) when the
    file has no header, the reason added to `errors`. One way to open every
    import (pupils, contacts, staff)."""
    reader = csv.reader(io.StringIO(text))
    try:
        return reader, next(reader)
    except StopIteration:
        errors.append("The file is empty")
    except csv.Error:
        errors.append("The file is not a CSV file")
    return None, None


def read_rows(reader, parsed, parse_row, *, limit: int, noun: str) -> None:
    """Each data row of an opened CSV through parse_row(number, cells) into
    parsed.rows (the header is row 1, so the first data row is 2); blank lines
    skipped; a problem with the file as a whole goes to parsed.header_errors."""
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank lines at the end of an export
            if len(parsed.rows) >= limit:
                parsed.header_errors.append(f"The file has more than {limit:,} {noun}: split it")
                break
            parsed.rows.append(parse_row(number, cells))
    except csv.Error:
        parsed.header_errors.append(f"The file could not be read as CSV after row {len(parsed.rows) + 1}")
    if not parsed.rows and not parsed.header_errors:
        parsed.header_errors.append(f"The file has a header but no {noun}")


def parse_csv(text: str, need_rules: dict[str, NeedRule], *, today: date | None = None) -> ParsedFile:
    """Read an MIS export. Every problem is reported against its row number
    (the header is row 1, the first pupil row 2); nothing is looked up in the
    database here."""
    today = today or timezone.localdate()
    parsed = ParsedFile()
    reader, header = open_csv(text, parsed.header_errors)
    if reader is None:
        return parsed

    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        target = _ALIAS_TO_FIELD.get(_key(name))
        if target is None:
            continue  # other MIS columns are ignored
        if target in positions:
            parsed.header_errors.append(f"Two columns give the {HEADER_LABELS.get(target, target.replace('_', ' '))}: keep one")
        positions[target] = index
    parsed.columns = set(positions)
    missing = [HEADER_LABELS[name] for name in REQUIRED if name not in positions]
    if missing:
        parsed.header_errors.append(f"The file has no column for: {', '.join(missing)}")
    if parsed.header_errors:
        return parsed

    seen_upns: dict[str, int] = {}
    read_rows(reader, parsed, lambda number, cells: _parse_row(number, cells, positions, need_rules, seen_upns, today),
              limit=MAX_ROWS, noun="pupils")
    if "teaching_groups" in positions:
        _leave_out_forms(parsed.rows, {row.class_name for row in parsed.rows if row.class_name})
    return parsed


def _leave_out_forms(rows, form_names) -> None:
    """A name in a row's teaching groups that is a form (in the file's class
    column, or a form here) is not made a teaching group: each pupil has one
    form, recorded as their class. The row says so, and goes on."""
    for row in rows:
        if not row.groups:
            continue
        forms = [name for name in row.groups if name in form_names]
        if forms:
            row.groups = [name for name in row.groups if name not in form_names]
            row.warnings.append(f"{', '.join(forms)}: a form, not a teaching group; left out of the pupil's teaching groups")


def _parse_row(number, cells, positions, need_rules, seen_upns, today) -> ImportRow:
    def cell(name):
        index = positions.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    row = ImportRow(number=number)
    # UPN (DOMAIN.md 1.5a)
    upn = upn_check.compact(cell("upn")).upper()
    row.upn = upn
    try:
        validate_upn(upn)
    except ValidationError as exc:
        row.errors.append(exc.messages[0] if upn else "The UPN is missing")
    if upn and upn in seen_upns:
        row.errors.append(f"The same UPN is on row {seen_upns[upn]}")
    elif upn:
        seen_upns[upn] = number

    for name, label in (("legal_first_name", "legal first name"), ("legal_last_name", "legal last name")):
        value = cell(name)
        if not value:
            row.errors.append(f"The {label} is missing")
        elif len(value) > 100:
            row.errors.append(f"The {label} is longer than 100 characters")
        row.values[name] = value
    for name in ("preferred_first_name", "preferred_last_name"):
        if name in positions:
            row.values[name] = cell(name)[:100]
    if "mis_id" in positions:
        if len(cell("mis_id")) > 40:
            row.errors.append("The MIS id is longer than 40 characters")
        row.values["mis_id"] = cell("mis_id")[:40]

    dob = parse_date(cell("date_of_birth"))
    if dob is None:
        row.errors.append("The date of birth is missing or not a date (use DD/MM/YYYY)")
    elif not (date(today.year - 25, 1, 1) <= dob <= today):
        row.errors.append("The date of birth is not that of a pupil (in the future, or more than 25 years ago)")
    row.values["date_of_birth"] = dob

    sex = parse_sex(cell("sex"))
    if sex is None:
        row.errors.append("The sex must be M or F, as recorded for the census")
    row.values["sex"] = sex

    year = parse_year_group(cell("year_group"))
    if year is None:
        row.errors.append("The year group is not one we know (use R, 1 to 13, N1 or N2)")
    row.values["year_group"] = year

    # Names must match the MIS: a name too long to store is refused, not cut
    # (a cut name would be a different class at the next import).
    class_name = cell("class_name")
    if len(class_name) > NAME_MAX:
        row.errors.append(
            f"The class name is {len(class_name)} characters long; names here can be at most {NAME_MAX}: shorten it in the MIS"
        )
    row.class_name = class_name or None

    if "teaching_groups" in positions:
        row.groups = []
        for name in re.split(r"[;,]", cell("teaching_groups")):
            name = name.strip()
            if not name or name in row.groups:
                continue
            if len(name) > NAME_MAX:
                row.errors.append(
                    f"A teaching group name (starting \"{name[:20]}\") is {len(name)} characters long; "
                    f"names here can be at most {NAME_MAX}: shorten it in the MIS"
                )
                continue
            if name == row.class_name:
                continue  # the pupil's own form, listed among their classes: it is their form, not a group
            row.groups.append(name)

    if "admission_date" in positions:
        text = cell("admission_date")
        admitted = parse_date(text) if text else None
        if text and admitted is None:
            row.errors.append("The admission date is not a date (use DD/MM/YYYY)")
        row.values["admission_date"] = admitted

    for name in FLAG_FIELDS:
        if name in positions:
            text = cell(name).lower()
            if text in TRUE:
                row.values[name] = True
            elif text in FALSE:
                row.values[name] = False
            else:
                row.errors.append(f"The {name.replace('_', ' ')} column must say Y or N")

    _parse_sen(row, cell, positions, need_rules)
    return row


def _parse_sen(row: ImportRow, cell, positions, need_rules) -> None:
    """SEN provision and needs, with the census rules of DOMAIN.md 1.3."""
    if "sen_status" in positions:
        text = cell("sen_status").strip().lower()
        if text in {"s", "statement"}:
            row.errors.append("SEN provision S (statement) was discontinued in 2018: re-code it as E (census rule 2115)")
        elif text in {"a", "p", "school action", "school action plus"}:
            row.errors.append("School Action and School Action Plus were replaced by K (SEN support) in 2014")
        elif text:
            row.sen_status = SEN_WORDS.get(text)
            if row.sen_status is None:
                row.errors.append("The SEN provision must be E, K or N")

    codes: list[str] = []
    if "primary_need" in positions or "secondary_need" in positions:
        primary, secondary = cell("primary_need").upper(), cell("secondary_need").upper()
        if secondary and not primary:
            row.errors.append("A secondary need is given without a primary need (census rule 2160)")
        codes = [c for c in (primary, secondary) if c]
    if "needs" in positions:
        codes += [c for c in re.split(r"[\s,;/|]+", cell("needs").upper()) if c]
    unknown = [c for c in codes if c not in need_rules]
    if unknown:
        row.errors.append(f"Unknown need code: {', '.join(unknown)}")
    for code in codes:
        rule = need_rules.get(code)
        if rule and not rule.current:
            row.errors.append(f"{code} is no longer a DfE need type")
    if len(set(codes)) != len(codes):
        row.errors.append("The same need code is given twice")
    row.needs = codes

    if codes and row.sen_status is None and not any("SEN provision" in e for e in row.errors):
        row.errors.append("Need codes are given without the SEN provision (E, K or N)")
    if codes and row.sen_status == SenStatus.NONE:
        row.errors.append("Need codes are given for a pupil with no SEN (N): census rule 2125")
    if row.sen_status == SenStatus.EHC_PLAN and any(need_rules.get(c, NeedRule(c, False, True)).only_with_sen_support for c in codes):
        row.errors.append("NSA is only valid with SEN support (K), not with an EHC plan (census rule 2175)")
    if row.sen_status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN) and not codes:
        # Census rule 2170 wants a need with K or E; the import goes on and
        # keeps any needs already recorded here.
        row.warnings.append("No need is given with SEN provision K or E (census rule 2170): needs recorded here are kept")


# --- Planning ----------------------------------------------------------------


@dataclass
class Existing:
    pk: int
    values: dict
    class_name: str | None
    sen_status: str
    needs: tuple[str, ...]  # primary, secondary, then unranked codes in order
    leaving_date: date | None
    groups: frozenset = frozenset()  # names of the teaching groups the pupil is in


@dataclass
class Change:
    row: ImportRow
    action: str  # "create" | "update" | "unchanged"
    pupil_id: int | None = None
    fields: dict = field(default_factory=dict)
    class_changed: bool = False
    rejoined: bool = False
    status_to: str | None = None
    status_from: str | None = None
    needs_to: tuple[str, ...] | None = None
    groups_joined: tuple[str, ...] = ()
    groups_left: tuple[str, ...] = ()

    def describe(self) -> str:
        """What this row would change, in words (for the preview)."""
        if self.action == "create":
            parts = ["New pupil"]
        else:
            parts = [FIELD_LABELS.get(name, name) for name in self.fields]
            if self.class_changed:
                parts.append("class")
            if self.rejoined:
                parts.append("back on roll")
            parts = [", ".join(parts)] if parts else []
        if self.status_to:
            parts.append(f"register {SenStatus(self.status_from or 'N').label} to {SenStatus(self.status_to).label}")
        if self.needs_to:
            parts.append(f"needs {', '.join(self.needs_to)}")
        if self.groups_joined:
            parts.append(f"joins {', '.join(self.groups_joined)}")
        if self.groups_left:
            parts.append(f"leaves {', '.join(self.groups_left)}")
        return "; ".join(p for p in parts if p) or "No change"


FIELD_LABELS = {
    "legal_first_name": "legal first name", "legal_last_name": "legal last name",
    "preferred_first_name": "preferred first name", "preferred_last_name": "preferred last name",
    "date_of_birth": "date of birth", "sex": "sex", "year_group": "year group", "admission_date": "admission date",
    "eal": "EAL", "fsm": "FSM", "pupil_premium": "pupil premium", "looked_after": "looked after", "mis_id": "MIS id",
}


@dataclass
class ImportPlan:
    changes: list[Change]
    left: list[Existing]
    # Teaching groups (only when the file has a groups column): the groups
    # the file names that do not exist yet, and pupils not in the file who
    # leave groups it names (pk, names).
    groups_column: bool = False
    new_groups: list[str] = field(default_factory=list)
    group_leavers: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "left": len(self.left), "status_changes": 0, "needs_changes": 0,
                  "groups_created": len(self.new_groups), "group_joins": 0,
                  "group_leaves": sum(len(names) for _, names in self.group_leavers)}
        for change in self.changes:
            counts[{"create": "created", "update": "updated", "unchanged": "unchanged"}[change.action]] += 1
            counts["status_changes"] += change.status_to is not None
            counts["needs_changes"] += change.needs_to is not None
            counts["group_joins"] += len(change.groups_joined)
            counts["group_leaves"] += len(change.groups_left)
        return counts


def load_need_rules(on: date | None = None) -> dict[str, NeedRule]:
    return {
        n.code: NeedRule(n.code, n.only_with_sen_support, n.is_current(on))
        for n in NeedType.objects.all()
    }


class ExistingPupils(dict):
    """UPN -> Existing, with `class_kinds` (every class's name -> kind)."""

    class_kinds: dict[str, str] = {}


def load_existing() -> ExistingPupils:
    """Every pupil (on roll or not) keyed by UPN, their needs and teaching
    groups, and every class's kind, in four queries."""
    groups: dict[int, set] = {}
    for pupil_id, name in Pupil.groups.through.objects.values_list("pupil_id", "classgroup__name"):
        groups.setdefault(pupil_id, set()).add(name)
    needs: dict[int, list[tuple]] = {}
    for pupil_id, code, rank, order in PupilNeed.objects.filter(end_date__isnull=True).values_list(
        "pupil_id", "need_type_id", "rank", "need_type__sort_order"
    ):
        needs.setdefault(pupil_id, []).append((rank or 9, order, code))
    existing = ExistingPupils()
    existing.class_kinds = dict(ClassGroup.objects.values_list("name", "kind"))
    for values in Pupil.objects.values("pk", "upn", "form__name", "sen_status", "leaving_date", *PUPIL_FIELDS):
        pk = values.pop("pk")
        existing[values.pop("upn")] = Existing(
            pk=pk,
            class_name=values.pop("form__name"),
            sen_status=values.pop("sen_status"),
            leaving_date=values.pop("leaving_date"),
            values=values,
            needs=tuple(code for _, _, code in sorted(needs.get(pk, []))),
            groups=frozenset(groups.get(pk, ())),
        )
    return existing


def _ranked(codes) -> tuple:
    """Needs as compared: primary and secondary in place, the rest as a set."""
    codes = list(codes)
    return (tuple(codes[:2]), frozenset(codes[2:]))


def plan_import(parsed: ParsedFile, existing: dict[str, Existing]) -> ImportPlan:
    """Decide what the import would do, row by row (pure).

    Teaching groups, when the file has a groups column: the file is the MIS's
    truth for every group it names. Each such group ends up with exactly the
    pupils whose row names it (pupils not in the file leave it); groups it
    does not name are left as they are. Groups it names that do not exist are
    created as teaching groups. `existing.class_kinds` (load_existing) says
    which names are forms here: those are left out of the groups, with a
    warning on the row."""
    groups_column = "teaching_groups" in parsed.columns
    class_kinds = getattr(existing, "class_kinds", {}) or {}
    named: set[str] = set()
    if groups_column:
        forms_here = {name for name, kind in class_kinds.items() if kind == ClassGroup.Kind.FORM}
        _leave_out_forms(parsed.rows, forms_here)
        named = {name for row in parsed.rows for name in (row.groups or ())}
    changes = []
    in_file = set()
    for row in parsed.rows:
        in_file.add(row.upn)
        current = existing.get(row.upn)
        if current is None:
            change = Change(row=row, action="create", fields=dict(row.values))
            change.groups_joined = tuple(sorted(row.groups or ()))
            if row.sen_status and row.sen_status != SenStatus.NONE:
                change.status_from, change.status_to = SenStatus.NONE, row.sen_status
                change.needs_to = tuple(row.needs) if row.needs else None
            changes.append(change)
            continue
        change = Change(row=row, action="unchanged", pupil_id=current.pk)
        for name, value in row.values.items():
            if current.values.get(name) != value:
                change.fields[name] = value
        if (row.class_name or None) != (current.class_name or None):
            change.class_changed = True
        if current.leaving_date is not None:
            change.rejoined = True  # back in the MIS roll: back on roll here
        # Status: compare census codes, so that the school's own "monitoring"
        # (exported as N, DOMAIN.md 1.1) is not undone by an N in the file.
        if row.sen_status is not None and SenStatus.census_code(current.sen_status) != row.sen_status:
            change.status_from, change.status_to = current.sen_status, row.sen_status
        final_status = change.status_to or current.sen_status
        if row.needs and final_status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN):
            if _ranked(row.needs) != _ranked(current.needs):
                change.needs_to = tuple(row.needs)
        if groups_column:
            wanted = set(row.groups or ())
            change.groups_joined = tuple(sorted(wanted - current.groups))
            change.groups_left = tuple(sorted((current.groups & named) - wanted))
        if (change.fields or change.class_changed or change.rejoined or change.status_to or change.needs_to
                or change.groups_joined or change.groups_left):
            change.action = "update"
        changes.append(change)
    left = [e for upn, e in existing.items() if upn not in in_file and e.leaving_date is None]
    plan = ImportPlan(changes=changes, left=left, groups_column=groups_column)
    if groups_column:
        plan.new_groups = sorted(named - set(class_kinds))
        plan.group_leavers = [
            (e.pk, tuple(sorted(e.groups & named)))
            for upn, e in existing.items() if upn not in in_file and e.groups & named
        ]
    return plan


# --- Applying ----------------------------------------------------------------


class ImportFailed(Exception):
    """A row that could not be applied; the whole import was rolled back."""

    def __init__(self, row_number: int | None, message: str):
        super().__init__(message)
        self.row_number = row_number
        self.message = message

    def __str__(self):
        return f"Row {self.row_number}: {self.message}" if self.row_number else self.message


@transaction.atomic
def apply_import(
    plan: ImportPlan,
    *,
    user,
    mark_leavers: bool = False,
    leaving_date: date | None = None,
    effective_date: date | None = None,
) -> dict:
    """Apply a plan in one transaction: all of it, or (on any error) nothing.
    Returns the counts (no personal data)."""
    effective_date = effective_date or timezone.localdate()
    now = timezone.now()
    classes = _ensure_classes(plan)

    creates = [c for c in plan.changes if c.action == "create"]
    new_pupils = [
        Pupil(
            upn=c.row.upn,
            form=classes.get(c.row.class_name),
            **{k: v for k, v in c.fields.items() if v is not None or k == "admission_date"},
        )
        for c in creates
    ]
    created = bulk_create_with_history(
        new_pupils, Pupil, batch_size=500, default_user=user, default_change_reason=IMPORT_REASON
    )
    for change, pupil in zip(creates, created):
        change.pupil_id = pupil.pk

    updates = [c for c in plan.changes if c.action == "update" and (c.fields or c.class_changed or c.rejoined)]
    if updates:
        pupils = Pupil.objects.select_for_update().in_bulk([c.pupil_id for c in updates])
        touched = {"updated_at"}
        for change in updates:
            pupil = pupils[change.pupil_id]
            for name, value in change.fields.items():
                setattr(pupil, name, value if value is not None or name == "admission_date" else getattr(pupil, name))
                touched.add(name)
            if change.class_changed:
                pupil.form = classes.get(change.row.class_name)
                touched.add("form")
            if change.rejoined:
                pupil.leaving_date = None
                touched.add("leaving_date")
            pupil.updated_at = now
        bulk_update_with_history(
            list(pupils.values()), Pupil, fields=sorted(touched), batch_size=500,
            default_user=user, default_change_reason=IMPORT_REASON,
        )

    # Register changes through the register services: the same history rows
    # and parents' notices (s.68 CFA 2014) as a change made in the browser.
    # New pupils (the bulk of a first import): placed in bulk, with the same
    # rows as the single services write.
    new_on_register = [c for c in creates if c.status_to]
    if new_on_register:
        try:
            register_place_new_pupils(
                placements=[(c.pupil_id, c.status_to, c.needs_to or ()) for c in new_on_register],
                effective_date=effective_date, reason=IMPORT_REASON, decided_by=user,
            )
        except ValidationError as exc:
            raise ImportFailed(None, "; ".join(exc.messages)) from None
    need_types = {n.code: n for n in NeedType.objects.all()}
    for change in plan.changes:
        if change.action == "create" or (change.status_to is None and change.needs_to is None):
            continue
        pupil = Pupil(pk=change.pupil_id)
        try:
            # Moving to an EHC plan: record the assessed needs first (NSA is
            # only valid with SEN support, census rule 2175).
            needs_first = change.status_to == SenStatus.EHC_PLAN and change.status_from != SenStatus.NONE
            if needs_first:
                _apply_needs(change, pupil, need_types, effective_date, user)
            if change.status_to is not None:
                register_set_status(
                    pupil=pupil, status=change.status_to, effective_date=effective_date,
                    reason=IMPORT_REASON, decided_by=user,
                )
            if not needs_first:
                _apply_needs(change, pupil, need_types, effective_date, user)
        except ValidationError as exc:
            raise ImportFailed(change.row.number, "; ".join(exc.messages)) from None

    if plan.groups_column:
        _apply_groups(plan, user=user)

    left_count = 0
    if mark_leavers and plan.left:
        day = leaving_date or effective_date
        leavers = list(Pupil.objects.select_for_update().filter(pk__in=[e.pk for e in plan.left], leaving_date__isnull=True))
        for pupil in leavers:
            pupil.leaving_date = day
            pupil.updated_at = now
        bulk_update_with_history(
            leavers, Pupil, fields=["leaving_date", "updated_at"], batch_size=500,
            default_user=user, default_change_reason="Not in the MIS import: left",
        )
        left_count = len(leavers)

    counts = plan.counts
    counts["marked_left"] = left_count
    counts["classes_created"] = classes.created
    return counts


def _apply_needs(change: Change, pupil: Pupil, need_types, effective_date, user) -> None:
    if not change.needs_to:
        return
    codes = list(change.needs_to)
    needs_set(
        pupil=pupil,
        primary=need_types[codes[0]],
        secondary=need_types[codes[1]] if len(codes) > 1 else None,
        additional=[need_types[c] for c in codes[2:]],
        effective_date=effective_date,
        reason=IMPORT_REASON,
        decided_by=user,
    )


def _apply_groups(plan: ImportPlan, *, user) -> None:
    """Teaching group membership as the file gives it: create the groups it
    names that are new, add and remove memberships in bulk, and write a row of
    each changed pupil's history saying which groups they joined and left
    (access follows membership: pupils.access.caseload_q)."""
    years: dict[str, set] = {}
    for change in plan.changes:
        for name in change.groups_joined:
            years.setdefault(name, set()).add(change.row.values.get("year_group") or "")
    if plan.new_groups:
        bulk_create_with_history(
            [ClassGroup(name=name, kind=ClassGroup.Kind.TEACHING,
                        year_group=next(iter(years.get(name, {""}))) if len(years.get(name, ())) == 1 else "")
             for name in plan.new_groups],
            ClassGroup, default_user=user, default_change_reason=IMPORT_REASON,
        )
    wanted = {n for c in plan.changes for n in (*c.groups_joined, *c.groups_left)} | {
        n for _, names in plan.group_leavers for n in names
    }
    ids = dict(ClassGroup.objects.filter(name__in=wanted).values_list("name", "pk"))
    through = Pupil.groups.through
    leaving = [(c.pupil_id, c.groups_left) for c in plan.changes if c.groups_left] + list(plan.group_leavers)
    by_group: dict[int, list[int]] = {}
    for pupil_id, names in leaving:
        for name in names:
            by_group.setdefault(ids[name], []).append(pupil_id)
    for group_id, pupil_ids in by_group.items():
        through.objects.filter(classgroup_id=group_id, pupil_id__in=pupil_ids).delete()
    through.objects.bulk_create(
        [through(pupil_id=c.pupil_id, classgroup_id=ids[name]) for c in plan.changes for name in c.groups_joined],
        batch_size=1000, ignore_conflicts=True,
    )
    reasons: dict[int, str] = {}
    for change in plan.changes:
        if change.groups_joined or change.groups_left:
            reasons[change.pupil_id] = _groups_reason(change.groups_joined, change.groups_left)
    for pupil_id, names in plan.group_leavers:
        reasons[pupil_id] = _groups_reason((), names)
    if reasons:
        pupils = list(Pupil.objects.filter(pk__in=reasons))
        for pupil in pupils:
            pupil._change_reason = reasons[pupil.pk]
        Pupil.history.bulk_history_create(pupils, batch_size=500, default_user=user, default_change_reason=IMPORT_REASON)


def _groups_reason(joined, left) -> str:
    parts = []
    if joined:
        parts.append(f"joined {', '.join(joined)}")
    if left:
        parts.append(f"left {', '.join(left)}")
    return f"Teaching groups from the MIS: {'; '.join(parts)}"[:100]


class _ClassMap(dict):
    created = 0


def _ensure_classes(plan: ImportPlan) -> _ClassMap:
    """The classes named in the file, creating those that are new (each with
    the year group of its first pupil)."""
    wanted: dict[str, str] = {}
    for change in plan.changes:
        name = change.row.class_name
        if name and (change.action == "create" or change.class_changed):
            wanted.setdefault(name, change.row.values.get("year_group") or "")
    result = _ClassMap(ClassGroup.objects.filter(name__in=wanted).in_bulk(field_name="name"))
    missing = [ClassGroup(name=name, year_group=year) for name, year in wanted.items() if name not in result]
    if missing:
        ClassGroup.objects.bulk_create(missing)
        result.update(ClassGroup.objects.filter(name__in=[c.name for c in missing]).in_bulk(field_name="name"))
        result.created = len(missing)
    return result


def import_text(text: str, *, user, commit: bool, mark_leavers: bool = False, leaving_date: date | None = None):
    """Parse, plan and (when `commit`) apply: used by the management command.
    Returns (parsed, plan or None, counts or None)."""
    parsed = parse_csv(text, load_need_rules())
    if not parsed.ok:
        return parsed, None, None
    plan = plan_import(parsed, load_existing())
    if not commit:
        return parsed, plan, None
    return parsed, plan, apply_import(plan, user=user, mark_leavers=mark_leavers, leaving_date=leaving_date)


def apply_batch(batch, *, user, mark_leavers: bool = False, leaving_date: date | None = None) -> dict:
    """Apply a previewed ImportBatch exactly once: the batch is claimed with a
    conditional update inside the same transaction, so a double submit (or two
    SENCos at once) cannot import the file twice. The file's text is cleared
    once applied; only the counts stay."""
    from .models import ImportBatch

    if content_hash(batch.content) != batch.sha256:
        raise ImportFailed(None, "The stored file has changed since the preview: upload it again")
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
            status=ImportBatch.Status.APPLIED, applied_at=timezone.now(), mark_leavers=mark_leavers
        )
        if not claimed:
            raise ImportFailed(None, "This file has already been imported or discarded")
        parsed = parse_csv(batch.content, load_need_rules())
        if not parsed.ok:
            raise ImportFailed(None, "The file has problems: fix them and upload it again")
        plan = plan_import(parsed, load_existing())
        counts = apply_import(plan, user=user, mark_leavers=mark_leavers, leaving_date=leaving_date)
        ImportBatch.objects.filter(pk=batch.pk).update(content="", result=counts)
        note_change()  # bulk writes send no signals (send_register.datacache)
    batch.refresh_from_db()
    return counts
