"""A private PostgreSQL cluster for one run, so stopping it harms nothing else.

initdb puts it in a temporary folder and it listens on a free loopback port
only. PostgreSQL refuses to run as root, so as root (CI) its commands run as
the `postgres` OS user through runuser.
"""

import glob
import os
import shutil
import subprocess
from pathlib import Path

import psycopg

from .site import free_port

POSTGRES_BIN_DIRS = "/usr/lib/postgresql/*/bin"
DATABASE = "seminars"
TIMEOUT = 60


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian keeps each version apart)."""
    found = [Path(path) for path in glob.glob(POSTGRES_BIN_DIRS) if Path(path, "initdb").exists()]
    return max(found, key=lambda path: int(path.parent.name), default=None)


class PrivatePostgres:
    def __init__(self, directory: Path):
        self.bin_dir = postgres_bin_dir()
        if self.bin_dir is None:
            raise RuntimeError(f"No PostgreSQL server binaries in {POSTGRES_BIN_DIRS}")
        self.directory = directory
        self.data_dir = directory / "data"
        self.log = directory / "postgres.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def create(self):
        """initdb, start, and create the portal's (empty) database."""
        self.directory.mkdir()
        if self.as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
        self.run(
            "initdb", "--pgdata", self.data_dir, "--username=postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync",
        )  # fmt: skip
        self.start()
        admin_url = self.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            # No power cut to survive here: skip the flushes to disk. A fast
            # shutdown still writes every committed transaction out.
            "-c fsync=off -c full_page_writes=off"
        )
        self.run("pg_ctl", "start", "-D", self.data_dir, "-l", self.log, "-w", "-o", options)

    def stop(self, mode: str = "fast"):
        self.run("pg_ctl", "stop", "-D", self.data_dir, "-m", mode, "-w")

    def is_running(self) -> bool:
        status = self.run("pg_ctl", "status", "-D", self.data_dir, check=False)
        return status.returncode == 0

    def destroy(self):
        """Stop at once if running; the caller removes the folder."""
        if self.data_dir.exists() and self.is_running():
            self.stop("immediate")

    def log_tail(self, lines: int = 20) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def run(self, program: str, *args, check: bool = True) -> subprocess.CompletedProcess:
        command = [*self.as_postgres, str(self.bin_dir / program), *map(str, args)]
        process = subprocess.run(  # noqa: S603 (PostgreSQL's own tools, fixed arguments)
            command, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        if check and process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{process.stdout}\n{process.stderr}")
        return process
