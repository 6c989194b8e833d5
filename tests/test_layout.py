"""The layout README describes: imports between apps run one way, config imports none."""

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
# Each of our packages, and the ones it may import (README, "Layout").
MAY_IMPORT = {
    "config": set(),
    "pagecache": set(),
    "seminars": {"pagecache"},
    "accounts": {"seminars", "pagecache"},
    "discussion": {"seminars", "accounts", "pagecache"},
    "syndication": {"seminars", "pagecache"},
}


def imported_packages(package: str) -> dict[str, set[str]]:
    """Our other packages each module of `package` imports, wherever in the module."""
    found = {}
    for path in (PROJECT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(PROJECT))] = names & (MAY_IMPORT.keys() - {package})
    return found


@pytest.mark.parametrize("package", MAY_IMPORT)
def test_imports_between_packages_run_one_way(package):
    forbidden = {
        module: sorted(names - MAY_IMPORT[package])
        for module, names in imported_packages(package).items()
        if names - MAY_IMPORT[package]
    }
    assert forbidden == {}


def test_the_allowed_imports_have_no_cycle():
    def reaches(start, target, seen=()):
        return any(
            step == target or (step not in seen and reaches(step, target, (*seen, step)))
            for step in MAY_IMPORT[start]
        )

    assert not [package for package in MAY_IMPORT if reaches(package, package)]
