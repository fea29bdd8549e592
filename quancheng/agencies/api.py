"""``/me``: who the API takes the caller to be."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from quancheng.agencies.permissions import can_open_case
from quancheng.agencies.requests import caller
from quancheng.utilities.schemas import error_responses


class AgencyOut(Schema):
    code: str
    name: str
    level: str
    pack: str


class MeOut(Schema):
    username: str
    full_name: str
    agency: AgencyOut | None
    roles: list[str]
    can_open_cases: bool


router = Router(tags=["me"])


@router.get("", response={200: MeOut, **error_responses()}, summary="The caller")
def me(request: HttpRequest) -> dict:
    user = caller(request)
    agency = user.agency
    return {
        "username": user.get_username(),
        "full_name": user.full_name,
        "agency": (
            {
                "code": agency.code,
                "name": agency.name,
                "level": agency.level,
                "pack": agency.pack_id,
            }
            if agency
            else None
        ),
        "roles": list(user.roles),
        "can_open_cases": can_open_case(user),
    }
