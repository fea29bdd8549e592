"""Load test of the web UI and API through the real server, on loopback.

    .venv/bin/python bench/web.py [--backends sqlite,postgresql] [--cases 10000]
        [--requests 2000] [--concurrency 20] [--sets demo,generated] [--workers 2]

For each backend and data set (the demo data of ``quancheng demo``, and ``--cases`` cases
from the generator of ``bench/compliance.py``) builds a fresh data directory, starts
``quancheng serve`` as a deployment runs it (gunicorn, its task worker, no checkpoint
scheduler) on a free loopback port, signs in as an officer (an API token made by the token
action; a session cookie from the login form), then sends ``--requests`` requests to each of
GET /api/v1/cases (the list), GET /api/v1/cases/<id> (a case's detail) and the case page
/cases/<id>/ from ``--concurrency`` client threads, each with its own keep-alive session and
a timeout on every request. Prints requests per second, p50 and p99 per target, the CPU time
the server's processes spent per request (which, unlike the rate, others' load on shared
cores does not inflate), and the machine's load average before and after (figures measured
under load are not comparable). Goal (2 cores): API list >= 250 req/s, case page >= 100 req/s,
p99 < 400 ms for both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for bench.* and tests.servers when run as a script
PG_URL = os.environ.get(
    "QUANCHENG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/quancheng_bench_web"
)
PASSWORD = "bench-web-password"  # noqa: S105 - a throwaway account on a throwaway site
TIMEOUT = 30.0  # seconds, per request
GOALS = {"api list": (250, 400), "case page": (100, 400)}


@dataclass
class Result:
    target: str
    seconds: float = 0.0
    server_cpu: float = 0.0  # seconds of CPU the server's processes spent on the run
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request: unlike the rate, not inflated by others' load."""
        return self.server_cpu / len(self.latencies) * 1000 if self.latencies else float("nan")

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000, help="per target")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--sets", default="demo,generated", help="demo, generated or both")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (serve's default)")
    parser.add_argument("--threads", type=int, help="threads per worker (serve's default: 64)")
    parser.add_argument(
        "--targets", default="", help="only: api-list, api-detail, case-page (comma-separated)"
    )
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(args.prepare)))  # noqa: T201
        return
    before = os.getloadavg()
    print(  # noqa: T201
        f"Web load: {args.requests} requests per target, {args.concurrency} concurrent clients,"
        f" serve --workers {args.workers} (gthread, {args.threads or 'default'} threads),"
        f" QUANCHENG_DB_CONN_MAX_AGE={os.environ.get('QUANCHENG_DB_CONN_MAX_AGE', '60')},"
        f" {os.cpu_count()} cores;"
        f" load average before {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}"
    )
    warn_if_busy(before[0])
    print(  # noqa: T201
        f"{'backend':<12}{'data':<14}{'target':<12}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'cpu ms':>9}{'errors':>8}"
    )
    for backend in args.backends.split(","):
        for data_set in args.sets.split(","):
            size = "demo" if data_set == "demo" else str(args.cases)
            results = run_set(backend, size, args)
            if results is None:
                print(f"{backend:<12}(not reachable, skipped)")  # noqa: T201
                continue
            label = "demo" if size == "demo" else f"{size} cases"
            for r in results:
                errors = sum(r.errors.values())
                print(  # noqa: T201
                    f"{backend:<12}{label:<14}{r.target:<12}{r.rate:>8.0f}"
                    f"{r.percentile(0.50):>9.0f}{r.percentile(0.99):>9.0f}{r.cpu_ms:>9.1f}"
                    f"{errors:>8}" + (f"  {r.errors}" if errors else "")
                )
    after = os.getloadavg()
    print(  # noqa: T201
        f"Load average after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}."
        " Goal: api list >= 250 req/s, case page >= 100 req/s, p99 < 400 ms for both."
    )
    warn_if_busy(after[0])


def warn_if_busy(load: float) -> None:
    cores = os.cpu_count() or 1
    if load > 0.5 * cores:
        print(  # noqa: T201
            f"WARNING: load average {load:.1f} on {cores} cores: other work shares the"
            " machine, so these figures understate the server."
        )


def run_set(backend: str, size: str, args: argparse.Namespace) -> list[Result] | None:
    from bench.common import reset_postgres
    from tests.servers import running, server_env

    with tempfile.TemporaryDirectory(prefix="qc-bench-web-") as tmp:
        data = Path(tmp)
        # As README advises for production: connections kept for a minute, not per request.
        extra = {
            "QUANCHENG_DEBUG": "0",
            "QUANCHENG_DB_CONN_MAX_AGE": os.environ.get("QUANCHENG_DB_CONN_MAX_AGE", "60"),
        }
        if backend == "postgresql":
            if not reset_postgres(PG_URL):
                return None
            extra["DATABASE_URL"] = PG_URL
        env = server_env(data, **extra)
        prepared = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--prepare", size],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if prepared.returncode != 0:
            sys.stderr.write(prepared.stderr)
            raise SystemExit(f"preparing the {size} data set on {backend} failed")
        facts = json.loads(prepared.stdout.strip().splitlines()[-1])
        serve = ["serve", "--no-migrate", "--no-scheduler", "--workers", str(args.workers)]
        serve += ["--threads", str(args.threads)] if args.threads else []
        serve += ["--bind", "127.0.0.1:{port}"]
        with running(serve, env, data / "server.log", "/accounts/login/") as (base, server):
            only = [t for t in args.targets.split(",") if t]
            return load(base, facts, args.requests, args.concurrency, server.pid, only)


def prepare(size: str) -> dict:
    """In the data directory of this process's environment: the data set, an officer who
    signs in, an API token for them, and the ids of the cases they read."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quancheng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from quancheng.agencies.actions import create_user
    from quancheng.agencies.models import Agency, User
    from quancheng.api.actions import create_token
    from quancheng.casefile.compliance import refresh_compliance
    from quancheng.cases.models import Case
    from quancheng.ledger.choices import Channel
    from quancheng.ledger.context import Actor

    actor = Actor.system(Channel.CLI)
    if size == "demo":
        from quancheng.demo.people import DEMO_PASSWORD

        call_command("demo", force=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        username, password = "anhui-officer", DEMO_PASSWORD
    else:
        from bench.dataset import generate

        call_command("migrate", verbosity=0, interactive=False)
        ids = generate(int(size))
        refresh_compliance(ids)  # the summaries the list shows, as the actions keep them
        username, password = "bench-officer", PASSWORD
        create_user(
            actor,
            Agency.objects.get(code="bench-anhui"),
            username=username,
            password=password,
            full_name="基准执法员",
            roles=["officer"],
            cert_no="BENCH-WEB-0001",
        )
    user = User.objects.get(username=username)
    _token, raw = create_token(actor, user, "bench/web.py")
    case_ids = list(Case.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True))
    return {"username": username, "password": password, "token": raw, "cases": case_ids}


def login(base: str, username: str, password: str) -> dict[str, str]:
    """The session cookie from the login form (its CSRF cookie and token first)."""
    with requests.Session() as session:
        page = session.get(f"{base}/accounts/login/", timeout=TIMEOUT)
        token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        done = session.post(
            f"{base}/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        if done.status_code != 302:
            raise SystemExit(f"sign-in failed: {done.status_code}")
        return session.cookies.get_dict()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of ``pid`` and every process below it (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:  # the process ended meanwhile
        return total
    return total + sum(cpu_seconds(int(child)) for child in children)


def load(
    base: str,
    facts: dict,
    n_requests: int,
    concurrency: int,
    server_pid: int,
    only: list[str] | None = None,
) -> list[Result]:
    cookies = login(base, facts["username"], facts["password"])
    bearer = {"Authorization": f"Bearer {facts['token']}"}
    cases = facts["cases"]
    targets = [
        ("api list", lambda i: f"{base}/api/v1/cases", bearer, {}),
        ("api detail", lambda i: f"{base}/api/v1/cases/{cases[i % len(cases)]}", bearer, {}),
        ("case page", lambda i: f"{base}/cases/{cases[i % len(cases)]}/", {}, cookies),
    ]
    return [
        run_target(name, url, headers, jar, n_requests, concurrency, server_pid)
        for name, url, headers, jar in targets
        if not only or name.replace(" ", "-") in only
    ]


def run_target(name, url, headers, cookies, n_requests, concurrency, server_pid) -> Result:  # noqa: ANN001
    """``n_requests`` GETs of ``url(i)`` from ``concurrency`` threads, after a short warm-up
    (each worker's first requests import and compile templates)."""
    result = Result(name)
    lock = threading.Lock()
    counter = iter(range(n_requests))

    def client() -> None:
        with requests.Session() as session:
            session.headers.update(headers)
            session.cookies.update(cookies)
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                started = time.perf_counter()
                try:
                    response = session.get(url(i), timeout=TIMEOUT, allow_redirects=False)
                    outcome = str(response.status_code) if response.status_code != 200 else ""
                except requests.RequestException as exc:
                    outcome = type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    if outcome:
                        result.errors[outcome] = result.errors.get(outcome, 0) + 1
                    else:
                        result.latencies.append(elapsed)

    with requests.Session() as warm:
        warm.headers.update(headers)
        warm.cookies.update(cookies)
        for i in range(2 * concurrency):
            warm.get(url(i), timeout=TIMEOUT)
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    cpu = cpu_seconds(server_pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.server_cpu = cpu_seconds(server_pid) - cpu
    return result


if __name__ == "__main__":
    main()
