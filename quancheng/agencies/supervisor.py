"""Keeps a helper process of ``quancheng serve`` running: the task worker, the checkpoint
scheduler. When it exits it is started again after a pause that doubles with each quick
exit (1 s, 2 s, 4 s … at most 60 s) and goes back to 1 s once it has run a while; each
restart is one log line with the exit code. SIGTERM and SIGINT are passed on to it, and the
supervisor ends with it.

Run as ``python -m quancheng.agencies.supervisor NAME -- COMMAND …``. The child runs in its
own process group, so a signal to the server's group reaches it once (through here), not
twice (a second SIGTERM makes ``db_worker`` abandon the task it is running).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("quancheng.supervisor")


@dataclass
class Backoff:
    """The pause before the next start: doubles after each quick exit, from ``first`` up
    to ``cap``; back to ``first`` after a run of at least ``healthy`` seconds."""

    first: float = 1.0
    cap: float = 60.0
    healthy: float = 60.0
    current: float = field(init=False, default=0.0)

    def after_run(self, seconds: float) -> float:
        """The pause after a run that lasted ``seconds``."""
        if seconds >= self.healthy or not self.current:
            self.current = self.first
        else:
            self.current = min(self.cap, self.current * 2)
        return self.current


def _die_with_parent() -> None:
    """In the child: SIGTERM when the supervisor dies (Linux parent-death signal)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Supervisor:
    """Runs ``argv`` again and again until a signal tells it to stop."""

    def __init__(self, name: str, argv: Sequence[str], backoff: Backoff | None = None) -> None:
        self.name = name
        self.argv = list(argv)
        self.backoff = backoff or Backoff()
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = False
        self.restarts = 0

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)

    def run(self) -> int:
        """Supervise until SIGTERM/SIGINT; the child's last exit code."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._signal)
        code = 0
        while not self.stopping:
            started = time.monotonic()
            self.child = subprocess.Popen(  # noqa: S603 - the command serve gave
                self.argv,
                process_group=0,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only sets the parent-death signal
            )
            code = self.child.wait()
            if self.stopping:
                break
            pause = self.backoff.after_run(time.monotonic() - started)
            self.restarts += 1
            logger.warning(
                "%s exited with code %s after %.0f s; restart %d in %.0f s",
                self.name,
                code,
                time.monotonic() - started,
                self.restarts,
                pause,
            )
            self._pause(pause)
        return code

    def _pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if a signal says stop (in short steps: a signal
        handler must not take a lock the interrupted code may hold)."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


def main(args: Sequence[str]) -> int:
    """``NAME -- COMMAND …``: supervise COMMAND, logging restarts under NAME."""
    if len(args) < 3 or args[1] != "--":
        sys.stderr.write("usage: python -m quancheng.agencies.supervisor NAME -- COMMAND …\n")
        return 2
    logging.basicConfig(format="[%(asctime)s] [supervisor] %(message)s", level=logging.INFO)
    return Supervisor(args[0], args[2:]).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
