"""``/me``: who the API takes the caller to be."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from quancheng.agencies.permissions import can_open_case
from quancheng.api.access import caller
from quancheng.api.errors import error_responses
from quancheng.api.schemas import MeOut

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
