"""The layer table of docs/architecture.md is enforced: import-linter fails on a broken contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the sources, to break on purpose."""
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_layer_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("backoffice/views.py", "import kammerpost.portal.services", "Adapters never import"),
        ("intake/selectors.py", "import kammerpost.backoffice.selectors", "Domain apps never"),
        ("inspection/pdf.py", "import django.conf", "Engines import no Django"),
        ("vault/vault.py", "import kammerpost.intake.models", "Engines import no other"),
        ("mailpolicy/rules.py", "import kammerpost.mailgate.server", "Engines import no other"),
    ],
)
def test_an_import_across_the_layers_breaks_the_build(
    tree: Path, module: str, line: str, contract: str
) -> None:
    path = tree / "src" / "kammerpost" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint(tree)
    assert result.returncode != 0
    broken = result.stdout[result.stdout.index("Broken contracts") :]
    assert contract in broken, result.stdout
