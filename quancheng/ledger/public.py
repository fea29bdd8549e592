"""The ledger's front door: what the other apps use of it.

Besides this module, the other apps use ``quancheng.ledger.reconcile`` (declaring how their
facts map to their rows), ``quancheng.ledger.models`` (the rows), ``quancheng.ledger.sql``
(the append-only triggers their migrations install) and ``quancheng.ledger.portable`` (the
standalone verifier, for ``quancheng verify_proof``). Everything else in the ledger is
private to it: the log and its tree (``log/``), the cryptography that needs no Django
(``crypto/``), checkpoints and their keys (``checkpoints/``), witnesses (``witnesses/``),
verification (``verification/``) and proofs (``proving/``). A contract in ``pyproject.toml``
keeps it so.
"""

from quancheng.ledger.actions import append_fact, append_facts, init_key, sign_checkpoints
from quancheng.ledger.checkpoints.keys import PASSPHRASE_VAR, KeyFileError, key_file
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.log.logs import origin_for
from quancheng.ledger.proving.files import Proved, write_proof_directory
from quancheng.ledger.proving.proofs import (
    Point,
    ProofError,
    checkpoint_for,
    consistency,
    fact_for,
    inclusion,
    log_for,
)

__all__ = [
    "PASSPHRASE_VAR",
    "Actor",
    "Channel",
    "KeyFileError",
    "Point",
    "ProofError",
    "Proved",
    "append_fact",
    "append_facts",
    "checkpoint_for",
    "consistency",
    "fact_for",
    "inclusion",
    "init_key",
    "key_file",
    "log_for",
    "origin_for",
    "sign_checkpoints",
    "write_proof_directory",
]
