"""``/ledger``: inclusion proofs of facts, consistency proofs between checkpoints, and the
latest checkpoint of each log (docs/ledger.md, "Proofs")."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from quancheng.agencies.requests import caller
from quancheng.bounds import BIGINT_MAX, nul_message
from quancheng.errors import ActionError
from quancheng.ledger.proving import proofs
from quancheng.ledger.proving.proofs import Point, ProofError
from quancheng.ledger.witnesses import witnessing
from quancheng.utilities.schemas import Id, error_responses

router = Router(tags=["ledger"])


class CheckpointOut(Schema):
    id: int
    origin: str
    tree_size: int
    root: str
    root_base64: str
    created_at: str
    note: str


class InclusionOut(Schema):
    fact: int
    kind: str
    subject: list[str]
    origin: str
    tree_size: int
    leaf_index: int
    leaf_hash: str
    audit_path: list[str]
    root: str
    checkpoint: CheckpointOut | None


class TreeEndOut(Schema):
    tree_size: int
    root: str
    checkpoint: CheckpointOut | None


class ConsistencyOut(Schema):
    origin: str
    from_: TreeEndOut = Field(..., alias="from")
    to: TreeEndOut
    proof: list[str]


def _http(exc: ProofError) -> HttpError:
    return HttpError(exc.status, exc.message)


@router.get(
    "/facts/{int:fact_id}/proof",
    response={200: InclusionOut, **error_responses(404)},
    summary="Inclusion proof of a fact",
)
def fact_proof(request: HttpRequest, fact_id: int, checkpoint: Id | None = None) -> dict:
    """The fact's audit path (RFC 9162) to the root of its log's latest checkpoint, or of the
    checkpoint given; against the current, not yet signed tree (``checkpoint`` null) when no
    checkpoint covers the fact yet. A fact of an agency the caller does not see is "not
    found"."""
    user = caller(request)
    try:
        fact = proofs.fact_for(user, fact_id)
        against = proofs.checkpoint_for(user, checkpoint) if checkpoint is not None else None
        return proofs.inclusion(fact, against)
    except ProofError as exc:
        raise _http(exc) from None


@router.get(
    "/consistency",
    response={200: ConsistencyOut, **error_responses(404)},
    summary="Consistency proof between two checkpoints",
    by_alias=True,
)
def consistency_proof(
    request: HttpRequest,
    first: int = Query(
        ..., alias="from", le=BIGINT_MAX, description="checkpoint id (tree size with origin)"
    ),
    second: int = Query(
        ..., alias="to", le=BIGINT_MAX, description="checkpoint id (tree size with origin)"
    ),
    origin: str | None = Query(
        None, max_length=300, description="with it, from and to are tree sizes"
    ),
) -> dict:
    """Proof (RFC 9162 §2.1.4) that the log at ``from`` is a prefix of the log at ``to``."""
    user = caller(request)
    if origin and "\x00" in origin:
        raise ActionError(nul_message(), "origin")
    try:
        if origin:
            log = proofs.log_for(user, origin)
            old, new = Point(log, first), Point(log, second)
        else:
            old = Point.of(proofs.checkpoint_for(user, first))
            new = Point.of(proofs.checkpoint_for(user, second))
        return proofs.consistency(old, new)
    except ProofError as exc:
        raise _http(exc) from None


@router.get(
    "/checkpoints",
    response={200: list[CheckpointOut], **error_responses()},
    summary="The latest checkpoint of each log",
)
def checkpoints(request: HttpRequest) -> list[dict]:
    """The latest signed checkpoint of every log the caller sees (their agencies' and the
    system log)."""
    return [proofs.checkpoint_json(cp) for cp in proofs.latest_checkpoints(caller(request))]


class CosignatureOut(Schema):
    witness: str
    verifier_key: str
    line: str
    cosigned_at: str


class CosignedOut(Schema):
    checkpoint: CheckpointOut
    cosignatures: list[CosignatureOut]
    note: str


@router.get(
    "/checkpoints/{int:checkpoint_id}/cosignatures",
    response={200: CosignedOut, **error_responses(404)},
    summary="A checkpoint's cosignatures by witnesses",
)
def checkpoint_cosignatures(request: HttpRequest, checkpoint_id: int) -> dict:
    """The cosignatures (C2SP tlog-cosignature) witnesses returned for the checkpoint, and
    its note with them appended: check it with the log's and the witnesses' verifier keys."""
    try:
        checkpoint = proofs.checkpoint_for(caller(request), checkpoint_id)
    except ProofError as exc:
        raise _http(exc) from None
    rows = list(checkpoint.cosignatures.select_related("witness").order_by("id"))
    return {
        "checkpoint": proofs.checkpoint_json(checkpoint),
        "cosignatures": [
            {
                "witness": row.witness.name,
                "verifier_key": row.witness.verifier_key,
                "line": row.line,
                "cosigned_at": row.signed_at.isoformat(),
            }
            for row in rows
        ],
        "note": witnessing.with_cosignatures(checkpoint, rows),
    }
