"""What every change of a case checks before it writes: its pack and record kind, the
roles' table and whether the case is still open, the officers it names."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext as _

from quancheng.agencies.models import Agency, Officer
from quancheng.agencies.roles import require
from quancheng.cases.models import Case
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor
from quancheng.policies.registry import UnknownPack, get_pack
from quancheng.policies.schema import Pack, RecordKind


def pack_of(case: Case) -> Pack:
    try:
        return get_pack(case.pack_id)
    except UnknownPack:
        raise ActionError(_("Unknown policy pack “%(pack)s”.") % {"pack": case.pack_id}) from None


def kind_of(pack: Pack, kind_id: str) -> RecordKind:
    for kind in pack.record_kinds:
        if kind.id == kind_id:
            return kind
    raise ActionError(
        _("Unknown record kind “%(kind)s” in pack %(pack)s.") % {"kind": kind_id, "pack": pack.id},
        "kind",
    )


def ensure_writable(actor: Actor, case: Case, action: str, kind: RecordKind | None = None) -> None:
    """Refuse unless the actor's roles allow ``action`` on ``case`` (``agencies/roles.py``)
    and the case is still open to it."""
    require(actor.user, action, case=case, kind=kind)
    if case.is_closed and not (kind is not None and _open_after_close(case, kind)):
        raise ActionError(
            _("Case %(number)s is closed; nothing more can be recorded.") % {"number": case.number}
        )


def _open_after_close(case: Case, kind: RecordKind) -> bool:
    stage = next(s for s in pack_of(case).stages if s.id == kind.stage)
    return stage.open_after_close


def officers_by_cert(agency: Agency, certs: list[str], path: str = "officers") -> list[Officer]:
    """The officers with these certificate numbers, all of ``agency``'s enforcement agency."""
    found = {o.cert_no: o for o in Officer.objects.filter(cert_no__in=certs)}
    home = agency.enforcement_agency.path
    for index, cert in enumerate(certs):
        officer = found.get(cert)
        if officer is None or not officer.agency.path.startswith(home):
            raise ActionError(
                _("No officer with certificate number “%(cert)s” in this agency.") % {"cert": cert},
                f"{path}.{index}",
            )
    return [found[c] for c in certs]


def column_length(model: type[Model], name: str) -> int | None:
    """The column length of ``model.name`` (None for a TextField: QUANCHENG_MAX_TEXT)."""
    return getattr(model._meta.get_field(name), "max_length", None)
