"""Who may see what. Every view and endpoint asks here; who may *do* what is the table in
``agencies/roles.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from quancheng.agencies.choices import AgencyLevel, Role
from quancheng.agencies.roles import allowed

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency, User


def visible_agencies(user: User) -> QuerySet[Agency]:
    """The agencies whose records ``user`` may read.

    Everyone reads their own unit: an enforcement agency with its work groups (a work
    group's member reads the whole agency). Only a supervisor reads below their own agency,
    read-only; an upper-level account without that role (a city archivist, a district
    officer) reads its own unit and nothing below it.
    """
    from quancheng.agencies.models import Agency

    if not user.is_authenticated or user.agency is None:
        return Agency.objects.none()
    if user.has_role(Role.SUPERVISOR):
        return Agency.objects.filter(path__startswith=user.agency.path)
    home = user.agency.enforcement_agency
    return Agency.objects.filter(Q(pk=home.pk) | Q(parent=home, level=AgencyLevel.WORK_GROUP))


def can_open_case(user: User) -> bool:
    """Whether ``user`` opens cases in their enforcement agency (``case.open``)."""
    if not user.is_authenticated or user.agency is None:
        return False
    return allowed(user, "case.open", agency=user.agency.enforcement_agency)


def is_administrator(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def can_see_checkpoints(user: User) -> bool:
    """Administrators and supervisors see the checkpoints page (of the logs they may see)."""
    return is_administrator(user) or (user.is_authenticated and user.has_role(Role.SUPERVISOR))


def is_installation_administrator(user: User) -> bool:
    """A superuser: administers the whole installation, beyond any agency (the system log,
    the signing keys, the stored files)."""
    return user.is_authenticated and user.is_superuser


def ledger_agencies(user: User) -> QuerySet[Agency] | None:
    """The agencies whose ledger facts ``user`` may get proofs of, or None for every agency
    and the system log (a superuser): those whose records they read; for an administrator
    (a role held in an agency, for the verification page) that agency and every unit below."""
    from quancheng.agencies.models import Agency

    if is_installation_administrator(user):
        return None
    if user.is_authenticated and user.agency is not None and user.has_role(Role.ADMINISTRATOR):
        return Agency.objects.filter(path__startswith=user.agency.enforcement_agency.path)
    return visible_agencies(user)
