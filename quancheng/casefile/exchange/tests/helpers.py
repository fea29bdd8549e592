"""Running the exchange commands in-process and reading the example files."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management import call_command

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run(command: str, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def example(pack: str, name: str = "compliant.json") -> dict[str, Any]:
    return json.loads((EXAMPLES / pack / name).read_text(encoding="utf-8"))


def write(tmp_path: Path, document: Any, name: str = "case.json") -> str:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return str(path)
