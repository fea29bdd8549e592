"""The layers of docs/architecture.md hold: import-linter's layers contract (pyproject.toml)
passes on the code, and fails, naming the import, when a lower app imports a higher one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
    assert "1 kept, 0 broken" in result.stdout


def test_a_lower_app_importing_a_higher_one_breaks_the_contract(tmp_path):
    shutil.copytree(
        ROOT / "quancheng", tmp_path / "quancheng", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # The ledger, which every app writes to, reaching up into the web pages.
    (tmp_path / "quancheng" / "ledger" / "wrong.py").write_text(
        "def page():\n    from quancheng.web import urls\n\n    return urls\n"
    )
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "quancheng.ledger is not allowed to import quancheng.web" in result.stdout
    assert "quancheng.ledger.wrong -> quancheng.web.urls" in result.stdout
