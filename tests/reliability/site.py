"""Running the portal as production does: its environment, manage.py, free ports."""

import os
import socket
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Nothing listens on the discard port: emails (sent by background tasks, which
# nobody runs here) could not leave, and a connection to it is refused at once.
CLOSED_PORT = 9


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment README asks of production, on plain HTTP to 127.0.0.1."""
    return {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "reliability-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(CLOSED_PORT),
        "EMAIL_USE_TLS": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


# Static files no test site shows (the admin's, the API docs'): collecting and
# compressing them takes a minute and proves nothing.
NEVER_SHOWN = ("admin", "ninja")
# And the math stylesheet and font, for a site whose texts hold no math.
MATH = ("STIXTwoMath*", "css/math.css")


def collectstatic(env: dict[str, str], left_out=NEVER_SHOWN) -> str:
    """collectstatic of the files a test site shows (the patterns `left_out` are not)."""
    ignored = [option for pattern in left_out for option in ("-i", pattern)]
    return manage(env, "collectstatic", "--noinput", "-v0", *ignored)


# Seconds a command may take: a few on an idle machine, far more on a busy one.
COMMAND_TIMEOUT = 180


def manage(env: dict[str, str], *args: str) -> str:
    """Run `manage.py <args>` with `env`; its output, or an error that shows it."""
    return run_python(env, "manage.py", *args)


def run_python(env: dict[str, str], *args: str) -> str:
    process = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{process.stdout}\n{process.stderr}")
    return process.stdout


def free_port() -> int:
    """A loopback port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
