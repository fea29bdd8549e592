"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml) pass on
the code, and fail, naming the import, when a lower app imports a higher one or an app
reaches past the ledger's front door (``ledger/public.py``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603 - our own tool on our own files
        LINT, cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_code_keeps_its_layers():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


WRONG = {
    # The ledger, which every app writes to, reaching up into the web pages.
    "layers": (
        "ledger",
        "def page():\n    from quancheng.web import urls\n\n    return urls\n",
        "quancheng.ledger is not allowed to import quancheng.web",
        "quancheng.ledger.wrong -> quancheng.web.urls",
    ),
    # A domain app using the ledger's Merkle tree directly instead of ledger.public.
    "front door": (
        "cases",
        "from quancheng.ledger.log import merkle\n\nROOT = merkle.leaf_hash\n",
        "quancheng.cases is not allowed to import quancheng.ledger.log",
        "quancheng.cases.wrong -> quancheng.ledger.log.merkle",
    ),
}


@pytest.mark.parametrize("contract", WRONG)
def test_a_wrong_import_breaks_the_contract_and_is_named(tmp_path, contract):
    app, code, refusal, chain = WRONG[contract]
    shutil.copytree(
        ROOT / "quancheng", tmp_path / "quancheng", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "quancheng" / app / "wrong.py").write_text(code)
    result = lint(tmp_path)
    assert result.returncode == 1
    assert refusal in result.stdout
    assert chain in result.stdout
