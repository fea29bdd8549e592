"""SM2 signatures with SM3 (国密) for checkpoints, and the file that holds an SM2 key.

Signing and verifying follow GB/T 32918.2 (GM/T 0003.2) through ``gmalg`` (pure Python, MIT):
the signed digest is SM3(Z || message), Z computed from the default distinguishing identifier
``1234567812345678`` (GB/T 35276 / GM/T 0009), the signature is the DER
``SEQUENCE { r INTEGER, s INTEGER }`` (GB/T 35276) and the public key the 65-byte
uncompressed point ``0x04 || x || y``; exactly what ``openssl pkeyutl -sign -rawin -digest sm3
-pkeyopt distid:1234567812345678`` makes and checks.

``cryptography`` has no SM2, so the key file is written here as OpenSSL writes it with
``openssl genpkey -algorithm SM2 -aes256``: a PKCS#8 ``EncryptedPrivateKeyInfo`` (PBES2,
PBKDF2-HMAC-SHA256, AES-256-CBC) holding an ``ECPrivateKey`` on the curve ``sm2``
(1.2.156.10197.1.301), in PEM. OpenSSL reads it, and such a key made by OpenSSL is read here.
"""

from __future__ import annotations

import base64
import functools
import os
import re

from asn1crypto import algos, core, keys
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from gmalg import SM2

DEFAULT_ID = b"1234567812345678"
CURVE_OID = "1.2.156.10197.1.301"
ORDER = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123
PBKDF2_ITERATIONS = 600_000
_PEM = re.compile(
    rb"-----BEGIN ENCRYPTED PRIVATE KEY-----\s+([A-Za-z0-9+/=\s]+?)\s*"
    rb"-----END ENCRYPTED PRIVATE KEY-----"
)


if CURVE_OID not in keys.NamedCurve._map:
    keys.NamedCurve.register("sm2", CURVE_OID, 32)


class Sm2KeyError(ValueError):
    """Not an SM2 key, or one that cannot be decrypted with the passphrase given."""


def _der_signature(r: int, s: int) -> bytes:
    return algos.DSASignature({"r": r, "s": s}).dump()


@functools.lru_cache(maxsize=64)
def public_key_valid(public_key: bytes) -> bool:
    """A 65-byte uncompressed point on the curve, of the group's order, not infinity."""
    if len(public_key) != 65 or public_key[0] != 0x04:
        return False
    try:
        return SM2().verify_pk(public_key)
    except Exception:  # noqa: BLE001 - gmalg raises its own errors for malformed points
        return False


class Sm2PrivateKey:
    """An SM2 private key (the secret scalar ``d``, 1 ≤ d ≤ n − 2)."""

    def __init__(self, secret: int) -> None:
        if not 1 <= secret <= ORDER - 2:
            raise Sm2KeyError("not an SM2 private key")
        self._secret = secret
        self._public = SM2().generate_pk(secret.to_bytes(32, "big"))

    @classmethod
    def generate(cls) -> Sm2PrivateKey:
        secret, _public = SM2().generate_keypair()
        return cls(int.from_bytes(secret, "big"))

    def public_bytes(self) -> bytes:
        """The uncompressed point ``0x04 || x || y`` (65 bytes)."""
        return self._public

    def sign(self, data: bytes) -> bytes:
        """DER signature of ``data`` (SM3 with Z of the default identifier)."""
        signer = SM2(self._secret.to_bytes(32, "big"), DEFAULT_ID, self._public)
        r, s = signer.sign(data)
        return _der_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))

    # --- the key file ----------------------------------------------------------------------

    def private_key_info(self) -> bytes:
        """PKCS#8 ``PrivateKeyInfo`` DER, as OpenSSL writes an SM2 key."""
        ec_key = keys.ECPrivateKey(
            {
                "version": "ecPrivkeyVer1",
                "private_key": self._secret,
                "public_key": self._public,
            }
        )
        algorithm = keys.PrivateKeyAlgorithm(
            {
                "algorithm": "ec",
                "parameters": keys.ECDomainParameters(name="named", value="sm2"),
            }
        )
        info = keys.PrivateKeyInfo(
            {"version": 0, "private_key_algorithm": algorithm, "private_key": ec_key}
        )
        return info.dump()

    def to_encrypted_pem(self, passphrase: bytes) -> bytes:
        salt, iv = os.urandom(16), os.urandom(16)
        key = _pbkdf2(passphrase, salt, PBKDF2_ITERATIONS)
        padder = padding.PKCS7(128).padder()
        plain = padder.update(self.private_key_info()) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        encrypted = encryptor.update(plain) + encryptor.finalize()
        scheme = algos.EncryptionAlgorithm(
            {
                "algorithm": "pbes2",
                "parameters": {
                    "key_derivation_func": {
                        "algorithm": "pbkdf2",
                        "parameters": {
                            "salt": algos.Pbkdf2Salt(name="specified", value=salt),
                            "iteration_count": PBKDF2_ITERATIONS,
                            "prf": {"algorithm": "sha256", "parameters": core.Null()},
                        },
                    },
                    "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv},
                },
            }
        )
        der = keys.EncryptedPrivateKeyInfo(
            {"encryption_algorithm": scheme, "encrypted_data": encrypted}
        ).dump()
        body = base64.encodebytes(der).decode().replace("\n", "")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        text = "\n".join(
            ["-----BEGIN ENCRYPTED PRIVATE KEY-----", *lines, "-----END ENCRYPTED PRIVATE KEY-----"]
        )
        return (text + "\n").encode()

    @classmethod
    def from_encrypted_pem(cls, pem: bytes, passphrase: bytes) -> Sm2PrivateKey:
        """Read the key; ``Sm2KeyError`` for a wrong passphrase or anything not an SM2 key."""
        match = _PEM.search(pem)
        if not match:
            raise Sm2KeyError("not an encrypted private key")
        try:
            info = keys.EncryptedPrivateKeyInfo.load(base64.b64decode(match[1]))
            scheme = info["encryption_algorithm"]
            if scheme["algorithm"].native != "pbes2":
                raise Sm2KeyError("unsupported key encryption")
            params = scheme["parameters"]
            kdf = params["key_derivation_func"]
            cipher = params["encryption_scheme"]
            if kdf["algorithm"].native != "pbkdf2" or cipher["algorithm"].native not in (
                "aes128_cbc",
                "aes192_cbc",
                "aes256_cbc",
            ):
                raise Sm2KeyError("unsupported key encryption")
            kdf_params = kdf["parameters"]
            prf = kdf_params["prf"]["algorithm"].native
            key = _pbkdf2(
                passphrase,
                kdf_params["salt"].native,
                kdf_params["iteration_count"].native,
                length=cipher.key_length,
                prf=prf,
            )
            decryptor = Cipher(
                algorithms.AES(key), modes.CBC(cipher["parameters"].native)
            ).decryptor()
            padded = decryptor.update(info["encrypted_data"].native) + decryptor.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            der = unpadder.update(padded) + unpadder.finalize()
            return cls.from_private_key_info(der)
        except Sm2KeyError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise Sm2KeyError("wrong passphrase or damaged key") from exc

    @classmethod
    def from_private_key_info(cls, der: bytes) -> Sm2PrivateKey:
        info = keys.PrivateKeyInfo.load(der)
        algorithm = info["private_key_algorithm"]
        if algorithm["algorithm"].native != "ec":
            raise Sm2KeyError("not an SM2 key")
        curve = algorithm["parameters"]
        if curve.name != "named" or curve.chosen.dotted != CURVE_OID:
            raise Sm2KeyError("not an SM2 key")
        ec_key = keys.ECPrivateKey.load(info["private_key"].contents)
        key = cls(ec_key["private_key"].native)
        stored = ec_key["public_key"]
        if not isinstance(stored, core.Void) and stored.native != key.public_bytes():
            raise Sm2KeyError("the key's public half does not match it")
        return key


def _pbkdf2(
    passphrase: bytes, salt: bytes, iterations: int, length: int = 32, prf: str = "sha256"
) -> bytes:
    digests = {"sha256": hashes.SHA256(), "sha512": hashes.SHA512()}
    if prf not in digests:
        raise Sm2KeyError("unsupported key encryption")
    kdf = PBKDF2HMAC(digests[prf], length=length, salt=salt, iterations=iterations)
    return kdf.derive(passphrase)


def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` (DER) is ``public_key``'s SM2-with-SM3 signature of ``data``."""
    if not public_key_valid(public_key):
        return False
    try:
        parsed = algos.DSASignature.load(signature, strict=True)
        r, s = parsed["r"].native, parsed["s"].native
    except (ValueError, TypeError):
        return False
    if _der_signature(r, s) != signature or not (1 <= r < ORDER and 1 <= s < ORDER):
        return False
    verifier = SM2(uid=DEFAULT_ID, pk=public_key)
    return verifier.verify(data, r.to_bytes(32, "big"), s.to_bytes(32, "big"))
