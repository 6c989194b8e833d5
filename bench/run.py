"""`make bench`: throughput and latency of the portal's pages, as in production, at two sizes.

For each archive size (1,000 and 10,000 talks by default) this:

1. loads made-up data with `generate_load_data` (talks, comments, tags... in the
   proportions of the default 10,000-talk set) into a PostgreSQL database;
2. starts gunicorn with the production settings (DJANGO_DEBUG=false, collected
   and compressed static files, Redis when REDIS_URL is set) on 127.0.0.1, with a
   fresh cache key prefix so no page cached from the other size is served;
3. signs a user in through the real login form, for a session cookie;
4. drives each URL with wrk (one thread, 32 connections, BENCH_DURATION seconds
   after BENCH_WARMUP seconds of warm-up), anonymously and signed in, with the
   headers a TLS-terminating proxy and a browser send (X-Forwarded-Proto,
   Accept-Encoding); then offers it a fixed 200 requests a second with hey for
   BENCH_OPEN_DURATION seconds, for its latency at a load it can keep up with;
5. counts each page's queries in-process (Django's test client), as a
   profiling hint for the slow ones.

The floor is /healthz: a view that goes through the whole middleware stack and
runs `SELECT 1`. It is measured first and last, and each page's throughput is
given as a ratio to it: absolute numbers vary between machines, ratios much
less. wrk's 32 busy connections keep every page at its limit, so its p99 is
mostly time spent queueing (Little's law) and is shown as information only; the
latency target is on the open-loop p99. Results go to bench/results/
(bench/results/quick/ for shorter runs, which git ignores) as JSON and Markdown,
with the machine, versions and date.

Knobs (environment variables): DATABASE_URL (PostgreSQL; default a
`seminars_bench` database on 127.0.0.1, created if missing), REDIS_URL,
BENCH_DURATION (15), BENCH_WARMUP (3), BENCH_OPEN_DURATION (as BENCH_DURATION),
BENCH_SIZES (1000,10000), BENCH_WORKERS (3) and BENCH_THREADS (4) for gunicorn.
"""

import contextlib
import cProfile
import csv
import datetime
import http.client
import json
import math
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
# Run as a script, this folder is on sys.path; the project is not.
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://seminars@127.0.0.1:5432/seminars_bench"
STANDARD_DURATION = 15
DURATION = int(os.environ.get("BENCH_DURATION", str(STANDARD_DURATION)))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
WORKERS = os.environ.get("BENCH_WORKERS", "3")
THREADS = os.environ.get("BENCH_THREADS", "4")
CONNECTIONS = 32
# The open loop: hey offers OPEN_RATE requests a second in total, from OPEN_WORKERS
# hey processes of one worker each (see open_loop for why not one hey of many).
OPEN_DURATION = int(os.environ.get("BENCH_OPEN_DURATION", str(DURATION)))
OPEN_RATE = 200
OPEN_WORKERS = 10
SEARCH_WORD = "turbulent"
SERVER_START_TIMEOUT = 30  # seconds
LUA_REPORT = BENCH_DIR / "report.lua"
# What the proxy in front of gunicorn and a browser add to every request.
BASE_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "br, gzip"}
AUTH_STATES = ("anonymous", "signed in")
FLOOR = "floor"

# The targets: ratios to the floor, p99 at the open loop's fixed rate, and growth
# from the first size to the last. Below OPEN_RATE_KEPT of the offered rate, the open
# loop did not measure the page at that rate.
TARGET_RATIO = {"anonymous": 0.60, "signed in": 0.25}
TARGET_P99_MS = 50
OPEN_RATE_KEPT = 0.95
TARGET_GROWTH = 0.15


def data_sizes(talks: int) -> dict[str, int]:
    """generate_load_data's options for an archive of `talks` talks.

    Comments, speakers and users grow with the archive, as they do on a real
    site; the tags and series of a portal do not.
    """
    return {
        "talks": talks,
        "comments": talks * 20,
        "speakers": talks * 3 // 10,
        "users": talks // 2,
        "tags": 300,
        "series": 20,
    }


# Setting up: wrk and hey, the database, the production environment.


def as_root(command: list[str]) -> list[str]:
    return command if os.getuid() == 0 else ["sudo", *command]


def ensure_load_tools():
    """Debian's wrk and hey (packages and commands of the same names), installed when missing."""
    missing = [tool for tool in ("wrk", "hey") if not shutil.which(tool)]
    if not missing:
        return
    print(f"Installing Debian's {' and '.join(missing)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(as_root(["apt-get", "update", "-qq"]), check=True)  # noqa: S603
    subprocess.run(as_root(["apt-get", "install", "-y", "-qq", *missing]), check=True, env=env)  # noqa: S603


def ensure_database(url: str):
    """Create the database named in `url` (and, for the default URL, its role) if missing."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"The benchmark runs on PostgreSQL; DATABASE_URL is {url!r}.")
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    if url == DEFAULT_DATABASE_URL:
        # As .ci/run does: a role that may create databases, made by the superuser.
        admin = parts._replace(netloc=f"postgres@{parts.hostname}:{parts.port}", path="/postgres")
        with psycopg.connect(admin.geturl(), autocommit=True) as connection:
            if not connection.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [parts.username]
            ).fetchone():
                connection.execute(f'CREATE ROLE "{parts.username}" LOGIN CREATEDB')
    with psycopg.connect(server, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            print(f"Creating the database {name}", flush=True)
            connection.execute(f'CREATE DATABASE "{name}"')


def production_environment(workdir: Path, database_url: str) -> dict[str, str]:
    """Production settings; requests come through a (pretend) TLS-terminating proxy."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(workdir / "static"),
        # Required in production; nothing here sends email.
        "EMAIL_HOST": "localhost",
        "SECURE_PROXY_SSL_HEADER": "true",
        "LOG_LEVEL": "WARNING",
        # X-Page-Cache: hit|miss, which the harness reports.
        "PAGE_CACHE_HEADER": "true",
        # Our own keys in a Redis that others may share; each size adds its own suffix.
        "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
    }


def prepare_site():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def load_data(talks: int) -> float:
    """Replace the generated data with an archive of `talks` talks; returns the seconds taken."""
    from django.core.management import call_command

    print(f"\nLoading {talks} talks: {data_sizes(talks)}", flush=True)
    started = time.monotonic()
    options = [f"--{name}={value}" for name, value in data_sizes(talks).items()]
    call_command("generate_load_data", *options, "--seed=1")
    return time.monotonic() - started


def pages() -> dict[str, str]:
    """The benchmarked URLs, by name; the tag and talk are this archive's largest."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db.models import Count, Q

    from seminars.models import Comment, Tag, Talk
    from seminars.pagination import TALKS_PER_PAGE

    tag = Tag.objects.with_public_talk_counts().order_by("-talk_count", "name").first()
    talk = (
        Talk.objects.public()
        .annotate(n=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED)))
        .order_by("-n", "start")
        .first()
    )
    last_page = max(1, math.ceil(Talk.objects.public().count() / TALKS_PER_PAGE))
    return {
        FLOOR: "/healthz",
        "home": "/",
        "talk list": "/talks/",
        # Page 400, or the last page where there are fewer (a page past the end
        # is redirected to the last, and the benchmark measures pages, not redirects).
        "talk list, page 400": f"/talks/?page={min(400, last_page)}",
        "largest tag": tag.get_absolute_url(),
        "busiest talk": talk.get_absolute_url(),
        "search": f"/search/?q={SEARCH_WORD}",
        "calendar": "/calendar.ics",
        "feed": "/feed/",
        "static CSS": staticfiles_storage.url("css/site.css"),
    }


def bench_user(urls: dict[str, str]):
    """A generated user with a fresh password: (user, password).

    A reader, as most signed-in visitors of a page are: not an organiser, and
    no comment on the busiest talk, whose page a commenter gets rendered for
    them alone (their own comments' links; README says what that costs).
    """
    from django.contrib.auth import get_user_model

    from seminars.management.commands.generate_load_data import generated_users
    from seminars.models import Comment

    busiest = urls["busiest talk"].strip("/").split("/")[-1]
    # Without NULLs: NOT IN a list holding NULL matches nothing.
    commenters = Comment.objects.filter(talk__slug=busiest, author__isnull=False).values("author")
    readers = generated_users().filter(is_staff=False).exclude(pk__in=commenters)
    user = readers.order_by("pk").first()
    password = secrets.token_urlsafe(16)
    user.set_password(password)
    user.save(update_fields=["password"])
    assert get_user_model().objects.get(pk=user.pk).check_password(password)
    return user, password


# The server and HTTP.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(port: int, log_path: Path, cache_prefix: str):
    """gunicorn, as the README's deployment runs it, until the block ends."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", WORKERS, "--threads", THREADS,
    ]  # fmt: skip
    env = {**os.environ, "CACHE_KEY_PREFIX": cache_prefix}
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our own, fixed command)
            command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        try:
            wait_until_up(port, process, log_path)
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_until_up(port: int, process: subprocess.Popen, log_path: Path):
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            if fetch(port, "/healthz")[0] == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {SERVER_START_TIMEOUT} s.")


def fetch(port: int, path: str, *, method="GET", body=None, headers=None):
    """One request: (status, response headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={**BASE_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def cookies_set(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port: int, email: str, password: str) -> str:
    """Log in through allauth's form, as a browser would; returns the Cookie header to send."""
    status, headers, body = fetch(port, "/accounts/login/", headers={"Accept-Encoding": ""})
    csrf_cookie = cookies_set(headers)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    form = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": token}
    )
    status, headers, _ = fetch(
        port,
        "/accounts/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",
        },
    )
    cookies = {"csrftoken": csrf_cookie, **cookies_set(headers)}
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Signing in failed: {status}.")
    cookie = f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"
    if fetch(port, "/accounts/profile/", headers={"Cookie": cookie})[0] != 200:
        raise SystemExit("The session cookie does not sign the user in.")
    return cookie


def check_pages(port: int, urls: dict[str, str], cookie: str) -> dict[str, dict]:
    """Every URL must answer 200 (a redirect or error page would measure the wrong thing)."""
    sizes = {}
    for name, path in urls.items():
        for auth in AUTH_STATES:
            headers = {"Cookie": cookie} if auth == "signed in" else {}
            status, response_headers, body = fetch(port, path, headers=headers)
            if status != 200:
                raise SystemExit(f"{path} ({auth}) answered {status}, not 200.")
            sizes[name, auth] = {
                "bytes": len(body),
                "encoding": response_headers.get("Content-Encoding", "identity"),
            }
    return sizes


# Measuring.


def wrk(port: int, path: str, cookie: str | None, seconds: int) -> dict:
    headers = {**BASE_HEADERS, **({"Cookie": cookie} if cookie else {})}
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(LUA_REPORT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    return json.loads(line.removeprefix("BENCH_RESULT "))


def open_loop(port: int, path: str, cookie: str | None, seconds: int) -> dict:
    """Latency at a fixed offered load: OPEN_RATE requests a second, from hey.

    A hey worker is a closed loop at a rate limit: on each tick of its clock it sends a
    request and waits for the response, and a response slower than the interval costs
    it ticks, so a slow page lowers the rate achieved (which is reported with the
    latencies). The workers of one hey start their clocks together and would send bursts
    of OPEN_WORKERS requests at once; one-worker hey processes started 1/OPEN_RATE s apart
    spread the requests over the interval instead.

    hey's CSV has each response's time and status; a request that got no response
    (refused, or no answer within 10 s) is not in it and shows as a lower rate achieved.
    """
    headers = {**BASE_HEADERS, **({"Cookie": cookie} if cookie else {})}
    command = ["hey", "-z", f"{seconds}s", "-c", "1", "-q", str(OPEN_RATE // OPEN_WORKERS)]
    # Redirects are not followed, so one would count as an error, not as the page.
    command += ["-t", "10", "-disable-redirects", "-o", "csv"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    processes = []
    started = time.monotonic()
    for worker in range(OPEN_WORKERS):
        time.sleep(max(0, started + worker / OPEN_RATE - time.monotonic()))
        processes.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
        )
    latencies, statuses = [], {}
    for process in processes:
        output, _ = process.communicate()
        rows = list(csv.DictReader(output.splitlines()))
        if process.returncode or (rows and not {"response-time", "status-code"} <= rows[0].keys()):
            raise SystemExit(f"hey failed on {path} ({process.returncode}):\n{output[:1000]}")
        latencies += [float(row["response-time"]) * 1000 for row in rows]
        for row in rows:
            statuses[row["status-code"]] = statuses.get(row["status-code"], 0) + 1
    if not latencies:
        raise SystemExit(f"{path} did not answer once in {seconds} s of the open loop.")
    latencies.sort()

    def percentile(p: int) -> float:
        # hey writes tenths of a millisecond.
        return round(latencies[math.ceil(p / 100 * len(latencies)) - 1], 1)

    return {
        "open_rps": len(latencies) / seconds,
        "open_p50_ms": percentile(50),
        "open_p90_ms": percentile(90),
        "open_p99_ms": percentile(99),
        "open_max_ms": round(latencies[-1], 1),
        "open_errors": sum(count for status, count in statuses.items() if status != "200"),
        "open_statuses": statuses,
    }


def measure(
    port: int, name: str, path: str, auth: str, cookie: str, *, with_open_loop=True
) -> dict:
    session = cookie if auth == "signed in" else None
    wrk(port, path, session, WARMUP)
    raw = wrk(port, path, session, DURATION)
    result = {
        "page": name,
        "path": path,
        "auth": auth,
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["latency_us"]["p50"] / 1000,
        "p99_ms": raw["latency_us"]["p99"] / 1000,
        "errors": sum(raw["errors"].values()),
    }
    line = (
        f"  {name:22} {auth:10} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms"
        f"  p99 {result['p99_ms']:6.1f} ms"
        + (f"  {result['errors']} ERRORS" if result["errors"] else "")
    )
    if with_open_loop:
        result |= open_loop(port, path, session, OPEN_DURATION)
        line += (
            f" | at {OPEN_RATE}/s: {result['open_rps']:4.0f} req/s  "
            f"p50 {result['open_p50_ms']:6.1f} ms  p99 {result['open_p99_ms']:6.1f} ms"
            + (f"  {result['open_errors']} ERRORS" if result["open_errors"] else "")
        )
    print(line, flush=True)
    return result


def profile_pages(urls: dict[str, str], user, cache_prefix: str) -> dict:
    """profile_page for each URL and auth state, sharing the server's (warm) cache."""
    from django.conf import settings
    from django.test import override_settings

    # The server's prefixes (config.settings derives the page cache's from the same one).
    caches = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": cache_prefix},
        "pages": {**settings.CACHES["pages"], "KEY_PREFIX": f"{cache_prefix}-pages"},
    }
    with override_settings(CACHES=caches):
        return {
            (name, auth): profile_page(path, user if auth == "signed in" else None)
            for name, path in urls.items()
            for auth in AUTH_STATES
        }


def profile_page(path: str, user) -> dict:
    """Queries and time of one request in this process: where a slow page spends it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", headers=BASE_HEADERS, secure=True)
    if user is not None:
        client.force_login(user)
    client.get(path)  # warm: templates compiled, connection open
    timings, cpu_times = [], []
    for _ in range(5):
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        timings.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]), default=None)
    return {
        "queries": len(queries.captured_queries),
        "sql_ms": sum(float(query["time"]) for query in queries.captured_queries) * 1000,
        "request_ms": statistics.median(timings) * 1000,
        # CPU time of this process alone: unlike wall time, hardly changed by a busy machine.
        "request_cpu_ms": statistics.median(cpu_times) * 1000,
        "slowest_query": slowest and slowest["sql"][:300],
        "slowest_query_ms": slowest and float(slowest["time"]) * 1000,
        **python_profile(client, path),
    }


def python_profile(client, path: str) -> dict:
    """One request under cProfile: time in templates, and the functions with the most own time."""
    from django.template.base import Template

    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    stats = pstats.Stats(profiler).stats
    # Its cumulative time covers included templates too (cProfile counts recursion once).
    render = Template.render.__code__
    template_key = (render.co_filename, render.co_firstlineno, render.co_name)
    template_seconds = stats[template_key][3] if template_key in stats else 0
    total_seconds = sum(own for (_, _, own, _, _) in stats.values())
    own_time = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:8]
    return {
        # A share: cProfile slows code that makes many calls, as templates do.
        "templates_share": template_seconds / total_seconds if total_seconds else 0,
        "top_functions": [
            f"{Path(filename).name}:{line} {function} {own * 1000:.1f} ms ({calls} calls)"
            for (filename, line, function), (_, calls, own, _, _) in own_time
        ],
    }


def bench_size(talks: int, port: int, workdir: Path) -> dict:
    from django.db import connections

    load_seconds = load_data(talks)
    urls = pages()
    user, password = bench_user(urls)
    connections.close_all()
    # A fresh prefix: no page cached from the other size (or an earlier run) is served.
    cache_prefix = f"{os.environ['CACHE_KEY_PREFIX']}-{talks}"
    measurements = []
    with server(port, workdir / f"gunicorn-{talks}.log", cache_prefix):
        cookie = sign_in(port, user.email, password)
        responses = check_pages(port, urls, cookie)
        print(f"Measuring {len(urls)} URLs at {talks} talks ({DURATION} s each):", flush=True)
        load_before = os.getloadavg()[0]
        for name, path in urls.items():
            measurements += [measure(port, name, path, auth, cookie) for auth in AUTH_STATES]
        # The floor's throughput again: if the machine got busier meanwhile, the two differ.
        measurements += [
            measure(port, FLOOR, urls[FLOOR], auth, cookie, with_open_loop=False)
            for auth in AUTH_STATES
        ]
    profiles = profile_pages(urls, user, cache_prefix)
    connections.close_all()
    return {
        "talks": talks,
        "data": data_sizes(talks),
        "load_seconds": round(load_seconds, 1),
        "load_average": [load_before, os.getloadavg()[0]],
        "pages": summarise(urls, measurements, responses, profiles),
    }


def summarise(urls, measurements, responses, profiles) -> list[dict]:
    """One row per page and auth state; the floor's throughput is the mean of its two runs."""
    rows = []
    for name, path in urls.items():
        for auth in AUTH_STATES:
            runs = [m for m in measurements if m["page"] == name and m["auth"] == auth]
            floor = [m["rps"] for m in measurements if m["page"] == FLOOR and m["auth"] == auth]
            (open_run,) = [run for run in runs if "open_rps" in run]
            row = {
                "page": name,
                "path": path,
                "auth": auth,
                "rps": statistics.mean(run["rps"] for run in runs),
                "p50_ms": max(run["p50_ms"] for run in runs),
                "p99_ms": max(run["p99_ms"] for run in runs),
                "errors": sum(run["errors"] for run in runs),
                **{key: value for key, value in open_run.items() if key.startswith("open_")},
                **responses[name, auth],
                **profiles[name, auth],
            }
            row["floor_ratio"] = row["rps"] / statistics.mean(floor)
            if name == FLOOR:
                row["floor_runs_rps"] = [run["rps"] for run in runs]
            rows.append(row)
    return rows


# Results.


def command_output(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, cwd=BASE_DIR)  # noqa: S603
    except OSError:
        return "not found"
    return (completed.stdout or completed.stderr).strip()


def describe_machine() -> dict:
    import django
    import gunicorn
    import psycopg
    from django.db import connection

    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    dirty = command_output(["git", "status", "--porcelain"])
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu[1] if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory[1]) / 2**20, 1) if memory else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
        "postgresql": postgres,
        "cache": redis_version() if os.environ.get("REDIS_URL") else "database table",
        "wrk": command_output(["wrk", "-v"]).splitlines()[0],
        # hey has no --version; Debian's package has.
        "hey": "hey " + command_output(["dpkg-query", "-W", "-f=${Version}", "hey"]),
        "commit": command_output(["git", "rev-parse", "--short", "HEAD"])
        + (" (with uncommitted changes)" if dirty else ""),
        "gunicorn_options": f"--workers {WORKERS} --threads {THREADS}",
        "wrk_options": f"1 thread, {CONNECTIONS} connections, {DURATION} s after {WARMUP} s",
        "open_loop_options": f"{OPEN_RATE} req/s offered by {OPEN_WORKERS} one-worker hey "
        f"processes at {OPEN_RATE // OPEN_WORKERS} req/s each, {OPEN_DURATION} s",
    }


def redis_version() -> str:
    import redis

    return f"Redis {redis.Redis.from_url(os.environ['REDIS_URL']).info('server')['redis_version']}"


def growth(runs: list[dict]) -> list[dict]:
    """Each page's throughput at the largest size relative to the smallest."""
    if len(runs) < 2:
        return []
    small, large = runs[0]["pages"], runs[-1]["pages"]
    return [
        {
            "page": before["page"],
            "auth": before["auth"],
            "change": after["rps"] / before["rps"] - 1,
            "floor_ratio_change": after["floor_ratio"] / before["floor_ratio"] - 1,
        }
        for before, after in zip(small, large, strict=True)
    ]


def misses(runs: list[dict], changes: list[dict]) -> list[str]:
    """The targets missed, each with the pages that miss it."""
    found = []
    for run in runs:
        for row in run["pages"]:
            if row["page"] == FLOOR:
                continue
            where = f"{row['page']} ({row['auth']}, {run['talks']} talks)"
            if row["floor_ratio"] < TARGET_RATIO[row["auth"]]:
                found.append(f"{where}: {row['floor_ratio']:.0%} of the floor")
            if row["open_p99_ms"] >= TARGET_P99_MS:
                found.append(f"{where}: p99 {row['open_p99_ms']:.0f} ms at {OPEN_RATE} req/s")
            if not rate_kept(row):
                found.append(
                    f"{where}: the open loop reached {row['open_rps']:.0f} of the "
                    f"{OPEN_RATE} req/s offered"
                )
    for change in changes:
        if abs(change["floor_ratio_change"]) > TARGET_GROWTH:
            found.append(
                f"{change['page']} ({change['auth']}): {change['floor_ratio_change']:+.0%} "
                f"from {runs[0]['talks']} to {runs[-1]['talks']} talks"
            )
    return found


def rate_kept(row: dict) -> bool:
    return row["open_rps"] >= OPEN_RATE_KEPT * OPEN_RATE


def markdown(results: dict) -> str:
    machine = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"{machine['date']}, commit {machine['commit']}. Written by `make bench` (bench/run.py).",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"{machine['os']}. Python {machine['python']}, Django {machine['django']}, "
        f"gunicorn {machine['gunicorn']} ({machine['gunicorn_options']}), "
        f"psycopg {machine['psycopg']}, PostgreSQL {machine['postgresql']}, "
        f"cache: {machine['cache']}; {machine['wrk']} on loopback ({machine['wrk_options']}); "
        f"open loop: {machine['hey']} ({machine['open_loop_options']}).",
        "",
        f"Targets: anonymous pages at least {TARGET_RATIO['anonymous']:.0%} of the floor's "
        f"throughput, signed-in at least {TARGET_RATIO['signed in']:.0%}, p99 under "
        f"{TARGET_P99_MS} ms at {OPEN_RATE} req/s offered (the open loop), and no page's ratio "
        f"to the floor changing by more than {TARGET_GROWTH:.0%} between the sizes.",
        "",
    ]
    for run in results["runs"]:
        lines += size_table(run)
    if results["growth"]:
        lines += growth_table(results)
    lines += ["## Targets missed", ""]
    lines += [f"- {miss}" for miss in results["misses"]] or ["None."]
    lines += profiling_hints(results["runs"][-1])
    return "\n".join(lines) + "\n"


def profiling_hints(run: dict) -> list[str]:
    """Where the pages below their throughput target spend a request (one request, in-process)."""
    slow = [
        row
        for row in run["pages"]
        if row["page"] != FLOOR and row["floor_ratio"] < TARGET_RATIO[row["auth"]]
    ]
    if not slow:
        return []
    lines = [
        "",
        f"## Where the slow pages spend their time ({run['talks']} talks)",
        "",
        "One request in the benchmark's own process (Django's test client, warm cache), "
        "under cProfile.",
        "",
    ]
    for row in slow:
        lines.append(
            f"- **{row['page']}** ({row['auth']}): {row['request_ms']:.1f} ms a request, "
            f"{row['sql_ms']:.1f} ms in {row['queries']} queries, "
            f"{row['templates_share']:.0%} of it rendering templates. "
            f"Most own time: {'; '.join(row['top_functions'][:4])}."
        )
        if row["slowest_query"]:
            lines.append(
                f"  Slowest query ({row['slowest_query_ms']:.1f} ms): `{row['slowest_query']}`"
            )
    return lines


def size_table(run: dict) -> list[str]:
    floor = next(row for row in run["pages"] if row["page"] == FLOOR)
    lines = [
        f"## {run['talks']} talks",
        "",
        f"Data: {run['data']}, loaded in {run['load_seconds']} s. Load average "
        f"{run['load_average'][0]:.2f} before the measurements, {run['load_average'][1]:.2f} "
        f"after. Floor runs (first, last, anonymous): "
        + ", ".join(f"{rps:.0f}" for rps in floor["floor_runs_rps"])
        + " req/s.",
        "",
        f"Throughput at {CONNECTIONS} busy connections (wrk). Its p50 and p99 are mostly "
        "time spent queueing, information only: the latency target is on the open loop below.",
        "",
        "| page | signed in | req/s | of floor | p50 ms (info) | p99 ms (info) | queries | "
        "SQL ms | in templates | one request ms | its CPU ms | response |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in run["pages"]:
        errors = f", **{row['errors']} errors**" if row["errors"] else ""
        lines.append(
            f"| {row['page']} | {'yes' if row['auth'] == 'signed in' else 'no'} "
            f"| {row['rps']:.0f} | {row['floor_ratio']:.0%} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['queries']} | {row['sql_ms']:.1f} "
            f"| {row['templates_share']:.0%} | {row['request_ms']:.1f} "
            f"| {row['request_cpu_ms']:.1f} "
            f"| {row['bytes']:,} B {row['encoding']}{errors} |"
        )
    lines += [
        "",
        "Paths: " + ", ".join(f"{row['page']} `{row['path']}`" for row in run["pages"][::2]),
        "",
    ]
    return lines + open_loop_table(run)


def open_loop_table(run: dict) -> list[str]:
    lines = [
        f"### {run['talks']} talks, open loop: {OPEN_RATE} req/s offered",
        "",
        f"Latency at a fixed offered load (hey); the target is p99 under {TARGET_P99_MS} ms. "
        f"A rate achieved below {OPEN_RATE_KEPT:.0%} of the offered one means responses were "
        "too slow for the workers to keep up: the page was not measured at that rate.",
        "",
        "| page | signed in | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in run["pages"]:
        problems = []
        if row["page"] != FLOOR and row["open_p99_ms"] >= TARGET_P99_MS:
            problems.append(f"**missed**: p99 ≥ {TARGET_P99_MS} ms")
        if row["page"] != FLOOR and not rate_kept(row):
            problems.append(f"**rate short** of {OPEN_RATE}")
        if row["open_errors"]:
            statuses = ", ".join(
                f"{count} × {status}"
                for status, count in sorted(row["open_statuses"].items())
                if status != "200"
            )
            problems.append(f"**errors**: {statuses}")
        met = "no target" if row["page"] == FLOOR else "met"
        lines.append(
            f"| {row['page']} | {'yes' if row['auth'] == 'signed in' else 'no'} "
            f"| {row['open_rps']:.0f} | {row['open_p50_ms']:.1f} | {row['open_p90_ms']:.1f} "
            f"| {row['open_p99_ms']:.1f} | {row['open_max_ms']:.1f} "
            f"| {', '.join(problems) or met} |"
        )
    return [*lines, ""]


def growth_table(results: dict) -> list[str]:
    first, last = results["runs"][0]["talks"], results["runs"][-1]["talks"]
    lines = [
        f"## From {first} to {last} talks",
        "",
        "Change in throughput, and in the ratio to the floor (the figure the target is on).",
        "",
        "| page | signed in | req/s | ratio to floor |",
        "| --- | --- | ---: | ---: |",
    ]
    for change in results["growth"]:
        lines.append(
            f"| {change['page']} | {'yes' if change['auth'] == 'signed in' else 'no'} "
            f"| {change['change']:+.0%} | {change['floor_ratio_change']:+.0%} |"
        )
    return [*lines, ""]


def write_results(results: dict) -> Path:
    folder = BENCH_DIR / "results"
    if min(DURATION, OPEN_DURATION) < STANDARD_DURATION:
        folder /= "quick"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (folder / "latest.md").write_text(markdown(results))
    return folder / "latest.md"


def main():
    # Stopped from outside, still stop gunicorn (the `finally` in server()).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped."))
    ensure_load_tools()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(database_url)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="seminars-bench-") as workdir:
        os.environ.update(production_environment(Path(workdir), database_url))
        prepare_site()
        machine = describe_machine()
        runs = [bench_size(talks, port, Path(workdir)) for talks in SIZES]
    changes = growth(runs)
    results = {"machine": machine, "runs": runs, "growth": changes}
    results["misses"] = misses(runs, changes)
    path = write_results(results)
    print("\n" + markdown(results))
    print(f"Written to {path} and {path.with_suffix('.json')}")


if __name__ == "__main__":
    main()
