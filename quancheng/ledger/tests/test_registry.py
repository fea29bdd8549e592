"""The ledger knows the domain apps only through what they register: it imports none of
them, and every fact kind the code appends is declared by some app."""

from __future__ import annotations

import ast
from pathlib import Path

import quancheng
from quancheng.ledger import reconcile

ROOT = Path(quancheng.__file__).parent
DOMAIN = ("cases", "media", "devices", "documents", "uploads", "api", "web")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_ledger_imports_no_domain_app():
    offending = []
    for path in sorted((ROOT / "ledger").rglob("*.py")):
        if "tests" in path.relative_to(ROOT / "ledger").parts:
            continue
        for name in _imported(path):
            parts = name.split(".")
            if parts[0] == "quancheng" and len(parts) > 1 and parts[1] in DOMAIN:
                offending.append(f"{path.relative_to(ROOT)}: {name}")
    assert offending == []


def _kinds_appended() -> set[str]:
    """The literal kinds of every ``append_fact`` call and ``append_facts`` item in the code."""
    kinds: set[str] = set()

    def literal(node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            kinds.add(node.value)
        elif isinstance(node, ast.IfExp):
            literal(node.body)
            literal(node.orelse)

    for path in ROOT.rglob("*.py"):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "append_fact":
                if len(node.args) >= 2:
                    literal(node.args[1])
    return kinds


def test_every_fact_kind_appended_is_declared_for_the_rows_check():
    kinds = _kinds_appended()
    assert {"case.opened", "record.corrected", "original.probed", "ledger.verified"} <= kinds
    assert kinds - reconcile.declared_kinds() == set()


def test_device_events_are_declared():
    from quancheng.devices.choices import DeviceEventKind

    assert {f"device.{kind}" for kind in DeviceEventKind.values} <= reconcile.declared_kinds()


def test_every_declared_table_is_its_models_table():
    for table in reconcile.tables():
        assert table.model()._meta.db_table == table.name


def test_a_case_bundle_takes_its_subjects_from_every_app(db):
    from quancheng.casefile.bundle import case_subjects

    class Case:
        pk = 0

    subjects = case_subjects(Case())
    assert set(subjects) >= {
        "case",
        "party",
        "record",
        "record_version",
        "signature",
        "refusal",
        "recording",
        "interruption",
        "original",
        "upload",
        "document",
    }
