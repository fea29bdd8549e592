"""How the facts of uploads describe their rows (``quancheng.ledger.reconcile``).

The bytes received so far (``offset``), the expiry and the last error change between facts
and are not proved; the state, the case, the declared length and metadata, and the
recording a completed upload became are."""

from __future__ import annotations

from typing import Any

from quancheng.ledger.reconcile import JSON, TEXT, UUID, VALUE, Expected, Table

UPLOAD = "uploads_upload"


def _upload_model() -> Any:
    from quancheng.uploads.models import Upload

    return Upload


TABLES = [
    Table(
        UPLOAD,
        _upload_model,
        {
            "key": ("key", UUID),
            "case": ("case_id", VALUE),
            "length": ("length", VALUE),
            "metadata": ("metadata", JSON),
            "state": ("state", TEXT),
            "recording": ("recording_id", VALUE),
        },
        agency="agency_id",
    )
]


def _created(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(
        UPLOAD, subject, key=p["key"], case=p["case"], length=p["length"],
        metadata=p["metadata"], state="receiving", recording=None,
    )  # fmt: skip


def _completed(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(UPLOAD, subject, state="completed", recording=p["recording"])


def _ended(state: str) -> Any:
    def fold(expected: Expected, subject: str, p: dict[str, Any]) -> None:
        expected.row(UPLOAD, subject, state=state)

    return fold


FOLDS = {
    "upload.created": _created,
    "upload.completed": _completed,
    "upload.failed": _ended("failed"),
    "upload.aborted": _ended("aborted"),
    "upload.expired": _ended("expired"),
}


def case_subjects(case_id: int) -> dict[str, list[Any]]:
    from quancheng.uploads.models import Upload

    uploads = Upload.objects.filter(case_id=case_id)
    return {
        "upload": list(uploads.values_list("pk", flat=True)),
        "original": [pk for pk in uploads.values_list("original_id", flat=True) if pk is not None],
    }


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(tables=TABLES, folds=FOLDS, case_subjects=case_subjects)
