"""``/packs``: the policy packs installed, each as the data it is."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from quancheng.policies.registry import UnknownPack, all_packs, get_pack
from quancheng.policies.schema import Pack
from quancheng.utilities.schemas import error_responses


class PackSummaryOut(Schema):
    id: str
    title: str
    short_title: str
    in_force: dt.date | None
    action_types: list[str]


router = Router(tags=["packs"])


@router.get("", response={200: list[PackSummaryOut], **error_responses()}, summary="List packs")
def list_packs(request: HttpRequest) -> list[dict]:
    return [
        {
            "id": pack.id,
            "title": pack.title,
            "short_title": pack.short_title,
            "in_force": pack.in_force,
            "action_types": [str(a) for a in pack.scope.action_types],
        }
        for pack in all_packs().values()
    ]


@router.get("/{pack_id}", response={200: Pack, **error_responses(404)}, summary="Get a pack")
def get_one(request: HttpRequest, pack_id: str) -> Pack:
    """The whole pack: stages, record kinds with their fields, requirements, audio-visual,
    archive, retention and signature rules, each with its article citation."""
    try:
        return get_pack(pack_id)
    except UnknownPack:
        raise HttpError(404, _("Unknown policy pack “%(pack)s”.") % {"pack": pack_id}) from None
