"""Background tasks of the ledger (Django's Tasks API, the ``django-tasks`` backport); the
database worker (``quancheng db_worker``) runs them beside ``quancheng serve``."""

from __future__ import annotations

from django_tasks import task

from quancheng.ledger.verification.runs import execute_run


@task()
def run_verification(run_id: int) -> dict[str, object]:
    """The full verification for the web page: progress and result on ``VerificationRun``."""
    return execute_run(run_id)
