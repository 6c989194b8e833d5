"""Reliability: database outages answer 503, and two app servers under load survive a restart.

test_outage_page.py runs everywhere. test_two_servers.py starts a private
PostgreSQL cluster and two gunicorn servers (driver.py, also a command-line
tool for the benchmark harness) and needs PostgreSQL's binaries.
"""
