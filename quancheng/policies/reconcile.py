"""How the facts of the working-day calendar describe its rows (``quancheng.ledger.reconcile``)."""

from __future__ import annotations

from typing import Any

from quancheng.ledger.reconcile import JSON, TEXT, VALUE, Expected, Table

CALENDAR = "policies_calendaryear"


def _calendar_model() -> Any:
    from quancheng.policies.models import CalendarYear

    return CalendarYear


TABLES = [
    Table(
        CALENDAR,
        _calendar_model,
        {
            "year": ("year", VALUE),
            "holidays": ("holidays", JSON),
            "workdays": ("workdays", JSON),
            "source": ("source", TEXT),
        },
    )
]


def _loaded(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    values = {k: p[k] for k in ("year", "holidays", "workdays", "source")}
    expected.row(CALENDAR, subject, **values)


FOLDS = {"calendar.loaded": _loaded}


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(tables=TABLES, folds=FOLDS)
