"""`make audit`: Lighthouse scores for the home, a tag and a talk page of the demo site.

The portal runs as in production (DJANGO_DEBUG=false, collected and compressed
static files, gunicorn) on a free local port, with the demo content in a
throwaway SQLite database. Lighthouse (pinned in audit/package.json, installed
by `npm ci`) audits each page in Debian's Chromium with its default mobile
settings, and the four category scores are written to audit/scores.json and
audit/scores.md (each page is audited three times and the median run kept).
The full reports land in audit/reports/, which is not committed.

Nothing leaves this machine: the pages load nothing from other sites, and the
run fails if a report shows a request to any origin but the local server.
"""

import contextlib
import datetime
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

AUDIT_DIR = Path(__file__).resolve().parent
BASE_DIR = AUDIT_DIR.parent
# Run as a script, this folder is on sys.path; the project (and its test fixtures) are not.
sys.path.insert(0, str(BASE_DIR))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (needs the path above)

LIGHTHOUSE = AUDIT_DIR / "node_modules" / ".bin" / "lighthouse"
REPORTS_DIR = AUDIT_DIR / "reports"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
SERVER_START_TIMEOUT = 30  # seconds
# Performance varies from run to run; like Lighthouse CI, keep the median of a few runs.
RUNS = 3
# Now and then Lighthouse loses its trace of the page load (NO_NAVSTART) on a busy
# machine; it says to run it again, so a failed run is retried.
ATTEMPTS = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(workdir: Path, origin: str) -> dict[str, str]:
    """Production settings, but on plain HTTP at 127.0.0.1 and with a throwaway database."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": origin,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        # Required in production; the audited pages send no email.
        "EMAIL_HOST": "localhost",
        # No TLS here: 127.0.0.1 is a secure context for the browser all the same.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def prepare_demo_site():
    """Migrate the throwaway database, load the demo, collect the static files."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def pages_to_audit() -> dict[str, str]:
    """The home page, the demo's busiest tag, and its most discussed talk (math and comments)."""
    from django.db.models import Count, Q

    from seminars.models import Comment, Tag, Talk

    tag = Tag.objects.with_public_talk_counts().order_by("-talk_count", "name").first()
    talk = (
        Talk.objects.public()
        .annotate(
            comment_count=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED))
        )
        .order_by("-comment_count", "start")
        .first()
    )
    return {"home": "/", "tag": tag.get_absolute_url(), "talk": talk.get_absolute_url()}


@contextlib.contextmanager
def demo_server(port: int, log_path: Path):
    """gunicorn serving the portal on 127.0.0.1:port until the block ends."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (our own, fixed command)
            command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
            yield
        finally:
            server.terminate()
            server.wait(timeout=10)


def wait_until_up(url: str, server: subprocess.Popen):
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The demo server stopped (exit code {server.returncode}).")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=2) as response,  # noqa: S310 (local http)
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"The demo server did not answer {url} within {SERVER_START_TIMEOUT} s.")


def run_lighthouse(url: str, name: str) -> dict:
    """Audit one page; returns Lighthouse's JSON result and keeps the HTML report."""
    output_base = REPORTS_DIR / name
    chrome_flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        "--output=html",
        f"--output-path={output_base}",
        f"--chrome-flags={chrome_flags}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for attempt in range(1, ATTEMPTS + 1):
        finished = subprocess.run(command, env=env, check=False)  # noqa: S603 (our fixed command)
        if finished.returncode == 0:
            return json.loads(output_base.with_suffix(".report.json").read_text())
        print(f"Lighthouse failed on {url} (attempt {attempt} of {ATTEMPTS}).", flush=True)
    raise SystemExit(f"Lighthouse failed {ATTEMPTS} times on {url}; see its messages above.")


def audit_page(url: str, name: str) -> dict:
    """Audit a page RUNS times; the run with the median performance score stands."""
    reports = [run_lighthouse(url, f"{name}-{run}") for run in range(1, RUNS + 1)]
    for report in reports:
        if outside := outside_requests(report):
            raise SystemExit(f"The {name} page made requests off this machine: {outside}")
    reports.sort(key=lambda report: report["categories"]["performance"]["score"])
    return reports[len(reports) // 2]


def outside_requests(report: dict) -> list[str]:
    origin = report["finalDisplayedUrl"].split("/", 3)[:3]
    requests = report["audits"]["network-requests"]["details"]["items"]
    return [item["url"] for item in requests if item["url"].split("/", 3)[:3] != origin]


def shortfalls(report: dict, category: str) -> list[str]:
    """The weighted audits of a category that did not get full marks, worst first."""
    refs = [ref for ref in report["categories"][category]["auditRefs"] if ref["weight"] > 0]
    audits = [report["audits"][ref["id"]] for ref in refs]
    failing = [audit for audit in audits if audit["score"] is not None and audit["score"] < 1]
    failing.sort(key=lambda audit: audit["score"])
    return [
        f"{audit['title']} ({audit['displayValue']})"
        if audit.get("displayValue")
        else audit["title"]
        for audit in failing
    ]


def summarise(path: str, report: dict) -> dict:
    categories = report["categories"]
    return {
        "path": path,
        "scores": {name: round(categories[name]["score"] * 100) for name in CATEGORIES},
        "below_full_marks": {
            name: reasons for name in CATEGORIES if (reasons := shortfalls(report, name))
        },
    }


def markdown(results: dict) -> str:
    lines = [
        "# Lighthouse audit of the demo site",
        "",
        f"Lighthouse {results['lighthouse']}, {results['form_factor']} settings "
        f"(Lighthouse's default: a mid-range phone on a throttled 4G connection), "
        f"{results['browser']}; {results['date']}. Written by `make audit`.",
        "",
        "| page | path | " + " | ".join(CATEGORIES) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in CATEGORIES) + " |",
    ]
    for name, page in results["pages"].items():
        scores = " | ".join(str(page["scores"][category]) for category in CATEGORIES)
        lines.append(f"| {name} | `{page['path']}` | {scores} |")
    lines += ["", "## Below full marks", ""]
    for name, page in results["pages"].items():
        if not page["below_full_marks"]:
            lines.append(f"- **{name}**: nothing; every weighted audit passes.")
        for category, reasons in page["below_full_marks"].items():
            lines.append(f"- **{name}**, {category}: " + "; ".join(reasons) + ".")
    return "\n".join(lines) + "\n"


def main():
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci` in audit/ (make audit does).")
    # Only this run's reports, so none can be mistaken for a current one.
    shutil.rmtree(REPORTS_DIR, ignore_errors=True)
    REPORTS_DIR.mkdir()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="seminars-audit-") as workdir:
        os.environ.update(production_environment(Path(workdir), origin))
        prepare_demo_site()
        pages = pages_to_audit()
        reports = {}
        with demo_server(port, REPORTS_DIR / "server.log"):
            for name, path in pages.items():
                print(f"Auditing {name}: {origin}{path}", flush=True)
                reports[name] = audit_page(origin + path, name)
    any_report = next(iter(reports.values()))
    results = {
        "lighthouse": any_report["lighthouseVersion"],
        "browser": any_report["environment"]["hostUserAgent"].split(") ")[-1],
        "form_factor": any_report["configSettings"]["formFactor"],
        "date": datetime.date.today().isoformat(),
        "pages": {name: summarise(pages[name], report) for name, report in reports.items()},
    }
    (AUDIT_DIR / "scores.json").write_text(json.dumps(results, indent=2) + "\n")
    (AUDIT_DIR / "scores.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
