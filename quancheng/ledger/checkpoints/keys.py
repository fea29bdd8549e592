"""The checkpoint signing key: an Ed25519 key (or, in 国密 mode, an SM2 key) in a PKCS#8 PEM
file outside the database, encrypted with the passphrase in ``QUANCHENG_LEDGER_KEY_PASSPHRASE``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils.translation import gettext as _

from quancheng.ledger.crypto import note
from quancheng.ledger.crypto.sm2 import Sm2KeyError, Sm2PrivateKey

PrivateKey = Ed25519PrivateKey | Sm2PrivateKey

PASSPHRASE_VAR = "QUANCHENG_LEDGER_KEY_PASSPHRASE"  # noqa: S105 - the name, not the secret


class KeyFileError(Exception):
    """The key file is missing, unreadable, or its passphrase is wrong or not set."""


@dataclass(frozen=True)
class SigningKeyPair:
    name: str
    private_key: PrivateKey

    @property
    def public_key(self) -> bytes:
        return note.public_bytes(self.private_key)

    @property
    def algorithm(self) -> str:
        return note.algorithm(self.public_key)

    @property
    def key_id(self) -> bytes:
        return note.key_id(self.name, self.public_key)

    @property
    def verifier_key(self) -> str:
        return note.verifier_key(self.name, self.public_key)


def key_file(agency_code: str | None = None) -> Path:
    """The installation's key file, or an agency's own (``agency-<code>.pem`` beside it)."""
    path = Path(settings.QUANCHENG_LEDGER_KEY_FILE)
    return path.with_name(f"agency-{agency_code}.pem") if agency_code else path


def passphrase() -> bytes:
    value = os.environ.get(PASSPHRASE_VAR, "")
    if not value:
        raise KeyFileError(
            _("Set %(var)s to the passphrase of the ledger key file.") % {"var": PASSPHRASE_VAR}
        )
    return value.encode()


def generate(algorithm: str) -> PrivateKey:
    """A new private key: ``ed25519`` or ``sm2``."""
    if algorithm == "sm2":
        return Sm2PrivateKey.generate()
    if algorithm == "ed25519":
        return Ed25519PrivateKey.generate()
    raise ValueError(f"unknown key algorithm {algorithm!r}")


def default_algorithm() -> str:
    """SM2 in 国密 mode (``QUANCHENG_GUOMI``), else Ed25519."""
    return "sm2" if getattr(settings, "QUANCHENG_GUOMI", False) else "ed25519"


def write_key(path: Path, private_key: PrivateKey) -> None:
    """Write the key encrypted, readable by the owner only; never over an existing file."""
    if isinstance(private_key, Sm2PrivateKey):
        pem = private_key.to_encrypted_pem(passphrase())
    else:
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase()),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def read_private_key(path: Path | None = None) -> PrivateKey:
    path = path or key_file()
    secret = passphrase()
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(
            _("There is no ledger key file at %(path)s: run “quancheng keys init”.")
            % {"path": path}
        ) from None
    except OSError as exc:
        raise KeyFileError(
            _("The ledger key file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": exc.strerror}
        ) from None
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" not in pem:
        raise KeyFileError(_("%(path)s is not an encrypted private key file.") % {"path": path})
    try:
        key = serialization.load_pem_private_key(pem, password=secret)
    except (ValueError, UnsupportedAlgorithm):
        # cryptography has no SM2: such a file is read (and its passphrase checked) here
        try:
            return Sm2PrivateKey.from_encrypted_pem(pem, secret)
        except Sm2KeyError:
            raise KeyFileError(
                _(
                    "Wrong passphrase for the ledger key file %(path)s: check %(var)s "
                    "(or the file is damaged)."
                )
                % {"path": path, "var": PASSPHRASE_VAR}
            ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(_("%(path)s does not hold an Ed25519 or SM2 key.") % {"path": path})
    return key
