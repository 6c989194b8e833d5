"""gunicorn app servers on loopback ports, started and stopped like production's."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from .site import PROJECT_DIR, free_port

# As README's deployment: a few processes, each with threads (gthread workers).
WORKERS = 2
THREADS = 4
STOP_TIMEOUT = 10


class AppServer:
    def __init__(self, name: str, env: dict[str, str], log: Path):
        self.name = name
        self.env = env
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(WORKERS), "--threads", str(THREADS),
            # Django is imported once, then the workers are forked (nothing connects at import).
            "--preload",
            "--graceful-timeout", "5",
            # Its default, a socket in the home folder, would be shared by both servers.
            "--no-control-socket",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            # Its own process group, so that stopping it takes its workers too.
            self.process = subprocess.Popen(  # noqa: S603 (gunicorn from this venv)
                command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_ready(self, timeout: float = 120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=timeout).status_code == 200:
                    return
            except requests.ConnectionError:
                pass  # not listening yet
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.log_tail()}")

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self):
        if self.is_running():
            # The whole group: each worker stops at once rather than after a grace period.
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self):
        if self.process is None:
            return
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def stop_servers(servers: list[AppServer]):
    """Stop them all at once, then wait for each."""
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait_stopped()
