"""A real RFC 3161 time-stamping authority for tests: ``openssl ts -reply`` behind a small
HTTP handler running in a thread.

Use the ``local_tsa`` fixture (session-wide, registered in the root ``conftest.py``)::

    def test_stamped(local_tsa):
        local_tsa.url          # POST an application/timestamp-query here
        local_tsa.root_pem     # path of the PEM root that issued the TSA certificate
        local_tsa.root_cert    # the same, as a cryptography certificate
        local_tsa.mode = "garbage"   # answer with bytes that are no timestamp reply
        local_tsa.mode = "error"     # answer HTTP 500
        local_tsa.requests     # how many queries it answered

``local_tsa.mode`` is reset to ``"ok"`` before each test by the ``tsa`` fixture (function
scope), which is what a test should ask for. ``DOWN_TSA_URL`` is a URL nobody listens on.

The TSA certificate carries the critical extendedKeyUsage timeStamping that RFC 3161 asks
for. openssl writes its replies in DER; they are passed on unchanged.
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Bound and closed at import: nothing listens there during the tests.
DOWN_TSA_URL = f"http://127.0.0.1:{_free_port()}/tsa"

_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/root.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Quancheng test TSA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _make_certs(directory: Path) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("Test TSA Root"))
        .issuer_name(_name("Test TSA Root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name("Test TSA"))
        .issuer_name(root.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "root.pem").write_bytes(root.public_bytes(pem))
    (directory / "tsa.pem").write_bytes(tsa.public_bytes(pem))
    (directory / "tsa.key").write_bytes(
        tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / "serial").write_text("01\n")
    (directory / "openssl.cnf").write_text(_CONFIG.format(dir=directory))
    return root


@dataclass
class LocalTSA:
    directory: Path
    root_cert: x509.Certificate
    url: str = ""
    mode: str = "ok"
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root_pem(self) -> Path:
        return self.directory / "root.pem"

    def reply(self, query: bytes) -> bytes:
        """The DER timestamp reply openssl makes for a DER query."""
        with self._lock, tempfile.TemporaryDirectory() as scratch:
            tsq, tsr = Path(scratch) / "q.tsq", Path(scratch) / "r.tsr"
            tsq.write_bytes(query)
            subprocess.run(  # noqa: S603 - fixed arguments, test-only
                [  # noqa: S607
                    "openssl",
                    "ts",
                    "-reply",
                    "-config",
                    str(self.directory / "openssl.cnf"),
                    "-queryfile",
                    str(tsq),
                    "-out",
                    str(tsr),
                ],
                check=True,
                capture_output=True,
            )
            self.requests += 1
            return tsr.read_bytes()


def _handler(tsa: LocalTSA) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if tsa.mode == "error":
                self.send_error(500, "TSA out of order")
                return
            if tsa.mode == "garbage":
                body = b"<html>this is no timestamp</html>"
            else:
                try:
                    body = tsa.reply(query)
                except subprocess.CalledProcessError:
                    self.send_error(400, "bad query")
                    return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def start_tsa(directory: Path) -> tuple[LocalTSA, http.server.ThreadingHTTPServer]:
    """Make the certificates in ``directory`` and serve a TSA on a free local port."""
    tsa = LocalTSA(directory=directory, root_cert=_make_certs(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(tsa))
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return tsa, server


@pytest.fixture(scope="session")
def local_tsa(tmp_path_factory: pytest.TempPathFactory):
    tsa, server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield tsa
    server.shutdown()
    server.server_close()


@pytest.fixture
def tsa(local_tsa: LocalTSA) -> LocalTSA:
    """The session's TSA, answering properly at the start of the test."""
    local_tsa.mode = "ok"
    return local_tsa
