"""Two app servers, one database, many commenters, and a database restart in the middle.

Starts a private PostgreSQL cluster and two gunicorn servers in production
settings sharing it, and the cache (a table in it): server "a" keeps persistent
connections, server "b" uses psycopg's pool. Signed-in users post comments
concurrently, half to each server, each comment read back from the other
server. Then, while a second round of comments runs, the database is stopped
for a few seconds and started again. What happened is kept in a Report, whose
checks test_two_servers.py asserts at a small size.

The benchmark harness runs it at full size:

    .venv/bin/python -m tests.reliability.driver --comments 500

which prints a summary as JSON and exits 1 if any check fails.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
import requests

from .cluster import PrivatePostgres
from .servers import WORKERS, AppServer, stop_servers
from .site import collectstatic, production_env, run_python
from .traffic import REQUEST_TIMEOUT, Attempt, HealthProbe, Log, Posted, Visitor

# Server b's database settings: psycopg's pool, which gives up waiting for a
# connection after a second (production's default is 5), so a short outage shows.
POOL = {"DATABASE_POOL": "true", "DATABASE_POOL_TIMEOUT": "1"}


# The cluster, static files and logs (some 100 MB, written and deleted again) go
# to memory where the machine has a roomy tmpfs there, else to the usual temporary folder.
SHM = "/dev/shm"  # noqa: S108 (the parent of mkdtemp's private folder, nothing more)
MEMORY_DISK = SHM if os.path.isdir(SHM) and shutil.disk_usage(SHM).free > 2**30 else None


@dataclass
class Scenario:
    comments: int = 100  # posted in the first round, with the database up
    outage_comments: int = 50  # posted in the second round, while it restarts
    users: int = 20
    talks: int = 5
    outage_seconds: float = 3.0
    round_timeout: float = 60  # a round not done by then is given up

    def comment_rate_limits(self) -> str:
        """Limits this traffic never reaches (the limit is not under test here).

        Just above need: each post checks one cache slot per comment allowed.
        """
        most = -(-(self.comments + self.outage_comments) // self.users) + 10
        return f"{most}/m,{most}/d"


@dataclass
class Round:
    planned: int
    posted: list[Posted] = field(default_factory=list)  # answered with a success
    stored: dict[int, str] = field(default_factory=dict)  # its comments in the database
    errors: list[str] = field(default_factory=list)


@dataclass
class Outage:
    stopped: float = 0.0  # monotonic time `pg_ctl stop` returned
    starting: float = 0.0  # monotonic time `pg_ctl start` was called
    started: float = 0.0  # monotonic time it answered again


@dataclass
class Report:
    scenario: Scenario
    steady: Round
    during_outage: Round
    outage: Outage
    attempts: list[Attempt]
    unseen_on_other_server: list[int]  # comment ids the other server did not show next
    after: dict[str, dict[str, int]]  # per server: status of /healthz and a talk page
    worker_boots: dict[str, int]  # per server: workers started, restarts included
    still_running: dict[str, bool]  # per server: its gunicorn master never exited
    timings: dict[str, float]  # seconds each step took
    logs: dict[str, str] = field(default_factory=dict)

    def storage_problems(self) -> list[str]:
        """Each round stored exactly its planned comments, each acknowledged one included."""
        problems = []
        for name, round_ in (("steady", self.steady), ("outage", self.during_outage)):
            problems += [f"{name}: {error}" for error in round_.errors]
            if len(round_.stored) != round_.planned:
                problems.append(f"{name}: {len(round_.stored)} stored, {round_.planned} planned")
            lost = [
                p.comment_id for p in round_.posted if round_.stored.get(p.comment_id) != p.body
            ]
            if lost:
                problems.append(f"{name}: acknowledged but not stored: {lost}")
            stored_bodies = sorted(round_.stored.values())
            if stored_bodies != sorted(p.body for p in round_.posted):
                problems.append(f"{name}: stored comments differ from those acknowledged")
        return problems

    def visibility_problems(self) -> list[str]:
        return [f"comment {id} not shown by the other server" for id in self.unseen_on_other_server]

    def outage_page_problems(self) -> list[str]:
        """During the outage each server answered pages with the friendly 503; every
        request got an answer, and none a 500."""
        problems = [
            f"server {server} gave no friendly 503 page while the database was down"
            for server in self.servers()
            if not any(a.friendly for a in self.attempts_while_down(server))
        ]
        problems += [
            f"server {a.server} gave no answer to {a.what}: {a.error}"
            for a in self.attempts
            if a.status is None
        ]
        problems += [
            f"server {a.server} answered {a.what} with {a.status} (not the friendly 503 page)"
            for a in self.attempts
            if a.status is not None and a.status >= 500 and not self.acceptable_outage_answer(a)
        ]
        return problems

    def health_problems(self) -> list[str]:
        """/healthz said 503 while the database was down, and 200 once it was back."""
        problems = []
        for server in self.servers():
            down = [a.status for a in self.attempts_while_down(server, "healthz")]
            if 503 not in down:
                problems.append(f"server {server}'s /healthz never said 503 during the outage")
            last = [a.status for a in self.attempts if a.server == server and a.what == "healthz"]
            if not last or last[-1] != 200:
                problems.append(f"server {server}'s /healthz ended with {last[-1:]}, not 200")
        return problems

    def recovery_problems(self) -> list[str]:
        """After the outage each server answered again, without any restart."""
        problems = [
            f"server {server} answered {page} with {status} after the outage"
            for server, statuses in self.after.items()
            for page, status in statuses.items()
            if status != 200
        ]
        problems += [
            f"server {name}'s master exited" for name, up in self.still_running.items() if not up
        ]
        problems += [
            f"server {name} started {boots} workers: some were restarted"
            for name, boots in self.worker_boots.items()
            if boots != WORKERS
        ]
        for server in self.servers():
            posted_after = [
                a
                for a in self.attempts
                if a.server == server and a.what == "comment post" and a.at > self.outage.started
            ]
            if not any(a.status == 302 for a in posted_after):
                problems.append(f"server {server} took no comment after the database was back")
        return problems

    def failures(self) -> list[str]:
        return [
            *self.storage_problems(),
            *self.visibility_problems(),
            *self.outage_page_problems(),
            *self.health_problems(),
            *self.recovery_problems(),
        ]

    def servers(self) -> list[str]:
        return sorted(self.after)

    def attempts_while_down(self, server: str, what: str | None = None) -> list[Attempt]:
        # Answered before the database answered again: until `pg_ctl start` returns it
        # is still down, and on a loaded machine a probe sent in the outage's last
        # second is answered (503, after the connect timeout) while it starts.
        return [
            a
            for a in self.attempts
            if a.server == server
            and self.outage.stopped <= a.at <= self.outage.started
            and (what == "healthz") == (a.what == "healthz")
        ]

    @staticmethod
    def acceptable_outage_answer(attempt: Attempt) -> bool:
        # /healthz answers a plain 503 for load balancers; pages the friendly one.
        return attempt.status == 503 and (attempt.friendly or attempt.what == "healthz")

    def summary(self) -> dict:
        return {
            "scenario": asdict(self.scenario),
            "seconds": self.timings,
            "steady_comments_per_second": round(
                self.steady.planned / max(self.timings["steady round"], 0.1), 1
            ),
            "stored": {"steady": len(self.steady.stored), "outage": len(self.during_outage.stored)},
            "database_down_seconds": round(self.outage.starting - self.outage.stopped, 1),
            "friendly_503_pages": sum(a.friendly for a in self.attempts),
            "requests": len(self.attempts),
            "failures": self.failures(),
        }


def run(scenario: Scenario) -> Report:
    """Set everything up, run both rounds, and clean up whatever happens."""
    stopwatch = Stopwatch()
    with ExitStack() as cleanup:
        directory = Path(tempfile.mkdtemp(prefix="seminars-reliability-", dir=MEMORY_DISK))
        cleanup.callback(shutil.rmtree, directory, ignore_errors=True)
        directory.chmod(0o755)  # the postgres user reaches its cluster inside
        cluster = PrivatePostgres(directory / "postgres")
        cleanup.callback(cluster.destroy)
        cluster.create()
        env = production_env(
            cluster.url,
            STATIC_ROOT=str(directory / "static"),
            COMMENT_RATE_LIMITS=scenario.comment_rate_limits(),
        )
        site = prepare_site(env, scenario)
        servers = [
            AppServer("a", env, directory / "a.log"),
            AppServer("b", {**env, **POOL}, directory / "b.log"),
        ]
        cleanup.callback(stop_servers, servers)
        for server in servers:
            server.start()
        cleanup.push(lambda *exc_info: print_logs(servers, cluster) if exc_info[0] else None)
        for server in servers:
            server.wait_until_ready()
        stopwatch.lap("setup")
        report = drive(scenario, site, servers, cluster, stopwatch)
        report.logs = {server.name: server.log_tail() for server in servers}
    stopwatch.lap("cleanup")
    return report


def prepare_site(env: dict[str, str], scenario: Scenario) -> dict:
    """Migrate and fill the database while static files are collected alongside."""
    with ThreadPoolExecutor(2) as pool:
        collected = pool.submit(collectstatic, env)
        output = run_python(
            env, "-m", "tests.reliability.seed", str(scenario.users), str(scenario.talks)
        )
        collected.result()
    return json.loads(output)


class Stopwatch:
    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.last = time.monotonic()

    def lap(self, step: str):
        now = time.monotonic()
        self.seconds[step] = round(now - self.last, 1)
        self.last = now


def drive(scenario, site, servers, cluster, stopwatch) -> Report:
    log = Log()
    visitors = [
        Visitor(
            email,
            site["password"],
            home=servers[number % 2],
            other=servers[(number + 1) % 2],
            talk_path=site["talks"][number % len(site["talks"])],
            log=log,
        )
        for number, email in enumerate(site["emails"])
    ]
    sign_in(visitors, servers)
    stopwatch.lap("sign in")
    steady = run_round(visitors, scenario.comments, "steady", scenario, cluster)
    stopwatch.lap("steady round")
    probes = [HealthProbe(server, log) for server in servers]
    for probe in probes:
        probe.start()
    outage = Outage()
    try:
        during_outage = run_round(
            visitors, scenario.outage_comments, "outage", scenario, cluster, outage
        )
    finally:
        for probe in probes:
            probe.stop()
    stopwatch.lap("outage round")
    after = {server.name: statuses_after(server, site["talks"][0]) for server in servers}
    # Open keep-alive connections would hold the servers' workers up as they stop.
    for visitor in visitors:
        visitor.session.close()
    return Report(
        scenario=scenario,
        steady=steady,
        during_outage=during_outage,
        outage=outage,
        attempts=log.attempts,
        unseen_on_other_server=[id for visitor in visitors for id in visitor.unseen],
        after=after,
        worker_boots={server.name: server.log_text().count("Booting worker") for server in servers},
        still_running={server.name: server.is_running() for server in servers},
        timings=stopwatch.seconds,
    )


def sign_in(visitors, servers):
    """Each server signs its visitors in one after the other.

    They all come from 127.0.0.1, and allauth's per-address rate limit lets one
    login at a time through its lock, waiting a second at most: a crowd of
    simultaneous logins would get 429s that say nothing about the servers.
    """

    def sign_in_at(server):
        for visitor in visitors:
            if visitor.home is server:
                visitor.sign_in()

    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(sign_in_at, servers))


def run_round(visitors, planned, label, scenario, cluster, outage: Outage | None = None) -> Round:
    """Every visitor posts its share of `planned` comments at once.

    With `outage`, the database is stopped once a fifth of them are posted,
    and started again `scenario.outage_seconds` later, while traffic goes on.
    """
    round_ = Round(planned)
    before = stored_comments(cluster)
    deadline = time.monotonic() + scenario.round_timeout
    shares = [
        planned // len(visitors) + (n < planned % len(visitors)) for n in range(len(visitors))
    ]
    with ThreadPoolExecutor(len(visitors) + 1) as pool:
        futures = [
            pool.submit(visitor.post_comments, share, label, deadline, round_.posted)
            for visitor, share in zip(visitors, shares, strict=True)
        ]
        if outage is not None:
            futures.append(
                pool.submit(restart_database, cluster, outage, round_, scenario, deadline)
            )
        for future in futures:
            if error := future.exception():
                round_.errors.append(str(error))
    round_.stored = {id: body for id, body in stored_comments(cluster).items() if id not in before}
    return round_


def restart_database(cluster, outage: Outage, round_: Round, scenario, deadline):
    while len(round_.posted) < round_.planned // 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    cluster.stop("fast")
    outage.stopped = time.monotonic()
    time.sleep(scenario.outage_seconds)
    outage.starting = time.monotonic()
    cluster.start()
    outage.started = time.monotonic()


def stored_comments(cluster) -> dict[int, str]:
    with psycopg.connect(cluster.url) as connection:
        return dict(connection.execute("SELECT id, body FROM seminars_comment").fetchall())


def statuses_after(server, talk_path) -> dict[str, int]:
    return {
        path: requests.get(server.url + path, timeout=REQUEST_TIMEOUT).status_code
        for path in ("/healthz", talk_path)
    }


def print_logs(servers, cluster):
    """On a failure, before the folder goes: what the servers and PostgreSQL said."""
    for server in servers:
        print(f"--- server {server.name} ---\n{server.log_tail()}", file=sys.stderr)
    print(f"--- PostgreSQL ---\n{cluster.log_tail()}", file=sys.stderr)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=500, help="first round (default 500)")
    parser.add_argument("--outage-comments", type=int, help="second round (default half)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--outage-seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    scenario = Scenario(
        comments=args.comments,
        outage_comments=args.outage_comments or args.comments // 2,
        users=args.users,
        outage_seconds=args.outage_seconds,
        round_timeout=max(60, args.comments / 5),
    )
    report = run(scenario)
    print(json.dumps(report.summary(), indent=2))
    return 1 if report.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
