"""Creating agencies, accounts and officers; each write goes to the ledger."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quancheng.agencies.accounts import check_new_password
from quancheng.agencies.choices import AgencyLevel, Role
from quancheng.agencies.models import Agency, Officer, User
from quancheng.agencies.roles import require
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.policies.registry import all_packs


@transaction.atomic
def create_agency(
    actor: Actor, *, code: str, name: str, level: str, pack_id: str, parent: Agency | None = None
) -> Agency:
    require(actor.user, "agency.create", agency=parent)
    if level not in AgencyLevel.values:
        raise ActionError(_("Unknown level “%(l)s”.") % {"l": level}, "level")
    if pack_id not in all_packs():
        raise ActionError(_("Unknown policy pack “%(pack)s”.") % {"pack": pack_id}, "pack_id")
    agency = Agency(code=code, name=name, level=level, pack_id=pack_id, parent=parent)
    agency.full_clean(exclude=["path"])
    agency.save()
    append_fact(
        actor,
        "agency.created",
        ("agency", agency.pk),
        {
            "code": code,
            "name": name,
            "level": level,
            "pack": pack_id,
            "parent": parent.code if parent else None,
        },
        agency,
    )
    return agency


@transaction.atomic
def create_user(
    actor: Actor,
    agency: Agency | None,
    *,
    username: str,
    password: str | None,
    full_name: str,
    roles: list[str],
    cert_no: str = "",
    is_superuser: bool = False,
    password_hash: str = "",
) -> User:
    """An account with roles; an officer also gets an ``Officer`` carrying the certificate.

    ``password`` must pass ``AUTH_PASSWORD_VALIDATORS``. ``password_hash`` (from
    ``make_password``) stands in for it where many accounts share one password, as the demo's
    do, so it is hashed once rather than per account; its caller checks that password.
    """
    require(actor.user, "user.create", agency=agency)
    _check_roles(roles, cert_no)
    user = _insert_user(
        agency,
        username=username,
        password=password,
        full_name=full_name,
        roles=roles,
        cert_no=cert_no,
        is_superuser=is_superuser,
        password_hash=password_hash,
    )
    append_fact(
        actor,
        "user.created",
        ("user", user.pk),
        {
            "username": username,
            "full_name": full_name,
            "roles": roles,
            "cert_no": cert_no,
            "agency": agency.code if agency else None,
            "superuser": is_superuser,
        },
        agency,
    )
    return user


def _check_roles(roles: list[str], cert_no: str) -> None:
    """Refuse unknown roles, and the officer role without a certificate number."""
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ActionError(_("Unknown role: %(r)s") % {"r": ", ".join(unknown)}, "roles")
    if Role.OFFICER in roles and not cert_no.strip():
        raise ActionError(_("An officer needs a certificate number."), "cert_no")


def _insert_user(
    agency: Agency | None,
    *,
    username: str,
    password: str | None,
    full_name: str,
    roles: list[str],
    cert_no: str,
    is_superuser: bool,
    password_hash: str,
) -> User:
    """In one savepoint, save the account and, when it has a certificate number, its
    ``Officer``; a taken user name or certificate number is refused (ActionError)."""
    try:
        with transaction.atomic():
            user = User(
                username=username,
                full_name=full_name,
                agency=agency,
                roles=roles,
                is_superuser=is_superuser,
                is_staff=is_superuser,
            )
            _set_password(user, password, password_hash)
            user.save()
            if cert_no.strip():
                if agency is None:
                    raise ActionError(_("An officer belongs to an agency."), "agency")
                Officer.objects.create(
                    agency=agency, name=full_name, cert_no=cert_no.strip(), user=user
                )
    except IntegrityError:
        raise ActionError(_("That user name or certificate number is taken."), "username") from None
    return user


def _set_password(user: User, password: str | None, password_hash: str) -> None:
    """Give the unsaved ``user`` the precomputed ``password_hash``, else ``password`` once
    it passes the validators, else an unusable password."""
    if password_hash:
        user.password = password_hash
    elif password:
        check_new_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()


@transaction.atomic
def create_officer(actor: Actor, agency: Agency, *, name: str, cert_no: str) -> Officer:
    """An officer without an account (named in an imported case, say)."""
    require(actor.user, "officer.create", agency=agency)
    if not cert_no.strip():
        raise ActionError(_("An officer needs a certificate number."), "cert_no")
    try:
        with transaction.atomic():
            officer = Officer.objects.create(agency=agency, name=name, cert_no=cert_no.strip())
    except IntegrityError:
        raise ActionError(
            _("Certificate number %(c)s is already registered.") % {"c": cert_no}, "cert_no"
        ) from None
    append_fact(
        actor,
        "officer.created",
        ("officer", officer.pk),
        {"name": name, "cert_no": cert_no, "agency": agency.code},
        agency,
    )
    return officer
