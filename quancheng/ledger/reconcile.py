"""The rows users see, reconciled with the facts that describe them.

The ledger proves its facts; the case page, the exchange export, the compliance engine and
the PDFs read the domain tables. Each app declares, for the fact kinds it writes, which
rows a fact describes and with what values (a ``Table`` per table, a ``Fold`` per fact
kind) and registers that here from its ``AppConfig.ready``; the ledger imports nothing
from the apps. ``quancheng.ledger.verification.reconciling`` folds every fact of the
declared kinds, in log order, into the rows they say exist, reads every declared table
once, and compares: a changed value, a row with no fact, a fact whose row is gone
(``Mismatch``). Only the fields a fact records are checked: fields an older fact does not
carry are not proved by it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

CHANGED = "changed"
ROW_WITHOUT_FACT = "row_without_fact"
FACT_WITHOUT_ROW = "fact_without_row"

# How a field's two values are compared (each side brought to one spelling first).
TEXT = "text"  # str() of both; None stays None
VALUE = "value"  # JSON values compared as they are (numbers, booleans, lists, objects)
TIME = "time"  # an instant, to the millisecond the fact's JSON keeps
DATE = "date"  # a calendar date
SET = "set"  # a list whose order does not matter
JSON = "json"  # a JSON column (the driver may hand over its text)
UUID = "uuid"  # a UUID (SQLite keeps it as 32 hex digits)


@dataclass(frozen=True)
class Mismatch:
    """One disagreement between a row and the facts about it."""

    table: str
    row_id: str
    field: str  # "" for a whole row missing or unrecorded
    ledger: Any  # the value the facts give (None: no fact, or no row)
    row: Any  # the value in the row
    kind: str  # CHANGED, ROW_WITHOUT_FACT or FACT_WITHOUT_ROW
    log: str | None = None  # origin of the log the row belongs to; None: the installation's

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "id": self.row_id,
            "field": self.field,
            "ledger": self.ledger,
            "row": self.row,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Many:
    """A field that is a set of values from a link table: ``through`` rows, the owner's key
    in ``owner`` and the value in ``value`` (e.g. a recording's officers' certificates)."""

    through: Callable[[], type[models.Model]]
    owner: str
    value: str


@dataclass(frozen=True)
class Table:
    """A table whose rows facts describe. ``fields``: name → (ORM lookup, how compared);
    ``key``: the lookup facts name rows by (the primary key unless a fact names rows by
    another unique column); ``agency``: the lookup of the row's agency, for the log a row
    without a fact is reported in (None: the system log's, the installation's)."""

    name: str  # the database table, as reported
    model: Callable[[], type[models.Model]]
    fields: dict[str, tuple[str, str]]
    many: dict[str, Many] = field(default_factory=dict)
    key: str = "pk"
    agency: str | None = None


class Expected:
    """The rows the facts say exist, with the values they record, by table and key."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.logs: dict[str, dict[str, int]] = defaultdict(dict)  # the first fact's log
        self.log_id = 0  # of the fact being folded

    def row(self, table: str, key: object, /, **values: Any) -> None:
        """The row ``key`` of ``table`` is described by the current fact; ``values`` are set."""
        key = key if isinstance(key, str) else str(key)
        rows = self.rows[table]
        row = rows.get(key)
        if row is None:
            rows[key] = values
            self.logs[table][key] = self.log_id
        else:
            row.update(values)

    def log_of(self, table: str, key: str) -> int:
        return self.logs.get(table, {}).get(key, 0)


Fold = Callable[[Expected, str, dict[str, Any]], None]  # expected, subject id, payload
CaseSubjects = Callable[[int], Mapping[str, Iterable[Any]]]  # case id -> subject type: ids


@dataclass
class _Registry:
    tables: dict[str, Table] = field(default_factory=dict)
    folds: dict[str, Fold] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)
    case_subjects: list[CaseSubjects] = field(default_factory=list)
    file_checks: list[FileCheck] = field(default_factory=list)
    case_finder: Callable[[str], Any] | None = None
    case_viewed: Callable[[Any, Any, str], None] | None = None


@dataclass(frozen=True)
class FileCheck:
    """Stored files an app re-hashes during verify: ``count()`` of them, ``check(report,
    step)`` calling ``step()`` after each."""

    phase: str
    count: Callable[[], int]
    check: Callable[[Any, Callable[[], None]], None]


_registry = _Registry()


def register(
    *,
    tables: Iterable[Table] = (),
    folds: Mapping[str, Fold] | None = None,
    ignored: Iterable[str] = (),
    case_subjects: CaseSubjects | None = None,
    files: FileCheck | None = None,
) -> None:
    """An app's declarations: its tables, how each fact kind it writes describes rows, the
    kinds that describe no row (``ignored``: an access, a probe), which ledger subjects
    belong to a case (for its proof bundle), and the stored files verify re-hashes."""
    for table in tables:
        _registry.tables[table.name] = table
    _registry.folds.update(folds or {})
    _registry.ignored.update(ignored)
    if case_subjects is not None and case_subjects not in _registry.case_subjects:
        _registry.case_subjects.append(case_subjects)
    if files is not None and files not in _registry.file_checks:
        _registry.file_checks.append(files)


def register_cases(find: Callable[[str], Any], viewed: Callable[[Any, Any, str], None]) -> None:
    """How ``proof case`` finds a case by number or id, and records that it was read."""
    _registry.case_finder, _registry.case_viewed = find, viewed


def declared_kinds() -> set[str]:
    """Every fact kind some app declared (folded into rows, or describing none)."""
    return set(_registry.folds) | _registry.ignored


def tables() -> list[Table]:
    return list(_registry.tables.values())


def file_checks() -> list[FileCheck]:
    return list(_registry.file_checks)


def find_case(value: str) -> Any:
    if _registry.case_finder is None:
        raise LookupError("no app registered how to find a case")
    return _registry.case_finder(value)


def case_viewed(actor: Any, case: Any, what: str) -> None:
    if _registry.case_viewed is not None:
        _registry.case_viewed(actor, case, what)


def case_subjects(case_id: int) -> dict[str, list[str]]:
    """Every ledger subject that belongs to the case, by subject type (from every app)."""
    merged: dict[str, set[str]] = defaultdict(set)
    for subjects in _registry.case_subjects:
        for subject_type, ids in subjects(case_id).items():
            merged[subject_type] |= {str(i) for i in ids}
    return {subject_type: sorted(ids) for subject_type, ids in merged.items()}


# --- reconciling ---------------------------------------------------------------------------
