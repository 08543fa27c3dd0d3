"""Parents and carers: the contacts import from the MIS, each pupil's
contacts and their access to the parent pages, and the parent's first
confirmation of their child. Thin views: access through pupils.access, the
rules in pupils.contacts and pupils.contact_import.

Who: the SENCo, the head and the administrator (access.can_set_up_school).
These pages show a pupil's name, class and contacts, never their SEN record,
so that an administrator can run the import and the invitations."""

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import access, contact_import, contacts, importer
from .contact_forms import ColumnMapForm, ConfirmChildForm, ContactImportConfirmForm, InviteForm, LinkAccountForm
from .forms import ImportUploadForm
from .models import ImportBatch, PupilContact
from .views import _add_errors, _files, _post

log = logging.getLogger(__name__)

PAGE_SIZE = 50
PREVIEW_LIMIT = 300


def _require_contacts_manager(request) -> None:
    if not access.can_set_up_school(request.user):
        raise PermissionDenied


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


# --- The import ------------------------------------------------------------------


@login_required
def contact_import_upload(request):
    _require_contacts_manager(request)
    form = ImportUploadForm(_post(request), _files(request))
    form.fields["file"].help_text = "One row per pupil and contact: the pupil's UPN, the contact's name, relationship, parental responsibility, email and phone"
    if request.method == "POST" and form.is_valid():
        text = contact_import.decode_upload(form.cleaned_data["file"].read())
        batch = importer.batch_start(kind=ImportBatch.Kind.CONTACTS, text=text, user=request.user)
        return redirect("pupils:contact_import_preview", pk=batch.pk)
    recent = importer.recent_batches(ImportBatch.Kind.CONTACTS)
    return render(request, "pupils/contacts/import_form.html", {
        "form": form, "recent": recent,
        "aliases": {contact_import.FIELD_LABELS[name]: names for name, names in contact_import.HEADER_ALIASES.items()},
    })


@login_required
def contact_import_preview(request, pk):
    """The preview (with a select per unrecognised column, remembered for
    the next import), then the all-or-nothing import. An administrator sees
    the names of their own file here and nothing of the pupils' SEN record."""
    _require_contacts_manager(request)
    batch = get_object_or_404(ImportBatch, pk=pk, kind=ImportBatch.Kind.CONTACTS, uploaded_by=request.user)
    context = {"batch": batch}
    if batch.status != ImportBatch.Status.PREVIEWED:
        return render(request, "pupils/contacts/import_preview.html", context)
    action = request.POST.get("action") if request.method == "POST" else None
    parsed = contact_import.parse_csv(batch.content, contact_import.load_saved_maps())
    map_form = ColumnMapForm(request.POST if action == "map" else None, unknown=parsed.unknown, prefix="map")
    form = ContactImportConfirmForm(request.POST if action == "import" else None, initial={"sha256": batch.sha256})
    if action == "map" and map_form.is_valid():
        contact_import.save_maps(map_form.mapping(), user=request.user)
        messages.success(request, "The columns are matched: they will be read the same way in your next contacts import")
        return redirect("pupils:contact_import_preview", pk=batch.pk)
    if action == "import" and form.is_valid():
        if form.cleaned_data["sha256"] != batch.sha256:
            form.add_error(None, "This is not the file you previewed: upload it again")
        else:
            try:
                counts = contact_import.apply_batch(batch, user=request.user)
            except contact_import.ImportFailed as exc:
                form.add_error(None, f"Nothing was imported. {exc}")
            else:
                log.info("contact import %s applied by user %s: %s", batch.pk, request.user.pk, counts)
                messages.success(request, "The contacts are imported")
                return redirect("pupils:contact_import_preview", pk=batch.pk)
    plan = None
    if not parsed.header_errors and parsed.rows:
        plan = contact_import.plan_import(parsed, contact_import.load_state(parsed))
    ok = plan is not None and parsed.ok
    context.update(
        parsed=parsed, ok=ok, plan=plan if ok else None, counts=plan.counts if ok else None,
        map_form=map_form, form=form,
        problem_rows=parsed.rows_with_errors[:PREVIEW_LIMIT], problem_count=len(parsed.rows_with_errors),
        links_ended=plan.links_ended[:PREVIEW_LIMIT] if ok else [],
        creates=[row for row, *_ in plan.creates][:PREVIEW_LIMIT] if ok else [],
        limit=PREVIEW_LIMIT,
    )
    return render(request, "pupils/contacts/import_preview.html", context)


@login_required
@require_POST
def contact_import_discard(request, pk):
    _require_contacts_manager(request)
    batch = get_object_or_404(ImportBatch, pk=pk, kind=ImportBatch.Kind.CONTACTS, uploaded_by=request.user)
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.DISCARDED, content=""
    )
    messages.success(request, "The file was discarded: nothing was imported")
    return redirect("pupils:contact_import")


# --- Pupils' contacts and parents' access --------------------------------------------


@login_required
def contacts_list(request):
    """Every pupil with how many contacts they have and how many have access:
    names and classes only (no SEN data, so the administrator may use it)."""
    _require_contacts_manager(request)
    query = (request.GET.get("q") or "").strip()[:100]
    pupils = access.pupils_for_contacts(request.user).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gt=timezone.localdate())
    ).select_related("form").annotate(
        contact_count=Count("contacts", distinct=True),
        linked_count=Count("parent_links", filter=Q(parent_links__confirmed_at__isnull=False), distinct=True),
        waiting_count=Count("parent_links", filter=Q(parent_links__confirmed_at__isnull=True), distinct=True),
    ).order_by("legal_last_name", "legal_first_name", "pk")
    if query:
        pupils = pupils.filter(Q(legal_last_name__icontains=query) | Q(legal_first_name__icontains=query)
                               | Q(preferred_first_name__icontains=query) | Q(form__name__iexact=query))
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pupils/contacts/contacts_list.html", {
        "page_obj": page, "pupils": page.object_list, "query": query, "querystring": urlencode({"q": query}) if query else "",
        "to_invite": contacts.contacts_to_invite().values("contact_id").distinct().count(),
    })


@login_required
def contacts_invite_all(request):
    """GET: how many people would be invited; POST: invite them, one email each."""
    _require_contacts_manager(request)
    people = contacts.contacts_to_invite().values("contact_id").distinct().count()
    if request.method == "POST":
        counts = contacts.contacts_invite_all(invited_by=request.user, base_url=_base_url(request), request=request)
        text = f"{counts['people']} people invited, {counts['emails']} emails sent"
        if counts["skipped"]:
            text += f"; {counts['skipped']} not invited (their email address is another contact's account: invite them one by one)"
        messages.success(request, text)
        return redirect("pupils:contacts_list")
    return render(request, "pupils/contacts/invite_all.html", {"people": people})


def contact_rows(pupil) -> list[dict]:
    """The pupil's contacts in priority order with their access status, as
    plain data (the pupil page keeps it in the data cache; any save of a
    contact, link or account changes the data's version)."""
    rows = []
    for pupil_contact in pupil.contacts.select_related("contact", "access_link__parent").order_by("priority", "pk"):
        link = getattr(pupil_contact, "access_link", None)
        contact = pupil_contact.contact
        if pupil_contact.no_contact:
            status, tag = "Never given access: court order or no-contact flag", "red"
        elif link is None:
            status, tag = "Not invited", "grey"
        elif link.locked_at:
            status, tag = "Locked: the child's date of birth was wrong too many times", "red"
        elif link.confirmed_at:
            status, tag = "Linked and confirmed", "green"
        elif link.parent.has_usable_password():
            status, tag = "Awaiting confirmation of the child's date of birth", "yellow"
        else:
            status, tag = "Invited", "blue"
        rows.append({
            "pc": {name: getattr(pupil_contact, name) for name in (
                "pk", "priority", "relationship", "parental_responsibility", "lives_with_pupil", "no_contact", "no_contact_note",
            )},
            "contact": {"display_name": contact.display_name, "email": contact.email, "phone": contact.phone},
            "link": None if link is None else {
                "parent": {"email": link.parent.email}, "confirmed_at": link.confirmed_at, "reason": link.reason,
            },
            "status": status, "tag": tag,
        })
    return rows


def contacts_section_data(pupil, tier) -> dict:
    """What the pupil page's contacts section shows. Contact details, a court
    order and who may reach the child's records are personal data and
    safeguarding-adjacent: the confidential tier (SENCo and head only,
    ARCHITECTURE.md "Tiers"), not the plan tier the class teacher sees."""
    from .models import Tier

    if tier < Tier.CONFIDENTIAL:
        return {}
    return {"rows": contact_rows(pupil)}


def contacts_section(user, pupil, tier, data=None):
    from .models import Tier

    if tier < Tier.CONFIDENTIAL:
        return []
    if data is None:
        data = contacts_section_data(pupil, tier)
    return [{
        "title": "Parents and carers",
        "template": "pupils/contacts/section.html",
        "context": {"pupil": pupil, "rows": data.get("rows", []), "can_manage": access.can_set_up_school(user)},
        "order": 5,
    }]


@login_required
def pupil_contacts(request, pk):
    pupil = access.get_pupil_for_contacts(request.user, pk)
    access.log_access(request.user, pupil, "Parents and carers")
    return render(request, "pupils/contacts/pupil_contacts.html", {"pupil": pupil, "rows": contact_rows(pupil)})


def _pupil_contact(request, pk, contact_pk) -> PupilContact:
    pupil = access.get_pupil_for_contacts(request.user, pk)
    return get_object_or_404(PupilContact.objects.select_related("contact", "pupil"), pk=contact_pk, pupil=pupil)


@login_required
def contact_invite(request, pk, contact_pk):
    pupil_contact = _pupil_contact(request, pk, contact_pk)
    form = InviteForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            link, emailed = contacts.contact_invite(
                pupil_contact=pupil_contact, invited_by=request.user, base_url=_base_url(request),
                reason=form.cleaned_data["reason"], request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The invitation is sent" if emailed else
                             "They already have an account: they confirm the child's date of birth when they next sign in")
            return redirect("pupils:contacts", pk=pk)
    return render(request, "pupils/contacts/contact_invite.html", {"pc": pupil_contact, "pupil": pupil_contact.pupil, "form": form})


@login_required
def contact_link(request, pk, contact_pk):
    pupil_contact = _pupil_contact(request, pk, contact_pk)
    form = LinkAccountForm(_post(request), initial={"email": pupil_contact.contact.email})
    if request.method == "POST" and form.is_valid():
        try:
            contacts.contact_link_account(
                pupil_contact=pupil_contact, email=form.cleaned_data["email"], linked_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The account is linked: they confirm the child's date of birth when they next sign in")
            return redirect("pupils:contacts", pk=pk)
    return render(request, "pupils/contacts/contact_link.html", {"pc": pupil_contact, "pupil": pupil_contact.pupil, "form": form})


@login_required
def contact_unlink(request, pk, contact_pk):
    """GET: are you sure; POST: end the access at once."""
    pupil_contact = _pupil_contact(request, pk, contact_pk)
    link = getattr(pupil_contact, "access_link", None)
    if link is None:
        raise Http404("No link")
    if request.method == "POST":
        contacts.parent_link_end(link=link, ended_by=request.user)
        messages.success(request, "The access is ended")
        return redirect("pupils:contacts", pk=pk)
    return render(request, "pupils/contacts/contact_unlink.html", {"pc": pupil_contact, "pupil": pupil_contact.pupil, "link": link})


# --- The parent's first sign-in -------------------------------------------------------


@login_required
def parent_confirm(request):
    """Before any of a child's data is shown, the parent confirms the child's
    date of birth (the school's check that the email held in the MIS reached
    the right person). A wrong answer says so, never what is right."""
    if not request.user.is_parent:
        raise PermissionDenied
    waiting = access.links_awaiting_confirmation(request.user)
    locked = request.user.child_links.filter(locked_at__isnull=False, confirmed_at__isnull=True).exists()
    form = ConfirmChildForm(_post(request))
    if request.method == "POST" and waiting.exists() and form.is_valid():
        result = contacts.parent_link_confirm(
            user=request.user, date_of_birth=form.cleaned_data["date_of_birth"],
            base_url=_base_url(request), request=request,
        )
        if result["confirmed"]:
            messages.success(request, "Thank you: your child's details are confirmed")
            if access.links_awaiting_confirmation(request.user).exists():
                return redirect("pupils:parent_confirm")
            return redirect("pupils:parent_children")
        if result["locked"]:
            messages.error(request, "That date of birth was not right too many times, so we have stopped for now. The school will be in touch.")
            return redirect("pupils:parent_confirm")
        left = result["attempts_left"]
        form.add_error("date_of_birth", f"That is not the date of birth the school holds for a child linked to your account. "
                                        f"You can try {left} more time{'s' if left != 1 else ''}.")
    elif request.method == "GET" and not waiting.exists() and not locked:
        return redirect("pupils:parent_children")
    return render(request, "pupils/contacts/parent_confirm.html", {
        "form": form, "waiting": waiting.count(), "locked": locked,
    })
