"""``docs/roles.md``, generated from the table in ``agencies/roles.py`` and the packs' record
kinds (``quancheng roles --write``); a test checks the file equals this text."""

from __future__ import annotations

from pathlib import Path

from quancheng.agencies.choices import Role
from quancheng.agencies.roles import ACTION_ROLES, APPROVAL_KINDS, Rule, Scope
from quancheng.policies.registry import all_packs

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "roles.md"

COLUMNS = [
    (Role.OFFICER, "officer"),
    (Role.LEGAL_REVIEWER, "legal_reviewer"),
    (Role.HEAD, "head"),
    (Role.ARCHIVIST, "archivist"),
    (Role.DEVICE_KEEPER, "device_keeper"),
    (Role.SUPERVISOR, "supervisor"),
    (Role.ADMINISTRATOR, "administrator"),
]

HEADER = """\
# Who may do what

<!-- Generated from quancheng/agencies/roles.py by `quancheng roles --write`; do not edit. -->

Every change of state is an action, and every action asks one table
(`ACTION_ROLES` in `quancheng/agencies/roles.py`) before it writes: the action functions
themselves (`require` at their top), and the web pages and API endpoints before they call
them (a refusal is 403; a case the user may not read is 404). The system actor (the command
line, imports, the demo, background workers) may do everything.

Where a regulation names who does something the rule cites it; elsewhere the default
stands: officers named on the case record, upload, explain interruptions and move stages;
the head — or an officer on the case once the head's approval record exists — issues sealed
documents and ends the case; archivists file; device keepers manage devices.

**Reading.** Everyone reads their own enforcement agency and its work groups. Only a
supervisor reads the agencies below their own (read-only: no write rule names the
supervisor). An upper-level account without the supervisor role (a city archivist, a
district officer) reads its own unit and nothing below. Officer look-ups by certificate
number (执法证号) answer only within the caller's agency: another agency's number is as
unknown as a made-up one. An administrator gets ledger proofs of their agency and the units
below it (the verification page); a superuser administers the whole installation.

Legend: ✓ allowed in the user's own enforcement agency; **case** only an officer named on
the case; **approval** an officer named on the case once the pack's approval record exists;
**kind** the record kind's `author_roles` in the pack decide (table below); **admin** an
administrator, for their agency and the units below; **system** the system actor only.

"""


def _cell(rule: Rule, role: Role) -> str:
    if rule.scope == Scope.SYSTEM:
        return ""
    if rule.scope == Scope.ADMINISTRATION:
        return "admin" if role == Role.ADMINISTRATOR else ""
    if rule.by_kind:
        return "" if role in (Role.SUPERVISOR, Role.ADMINISTRATOR) else "kind"
    if role not in rule.roles:
        return ""
    if role == Role.OFFICER and rule.after_approval:
        return "approval"
    if role == Role.OFFICER and rule.on_case:
        return "case"
    return "✓"


def _action_table() -> list[str]:
    head = "| action | " + " | ".join(name for _role, name in COLUMNS) + " | basis |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 2)]
    for action, rule in ACTION_ROLES.items():
        cells = [_cell(rule, role) for role, _name in COLUMNS]
        basis = "system only; " + rule.basis if rule.scope == Scope.SYSTEM else rule.basis
        lines.append(f"| `{action}` | " + " | ".join(cells) + f" | {basis} |")
    return lines


def _kind_tables() -> list[str]:
    lines: list[str] = []
    for pack_id, pack in sorted(all_packs().items()):
        lines += ["", f"### {pack_id} — {pack.title}", ""]
        approval = APPROVAL_KINDS.get(pack_id)
        if approval:
            lines.append(
                f"Approval record (an officer on the case may then seal and end the case): "
                f"`{approval[0]}` ({approval[1]})."
            )
        else:
            lines.append("No approval record kind: only the head seals and ends the case.")
        lines += ["", "| record kind | stage | made by | citation |", "|---|---|---|---|"]
        for kind in pack.record_kinds:
            who = ", ".join(
                f"{role} (on the case)" if role == Role.OFFICER else str(role)
                for role in kind.author_roles
            )
            lines.append(f"| `{kind.id}` {kind.label} | {kind.stage} | {who} | {kind.citation} |")
    return lines


def roles_markdown() -> str:
    """The text of ``docs/roles.md``."""
    lines = [*HEADER.splitlines(), "## Actions", "", *_action_table(), ""]
    lines += ["## Record kinds, per pack", ""]
    lines.append(
        "`record.add` and `record.correct` follow the kind: its `author_roles` in the pack "
        "(an officer among them must be named on the case). A kind without `author_roles` "
        "is made by the officers on the case."
    )
    lines += _kind_tables()
    return "\n".join(lines) + "\n"
