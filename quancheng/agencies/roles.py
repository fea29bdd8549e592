"""Who may make which change of state: one table, action × role (× the pack where a
regulation decides), checked at the top of every action and by the web and API before they
call one. ``docs/roles.md`` is generated from it (``quancheng roles``).

Where a regulation names who does something, the rule cites it; elsewhere the default
stands: officers named on the case record, upload, explain interruptions and move stages;
the head (or, once the head's approval record exists, an officer on the case) issues sealed
documents and ends the case; archivists file; device keepers manage devices; administrators
administer. A supervisor reads below their own agency and never writes. The system actor
(``user`` None: the command line, imports, the demo, background workers) may do everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from quancheng.agencies.choices import Role
from quancheng.errors import ActionError

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency, User
    from quancheng.cases.models import Case
    from quancheng.policies.schema import RecordKind


class NotAllowed(ActionError):
    """The caller's roles do not allow this action: a 403 on the web and in the API."""


class Scope(StrEnum):
    AGENCY = "agency"  # within the user's own enforcement agency
    ADMINISTRATION = "administration"  # an administrator (or a superuser)
    SYSTEM = "system"  # the system actor only (command line, workers)


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may take one action.

    ``roles``: the roles allowed. ``on_case``: an officer must be named on the case (the
    other roles act for the whole agency). ``after_approval``: an officer (on the case) may
    only once the pack's approval record exists in the case; the head always may.
    ``by_kind``: the record kind's ``author_roles`` in the pack decide instead of ``roles``.
    ``basis``: the article that decides, or "default".
    """

    roles: tuple[Role, ...]
    basis: str
    on_case: bool = False
    after_approval: bool = False
    by_kind: bool = False
    scope: Scope = Scope.AGENCY


OFF, HEAD, ARCH, KEEP = Role.OFFICER, Role.HEAD, Role.ARCHIVIST, Role.DEVICE_KEEPER
ADMIN = Role.ADMINISTRATOR
DEFAULT = "default"
SEAL_BASIS = "anhui §9(4), §11; hebei-street §8(5); culture-tourism §7(4); dalian-ftz §10(4)"

ACTION_ROLES: dict[str, Rule] = {
    # cases (cases/actions.py)
    "case.open": Rule((OFF,), DEFAULT),
    "case.add_party": Rule((OFF,), DEFAULT, on_case=True),
    "record.add": Rule((OFF,), "pack: record kind's author_roles", on_case=True, by_kind=True),
    "record.correct": Rule((OFF,), "pack: record kind's author_roles", on_case=True, by_kind=True),
    "signature.add": Rule((OFF,), DEFAULT, on_case=True),
    "signature.refuse": Rule((OFF,), "hebei-street §12", on_case=True),
    "case.move_stage": Rule((OFF,), DEFAULT, on_case=True),
    "case.end": Rule((HEAD, OFF), SEAL_BASIS, on_case=True, after_approval=True),
    "case.archive": Rule((ARCH,), "hebei-street §25 (专门人员负责归档保存); anhui §18"),
    # documents (documents/actions.py)
    "document.seal": Rule((HEAD, OFF), SEAL_BASIS, on_case=True, after_approval=True),
    "document.sign_officer": Rule((OFF,), DEFAULT, on_case=True),
    "document.sign_party": Rule((OFF,), "anhui §11", on_case=True),
    "document.note_refusal": Rule((OFF,), "hebei-street §12", on_case=True),
    # recordings (media/actions.py, media/evidence.py, uploads/)
    "recording.add": Rule((OFF,), DEFAULT, on_case=True),
    "recording.add_unfiled": Rule((OFF, KEEP), DEFAULT),
    "recording.evidence": Rule((OFF,), "anhui §18; hebei-street §26", on_case=True),
    "interruption.explain": Rule((OFF,), "anhui §16", on_case=True),
    "upload.create": Rule((OFF,), DEFAULT, on_case=True),
    "media.process": Rule((), DEFAULT, scope=Scope.SYSTEM),
    # devices (devices/actions.py)
    "device.register": Rule((KEEP,), "hebei-street §22 (专门人员)"),
    "device.set_keeper": Rule((KEEP, HEAD), "hebei-street §22 (明确专门人员)"),
    "device.lend": Rule((KEEP,), "hebei-street §22"),
    "device.return": Rule((KEEP,), "hebei-street §22"),
    "device.check": Rule((OFF, KEEP), "hebei-street §22 (及时检查电池容量、内存空间)"),
    "device.report_fault": Rule((OFF, KEEP), "hebei-street §24"),
    "device.start_repair": Rule((KEEP,), "hebei-street §24"),
    "device.end_repair": Rule((KEEP,), "hebei-street §24"),
    "device.retire": Rule((KEEP,), "hebei-street §22"),
    # administration (agencies/actions.py, policies/actions.py, api/actions.py, ledger/)
    "agency.create": Rule((ADMIN,), DEFAULT, scope=Scope.ADMINISTRATION),
    "user.create": Rule((ADMIN,), DEFAULT, scope=Scope.ADMINISTRATION),
    "officer.create": Rule((OFF,), "default: an officer without an account, named in a case"),
    "calendar.load": Rule((ADMIN,), DEFAULT, scope=Scope.ADMINISTRATION),
    "token.create": Rule((), DEFAULT, scope=Scope.SYSTEM),
    "token.revoke": Rule((), DEFAULT, scope=Scope.SYSTEM),
    "ledger.keys": Rule((), DEFAULT, scope=Scope.SYSTEM),
}

# The actions on one case; some being allowed shows the case page's forms.
CASE_ACTIONS = tuple(
    name
    for name in ACTION_ROLES
    if name.split(".")[0] in {"case", "record", "signature", "document", "recording", "upload"}
    and name not in {"case.open", "recording.add_unfiled"}
)

# The record that stands for the head's approval (负责人审批), per pack; an officer on the case
# may seal documents and end the case once one exists. A pack without one: the head only.
APPROVAL_KINDS: dict[str, tuple[str, str]] = {
    "anhui": ("head_approval", "anhui §9(4)"),
    "hebei-street": ("head_approval", "hebei-street §8(5)"),
    "culture-tourism": ("internal_approval", "culture-tourism §7(4)"),
    "dalian-ftz": ("internal_approval", "dalian-ftz §10(4)"),
}


def rule_for(action: str) -> Rule:
    try:
        return ACTION_ROLES[action]
    except KeyError:
        raise LookupError(f"No rule for action {action!r} in ACTION_ROLES") from None


def is_administrator(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(ADMIN))


def on_case(user: User, case: Case) -> bool:
    """Whether ``user`` is one of the officers named on ``case``: from the case's prefetched
    officers where a page fetched them once (the case page asks for every record kind), else
    one query."""
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("officers")
    if prefetched is not None:
        return any(officer.user_id == user.pk for officer in prefetched)
    return case.officers.filter(user_id=user.pk).exists()


def has_approval(case: Case) -> bool:
    """Whether the case holds its pack's approval record (负责人审批)."""
    found = APPROVAL_KINDS.get(case.pack_id)
    return found is not None and case.records.filter(kind=found[0]).exists()


def allowed(
    user: User | None,
    action: str,
    case: Case | None = None,
    agency: Agency | None = None,
    kind: RecordKind | None = None,
) -> bool:
    """Whether ``user`` may take ``action`` (on ``case``, or in ``agency``)."""
    rule = rule_for(action)
    if user is None:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if rule.scope == Scope.SYSTEM:
        return False
    if rule.scope == Scope.ADMINISTRATION:
        return _administers(user, agency)
    target = case.agency if case is not None else agency
    if user.agency is None or target is None:
        return False
    if user.agency.enforcement_agency.pk != target.enforcement_agency.pk:
        return False
    roles = kind.author_roles if rule.by_kind and kind is not None else rule.roles
    for role in roles:
        if not user.has_role(role):
            continue
        if role != Role.OFFICER or case is None:
            return True
        if rule.on_case and not on_case(user, case):
            continue
        if rule.after_approval and not has_approval(case):
            continue
        return True
    return False


def _administers(user: User, agency: Agency | None) -> bool:
    if user.is_superuser:
        return True
    if not user.has_role(ADMIN) or user.agency is None or agency is None:
        return False
    return agency.path.startswith(user.agency.enforcement_agency.path)


def require(
    user: User | None,
    action: str,
    case: Case | None = None,
    agency: Agency | None = None,
    kind: RecordKind | None = None,
) -> None:
    """Raise ``NotAllowed`` unless ``user`` may take ``action``."""
    if not allowed(user, action, case, agency, kind):
        raise NotAllowed(refusal(user, action, case, agency, kind))


def refusal(
    user: User | None,
    action: str,
    case: Case | None = None,
    agency: Agency | None = None,
    kind: RecordKind | None = None,
) -> str:
    """Why ``user`` may not take ``action``, in the user's language."""
    rule = rule_for(action)
    target = case.agency if case is not None else agency
    if user is None or rule.scope == Scope.SYSTEM:
        return _("Only the system may do this.")
    if rule.scope == Scope.ADMINISTRATION:
        return _("Only an administrator may do this.")
    if user.agency is None or target is None:
        return _("You may not change the records of another agency.")
    if user.agency.enforcement_agency.pk != target.enforcement_agency.pk:
        if case is not None and user.has_role(Role.SUPERVISOR):
            return _("You may read this case but not change it.")
        return _("You may not change the records of another agency.")
    if kind is not None and rule.by_kind:
        return _("Your role cannot make a “%(kind)s”.") % {"kind": kind.label}
    roles = set(rule.roles)
    if Role.OFFICER in roles and user.has_role(Role.OFFICER) and case is not None:
        if rule.on_case and not on_case(user, case):
            return _("Only the officers named on the case may do this.")
        if rule.after_approval:
            return _("An officer may do this only after the head's approval is recorded.")
    return _("Your role does not allow this.")
