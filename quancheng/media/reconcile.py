"""How the facts of recordings describe their rows (``quancheng.ledger.reconcile``):
recordings with their officers and records, interruptions with their signers, evidence
notes, stored originals; and the originals' bytes that verify re-hashes.

Not proved by any fact: what ffprobe read (``MediaInfo``), the derived files, who created a
row, and a recording's agency beyond its log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quancheng.ledger.reconcile import TEXT, TIME, VALUE, Expected, FileCheck, Many, Table
from quancheng.media.values import RECORDING_VALUES


def _model(name: str, link: str = "") -> Any:
    def get() -> Any:
        from quancheng.media import models

        model = getattr(models, name)
        return getattr(model, link).through if link else model

    return get


RECORDING, INTERRUPTION = "media_recording", "media_interruption"
NOTE, ORIGINAL = "media_evidencenote", "media_original"

_RECORDING_FIELDS = {
    "case": ("case_id", VALUE),
    "device": ("device__serial", TEXT),
    **{name: (name, kind) for name, kind in RECORDING_VALUES.items()},
    "original": ("original_id", VALUE),
    "sidecar": ("sidecar__sha256", TEXT),
}

TABLES = [
    Table(
        RECORDING,
        _model("Recording"),
        _RECORDING_FIELDS,
        many={
            "officers": Many(_model("Recording", "officers"), "recording_id", "officer__cert_no"),
            "records": Many(_model("Recording", "records"), "recording_id", "record_id"),
        },
        agency="agency_id",
    ),
    Table(
        INTERRUPTION,
        _model("Interruption"),
        {
            "case": ("case_id", VALUE),
            "device": ("device__serial", TEXT),
            "session": ("session", TEXT),
            "started_at": ("started_at", TIME),
            "ended_at": ("ended_at", TIME),
            "reason": ("reason", TEXT),
            "resumed": ("resumed", VALUE),
            "spoken_explanation": ("spoken_explanation", VALUE),
            "statement": ("statement", TEXT),
        },
        many={
            "signers": Many(
                _model("Interruption", "statement_signers"), "interruption_id", "officer__cert_no"
            )
        },
        agency="agency_id",
    ),
    Table(
        NOTE,
        _model("EvidenceNote"),
        {
            "recording": ("recording_id", VALUE),
            "taken_at": ("taken_at", TIME),
            "place": ("place", TEXT),
            "matter": ("matter", TEXT),
        },
        many={
            "taken_by": Many(
                _model("EvidenceNote", "taken_by"), "evidencenote_id", "officer__cert_no"
            )
        },
        agency="recording__agency_id",
    ),
    Table(
        ORIGINAL,
        _model("Original"),
        {
            "sha256": ("sha256", TEXT),
            "sm3": ("sm3", TEXT),
            "size": ("size", VALUE),
            "backend": ("backend", TEXT),
            "key": ("key", TEXT),
        },
    ),
]


def _recording(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    values = {name: p[name] for name in _RECORDING_FIELDS if name in p}
    expected.row(RECORDING, subject, officers=p["officers"], records=p["records"], **values)


def _evidence(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(RECORDING, subject, used_as_evidence=True)


def _note(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(RECORDING, subject, used_as_evidence=True)
    expected.row(
        NOTE, p["note"], recording=int(subject), taken_by=p["taken_by"], taken_at=p["taken_at"],
        place=p["place"], matter=p["matter"],
    )  # fmt: skip


def _interruption(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    fields = ("case", "device", "session", "started_at", "ended_at", "reason", "resumed")
    values = {name: p[name] for name in fields}
    expected.row(
        INTERRUPTION, subject, spoken_explanation=p["spoken_explanation"],
        statement=p["statement"], signers=p["signers"], **values,
    )  # fmt: skip


def _stored(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    values = {k: p[k] for k in ("sha256", "sm3", "size", "backend", "key")}
    expected.row(ORIGINAL, subject, **values)


def _described(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(ORIGINAL, subject, sha256=p["sha256"])


FOLDS = {
    "recording.described": _recording,
    "recording.used_as_evidence": _evidence,
    "recording.evidence_note": _note,
    "interruption.explained": _interruption,
    "original.stored": _stored,
    "original.probed": _described,
    "original.unreadable": _described,
    "original.derived": _described,
}


def case_subjects(case_id: int) -> dict[str, list[Any]]:
    from quancheng.media.models import Interruption, Recording

    recordings = Recording.objects.filter(case_id=case_id)
    originals = [
        pk
        for pair in recordings.values_list("original_id", "sidecar_id")
        for pk in pair
        if pk is not None
    ]
    return {
        "recording": list(recordings.values_list("pk", flat=True)),
        "interruption": list(
            Interruption.objects.filter(case_id=case_id).values_list("pk", flat=True)
        ),
        "original": originals,
    }


def _count() -> int:
    from quancheng.media.models import Original

    return Original.objects.count()


def check_originals(report: Any, step: Callable[[], None]) -> None:
    """Every original re-hashed from the bytes in its store."""
    from django.utils.translation import gettext as _

    from quancheng.media.models import Original
    from quancheng.media.store import StoreError
    from quancheng.media.verify import check_original

    for original in Original.objects.order_by("id").iterator():
        try:
            problem = check_original(original, full=True)
        except (OSError, StoreError) as exc:
            problem = _("it cannot be read: %(e)s") % {"e": exc}
        report.originals += 1
        if problem is not None:
            report.add(
                "files",
                "original",
                _("Original sha256:%(sha)s (%(key)s): %(problem)s.")
                % {"sha": original.sha256, "key": original.key, "problem": problem},
            )
        step()


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(
        tables=TABLES,
        folds=FOLDS,
        case_subjects=case_subjects,
        files=FileCheck("originals", _count, check_originals),
    )
