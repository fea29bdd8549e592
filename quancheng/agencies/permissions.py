"""Who may see and do what. Every view and endpoint asks here; nothing else decides."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quancheng.agencies.choices import Role

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency, User


def visible_agency_path(user: User) -> str | None:
    """The path prefix of the agencies whose records ``user`` may read, or None for none.

    Everyone reads their own enforcement agency (work groups included); a supervisor also
    reads every agency below their own, read-only.
    """
    if not user.is_authenticated or user.agency is None:
        return None
    if user.has_role(Role.SUPERVISOR):
        return user.agency.path
    return user.agency.enforcement_agency.path


def can_write_in(user: User, agency: Agency) -> bool:
    """Whether ``user`` may add to the records of ``agency`` (their own agency only)."""
    if not user.is_authenticated or user.agency is None or not user.is_active:
        return False
    return user.agency.enforcement_agency.pk == agency.enforcement_agency.pk and user.has_role(
        Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST
    )


def can_open_case(user: User) -> bool:
    return user.is_authenticated and user.agency is not None and user.has_role(Role.OFFICER)


def is_administrator(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def can_see_checkpoints(user: User) -> bool:
    """Administrators and supervisors see the checkpoints page (of the logs they may see)."""
    return is_administrator(user) or (user.is_authenticated and user.has_role(Role.SUPERVISOR))


def is_installation_administrator(user: User) -> bool:
    """A superuser: administers the whole installation, beyond any agency (the system log,
    the signing keys, the stored files)."""
    return user.is_authenticated and user.is_superuser


def ledger_agency_path(user: User) -> str | None:
    """The path prefix of the agencies whose ledger facts ``user`` may get proofs of: those
    whose records they read; for an administrator (a role held in an agency) that agency and
    every unit below it; ``""`` (every agency, and the system log) for a superuser."""
    if is_installation_administrator(user):
        return ""
    if user.is_authenticated and user.agency is not None and user.has_role(Role.ADMINISTRATOR):
        return user.agency.enforcement_agency.path
    return visible_agency_path(user)
