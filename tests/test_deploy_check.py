"""`manage.py check --deploy` with the production environment README documents.

Run in a subprocess: settings are computed once, at import, from the environment.
"""

import os
import subprocess
import sys

import pytest

from tests.test_settings import PRODUCTION, PROJECT_DIR


def check_deploy(env):
    return subprocess.run(  # noqa: S603 (this interpreter, a fixed command)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# README's "Deploying" example: behind a TLS-terminating proxy, with PostgreSQL and Redis.
BEHIND_A_PROXY = {
    **PRODUCTION,
    "DATABASE_URL": "postgres://seminars:secret@db.example.org:5432/seminars",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "SECURE_PROXY_SSL_HEADER": "true",
    "TRUSTED_PROXY_COUNT": "1",
}


@pytest.mark.parametrize("env", [PRODUCTION, BEHIND_A_PROXY], ids=["required-only", "readme"])
def test_production_settings_pass_the_deploy_check_without_a_warning(env):
    process = check_deploy(env)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "System check identified no issues (0 silenced)."
    assert process.stderr == ""


def test_the_deploy_check_does_catch_a_weakened_setting():
    # Guards the test above: the check really runs Django's deployment checks.
    process = check_deploy({**PRODUCTION, "SECURE_SSL_REDIRECT": "false"})
    assert process.returncode != 0
    assert "security.W008" in process.stderr
