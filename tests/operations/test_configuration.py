"""docs/operations.md's table names every variable the code reads, and only those."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
DOC = REPOSITORY / "docs" / "operations.md"
# Read by the code we ship: the package, the deployment files, the run and test scripts.
SOURCES = [
    *sorted((REPOSITORY / "src" / "kammerpost").rglob("*.py")),
    *sorted((REPOSITORY / "deploy").rglob("*.py")),
    *sorted((REPOSITORY / "scripts").iterdir()),
]
VARIABLE = re.compile(r"\bKAMMERPOST_[A-Z0-9_]*[A-Z0-9]\b")
# Variables only the test suite reads (test database and Redis addresses, fuzz sizes).
TESTS_ONLY_PREFIXES = ("KAMMERPOST_TEST_",)


def _documented() -> set[str]:
    section = DOC.read_text().split("\n## Configuration\n", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def _read_by_code() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        found |= set(VARIABLE.findall(path.read_text(errors="replace")))
    return {name for name in found if not name.startswith(TESTS_ONLY_PREFIXES)}


def test_every_variable_the_code_reads_is_in_the_table() -> None:
    missing = _read_by_code() - _documented()
    assert not missing, f"read by the code but not in docs/operations.md: {sorted(missing)}"


def test_the_table_names_no_variable_nothing_reads() -> None:
    tests_read = set()
    for path in (REPOSITORY / "tests").rglob("*.py"):
        tests_read |= set(VARIABLE.findall(path.read_text(errors="replace")))
    external = {"PROMETHEUS_MULTIPROC_DIR", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    stale = _documented() - _read_by_code() - tests_read - external
    assert not stale, f"in docs/operations.md but read nowhere: {sorted(stale)}"


def test_the_readme_points_to_the_table_instead_of_keeping_a_second_one() -> None:
    readme = (REPOSITORY / "README.md").read_text()
    assert "docs/operations.md" in readme
    assert "| variable | default | meaning |" not in readme


def test_every_scheduled_job_has_a_timer_and_every_timer_a_job() -> None:
    from kammerpost.operations.jobs import JOBS

    systemd = REPOSITORY / "deploy" / "systemd"
    timers = {
        p.name.removeprefix("kammerpost-").removesuffix(".timer") for p in systemd.glob("*.timer")
    }
    assert timers == set(JOBS)
    for name in JOBS:
        timer = (systemd / f"kammerpost-{name}.timer").read_text()
        assert f"Unit=kammerpost-job@{name}.service" in timer
    assert "kammerpost scheduled run %i" in (systemd / "kammerpost-job@.service").read_text()
