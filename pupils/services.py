"""Writes to the register. Each service runs in one transaction, writes the
history, and queues what it must tell parents (sent after the commit)."""

import os
import unicodedata
import zipfile
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from send_register import scanning
from send_register.datacache import note_change
from send_register.locking import UNCHECKED, check_and_bump, check_version

from . import notices
from .models import (
    ON_REGISTER,
    AgencyInvolvement,
    NeedType,
    OnePageProfile,
    Pupil,
    PupilContact,
    PupilDocument,
    PupilNeed,
    RegisterEntry,
    RegisterEvent,
    SenStatus,
    Tier,
)

# Allowed moves between register statuses. Moving to the same status is not a move.
ALLOWED_MOVES = {
    SenStatus.NONE: {SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN},
    SenStatus.MONITORING: {SenStatus.NONE, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN},
    SenStatus.SEN_SUPPORT: {SenStatus.NONE, SenStatus.MONITORING, SenStatus.EHC_PLAN},
    SenStatus.EHC_PLAN: {SenStatus.NONE, SenStatus.MONITORING, SenStatus.SEN_SUPPORT},
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_MOVES.get(from_status, set())


def _event_kind(from_status: str, to_status: str) -> str:
    if from_status == SenStatus.NONE:
        return RegisterEvent.Kind.PLACED
    if to_status == SenStatus.NONE:
        return RegisterEvent.Kind.REMOVED
    return RegisterEvent.Kind.STATUS_CHANGED


@transaction.atomic
def register_set_status(*, pupil: Pupil, status: str, effective_date: date, reason: str, decided_by, lock_version=UNCHECKED) -> RegisterEvent:
    """Place a pupil on the register, change their status, or remove them.

    - keeps one open RegisterEntry per pupil (closing the old one);
    - writes a RegisterEvent with who decided and why;
    - removing a pupil ends their recorded needs (census rule 2125: no SEN
      type with provision N);
    - when SEN provision starts or ends (the census code moves between N, K
      and E), queues a plain-English email to each parent with parental
      responsibility, as s.68 Children and Families Act 2014 requires when
      provision is made without an EHC plan (DOMAIN.md section 2).
    """
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    # A decision taken from a form opened before another was recorded is refused.
    check_and_bump(pupil, lock_version, "pupil's register record")
    from_status = pupil.sen_status
    if status not in SenStatus.values:
        raise ValidationError({"status": "Choose a register status"})
    if status == from_status:
        raise ValidationError({"status": f"This pupil is already recorded as {SenStatus(status).label}"})
    if not can_move(from_status, status):
        raise ValidationError({"status": "That change of status is not allowed"})
    if pupil.leaving_date and pupil.leaving_date <= effective_date and status != SenStatus.NONE:
        raise ValidationError({"effective_date": "This pupil has left the school by that date"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for the decision"})
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": "The date cannot be in the future"})

    open_entry = RegisterEntry.objects.filter(pupil=pupil, end_date__isnull=True).first()
    if open_entry and effective_date < open_entry.start_date:
        raise ValidationError(
            {"effective_date": f"The date must be on or after the current status began ({open_entry.start_date:%d/%m/%Y})"}
        )
    if status == SenStatus.EHC_PLAN and pupil.needs.filter(
        end_date__isnull=True, need_type__only_with_sen_support=True
    ).exists():
        raise ValidationError(
            {"status": "Record the assessed need first: 'no specialist assessment' (NSA) is only valid with SEN support (census rule 2175)"}
        )

    if open_entry:
        open_entry.end_date = effective_date
        open_entry.save(update_fields=["end_date", "updated_at"])
    if status != SenStatus.NONE:
        RegisterEntry.objects.create(
            pupil=pupil, status=status, start_date=effective_date, reason=reason, decided_by=decided_by
        )
    else:
        for need in pupil.needs.filter(end_date__isnull=True):
            need.end_date = effective_date
            need.save(update_fields=["end_date", "updated_at"])

    pupil.sen_status = status
    pupil._change_reason = reason[:100]
    pupil.save(update_fields=["sen_status", "lock_version", "updated_at"])

    event = RegisterEvent.objects.create(
        pupil=pupil,
        kind=_event_kind(from_status, status),
        from_status=from_status,
        to_status=status,
        effective_date=effective_date,
        reason=reason,
        decided_by=decided_by,
    )
    if SenStatus.census_code(from_status) != SenStatus.census_code(status):
        notices.notices_queue(event=event)
    return event


def register_place(*, pupil: Pupil, status: str = SenStatus.SEN_SUPPORT, effective_date: date, reason: str, decided_by) -> RegisterEvent:
    """Place a pupil on the register (SEN support by default)."""
    if pupil.sen_status in ON_REGISTER:
        raise ValidationError({"status": f"This pupil is already on the register ({pupil.get_sen_status_display()})"})
    return register_set_status(pupil=pupil, status=status, effective_date=effective_date, reason=reason, decided_by=decided_by)


def register_remove(*, pupil: Pupil, effective_date: date, reason: str, decided_by) -> RegisterEvent:
    """Take a pupil off the register (status N)."""
    if pupil.sen_status not in ON_REGISTER:
        raise ValidationError({"status": "This pupil is not on the register"})
    return register_set_status(pupil=pupil, status=SenStatus.NONE, effective_date=effective_date, reason=reason, decided_by=decided_by)


@transaction.atomic
def needs_set(
    *,
    pupil: Pupil,
    primary: NeedType | None,
    secondary: NeedType | None = None,
    additional: list[NeedType] | tuple = (),
    effective_date: date,
    reason: str,
    decided_by,
    lock_version=UNCHECKED,
) -> RegisterEvent | None:
    """Record the pupil's needs from `effective_date`: a primary (rank 1), an
    optional secondary (rank 2) and any others (unranked). Census rules
    (DOMAIN.md 1.3): a need needs a status of M, K or E (2125); a secondary
    needs a primary (2160); NSA only with SEN support (2175); the same type
    once. Returns the history event, or None when nothing changed."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    check_and_bump(pupil, lock_version, "pupil's register record")
    errors = {}
    if pupil.sen_status == SenStatus.NONE:
        errors["primary"] = "Place the pupil on the register before recording needs"
    if secondary and not primary:
        errors["secondary"] = "Record a primary need before a secondary need"
    chosen = [n for n in (primary, secondary, *additional) if n]
    if len({n.code for n in chosen}) != len(chosen):
        errors["secondary"] = "Each need can be recorded only once"
    for need in chosen:
        if need.only_with_sen_support and pupil.sen_status != SenStatus.SEN_SUPPORT:
            errors["primary"] = f"{need.label} (NSA) is only valid for pupils on SEN support"
        if not need.is_current(effective_date):
            errors["primary"] = f"{need.label} is not a current DfE need type"
    if effective_date > timezone.localdate():
        errors["effective_date"] = "The date cannot be in the future"
    if not (reason or "").strip():
        errors["reason"] = "Give the reason for the change"
    if errors:
        raise ValidationError(errors)

    wanted = {}
    if primary:
        wanted[primary.code] = PupilNeed.Rank.PRIMARY
    if secondary:
        wanted[secondary.code] = PupilNeed.Rank.SECONDARY
    for need in additional:
        wanted.setdefault(need.code, None)

    open_needs = {n.need_type_id: n for n in pupil.needs.filter(end_date__isnull=True)}
    before = _needs_summary({code: n.rank for code, n in open_needs.items()})
    after = _needs_summary(wanted)
    if before == after:
        return None
    pupil.save(update_fields=["lock_version", "updated_at"])
    for code, need in open_needs.items():
        if code not in wanted or wanted[code] != need.rank:
            need.end_date = effective_date
            need._change_reason = reason[:100]
            need.save(update_fields=["end_date", "updated_at"])
    still_open = {code for code, n in open_needs.items() if code in wanted and wanted[code] == n.rank}
    for code, rank in wanted.items():
        if code not in still_open:
            PupilNeed.objects.create(pupil=pupil, need_type_id=code, rank=rank, start_date=effective_date)
    return RegisterEvent.objects.create(
        pupil=pupil,
        kind=RegisterEvent.Kind.NEEDS_CHANGED,
        from_status=pupil.sen_status,
        to_status=pupil.sen_status,
        detail=f"{before or 'none'} → {after or 'none'}"[:250],
        effective_date=effective_date,
        reason=reason,
        decided_by=decided_by,
    )


def _needs_summary(ranked: dict) -> str:
    order = sorted(ranked.items(), key=lambda item: (item[1] or 9, item[0]))
    return ", ".join(f"{code}{'' if rank is None else f' ({rank})'}" for code, rank in order)


# --- One-page profile --------------------------------------------------------

PROFILE_FIELDS = ("like_and_admire", "important_to_me", "how_to_support", "find_hard", "pupil_words")


@transaction.atomic
@transaction.atomic
def profile_save(*, pupil: Pupil, gathered_on: date, written_by, lock_version=UNCHECKED, **answers: str) -> OnePageProfile:
    """Save a new version of the pupil's one-page profile. Versions are never
    changed: each save is a new row, and the newest is the current one.
    `lock_version` is the newest version's when the editor opened the form
    (0: there was none): a new version written from an older one is refused,
    so that nobody's version silently replaces one they never saw."""
    unknown = set(answers) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    answers = {name: (answers.get(name) or "").strip() for name in PROFILE_FIELDS}
    errors = {}
    if not any(answers.values()):
        errors["how_to_support"] = "Write at least one part of the profile"
    if gathered_on and gathered_on > timezone.localdate():
        errors["gathered_on"] = "The date cannot be in the future"
    if errors:
        raise ValidationError(errors)
    # The pupil's row serialises two saves of a profile at once.
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
    latest = OnePageProfile.objects.filter(pupil=pupil).order_by("-lock_version", "-pk").first()
    current = latest.lock_version if latest else 0
    check_version(current, lock_version, "profile")
    profile = OnePageProfile(pupil=pupil, gathered_on=gathered_on, written_by=written_by, lock_version=current + 1, **answers)
    profile.full_clean()
    profile.save()
    return profile


# --- Agencies ----------------------------------------------------------------

AGENCY_FIELDS = (
    "agency", "professional", "contact", "start_date", "end_date", "reason", "consent_given_on", "consent_given_by",
)


def _check_agency(involvement: AgencyInvolvement) -> None:
    errors = {}
    today = timezone.localdate()
    if involvement.start_date and involvement.start_date > today + timedelta(days=366):
        errors["start_date"] = "The start date is more than a year away"
    if involvement.consent_given_on and not (involvement.consent_given_by or "").strip():
        errors["consent_given_by"] = "Say who gave consent"
    if (involvement.consent_given_by or "").strip() and not involvement.consent_given_on:
        errors["consent_given_on"] = "Give the date consent was given"
    if involvement.consent_given_on and involvement.consent_given_on > today:
        errors["consent_given_on"] = "The date cannot be in the future"
    if errors:
        raise ValidationError(errors)
    involvement.full_clean()



@transaction.atomic
def agency_add(*, pupil: Pupil, added_by, **fields) -> AgencyInvolvement:
    """Record an outside agency's involvement with the pupil (with the
    parent's consent where it was needed). History by django-simple-history."""
    involvement = AgencyInvolvement(pupil=pupil, **{k: v for k, v in fields.items() if k in AGENCY_FIELDS})
    _check_agency(involvement)
    involvement._history_user = added_by
    involvement.save()
    return involvement


@transaction.atomic
def agency_update(*, involvement: AgencyInvolvement, changed_by, lock_version=UNCHECKED, **fields) -> AgencyInvolvement:
    """Change an agency's involvement; a change from a version someone else
    has changed since is refused (send_register.locking)."""
    involvement = AgencyInvolvement.objects.select_for_update().get(pk=involvement.pk)
    check_and_bump(involvement, lock_version, "agency involvement")
    for name, value in fields.items():
        if name in AGENCY_FIELDS:
            setattr(involvement, name, value)
    _check_agency(involvement)
    involvement._history_user = changed_by
    involvement.save()
    return involvement


@transaction.atomic
def agency_end(*, involvement: AgencyInvolvement, end_date: date, ended_by, reason: str = "") -> AgencyInvolvement:
    """The agency has finished its work with the pupil."""
    involvement = AgencyInvolvement.objects.select_for_update().get(pk=involvement.pk)
    if involvement.end_date:
        raise ValidationError({"end_date": "This involvement has already ended"})
    if end_date is None:
        raise ValidationError({"end_date": "Give the date the involvement ended"})
    if end_date < involvement.start_date:
        raise ValidationError({"end_date": "The end date must be on or after the start date"})
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": "The date cannot be in the future"})
    involvement.end_date = end_date
    involvement.lock_version += 1
    involvement._history_user = ended_by
    involvement._change_reason = (reason or "Ended")[:100]
    involvement.save()
    return involvement


# --- Documents -------------------------------------------------------------

# The only files a pupil's record accepts: extension -> content type. The type
# stored (and served) is the one we detect from the bytes, never the browser's.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def sniff_document_type(head: bytes, fileobj=None) -> str | None:
    """The content type from the first bytes of a file (and, for a .docx, a
    look inside the ZIP for the Word document part); None when it is none of
    the types we accept."""
    if head.startswith(b"%PDF-"):
        return DOCUMENT_TYPES["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return DOCUMENT_TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return DOCUMENT_TYPES["jpg"]
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCUMENT_TYPES["docx"]
    return None


def clean_filename(name: str) -> str:
    """The file's own name without any path, control characters or quotes
    (it goes back out in a Content-Disposition header)."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable() and ch not in '"\\;')
    return name.strip()[-150:] or "document"


def check_document_file(uploaded_file) -> str:
    """Refuse anything but PDF, PNG, JPEG and Word (.docx) files within the
    size limit; return the detected content type."""
    limit = settings.SEND_MAX_UPLOAD_BYTES
    name = clean_filename(getattr(uploaded_file, "name", ""))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        raise ValidationError({"file": "The file must be a PDF, PNG, JPEG or Word (.docx) file"})
    size = uploaded_file.size
    if not size:
        raise ValidationError({"file": "The file is empty"})
    if size > limit:
        raise ValidationError({"file": f"The file must be smaller than {limit // (1024 * 1024) or 1} MB"})
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    detected = sniff_document_type(head, uploaded_file if ext == "docx" else None)
    if detected != DOCUMENT_TYPES[ext]:
        raise ValidationError({"file": f"The file's contents are not a .{ext} file: upload a real PDF, PNG, JPEG or Word file"})
    return detected


@transaction.atomic
def document_add(
    *,
    pupil: Pupil,
    uploaded_file,
    title: str,
    kind: str = PupilDocument.Kind.REPORT,
    tier: int = Tier.PLAN,
    document_date: date | None = None,
    uploaded_by,
    allowed_tiers=(Tier.SUMMARY, Tier.PLAN, Tier.CONFIDENTIAL),
) -> PupilDocument:
    """Attach a document to the pupil's record at a tier the uploader may
    give (pupils.access.document_tiers_for). The file is stored under
    MEDIA_ROOT with a random name, served only by the access-checked view.
    It is scanned for malware first (send_register.scanning): an infected file
    is refused; one the scanner could not check yet is kept in quarantine."""
    errors = {}
    if tier not in allowed_tiers:
        errors["tier"] = "You cannot add a document at that level"
    if not (title or "").strip():
        errors["title"] = "Give the document a title"
    if document_date and document_date > timezone.localdate():
        errors["document_date"] = "The date cannot be in the future"
    content_type = scan_status = ""
    try:
        # Scanned first (within the size limit): malware is refused as malware
        # whatever its name or type.
        if 0 < (uploaded_file.size or 0) <= settings.SEND_MAX_UPLOAD_BYTES:
            scan_status = scanning.scan_upload(uploaded_file, name="")
        content_type = check_document_file(uploaded_file)
    except ValidationError as exc:
        errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"file": exc.messages})
    if errors:
        raise ValidationError(errors)
    document = PupilDocument(
        pupil=pupil,
        scan_status=scan_status,
        scanned_at=timezone.now() if scan_status == scanning.ScanStatus.CLEAN else None,
        title=title.strip(),
        kind=kind,
        tier=tier,
        original_name=clean_filename(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=uploaded_by,
        document_date=document_date,
    )
    document.file.save(document.original_name, uploaded_file, save=False)
    try:
        document.full_clean()
        document._history_user = uploaded_by
        document.save()
    except Exception:
        document.file.delete(save=False)  # no orphan file for a row that was never saved
        raise
    return document


@transaction.atomic
def register_place_new_pupils(
    *, placements: list[tuple[int, str, tuple]], effective_date: date, reason: str, decided_by
) -> int:
    """The bulk counterpart of register_set_status + needs_set, for pupils the
    MIS import has just created: [(pupil_id, status, need codes in rank
    order)]. Such a pupil has no register entry, no needs and no parent linked
    yet, so no parent is due a notice; this writes the same rows as the single
    services (RegisterEntry, a 'placed' RegisterEvent, PupilNeed rows and a
    'needs' event, the pupil's status with history) in a few bulk queries.
    A pupil that does not fit (already on the register, with a parent to tell) goes
    through the single services instead."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for the decision"})
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": "The date cannot be in the future"})
    wanted = {pk: (status, tuple(codes or ())) for pk, status, codes in placements}
    pupils = Pupil.objects.select_for_update().in_bulk(list(wanted))
    busy = set(RegisterEntry.objects.filter(pupil_id__in=wanted).values_list("pupil_id", flat=True))
    busy |= set(PupilContact.objects.filter(pupil_id__in=wanted, parental_responsibility=True).values_list("pupil_id", flat=True))
    busy |= {pk for pk, p in pupils.items() if p.sen_status != SenStatus.NONE}
    need_types = {n.code: n for n in NeedType.objects.all()}
    entries, events, needs = [], [], []
    for pk, pupil in pupils.items():
        status, codes = wanted[pk]
        if pk in busy:
            register_set_status(pupil=pupil, status=status, effective_date=effective_date, reason=reason, decided_by=decided_by)
            if codes:
                needs_set(pupil=pupil, primary=need_types[codes[0]], secondary=need_types[codes[1]] if len(codes) > 1 else None,
                          additional=[need_types[c] for c in codes[2:]], effective_date=effective_date, reason=reason,
                          decided_by=decided_by)
            continue
        if status not in (SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN):
            raise ValidationError({"status": "Choose a register status"})
        for code in codes:
            need = need_types.get(code)
            if need is None or not need.is_current(effective_date):
                raise ValidationError({"primary": f"{code} is not a current DfE need type"})
            if need.only_with_sen_support and status != SenStatus.SEN_SUPPORT:
                raise ValidationError({"primary": f"{need.label} (NSA) is only valid for pupils on SEN support"})
        entries.append(RegisterEntry(pupil=pupil, status=status, start_date=effective_date, reason=reason, decided_by=decided_by))
        events.append(RegisterEvent(pupil=pupil, kind=RegisterEvent.Kind.PLACED, from_status=SenStatus.NONE, to_status=status,
                                    effective_date=effective_date, reason=reason, decided_by=decided_by))
        ranked = {}
        for rank, code in enumerate(codes, start=1):
            needs.append(PupilNeed(pupil=pupil, need_type_id=code, rank=rank if rank <= 2 else None, start_date=effective_date))
            ranked[code] = rank if rank <= 2 else None
        if codes:
            events.append(RegisterEvent(pupil=pupil, kind=RegisterEvent.Kind.NEEDS_CHANGED, from_status=status, to_status=status,
                                        detail=f"none → {_needs_summary(ranked)}"[:250], effective_date=effective_date,
                                        reason=reason, decided_by=decided_by))
        pupil.sen_status = status
        pupil.updated_at = timezone.now()
    placed = [p for pk, p in pupils.items() if pk not in busy]
    bulk_update_with_history(placed, Pupil, fields=["sen_status", "updated_at"], batch_size=500,
                             default_user=decided_by, default_change_reason=reason[:100])
    bulk_create_with_history(entries, RegisterEntry, batch_size=500, default_user=decided_by)
    bulk_create_with_history(needs, PupilNeed, batch_size=500, default_user=decided_by, default_change_reason=reason[:100])
    RegisterEvent.objects.bulk_create(events, batch_size=500)
    note_change()  # bulk writes send no signals (send_register.datacache)
    return len(pupils)
