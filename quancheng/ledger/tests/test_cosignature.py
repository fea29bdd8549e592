"""C2SP tlog-cosignature v1 and the tlog-witness request and answer bodies."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from quancheng.ledger.crypto import cosignature, note
from quancheng.ledger.witnesses import protocol as witness_protocol
from quancheng.ledger.witnesses.protocol import ProtocolError

TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
# the cosignature line of the C2SP tlog-cosignature example (its time line is 1679315147)
SPEC_LINE = (
    "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dl"
    "rDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)
SEED = bytes(range(32))


@pytest.fixture
def private():
    return Ed25519PrivateKey.from_private_bytes(SEED)


def test_the_spec_example_line_parses_to_its_time():
    parsed = cosignature.parse_line(SPEC_LINE)
    assert parsed.name == "witness.example.com/w1"
    assert parsed.key_id == bytes.fromhex("8d66cf3f")
    assert parsed.timestamp == 1679315147
    assert parsed.time.isoformat() == "2023-03-20T12:25:47+00:00"


def test_key_id_and_verifier_key_follow_the_spec(private):
    public = private.public_key().public_bytes_raw()
    expected = hashlib.sha256(b"w.example/1\n\x04" + public).digest()[:4]
    assert cosignature.key_id("w.example/1", public) == expected
    vkey = cosignature.verifier_key("w.example/1", public)
    assert vkey == f"w.example/1+{expected.hex()}+" + base64.b64encode(b"\x04" + public).decode()
    key = cosignature.parse_verifier_key(vkey)
    assert (key.name, key.key_id, key.public_key) == ("w.example/1", expected, public)
    # the checkpoint key type (0x01) of the same key is another key id
    assert note.key_id("w.example/1", public) != expected


def test_a_cosignature_signs_header_time_and_text(private):
    line = cosignature.cosign(TEXT, "w.example/1", private, 1679315147)
    blob = base64.b64decode(line.split()[-1])
    assert line.startswith("\u2014 w.example/1 ") and line.endswith("\n") and len(blob) == 76
    assert blob[4:12] == (1679315147).to_bytes(8, "big")
    signed = b"cosignature/v1\ntime 1679315147\n" + TEXT.encode()
    private.public_key().verify(blob[12:], signed)  # raises if not exactly this message
    key = cosignature.parse_verifier_key(
        cosignature.verifier_key("w.example/1", private.public_key().public_bytes_raw())
    )
    parsed = cosignature.parse_line(line)
    assert cosignature.verify(TEXT, parsed, key)
    assert not cosignature.verify(TEXT.replace("20852163", "20852164"), parsed, key)
    other_time = cosignature.Cosignature(parsed.name, parsed.key_id, 1679315148, parsed.signature)
    assert not cosignature.verify(TEXT, other_time, key)
    renamed = cosignature.Cosignature("w.example/2", parsed.key_id, 1679315147, parsed.signature)
    assert not cosignature.verify(TEXT, renamed, key)


def test_find_ignores_other_keys_and_finds_ours(private):
    public = private.public_key().public_bytes_raw()
    key = cosignature.parse_verifier_key(cosignature.verifier_key("w.example/1", public))
    ours = cosignature.cosign(TEXT, "w.example/1", private, 1700000000)
    stranger = cosignature.cosign(TEXT, "w.example/9", Ed25519PrivateKey.generate(), 1700000000)
    found = cosignature.find(SPEC_LINE + stranger + ours, TEXT, key)
    assert found is not None and found[0].timestamp == 1700000000 and found[1] == ours
    assert cosignature.find(SPEC_LINE + stranger, TEXT, key) is None
    with pytest.raises(note.NoteError):
        cosignature.find("not a line\n", TEXT, key)


@pytest.mark.parametrize(
    "vkey",
    [
        "",
        "w+00000000+AAAA",
        # a checkpoint (0x01) key is not a cosignature key
        note.verifier_key("w", bytes(32)),
        # key id altered
        cosignature.verifier_key("w", bytes(32)).replace("+", "+0", 1)[:-1],
        "w x+12345678+" + base64.b64encode(b"\x04" + bytes(32)).decode(),
    ],
)
def test_bad_verifier_keys_are_refused(vkey):
    with pytest.raises(note.NoteError):
        cosignature.parse_verifier_key(vkey)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "- w AAAA",
        "\u2014 w " + base64.b64encode(bytes(68)).decode(),  # a plain signature, no time
        "\u2014 w " + base64.b64encode(bytes(4) + b"\xff" * 8 + bytes(64)).decode(),
        "\u2014 w !!!!",
    ],
)
def test_bad_cosignature_lines_are_refused(line):
    with pytest.raises(note.NoteError):
        cosignature.parse_line(line)


# --- tlog-witness bodies ---------------------------------------------------------------------

NOTE = (
    TEXT
    + "\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDe"
    + ("OoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n")
)
SPEC_BODY = (
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n" + NOTE
)


def test_the_spec_example_request_round_trips():
    request = witness_protocol.parse_request(SPEC_BODY.encode())
    assert request.old_size == 20852014 and len(request.proof) == 4 and request.note == NOTE
    assert request.body == SPEC_BODY


def test_a_request_from_size_zero_has_no_proof_lines():
    body = witness_protocol.build_request(0, [], NOTE)
    assert body == "old 0\n\n" + NOTE
    assert witness_protocol.parse_request(body).proof == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        ("old 1\n" + NOTE).encode(),  # no blank line after the proof
        ("old 01\n\n" + NOTE).encode(),  # leading zero
        ("old -1\n\n" + NOTE).encode(),
        ("new 1\n\n" + NOTE).encode(),
        ("old 1\nnot-a-hash\n\n" + NOTE).encode(),
        ("old 1\n" + "AAAA\n" + "\n" + NOTE).encode(),  # too short for SHA-256
        ("old 1\n" + "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n" * 64 + "\n" + NOTE).encode(),
        ("old 1\n\n" + TEXT).encode(),  # unsigned
        b"old 1\n\nnot a checkpoint\n\n\xe2\x80\x94 w AAAAAAAA\n",
    ],
)
def test_malformed_requests_are_refused(body):
    with pytest.raises(ProtocolError):
        witness_protocol.parse_request(body)


def test_the_size_answer():
    assert witness_protocol.parse_size(b"42\n") == 42
    assert witness_protocol.size_body(42) == "42\n"
    for bad in (b"42", b"x\n", b"042\n", b"-1\n"):
        with pytest.raises(ProtocolError):
            witness_protocol.parse_size(bad)


def test_bad_padding_is_a_note_error(private):
    with pytest.raises(note.NoteError):
        cosignature.parse_line("\u2014 w AAA")
