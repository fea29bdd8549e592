"""What a write of the API could touch, counted before and after a refused request."""

from __future__ import annotations

from quancheng.cases.models import Case, Record, RecordVersion, Signature, SignatureRefusal
from quancheng.ledger.models import Fact


def counts() -> dict[str, int]:
    """Rows of every table a write of the API could touch."""
    return {
        model.__name__: model.objects.count()
        for model in (Case, Record, RecordVersion, Signature, SignatureRefusal, Fact)
    }
