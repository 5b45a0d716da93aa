"""A private clamd for the embedded setup and the tests, with the demo database.

``make run`` starts one under ``var/clamav`` (own config, unix socket, no
freshclam daemon): it tries ``freshclam`` once for ClamAV's real signatures
and otherwise writes the demo database - one body signature for the EICAR
test file, which matches EICAR anywhere (bare, in ZIP/DOCX parts, in PDF
streams). ClamAV has no built-in EICAR detection, and EICAR is assembled at
run time so that the repository never contains it literally.

The demo database carries no version, and clamd's VERSION answer then names
none: that is how :class:`~kammerpost.inspection.antivirus.ClamdScanner`
knows a scan was made with demo signatures, not with virus protection.

Command line (used by ``scripts/run``)::

  python -m kammerpost.inspection.localclamd start DIR   # prepare, then exec clamd
  python -m kammerpost.inspection.localclamd wait URL    # wait for it; print the database
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from .antivirus import DEMO_DATABASE_TEXTS, ClamdScanner

DEMO_DATABASE_FILE: Final = "kammerpost-demo.ndb"
DEMO_SIGNATURE: Final = "Kammerpost.Demo.EICAR"
# What freshclam writes: the official, versioned databases.
_OFFICIAL_SUFFIXES: Final = (".cvd", ".cld")
# freshclam gets one short try: without a mirror in reach it fails within a second.
_FRESHCLAM_TIMEOUT_S: Final = 30
# clamd loads the demo database in ~60 ms; the real one in ~20 s.
START_TIMEOUT_S: Final = 120.0
# The largest policy limit the embedded setup uses is the cloud area's; clamd
# answers anything above StreamMaxLength with its size-limit error (file held).
_STREAM_MAX: Final = "300M"


def eicar() -> bytes:
    """The EICAR anti-virus test file, assembled so that no file of ours contains it."""
    return (
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-" + "FILE!$H+H*"
    ).encode()


def write_demo_database(database: Path) -> Path:
    """Write the demo database (EICAR only) into ``database``; returns the file."""
    database.mkdir(parents=True, exist_ok=True)
    path = database / DEMO_DATABASE_FILE
    path.write_text(f"{DEMO_SIGNATURE}:0:*:{eicar().hex()}\n")
    return path


def has_official_database(database: Path) -> bool:
    return database.is_dir() and any(
        p.suffix in _OFFICIAL_SUFFIXES for p in database.iterdir() if p.is_file()
    )


def clamd_binary() -> str:
    found = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if found is None:
        raise RuntimeError(
            "clamd is missing: install Debian's clamav-daemon (scripts/install-system-packages)"
        )
    return found


def write_config(
    workdir: Path, database: Path, socket_path: Path, tcp_port: int | None = None
) -> Path:
    """A clamd.conf for a foreground clamd owned by the caller, on loopback only."""
    lines = [
        "Foreground yes",
        f"DatabaseDirectory {database}",
        f"LocalSocket {socket_path}",
        "LocalSocketMode 600",
        f"StreamMaxLength {_STREAM_MAX}",
        f"MaxFileSize {_STREAM_MAX}",
        f"MaxScanSize {_STREAM_MAX}",
        f"PidFile {workdir / 'clamd.pid'}",
        f"LogFile {workdir / 'clamd.log'}",
    ]
    if tcp_port is not None:
        lines += [f"TCPSocket {tcp_port}", "TCPAddr 127.0.0.1"]
    config = workdir / "clamd.conf"
    config.write_text("\n".join([*lines, ""]))
    return config


def try_freshclam(database: Path, workdir: Path) -> bool:
    """One short attempt to fetch ClamAV's real signatures; True if it worked."""
    binary = shutil.which("freshclam")
    if binary is None:
        return False
    config = workdir / "freshclam.conf"
    config.write_text(
        "\n".join(
            [
                "DatabaseMirror database.clamav.net",
                f"DatabaseDirectory {database}",
                f"DatabaseOwner {getpass.getuser()}",
                f"UpdateLogFile {workdir / 'freshclam.log'}",
                "ConnectTimeout 5",
                "ReceiveTimeout 20",
                "MaxAttempts 1",
                "",
            ]
        )
    )
    try:
        done = subprocess.run(
            [binary, f"--config-file={config}", f"--datadir={database}", "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=_FRESHCLAM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and has_official_database(database)


def prepare(workdir: Path, *, fetch: bool = True) -> tuple[Path, bool]:
    """Config and database under ``workdir``; returns (config, demo database in use)."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "db"
    database.mkdir(exist_ok=True)
    if fetch:
        try_freshclam(database, workdir)
    demo = not has_official_database(database)
    if demo:
        write_demo_database(database)
    else:
        # Real signatures detect EICAR themselves; the demo file would only confuse.
        (database / DEMO_DATABASE_FILE).unlink(missing_ok=True)
    return write_config(workdir, database, socket_path(workdir)), demo


def socket_path(workdir: Path) -> Path:
    return workdir / "clamd.sock"


def wait_until_ready(scanner: ClamdScanner, timeout: float, pid: int | None = None) -> bool:
    """True once clamd answers; False after ``timeout`` or as soon as process ``pid`` is gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scanner.ping():
            return True
        if pid is not None and not _alive(pid):
            return False
        time.sleep(0.05)
    return False


def _alive(pid: int) -> bool:
    """Running, not ended (a zombie waits only for its parent to collect it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def describe(scanner: ClamdScanner) -> str:
    """The start-up banner's line about the scanner, in both languages."""
    version = scanner.version()
    if version is None:
        return "nicht erreichbar / not reachable"
    if version.demo:
        de, en = DEMO_DATABASE_TEXTS
        return f"{version.engine}, {de} / {en}"
    return f"{version.engine}, Signaturen / signatures {version.database_version}"


def _start(workdir: Path, fetch: bool) -> int:
    config, _ = prepare(workdir.resolve(), fetch=fetch)
    socket_path(workdir.resolve()).unlink(missing_ok=True)
    binary = clamd_binary()
    # exec: the caller's process is clamd itself, so its Ctrl+C handling stops it.
    os.execv(binary, [binary, "--config-file", str(config)])  # noqa: S606 - our own binary


def _wait(url: str, timeout: float, pid: int | None) -> int:
    scanner = ClamdScanner(url, timeout=5)
    if not wait_until_ready(scanner, timeout, pid):
        print(f"clamd at {url} does not answer (see its log)", file=sys.stderr)
        return 1
    print(describe(scanner))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kammerpost.inspection.localclamd")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="prepare DIR (config, database), then run clamd")
    start.add_argument("directory", type=Path)
    start.add_argument("--no-freshclam", action="store_true", help="use the demo database")
    wait = sub.add_parser("wait", help="wait until the clamd at URL answers; print its database")
    wait.add_argument("url")
    wait.add_argument("--timeout", type=float, default=START_TIMEOUT_S)
    wait.add_argument("--pid", type=int, help="stop waiting when this process (clamd) ends")
    args = parser.parse_args(argv)
    if args.command == "start":
        return _start(args.directory, not args.no_freshclam)
    return _wait(args.url, args.timeout, args.pid)


if __name__ == "__main__":
    sys.exit(main())
