"""`kammerpost inspect` as an operator runs it: the installed command, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.corpus import misc
from tests.support.clamd import EICAR, Clamd

KAMMERPOST = Path(sys.executable).with_name("kammerpost")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KAMMERPOST), "inspect", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KAMMERPOST_CLAMD": "", **(env or {})},
        check=False,
    )


def test_json_output_has_one_object_per_file_in_the_documented_shape(tmp_path: Path) -> None:
    good = tmp_path / "foto.png"
    good.write_bytes(misc.png())
    bad = tmp_path / "rechnung.pdf"
    bad.write_bytes(misc.pe_executable())
    done = _run("--json", "--no-av", str(good), str(bad))
    assert done.returncode == 1
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert set(first) >= {"file", "verdict", "format", "sha256", "size", "facts", "reasons"}
    assert first["file"] == str(good)
    assert (first["verdict"], first["format"]) == ("accepted", "png")
    assert second["verdict"] == "rejected"
    assert second["format"] is None
    (reason,) = second["reasons"]
    assert reason["code"] == "exe.pe"
    assert set(reason) >= {"code", "message_de", "message_en", "hint_de", "hint_en"}


def test_exit_status_is_zero_when_every_file_is_accepted(tmp_path: Path) -> None:
    good = tmp_path / "foto.jpg"
    good.write_bytes(misc.jpeg())
    done = _run("--no-av", str(good))
    assert done.returncode == 0
    assert "angenommen / accepted" in done.stdout


def test_without_a_scanner_and_without_opt_out_the_file_is_held(tmp_path: Path) -> None:
    good = tmp_path / "foto.jpg"
    good.write_bytes(misc.jpeg())
    done = _run("--json", str(good))
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["verdict"] == "held"
    assert result["facts"]["av"]["scanned"] is False


def test_usage_errors_exit_with_two(tmp_path: Path) -> None:
    assert _run().returncode == 2
    assert _run("--policy", "no-such-policy", "x").returncode == 2
    assert _run(str(tmp_path / "missing.pdf")).returncode == 2


def test_pdf_only_policy_applies_to_the_command(tmp_path: Path) -> None:
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(misc.jpeg())
    done = _run("--json", "--no-av", "--policy", "pdf-only", str(photo))
    assert done.returncode == 1
    assert json.loads(done.stdout)["reasons"][0]["code"] == "format.not_allowed"


def test_readable_summary_names_reason_and_hint_in_both_languages(tmp_path: Path) -> None:
    bad = tmp_path / "archiv.pdf"
    bad.write_bytes(misc.zip_bytes())
    done = _run("--no-av", str(bad))
    assert done.returncode == 1
    assert "archive.zip" in done.stdout
    assert "Archive nehmen wir nicht an" in done.stdout
    assert "We do not accept archives" in done.stdout
    assert "Tipp:" in done.stdout and "Hint:" in done.stdout


def test_clamd_from_the_environment_catches_eicar(clamd: Clamd, tmp_path: Path) -> None:
    virus = tmp_path / "rechnung.pdf"
    virus.write_bytes(EICAR)
    done = _run("--json", str(virus), env={"KAMMERPOST_CLAMD": clamd.unix_url})
    assert done.returncode == 1
    assert "av.infected" in [r["code"] for r in json.loads(done.stdout)["reasons"]]
