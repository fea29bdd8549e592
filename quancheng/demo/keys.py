"""Keys for the demo, so sealing documents and signing checkpoints work out of the box.

A real deployment sets its own passphrases and loads CA-issued certificates; the demo uses a
published passphrase (like its published password) when none is set, makes the self-managed
CA, a seal certificate for each demo agency and its officers, and the ledger's key.
"""

from __future__ import annotations

import os

from django.core.management import call_command

from quancheng.demo.people import DEMO_PASSWORD, Staff
from quancheng.documents import keys as document_keys
from quancheng.ledger import public as ledger_keys

DEMO_PASSPHRASE = DEMO_PASSWORD


def use_demo_passphrases() -> None:
    """Set the passphrases for this process and the server it starts, unless already set."""
    os.environ.setdefault(document_keys.PASSPHRASE_ENV, DEMO_PASSPHRASE)
    os.environ.setdefault(ledger_keys.PASSPHRASE_VAR, DEMO_PASSPHRASE)


def prepare_keys(staff: list[Staff]) -> list[str]:
    """Make whatever key is missing; returns what was made (for the report)."""
    made = []
    if not document_keys.ca_pair().cert.exists():
        document_keys.init_ca()
        made.append("document CA")
    for member in staff:
        if not document_keys.agency_pair(member.agency.code).cert.exists():
            call_command("documents", "issue-cert", member.agency.code, "--officers", verbosity=0)
            made.append(f"seal certificate of {member.agency.code}")
    if not ledger_keys.key_file().exists():
        call_command("keys", "init", verbosity=0)
        made.append("ledger key")
    return made


def sign_checkpoint() -> None:
    """Sign a checkpoint of every log that grew, so `quancheng verify` has one to check."""
    call_command("checkpoint", verbosity=0)
