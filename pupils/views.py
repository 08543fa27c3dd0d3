"""Pupils and the register. Thin views: which user, which pupil (through
pupils.access: not visible is 404, visible but not allowed to change is 403),
which form, which service, where next."""

import csv
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.stepup import require_recent_mfa
from send_register.datacache import cached

from . import access, importer, selectors, services
from .forms import (
    AgencyEndForm,
    AgencyForm,
    DocumentForm,
    ImportConfirmForm,
    ImportUploadForm,
    NeedsForm,
    ProfileForm,
    StatusForm,
)
from .models import AccessLog, ImportBatch, NeedType, OnePageProfile, ParentNotice, Pupil, RegisterEvent, SenStatus, Tier
from .plain import AREA_WORDS, need_in_words, status_in_words
from .sections import parent_sections, pupil_section_data, pupil_sections

log = logging.getLogger(__name__)

REGISTER_PAGE_SIZE = 50
PRINT_LIMIT = 2000  # rows on one page for printing (docs/performance.md)


def _add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError back onto the form, next to its field."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _post(request):
    """The POST data to bind a form to (an empty POST still binds, so that
    a form sent with every field blank shows its errors)."""
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _staff_pupil(request, pk, tier=Tier.SUMMARY) -> Pupil:
    return access.get_pupil_for_user(request.user, pk, tier)


# --- The register -------------------------------------------------------------


@login_required
def register(request):
    return _pupil_list(request, everyone=False)


@login_required
def pupil_list(request):
    """Every pupil on roll the user may see (the SENCo: the whole school), to
    find a pupil who is not on the register yet."""
    return _pupil_list(request, everyone=True)


def _pupil_list(request, *, everyone: bool):
    if not access.can_see_register(request.user):
        raise PermissionDenied
    page_data = selectors.register_page(request.user, request.GET, everyone=everyone)
    # ?per_page=all: every row on one page, for printing (same queries), up to
    # PRINT_LIMIT rows; a trust's whole register is the CSV's job.
    total = page_data.pupils.count()
    wants_all = request.GET.get("per_page") == "all"
    show_all = wants_all and total <= PRINT_LIMIT
    paginator = Paginator(page_data.pupils, max(total, 1) if show_all else REGISTER_PAGE_SIZE)
    page = paginator.get_page(1 if show_all else request.GET.get("page"))
    filtered = any(v for k, v in request.GET.items() if k not in ("page", "sort", "per_page"))
    access.log_list_view(request.user, "{}{}, {}".format(
        "All pupils" if everyone else "SEN register", " (filtered)" if filtered else "",
        "all on one page" if show_all else f"page {page.number}",
    ))
    params = request.GET.copy()
    params.pop("page", None)
    if not show_all:
        params.pop("per_page", None)
    return render(
        request,
        "pupils/register_list.html",
        {
            "filter": page_data.filterset,
            "page_obj": page,
            "pupils": page.object_list,
            "counts": page_data.counts,
            "querystring": params.urlencode(),
            "filtered": filtered,
            "show_all": show_all,
            "printable": total <= PRINT_LIMIT,
            "too_many_to_print": wants_all and not show_all,
            "print_limit": PRINT_LIMIT,
            "everyone": everyone,
            "can_manage": access.can_manage_register(request.user),
        },
    )


def _csv_cell(value) -> str:
    """Cells that a spreadsheet would run as a formula are quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def register_export(request):
    """The register as CSV for the SENCo and the head. The log line names the
    user's id and the number of rows only (no pupil data in logs)."""
    if not access.can_manage_register(request.user):
        raise PermissionDenied
    if (ask := require_recent_mfa(request)) is not None:  # a fresh code first (accounts.stepup)
        return ask
    rows = selectors.register_export_rows(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="send-register-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([
        "UPN", "Legal first name", "Legal last name", "Date of birth", "Year group", "Class", "Status",
        "Primary need", "Secondary need", "Date entered", "Reason",
    ])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in (
            row.upn, row.legal_first_name, row.legal_last_name, row.date_of_birth.strftime("%d/%m/%Y"),
            row.year_group, row.class_name, row.status, row.primary_need, row.secondary_need,
            row.date_entered.strftime("%d/%m/%Y") if row.date_entered else "", row.reason,
        )])
    log.info("register exported by user %s (%s rows)", request.user.pk, len(rows))
    return response


# --- A pupil's page -----------------------------------------------------------


@login_required
def detail(request, pk):
    user = request.user
    pupil = access.get_pupil_for_user(user, pk, Tier.SUMMARY)
    tier = pupil.access_tier
    access.log_access(user, pupil, "Pupil page")
    # What the page shows of the record is the same for everyone at a tier:
    # read and written out once, then kept until the SEND data changes
    # (docs/performance.md), so a view costs the access check, the log row,
    # the data's version and what depends on the user (buttons, links, the
    # sections' user parts).
    page = cached(f"pupil-page:{pupil.pk}:{tier}", lambda: {
        "record": _record(user, pupil, tier),
        "sections": pupil_section_data(pupil, tier),
    })
    record = page["record"]
    context = {
        "pupil": pupil,
        "tier": tier,
        "Tier": Tier,
        "record_html": mark_safe(record["record_html"]),
        "documents_html": mark_safe(record["documents_html"]),
        "changes_html": mark_safe(record["changes_html"]),
        "agencies": record["agencies"],
        "form_name": record["form_name"],
        "sections": pupil_sections(user, pupil, tier, data=page["sections"]),
        "can_manage": access.can_manage_register(user),
        "can_edit_profile": tier >= Tier.PLAN,
        "can_add_documents": bool(access.document_tiers_for(user, pupil)),
        "can_manage_agencies": access.can_manage_agencies(user),
        "can_read_log": access.can_read_access_log(user),
    }
    return render(request, "pupils/pupil_detail.html", context)


def _record(user, pupil: Pupil, tier: int) -> dict:
    """The pupil page's view of `pupil`'s own record at `tier`, for the data
    cache: the parts that are the same for everyone at the tier written out
    as HTML (templates/pupils/pupil_detail_*.html), and the agencies as plain
    data (their links depend on the user). `pupil.access_tier` is set, so the
    access helpers answer for the tier, not for whoever reads it first."""
    context = {
        "pupil": pupil,
        "tier": tier,
        "Tier": Tier,
        "needs": pupil.current_needs,
        "profile": OnePageProfile.objects.filter(pupil=pupil).first(),
        "documents": access.documents_visible_to(user, pupil),
    }
    agencies = []
    if tier >= Tier.PLAN:
        context.update(
            events=pupil.register_events.select_related("decided_by").prefetch_related("notices")[:50],
            parents=pupil.parent_links.select_related("parent"),
            history=selectors.change_history(pupil, tier),
            key_staff=pupil.key_staff.all(),
        )
        agencies = [
            {"name": a.get_agency_display(), "professional": a.professional, "contact": a.contact,
             "start_date": a.start_date, "end_date": a.end_date, "reason": a.reason,
             "consent_given_on": a.consent_given_on, "consent_given_by": a.consent_given_by,
             "edit_url": reverse("pupils:agency_edit", args=[pupil.pk, a.pk]),
             "end_url": reverse("pupils:agency_end", args=[pupil.pk, a.pk])}
            for a in access.agencies_visible_to(user, pupil)
        ]
    return {
        "record_html": render_to_string("pupils/pupil_detail_record.html", context),
        "documents_html": render_to_string("pupils/pupil_detail_documents.html", context),
        "changes_html": render_to_string("pupils/pupil_detail_changes.html", context) if tier >= Tier.PLAN else "",
        "agencies": agencies,
        "form_name": pupil.form.name if pupil.form_id else "",
    }


@login_required
def status_change(request, pk):
    pupil = _staff_pupil(request, pk)
    if not access.can_manage_register(request.user):
        raise PermissionDenied
    access.log_access(request.user, pupil, "Register status form")
    form = StatusForm(_post(request), current=pupil.sen_status, lock_from=pupil)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.register_set_status(
                pupil=pupil,
                status=form.cleaned_data["status"],
                effective_date=form.cleaned_data["effective_date"],
                reason=form.cleaned_data["reason"],
                decided_by=request.user,
                lock_version=form.submitted_version(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Register status is now {SenStatus(form.cleaned_data['status']).label}")
            return redirect(_status_change_next(request, pupil, event))
    return render(request, "pupils/status_form.html", {"pupil": pupil, "form": form})


def _status_change_next(request, pupil, event: RegisterEvent) -> str:
    """Where the status form goes after saving: the pupil page, or the
    parents-told page with a warning when some parents cannot be emailed."""
    if event is None or not event.tells_parents:
        return pupil.get_absolute_url()
    made = list(event.notices.all())
    letters = [n for n in made if n.method != ParentNotice.Method.EMAIL]
    if not made:
        messages.warning(request, "No parent with parental responsibility is recorded for this pupil, so nobody has been told. Add the pupil's parents or carers, then tell them.")
    elif letters:
        count = len(letters)
        messages.warning(request, f"{count} parent{'s have' if count != 1 else ' has'} no email address: print the letter or tell them another way, then record it here.")
    else:
        return pupil.get_absolute_url()
    return reverse("pupils:event_notices", args=[pupil.pk, event.pk])



@login_required
def needs_edit(request, pk):
    pupil = _staff_pupil(request, pk)
    if not access.can_manage_register(request.user):
        raise PermissionDenied
    access.log_access(request.user, pupil, "Needs form")
    current = pupil.current_needs
    initial = {
        "primary": next((n.need_type_id for n in current if n.rank == 1), None),
        "secondary": next((n.need_type_id for n in current if n.rank == 2), None),
        "additional": [n.need_type_id for n in current if n.rank is None],
    }
    form = NeedsForm(_post(request), initial=initial, lock_from=pupil)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.needs_set(
                pupil=pupil,
                primary=data["primary"],
                secondary=data["secondary"],
                additional=list(data["additional"]),
                effective_date=data["effective_date"],
                reason=data["reason"],
                decided_by=request.user,
                lock_version=form.submitted_version(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Needs saved" if event else "The needs were already recorded like that: nothing changed")
            return redirect(pupil)
    return render(request, "pupils/needs_form.html", {"pupil": pupil, "form": form, "need_types": NeedType.objects.all()})


@login_required
def profile(request, pk):
    """Every version of the one-page profile (plan tier)."""
    pupil = _staff_pupil(request, pk, Tier.PLAN)
    access.log_access(request.user, pupil, "One-page profile")
    versions = OnePageProfile.objects.filter(pupil=pupil).select_related("written_by")
    return render(
        request, "pupils/profile_list.html",
        {"pupil": pupil, "versions": versions, "can_edit": access.can_edit_profile(request.user, pupil)},
    )


@login_required
def profile_edit(request, pk):
    pupil = _staff_pupil(request, pk)
    if not access.can_edit_profile(request.user, pupil):
        raise PermissionDenied
    access.log_access(request.user, pupil, "One-page profile form")
    latest = OnePageProfile.objects.filter(pupil=pupil).first()
    # The new version starts as a copy of the current one, its date too:
    # saving it unchanged must not move the date the views were gathered.
    initial = {name: getattr(latest, name) for name in (*services.PROFILE_FIELDS, "gathered_on")} if latest else {}
    form = ProfileForm(_post(request), initial=initial, lock_from=latest)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_save(
                pupil=pupil, gathered_on=data["gathered_on"], written_by=request.user, lock_version=form.submitted_version(),
                **{name: data[name] for name in services.PROFILE_FIELDS},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "One-page profile saved as a new version")
            return redirect("pupils:profile", pk=pupil.pk)
    return render(request, "pupils/profile_form.html", {"pupil": pupil, "form": form, "latest": latest})


def _agency_pupil(request, pk) -> Pupil:
    pupil = _staff_pupil(request, pk)
    if not access.can_manage_agencies(request.user):
        raise PermissionDenied
    access.log_access(request.user, pupil, "Agency form")
    return pupil


def _agency_fields(data) -> dict:
    return {name: data.get(name) for name in services.AGENCY_FIELDS if name in data}


@login_required
def agency_add(request, pk):
    pupil = _agency_pupil(request, pk)
    form = AgencyForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_add(pupil=pupil, added_by=request.user, **_agency_fields(form.cleaned_data))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Agency added")
            return redirect(pupil)
    return render(request, "pupils/agency_form.html", {"pupil": pupil, "form": form, "adding": True})


@login_required
def agency_edit(request, pk, agency_pk):
    pupil = _agency_pupil(request, pk)
    involvement = get_object_or_404(access.agencies_visible_to(request.user, pupil), pk=agency_pk)
    # The form edits a copy: the service re-reads the row and saves the history.
    form = AgencyForm(_post(request), instance=type(involvement).objects.get(pk=involvement.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(involvement=involvement, changed_by=request.user, lock_version=form.submitted_version(),
                                   **_agency_fields(form.cleaned_data))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Agency involvement updated")
            return redirect(pupil)
    return render(request, "pupils/agency_form.html", {"pupil": pupil, "form": form, "involvement": involvement})


@login_required
def agency_end(request, pk, agency_pk):
    pupil = _agency_pupil(request, pk)
    involvement = get_object_or_404(access.agencies_visible_to(request.user, pupil), pk=agency_pk)
    form = AgencyEndForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_end(
                involvement=involvement, end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"], ended_by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Agency involvement ended")
            return redirect(pupil)
    return render(request, "pupils/agency_end_form.html", {"pupil": pupil, "form": form, "involvement": involvement})


@login_required
def document_add(request, pk):
    pupil = _staff_pupil(request, pk)
    tiers = access.document_tiers_for(request.user, pupil)
    if not tiers:
        raise PermissionDenied
    access.log_access(request.user, pupil, "Document upload form")
    form = DocumentForm(_post(request), _files(request), tiers=tiers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_add(
                pupil=pupil, uploaded_file=data["file"], title=data["title"], kind=data["kind"], tier=data["tier"],
                document_date=data["document_date"], uploaded_by=request.user, allowed_tiers=tiers,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Document added" if document.is_released else
                             "Document added. It is being checked for viruses and can be opened once the check is done")
            return redirect(pupil)
    return render(request, "pupils/document_form.html", {"pupil": pupil, "form": form})


@login_required
def document_download(request, pk):
    """The only way out for a document: access-checked (a document above the
    user's tier is a 404), as an attachment, with the content type found when
    it was uploaded; never while it waits for the virus scan."""
    document = access.get_document_for_user(request.user, pk)
    if document.tier >= Tier.CONFIDENTIAL and (ask := require_recent_mfa(request)) is not None:
        return ask  # health and social care reports: a fresh code first (accounts.stepup)
    access.log_access(request.user, document.pupil, "Document download")
    if not document.is_released:  # in quarantine until the virus scan passes it (send_register.scanning)
        return render(request, "partials/file_being_checked.html", {"back_url": document.pupil.get_absolute_url()}, status=202)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True, filename=document.original_name, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The access log -------------------------------------------------------------


@login_required
def access_log(request, pk):
    pupil = _staff_pupil(request, pk)
    if not access.can_read_access_log(request.user):
        raise PermissionDenied
    access.log_access(request.user, pupil, "Access log")
    rows = AccessLog.objects.filter(pupil=pupil).select_related("user")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "pupils/accesslog_list.html", {"pupil": pupil, "page_obj": page, "rows": page.object_list})


@login_required
def access_log_user(request, user_pk):
    if not access.can_read_access_log(request.user):
        raise PermissionDenied
    person = get_object_or_404(User, pk=user_pk)
    rows = AccessLog.objects.filter(user=person).select_related("pupil")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    from .audit import changes_by_user

    return render(request, "pupils/accesslog_user.html", {
        "person": person, "page_obj": page, "rows": page.object_list, "changes": changes_by_user(person),
    })


# --- Import from the MIS ----------------------------------------------------------


def _require_manager(request) -> None:
    if not access.can_manage_register(request.user):
        raise PermissionDenied


@login_required
def import_upload(request):
    _require_manager(request)
    form = ImportUploadForm(_post(request), _files(request))
    if request.method == "POST" and form.is_valid():
        text = importer.decode_upload(form.cleaned_data["file"].read())
        batch = importer.batch_start(kind=ImportBatch.Kind.PUPILS, text=text, user=request.user)
        return redirect("pupils:import_preview", pk=batch.pk)
    recent = importer.recent_batches(ImportBatch.Kind.PUPILS)
    return render(request, "pupils/import_form.html", {"form": form, "recent": recent})


PREVIEW_LIMIT = 300


@login_required
def import_preview(request, pk):
    _require_manager(request)
    batch = get_object_or_404(ImportBatch, pk=pk, uploaded_by=request.user)
    context = {"batch": batch}
    if batch.status != ImportBatch.Status.PREVIEWED:
        return render(request, "pupils/import_preview.html", context)
    form = ImportConfirmForm(_post(request), initial={"sha256": batch.sha256})
    failure = None
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["sha256"] != batch.sha256:
            form.add_error(None, "This is not the file you previewed: upload it again")
        else:
            try:
                counts = importer.apply_batch(
                    batch, user=request.user, mark_leavers=form.cleaned_data["mark_leavers"],
                    leaving_date=form.cleaned_data["leaving_date"],
                )
            except importer.ImportFailed as exc:
                failure = str(exc)
                form.add_error(None, f"Nothing was imported. {failure}")
            else:
                log.info("pupil import %s applied by user %s: %s", batch.pk, request.user.pk, counts)
                messages.success(request, "The import is done")
                return redirect("pupils:import_preview", pk=batch.pk)
    parsed = importer.parse_csv(batch.content, importer.load_need_rules())
    plan = importer.plan_import(parsed, importer.load_existing()) if parsed.ok else None
    context.update(
        form=form,
        parsed=parsed,
        plan=plan,
        counts=plan.counts if plan else None,
        problem_rows=parsed.rows_with_errors,
        warning_rows=[r for r in parsed.rows if r.warnings and not r.errors][:PREVIEW_LIMIT],
        changes=[c for c in plan.changes if c.action != "unchanged"][:PREVIEW_LIMIT] if plan else [],
        left=_left_pupils(plan)[:PREVIEW_LIMIT] if plan else [],
        limit=PREVIEW_LIMIT,
    )
    return render(request, "pupils/import_preview.html", context)


def _left_pupils(plan) -> list[Pupil]:
    ids = [e.pk for e in plan.left]
    return list(Pupil.objects.filter(pk__in=ids).select_related("form")) if ids else []


@login_required
@require_POST
def import_discard(request, pk):
    _require_manager(request)
    batch = get_object_or_404(ImportBatch, pk=pk, uploaded_by=request.user)
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.DISCARDED, content=""
    )
    messages.success(request, "The file was discarded: nothing was imported")
    return redirect("pupils:import")


# --- Parents ------------------------------------------------------------------------


@login_required
def parent_children(request):
    if not request.user.is_parent:
        raise PermissionDenied
    if access.links_awaiting_confirmation(request.user).exists():
        return redirect("pupils:parent_confirm")  # nothing of a child before the parent confirms them
    children = access.children_of(request.user).select_related("form").order_by("legal_first_name")
    return render(request, "pupils/parent_children.html", {"children": children})


@login_required
def parent_child(request, pk):
    if access.links_awaiting_confirmation(request.user).exists():
        return redirect("pupils:parent_confirm")
    pupil = access.get_child_for_parent(request.user, pk)
    needs = [
        {"words": need_in_words(n.need_type), "area": AREA_WORDS.get(n.need_type.broad_area, ""), "rank": n.rank}
        for n in pupil.current_needs
    ]
    profile = OnePageProfile.objects.filter(pupil=pupil).first()
    return render(
        request,
        "pupils/parent_child.html",
        {
            "pupil": pupil,
            "status_words": status_in_words(pupil),
            "needs": needs,
            "profile": profile,
            "sections": parent_sections(request.user, pupil),
        },
    )

