"""Resumable upload throughput: a file through tus into the vault, against dd of the same bytes.

The floor is ``dd if=FILE of=COPY bs=1M conv=fsync``: the upload must read
and durably write every byte too. Against it, tuspy (a real tus client)
uploads the same file in chunks to gunicorn serving the application (the
test target of tests/exchange; the real engine, vault and database; file
backend, SQLite in a temp directory), until the blob is complete and handed
over. Each operation starts after ``os.sync()``; runs are paired (dd, then
tus, with fresh bytes per run so no cache helps) and the medians printed.
Target: tus throughput >= 0.5x dd.

Memory: the web worker's peak RSS (VmHWM of the gunicorn worker process)
over all runs, and its RSS before the first upload. Target: < 150 MB.

Run: .venv/bin/python benchmarks/tus_upload.py [--size 1G] [--runs 3] [--chunk 64M] [--checksum]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MB = 1024 * 1024
UNITS = {"K": 1024, "M": MB, "G": 1024 * MB}


def parse_size(text: str) -> int:
    text = text.strip().upper().removesuffix("B")
    if text and text[-1] in UNITS:
        return int(float(text[:-1]) * UNITS[text[-1]])
    return int(text)


def status_kib(pid: int, field: str) -> int:
    with Path(f"/proc/{pid}/status").open() as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} missing for process {pid}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(MB, left))
            out.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


class Server:
    """gunicorn with one worker (so its peak RSS is one process's) on loopback."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "KAMMERPOST_VAR_DIR": str(work / "var"),
            "KAMMERPOST_VAULT_URL": f"file://{work / 'var' / 'vault'}",
            "KAMMERPOST_DATABASE_URL": f"sqlite:///{work / 'kp.sqlite3'}",
            "KAMMERPOST_TEST_TUS_LOG": str(work / "completed.jsonl"),
            "KAMMERPOST_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tests.exchange.tus_settings",
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
            "TMPDIR": str(work / "tmp"),
        }
        self.env.pop("KAMMERPOST_VAULT_KEYS", None)
        (work / "tmp").mkdir()
        bin_dir = Path(sys.executable).parent
        subprocess.run(
            [str(bin_dir / "kammerpost"), "migrate", "--noinput", "-v", "0"],
            env={**self.env, "DJANGO_SETTINGS_MODULE": "kammerpost.settings"},
            check=True,
        )
        self.process = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "kammerpost.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "600",
            ],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait(self) -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/test-tus/csrf/", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        [pid] = children.read_text().split()
        return int(pid)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)


def dd_seconds(source: Path, target: Path) -> float:
    os.sync()
    started = time.perf_counter()
    subprocess.run(
        ["dd", f"if={source}", f"of={target}", "bs=1M", "conv=fsync", "status=none"], check=True
    )
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def tus_seconds(server: Server, source: Path, chunk: int, checksum: bool) -> tuple[float, str]:
    import requests
    from tusclient import client as tus_client
    from tusclient.uploader import Uploader

    class Sha256Uploader(Uploader):
        CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)

    session = requests.Session()
    token = session.get(f"{server.url}/test-tus/csrf/", timeout=10).text
    headers = {"X-CSRFToken": token, "Cookie": f"csrftoken={session.cookies['csrftoken']}"}
    tus = tus_client.TusClient(f"{server.url}/test-tus/alpha/files/", headers=headers)
    os.sync()
    with source.open("rb") as stream:
        started = time.perf_counter()
        uploader = Sha256Uploader(
            file_stream=stream, client=tus, chunk_size=chunk, upload_checksum=checksum
        )
        uploader.upload()
        elapsed = time.perf_counter() - started
    return elapsed, str(uploader.url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1G", help="file size, e.g. 256M or 1G (default 1G)")
    parser.add_argument("--runs", type=int, default=3, help="paired runs (default 3)")
    parser.add_argument("--chunk", default="64M", help="tus chunk size (default 64M)")
    parser.add_argument("--checksum", action="store_true", help="send Upload-Checksum (sha256)")
    parser.add_argument("--workdir", type=Path, default=None, help="where files go (default: temp)")
    args = parser.parse_args()
    size, chunk = parse_size(args.size), parse_size(args.chunk)

    work = Path(tempfile.mkdtemp(prefix="tus-bench-", dir=args.workdir))
    server = Server(work)
    try:
        server.wait()
        worker = server.worker()
        idle_kib = status_kib(worker, "VmRSS")
        dd_runs: list[float] = []
        tus_runs: list[float] = []
        log = work / "completed.jsonl"
        for run in range(args.runs):
            source = work / f"source-{run}.bin"
            expected = make_file(source, size)
            dd_runs.append(dd_seconds(source, work / "dd-copy.bin"))
            elapsed, _url = tus_seconds(server, source, chunk, args.checksum)
            tus_runs.append(elapsed)
            done = json.loads(log.read_text().splitlines()[-1])
            assert done["event"] == "completed", done
            assert (done["sha256"], done["size"]) == (expected, size), done
            source.unlink()
            print(
                f"run {run + 1}: dd {size / MB / dd_runs[-1]:7.1f} MB/s   "
                f"tus {size / MB / elapsed:7.1f} MB/s",
                flush=True,
            )
        peak_kib = status_kib(worker, "VmHWM")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    dd_median, tus_median = statistics.median(dd_runs), statistics.median(tus_runs)
    figures = {
        "size_mb": size / MB,
        "chunk_mb": chunk / MB,
        "checksum": args.checksum,
        "runs": args.runs,
        "dd_median_s": round(dd_median, 2),
        "tus_median_s": round(tus_median, 2),
        "dd_mb_s": round(size / MB / dd_median, 1),
        "tus_mb_s": round(size / MB / tus_median, 1),
        "ratio": round(dd_median / tus_median, 2),
        "worker_rss_idle_mb": round(idle_kib / 1024, 1),
        "worker_rss_peak_mb": round(peak_kib / 1024, 1),
    }
    print(json.dumps(figures))
    print(
        f"tus {figures['tus_mb_s']} MB/s vs dd {figures['dd_mb_s']} MB/s:"
        f" {figures['ratio']}x (target >= 0.5x);"
        f" web worker peak RSS {figures['worker_rss_peak_mb']} MB (target < 150 MB)"
    )


if __name__ == "__main__":
    main()
