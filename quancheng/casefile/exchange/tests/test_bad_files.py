"""Files that are not case files at all, or are too big, too deep or too long: ``quancheng
check`` and ``import`` exit 2 with a message naming where, never a traceback, and never read
more than QUANCHENG_EXCHANGE_MAX_BYTES."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quancheng.casefile.exchange.tests.helpers import EXAMPLES, example, run, write
from quancheng.cases.models import Case

AT = "2026-11-01T12:00:00+08:00"
COMPLIANT = str(EXAMPLES / "anhui" / "compliant.json")


def _write_bytes(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    return str(path)


BAD_FILES = {
    "deep nesting": (b"[" * 100_000, "Nested more than 32 levels deep"),
    "deep but parseable": (b'{"a": ' + b"[" * 500 + b"]" * 500 + b"}", "levels deep"),
    "a 100 000-digit number": (b"1" * 100_000, "a number with too many digits"),
    "invalid UTF-8": (b'{"format": "\xff\xfe"}', "Not UTF-8 text (byte 12)"),
    "NUL in a key": (b'{"a\\u0000": 1}', "NUL"),
}


@pytest.mark.parametrize("command", ["check_case", "import_case"])
@pytest.mark.parametrize("data, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_unusable_file_exits_2_with_a_message(request, tmp_path, command, data, message):
    args = []
    if command == "import_case":
        request.getfixturevalue("world")
        args = ["--agency", "agency-b"]
    path = _write_bytes(tmp_path, data)
    result = run(command, path, *args)
    assert result.code == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.startswith(f"{path}: ")


def test_file_over_the_limit_is_refused_unread(tmp_path, settings):
    settings.QUANCHENG_EXCHANGE_MAX_BYTES = 1000
    result = run("check_case", write(tmp_path, example("anhui")), "--at", AT)
    assert result.code == 2
    assert "larger than 1000 bytes (QUANCHENG_EXCHANGE_MAX_BYTES)" in result.stderr


def test_long_text_is_refused_with_its_path(tmp_path, settings):
    settings.QUANCHENG_MAX_TEXT = 1000
    doc = example("anhui")
    doc["records"][0]["versions"][0]["fields"]["reason"] = "理" * 1001
    result = run("check_case", write(tmp_path, doc), "--at", AT)
    assert result.code == 2
    assert "records[0].versions[0].fields.reason: At most 1000 characters." in result.stderr


@pytest.mark.parametrize(
    "value, message",
    [
        ("0001-01-01T00:00:00+08:00", "Must be a time in the years 1970 to 2100 (UTC)."),
        ("9999-12-31T23:59:59+08:00", "Must be a time in the years 1970 to 2100 (UTC)."),
        (
            "2026-03-02T09:00:00+08:05:43",
            "The timezone offset must be whole minutes between -14:00 and +14:00.",
        ),
    ],
)
def test_time_outside_the_range_is_refused(tmp_path, value, message):
    doc = example("anhui")
    doc["records"][0]["versions"][0]["occurred_at"] = value
    result = run("check_case", write(tmp_path, doc), "--at", AT)
    assert result.code == 2, result.stdout
    assert f"records[0].versions[0].occurred_at: {message}" in result.stderr


def test_at_outside_the_range_is_refused():
    result = run("check_case", COMPLIANT, "--at", "9999-12-31T23:59:59+08:00")
    assert result.code == 2
    assert "--at: Must be a time in the years 1970 to 2100 (UTC)." in result.stderr


def test_huge_recording_size_is_refused(tmp_path):
    doc = example("anhui")
    doc["recordings"][0]["size"] = 10**30
    result = run("check_case", write(tmp_path, doc), "--at", AT)
    assert result.code == 2
    assert "recordings[0].size" in result.stderr


def test_a_150_mb_reason_is_not_imported(world, tmp_path):
    """The default cap (64 Ki characters) refuses a huge reason before anything is written:
    today's case page took 6 s with one."""
    doc = example("anhui")
    doc["records"][0]["versions"][0]["fields"]["reason"] = "理" * 70_000
    result = run("import_case", write(tmp_path, doc), "--agency", "agency-b")
    assert result.code == 2
    assert "records[0].versions[0].fields.reason: At most 65536 characters." in result.stderr
    assert not Case.objects.filter(number=doc["case"]["number"]).exists()


def _console(*args: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "quancheng.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        stdin=stdin,
    )


def test_dev_zero_is_refused_without_reading_it_all():
    """The real console command in its own process: /dev/zero never ends; at most the limit
    plus one byte is read, then exit 2 (not a MemoryError)."""
    proc = _console("check", "/dev/zero", "--at", AT)
    assert proc.returncode == 2, proc.stderr
    assert "QUANCHENG_EXCHANGE_MAX_BYTES" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_deep_nesting_on_stdin_gives_no_traceback(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000)
    with path.open("rb") as handle:
        proc = _console("check", "-", "--at", AT, stdin=handle.fileno())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("-: ") and "32" in proc.stderr  # in Chinese, by default
    assert "Traceback" not in proc.stderr
