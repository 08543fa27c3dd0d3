"""The SEN part of the school census (DOMAIN.md 1): each pupil's SEN provision
code, need types with ranking, and the SEN unit / resourced provision
indicators, in the census's codes, with the COLLECT validation rules of
DOMAIN.md 1.3 checked before the return is made.

`census_record` builds what would be sent; `validate_record` (a pure
function) says what the census would reject or query. Re-check the rules
against DfE's published validation rules each year (DOMAIN.md 1.3)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError

from pupils.models import NeedType, Pupil, PupilNeed, RegisterEntry, SenStatus, validate_upn
from send_register.calendar import today
from send_register.models import School

VALID_PROVISION = {"E", "K", "N"}
SEN_PROVISION = {"E", "K", "S"}
EXEMPT_PHASES = {School.Phase.SPECIAL, School.Phase.PRU}  # rules 5049/5050


@dataclass
class CensusRecord:
    pupil_id: int
    upn: str
    provision: str
    needs: list[tuple[str, int | None]] = field(default_factory=list)  # (type code, rank)
    sen_unit: bool | None = None  # None: not supplied
    resourced_provision: bool | None = None
    notes: list[str] = field(default_factory=list)  # what the export changed, for the check page


@dataclass(frozen=True)
class Flag:
    rule: str
    message: str
    severity: str = "error"  # "error": the census rejects it; "query": it asks


def indicators_required(provision: str, phase: str) -> bool:
    # Rules 2230 / 2250, with the 5049 / 5050 exemption for special schools and PRUs.
    return provision in SEN_PROVISION and phase not in EXEMPT_PHASES


def validate_record(record: CensusRecord, *, phase: str, valid_types: dict[str, NeedType] | None = None) -> list[Flag]:
    """The census rules of DOMAIN.md 1.3 applied to one record."""
    flags: list[Flag] = []
    try:
        validate_upn(record.upn)
    except ValidationError:
        flags.append(Flag("UPN", "The UPN is not valid (wrong length or check letter)"))
    if record.provision == "S":
        flags.append(Flag("2115", "Provision S (statement) is discontinued: re-code to E and review the pupil"))
    elif record.provision not in VALID_PROVISION:
        flags.append(Flag("2120", "SEN provision must be E, K or N"))
    if record.provision == "N" and record.needs:
        flags.append(Flag("2125", "No SEN type may be recorded when provision is N"))
    for code, rank in record.needs:
        if rank is not None and not code:
            flags.append(Flag("2130", "A rank is given without a SEN type"))
        if rank not in (1, 2):
            flags.append(Flag("2140", "Each SEN type needs a rank of 1 (primary) or 2 (secondary)"))
    ranks = [rank for _, rank in record.needs]
    if len(record.needs) == 1 and ranks[0] != 1:
        flags.append(Flag("2160", "A single SEN type must be ranked 1 (primary)"))
    if len(record.needs) > 2:
        flags.append(Flag("2166", "At most two SEN types (primary and secondary) may be returned"))
    if ranks.count(1) > 1 or ranks.count(2) > 1:
        flags.append(Flag("2140", "Only one SEN type may hold each rank"))
    if record.provision in SEN_PROVISION:
        if not record.needs:
            flags.append(Flag("2170", "A SEN type is required when provision is E or K"))
        elif valid_types is not None:
            for code, _ in record.needs:
                if code and code not in valid_types:
                    flags.append(Flag("2170", f"{code} is not a valid SEN type"))
    for code, _ in record.needs:
        if code == "NSA" and record.provision != "K":
            flags.append(Flag("2175", "NSA (no specialist assessment) is allowed only with provision K"))
    if indicators_required(record.provision, phase):
        if record.sen_unit is None:
            flags.append(Flag("2230", "The SEN unit indicator must be supplied for provision E or K"))
        if record.resourced_provision is None:
            flags.append(Flag("2250", "The resourced provision indicator must be supplied for provision E or K"))
    if phase == School.Phase.SPECIAL and record.provision == "N":
        flags.append(Flag("2180", "A pupil in a special school is recorded with no SEN", severity="query"))
    return flags


def census_pupils(on: date | None = None) -> list[Pupil]:
    """Pupils on the register and on roll on `on` (monitoring included:
    exported as N). Today or later: the register as it stands. An earlier day
    (a census day gone by): the register's history on that day, since the
    census is a snapshot (DOMAIN.md 1.1). Each pupil comes back with
    `census_status` and `census_needs` set. A fixed number of queries."""
    from django.db.models import Q

    from .selectors import on_roll_q

    if on is None or on >= today():
        pupils = list(Pupil.objects.on_roll().on_register().with_summary().order_by("legal_last_name", "legal_first_name", "pk"))
        for pupil in pupils:
            pupil.census_status = pupil.sen_status
            pupil.census_needs = pupil.current_needs
        return pupils
    active = Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gt=on))
    status = dict(RegisterEntry.objects.filter(active).values_list("pupil_id", "status"))
    pupils = list(Pupil.objects.filter(on_roll_q(on), pk__in=list(status)).order_by("legal_last_name", "legal_first_name", "pk"))
    needs: dict[int, list] = {}
    for need in PupilNeed.objects.filter(active, pupil__in=pupils).select_related("need_type"):
        needs.setdefault(need.pupil_id, []).append(need)
    for pupil in pupils:
        pupil.census_status = status[pupil.pk]
        pupil.census_needs = sorted(needs.get(pupil.pk, []), key=lambda n: (n.rank or 9, n.need_type.sort_order))
    return pupils


def census_record(pupil: Pupil, school: School) -> CensusRecord:
    """What the census return holds for `pupil`. Monitoring exports as N
    (DOMAIN.md 1.1) and so carries no need types (rule 2125). Only the
    rank-1 and rank-2 needs go (rule 2166); other recorded needs stay in the
    school's records."""
    provision = SenStatus.census_code(getattr(pupil, "census_status", pupil.sen_status))
    record = CensusRecord(pupil_id=pupil.pk, upn=pupil.upn, provision=provision)
    needs = pupil.census_needs if hasattr(pupil, "census_needs") else pupil.current_needs
    if provision == SenStatus.NONE:
        if needs:
            record.notes.append("Needs are recorded but the census provision is N (monitoring): they are not sent (rule 2125)")
    else:
        primary = [n for n in needs if n.rank == PupilNeed.Rank.PRIMARY]
        secondary = [n for n in needs if n.rank == PupilNeed.Rank.SECONDARY]
        for n in primary[:1] + secondary[:1]:
            record.needs.append((n.need_type_id, n.rank))
        unranked = [n for n in needs if n.rank is None]
        if unranked:
            record.notes.append(f"{len(unranked)} further need(s) recorded without a rank are not sent (rule 2166)")
        if indicators_required(provision, school.phase):
            record.sen_unit = bool(school.has_sen_unit and pupil.sen_unit)
            record.resourced_provision = bool(school.has_resourced_provision and pupil.resourced_provision)
            if pupil.sen_unit and not school.has_sen_unit:
                record.notes.append("Marked as in a SEN unit, but the school has no LA-recognised unit: sent as false (DOMAIN.md 1.4)")
            if pupil.resourced_provision and not school.has_resourced_provision:
                record.notes.append("Marked as in resourced provision, but the school has none recognised: sent as false (DOMAIN.md 1.4)")
    return record


def valid_need_types(on: date) -> dict[str, NeedType]:
    return {n.code: n for n in NeedType.objects.all() if n.is_current(on)}


def census_rows(school: School, on: date) -> list[tuple[Pupil, CensusRecord, list[Flag]]]:
    valid = valid_need_types(on)
    rows = []
    for pupil in census_pupils(on):
        record = census_record(pupil, school)
        rows.append((pupil, record, validate_record(record, phase=school.phase, valid_types=valid)))
    return rows


CSV_HEADER = ["UPN", "SENprovision", "SENtype1", "SENtypeRank1", "SENtype2", "SENtypeRank2", "SENunitIndicator", "ResourcedProvisionIndicator"]


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def census_csv(records: list[CensusRecord]) -> str:
    """The CSV: the census's codes, UPN only (no names: the MIS matches on UPN)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in records:
        needs = sorted(r.needs, key=lambda n: (n[1] or 9))
        first = needs[0] if needs else ("", None)
        second = needs[1] if len(needs) > 1 else ("", None)
        writer.writerow([
            r.upn, r.provision,
            first[0], "" if first[1] is None else first[1],
            second[0], "" if second[1] is None else second[1],
            _flag(r.sen_unit), _flag(r.resourced_provision),
        ])
    return out.getvalue()
