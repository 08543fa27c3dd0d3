"""Who may reach which report page. Governors see aggregates only, never a
pupil; the register analysis and census export name pupils, so they are for
the SENCo and the head. Built on pupils.access, never on roles in views."""

from django.http import Http404

from pupils.access import can_manage_register, can_see_register


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_edit_reports(user) -> bool:
    """Writing and publishing the SEN information report: SENCo and head."""
    return can_manage_register(user)


def can_read_reports(user) -> bool:
    """The report (draft and published), its PDF and the governors' dashboard:
    governors (who approve it), the SENCo and the head. Aggregates only."""
    return _signed_in(user) and (user.is_senco_or_head or user.is_governor)


def can_see_analysis(user) -> bool:
    """Register analysis and the census export name pupils: SENCo and head."""
    return can_manage_register(user)


def can_get_termly_register(user) -> bool:
    """The termly register is shared with all staff at summary tier
    (ARCHITECTURE.md; Derwent policy appendix A)."""
    return can_see_register(user)


def require(allowed: bool) -> None:
    # A page a user may not reach is "not found", as for records (STYLE.md).
    if not allowed:
        raise Http404("No such page")
