"""The API fuzzed from its committed OpenAPI document (schemathesis) against the real server
(``quancheng serve`` over a seeded SQLite database): for an officer, a supervisor and an
anonymous client, every operation gets a bounded, derandomized set of generated requests,
once with free path parameters and once pinned to the seeded case, record and device.
No answer may be a server error or break the document (status codes and bodies).

Bounded so that it runs in about a minute: ``EXAMPLES`` per operation and pass, no
shrinking (a failure is reported as found), Hypothesis's example database off.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.servers import SERVE, running, server_env

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
SEED = Path(__file__).with_name("fuzz_seed.py")
EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    data = tmp_path_factory.mktemp("fuzz-site")
    env = server_env(data, QUANCHENG_CHECKPOINT_INTERVAL="0")
    seeded = subprocess.run(  # noqa: S603
        [sys.executable, str(SEED)], env=env, check=True, capture_output=True, text=True
    )
    facts = json.loads(seeded.stdout.strip().splitlines()[-1])
    with running(SERVE, env, data / "server.log", "/api/v1/openapi.json") as (base, _server):
        yield SimpleNamespace(base=base, log=data / "server.log", **facts)


def _pinned(site: SimpleNamespace, path: str) -> dict[str, Any]:
    """Path parameters of the operation at ``path`` pinned to seeded objects."""
    known = {"case_id": site.case, "record_id": site.record, "serial": site.serial}
    return {name: value for name, value in known.items() if "{" + name + "}" in path}


def _fuzz(operation: Any, base: str, headers: dict[str, str], pinned: dict[str, Any]) -> list:
    failures: list[str] = []
    strategy = operation.as_strategy(path_parameters=pinned or None)
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=base, session=session, headers=headers, timeout=60)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as exc:  # a failed check: keep going, report them all
            request = response.request
            failures.append(
                f"{request.method} {request.url} → {response.status_code}: "
                f"{str(exc).strip()[:600]}\n  body sent: {str(request.body)[:300]}"
            )

    run()
    return failures


@pytest.mark.parametrize("client", ["officer", "supervisor", "anonymous"])
def test_no_server_error_and_no_answer_outside_the_document(site, client):
    schema = schemathesis.openapi.from_path(str(COMMITTED))
    headers = {"Accept-Language": "en"}
    if client != "anonymous":
        headers["Authorization"] = f"Bearer {getattr(site, client)}"
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        pinned = _pinned(site, operation.path)
        for pins in [{}, pinned] if pinned else [{}]:
            failures.extend(_fuzz(operation, site.base, headers, pins))
    log = site.log.read_text(errors="replace")
    assert not failures, "\n\n".join(failures[:15]) + f"\n\n({len(failures)} failures)"
    assert "Traceback" not in log, log[-3000:]
