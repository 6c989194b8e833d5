"""The driver's checks catch what they are for, so a passing reliability run means something.

Each case spoils one thing in an otherwise healthy report.
"""

import pytest

from .driver import Outage, Report, Round, Scenario
from .servers import WORKERS
from .traffic import Attempt, Posted

DOWN, UP = 1.0, 2.0  # the database stopped at 1 s and was started at 2 s


def healthy_report() -> Report:
    def round_():
        posted = [Posted(1, "first"), Posted(2, "second")]
        return Round(planned=2, posted=posted, stored={1: "first", 2: "second"})

    attempts = []
    for server in ("a", "b"):
        attempts += [
            Attempt(server, "talk page", 503, DOWN + 0.5, friendly=True),
            Attempt(server, "healthz", 503, DOWN + 0.5),
            Attempt(server, "comment post", 302, UP + 1),
            Attempt(server, "healthz", 200, UP + 1),
        ]
    return Report(
        scenario=Scenario(),
        steady=round_(),
        during_outage=round_(),
        outage=Outage(stopped=DOWN, starting=UP, started=UP + 0.1),
        attempts=attempts,
        unseen_on_other_server=[],
        after={"a": {"/healthz": 200}, "b": {"/healthz": 200}},
        worker_boots={"a": WORKERS, "b": WORKERS},
        still_running={"a": True, "b": True},
        timings={"steady round": 10.0},
    )


def duplicate(report):
    report.steady.stored[3] = "first"


def lose(report):
    del report.during_outage.stored[2]


def hide_from_other_server(report):
    report.unseen_on_other_server.append(1)


def answer_500(report):
    report.attempts.append(Attempt("a", "comment post", 500, DOWN + 0.2))


def answer_nothing(report):
    report.attempts.append(Attempt("b", "talk page", None, DOWN + 0.2))


def answer_bare_503(report):
    report.attempts.append(Attempt("b", "talk page", 503, UP + 1, friendly=False))


def healthz_never_503(report):
    report.attempts = [
        a for a in report.attempts if (a.server, a.what, a.status) != ("b", "healthz", 503)
    ]


def healthz_stays_503(report):
    report.attempts.append(Attempt("a", "healthz", 503, UP + 2))


def restart_a_worker(report):
    report.worker_boots["a"] += 1


def lose_a_master(report):
    report.still_running["b"] = False


def refuse_comments_after(report):
    report.attempts = [a for a in report.attempts if (a.server, a.what) != ("a", "comment post")]


SPOILERS = {
    duplicate: Report.storage_problems,
    lose: Report.storage_problems,
    hide_from_other_server: Report.visibility_problems,
    answer_500: Report.outage_page_problems,
    answer_nothing: Report.outage_page_problems,
    answer_bare_503: Report.outage_page_problems,
    healthz_never_503: Report.health_problems,
    healthz_stays_503: Report.health_problems,
    restart_a_worker: Report.recovery_problems,
    lose_a_master: Report.recovery_problems,
    refuse_comments_after: Report.recovery_problems,
}


def test_a_healthy_report_has_no_failures():
    assert healthy_report().failures() == []


@pytest.mark.parametrize("spoil", SPOILERS, ids=lambda spoil: spoil.__name__)
def test_each_check_catches_its_problem(spoil):
    report = healthy_report()
    spoil(report)
    assert SPOILERS[spoil](report) != []
    assert report.failures() != []
