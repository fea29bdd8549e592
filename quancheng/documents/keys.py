"""Signing keys and certificates, kept as files outside the database.

``DATA_DIR/keys/`` holds::

    ca/ca.key.pem  ca/ca.cert.pem            the self-managed demo CA (``documents init-ca``)
    trust/*.pem                              further roots trusted when verifying
    <agency-code>/key.pem  cert.pem  chain.pem   the agency's seal key and certificate
    <agency-code>/officers/<cert-no>.key.pem / .cert.pem   an officer's personal key

Every private key is encrypted with the passphrase in ``QUANCHENG_SIGNING_PASSPHRASE``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils.translation import gettext as _

PASSPHRASE_ENV = "QUANCHENG_SIGNING_PASSPHRASE"  # noqa: S105 - a variable name
CA_YEARS = 10
LEAF_YEARS = 3


class SigningKeyError(Exception):
    """A key or certificate that is missing or cannot be used; the message says which."""


@dataclass(frozen=True)
class KeyPair:
    key: Path
    cert: Path
    chain: tuple[Path, ...] = ()


def keys_dir() -> Path:
    return Path(getattr(settings, "QUANCHENG_KEYS_DIR", None) or settings.DATA_DIR / "keys")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def passphrase() -> bytes:
    value = os.environ.get(PASSPHRASE_ENV, "")
    if not value:
        raise SigningKeyError(
            _("Set %(env)s: it protects the signing keys.") % {"env": PASSPHRASE_ENV}
        )
    return value.encode()


def ca_pair() -> KeyPair:
    return KeyPair(keys_dir() / "ca" / "ca.key.pem", keys_dir() / "ca" / "ca.cert.pem")


def agency_pair(agency_code: str) -> KeyPair:
    base = keys_dir() / _safe(agency_code)
    chain = base / "chain.pem"
    return KeyPair(base / "key.pem", base / "cert.pem", (chain,) if chain.exists() else ())


def officer_pair(agency_code: str, cert_no: str) -> KeyPair:
    base = keys_dir() / _safe(agency_code) / "officers"
    name = _safe(cert_no)
    chain = agency_pair(agency_code).chain
    return KeyPair(base / f"{name}.key.pem", base / f"{name}.cert.pem", chain)


def trust_roots() -> list[x509.Certificate]:
    """The roots a verification trusts: the demo CA if there is one, and ``trust/*.pem``."""
    files = [ca_pair().cert] if ca_pair().cert.exists() else []
    files += sorted((keys_dir() / "trust").glob("*.pem"))
    roots: list[x509.Certificate] = []
    for path in files:
        roots.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    return roots


def load_key(path: Path) -> PrivateKeyTypes:
    if not path.exists():
        raise SigningKeyError(_("No key file at %(path)s.") % {"path": path})
    try:
        return serialization.load_pem_private_key(path.read_bytes(), passphrase())
    except (ValueError, TypeError):
        raise SigningKeyError(
            _("Cannot open the key %(path)s: wrong passphrase or not a key.") % {"path": path}
        ) from None


def load_cert(path: Path) -> x509.Certificate:
    if not path.exists():
        raise SigningKeyError(_("No certificate at %(path)s.") % {"path": path})
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError:
        raise SigningKeyError(_("%(path)s is not a PEM certificate.") % {"path": path}) from None


def _write_key(path: Path, key: PrivateKeyTypes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase()),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _write_cert(path: Path, *certs: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))


def _name(common: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def init_ca(name: str = "Quancheng demo CA", force: bool = False) -> KeyPair:
    """Make the demo CA (ECDSA P-256). Refuses to replace an existing one unless ``force``."""
    pair = ca_pair()
    if pair.cert.exists() and not force:
        raise SigningKeyError(_("A CA already exists at %(path)s.") % {"path": pair.cert})
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    subject = _name(name, name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    _write_key(pair.key, key)
    _write_cert(pair.cert, cert)
    return pair


def _issue(pair: KeyPair, common: str, organization: str) -> KeyPair:
    ca = ca_pair()
    ca_key = load_key(ca.key)
    ca_cert = load_cert(ca.cert)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common, organization))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        # The CA is ours (init_ca: ECDSA P-256); the key types say it might be one that
        # cannot issue certificates (X25519, X448, DH …).
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_cert.public_key()  # type: ignore[arg-type]
            ),
            False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    _write_key(pair.key, key)
    _write_cert(pair.cert, cert)
    return pair


def issue_agency_cert(agency_code: str, agency_name: str) -> KeyPair:
    """Issue the agency's seal certificate from the demo CA."""
    return _issue(agency_pair(agency_code), agency_name, agency_name)


def issue_officer_cert(agency_code: str, agency_name: str, name: str, cert_no: str) -> KeyPair:
    """Issue an officer's personal signing certificate from the demo CA."""
    return _issue(officer_pair(agency_code, cert_no), f"{name} {cert_no}", agency_name)


def import_cert(
    agency_code: str,
    cert_file: Path,
    key_file: Path,
    key_passphrase: bytes | None = None,
    chain_file: Path | None = None,
) -> KeyPair:
    """Take an agency's CA-issued certificate and key; the key is re-encrypted with ours.

    Certificates in ``chain_file`` go beside it; the self-signed ones among them are
    trusted from then on (``trust/``).
    """
    cert = load_cert(cert_file)
    try:
        key = serialization.load_pem_private_key(key_file.read_bytes(), key_passphrase)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(
            _("Cannot read the key %(path)s: %(e)s") % {"path": key_file, "e": exc}
        ) from exc
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise SigningKeyError(_("The key does not belong to the certificate."))
    pair = agency_pair(agency_code)
    _write_key(pair.key, key)
    _write_cert(pair.cert, cert)
    if chain_file is not None:
        chain = x509.load_pem_x509_certificates(chain_file.read_bytes())
        _write_cert(pair.key.parent / "chain.pem", *chain)
        for index, ca in enumerate(c for c in chain if c.issuer == c.subject):
            _write_cert(keys_dir() / "trust" / f"{_safe(agency_code)}-{index}.pem", ca)
    return agency_pair(agency_code)
