"""How the facts of agencies and accounts describe their rows (``quancheng.ledger.reconcile``):
agencies, users and their roles, officers.

Officers are named by certificate number, as the facts name them. Not proved by any fact:
passwords, sign-ins and whether an account is active."""

from __future__ import annotations

from typing import Any

from quancheng.ledger.reconcile import JSON, TEXT, VALUE, Expected, Table


def _model(name: str) -> Any:
    def get() -> Any:
        from quancheng.agencies import models

        return getattr(models, name)

    return get


AGENCY, USER, OFFICER = "agencies_agency", "agencies_user", "agencies_officer"

TABLES = [
    Table(
        AGENCY,
        _model("Agency"),
        {
            "code": ("code", TEXT),
            "name": ("name", TEXT),
            "level": ("level", TEXT),
            "pack_id": ("pack_id", TEXT),
            "parent": ("parent__code", TEXT),
        },
        agency="pk",
    ),
    Table(
        USER,
        _model("User"),
        {
            "username": ("username", TEXT),
            "full_name": ("full_name", TEXT),
            "roles": ("roles", JSON),
            "agency": ("agency__code", TEXT),
            "is_superuser": ("is_superuser", VALUE),
        },
        agency="agency_id",
    ),
    Table(
        OFFICER,
        _model("Officer"),
        {"name": ("name", TEXT), "agency": ("agency__code", TEXT)},
        key="cert_no",
        agency="agency_id",
    ),
]


def _agency(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(
        AGENCY, subject, code=p["code"], name=p["name"], level=p["level"], pack_id=p["pack"],
        parent=p["parent"],
    )  # fmt: skip


def _user(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(
        USER, subject, username=p["username"], full_name=p["full_name"], roles=p["roles"],
        agency=p["agency"], is_superuser=p["superuser"],
    )  # fmt: skip
    cert = str(p.get("cert_no") or "").strip()
    if cert:
        expected.row(OFFICER, cert, name=p["full_name"], agency=p["agency"])


def _officer(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(OFFICER, str(p["cert_no"]).strip(), name=p["name"], agency=p["agency"])


FOLDS = {"agency.created": _agency, "user.created": _user, "officer.created": _officer}
# Sign-ins, lockouts and password changes (agencies/accounts.py) describe no row checked here.
IGNORED = (
    "user.signed_in",
    "user.sign_in_failed",
    "user.locked_out",
    "user.unlocked",
    "user.password_changed",
)


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(tables=TABLES, folds=FOLDS, ignored=IGNORED)
