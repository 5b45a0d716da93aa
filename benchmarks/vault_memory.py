"""Vault throughput and peak memory for a large blob, against plain copies in the same run.

File backend: a plain file copy of the same bytes with fsync (the floor: the
vault must read and durably write every byte too) against ``Vault.write`` of
that file and ``Vault.copy_to`` back into a file (plus a read whose plaintext
is discarded: the vault's own cost without the target disk). Each operation
starts after ``os.sync()``. S3 (moto_server on
loopback, optional): boto3's ``upload_file`` and a streamed ``get_object`` of
the same file against the vault. moto keeps objects in its own memory, so only
the client process is measured.

Every operation runs in a fresh child process; its peak RSS (VmHWM) is
reported in absolute terms and as growth over the same process right after
its imports. Target: well under 100 MB for a 2 GB blob.

Run: .venv/bin/python benchmarks/vault_memory.py [--size-mb 2048] [--repeats 3] [--s3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MB = 1024 * 1024
BUCKET = "kammerpost-bench"


def _status_kib(field: str) -> int:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/self/status")


def _fsync_copy(source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, MB)
        dst.flush()
        os.fsync(dst.fileno())


def _child(args: argparse.Namespace) -> None:
    """One measured operation in this (fresh) process; prints a JSON line."""
    import boto3
    from boto3.s3.transfer import TransferConfig

    from kammerpost.vault import KeyRing, vault_from_url

    vault = vault_from_url(args.url, KeyRing.from_files([args.keys])) if args.url else None
    baseline = _status_kib("VmHWM")
    result: dict[str, Any] = {}
    start = time.perf_counter()
    if args.op == "copy":
        _fsync_copy(Path(args.source), Path(args.target))
    elif args.op == "vault-write":
        assert vault is not None
        with Path(args.source).open("rb") as fh:
            result["key"] = vault.write(fh).key
    elif args.op == "vault-read":
        assert vault is not None
        with Path(args.target).open("wb") as fh:
            vault.copy_to(args.key, fh)
            fh.flush()
            os.fsync(fh.fileno())
    elif args.op == "vault-read-discard":
        assert vault is not None
        for _ in vault.read(args.key):
            pass
    elif args.op in {"raw-upload", "raw-download"}:
        client = boto3.session.Session().client(
            "s3", endpoint_url=args.endpoint, region_name="eu-central-1"
        )
        if args.op == "raw-upload":
            # boto3's defaults (threaded multipart): what one would use without the vault.
            client.upload_file(args.source, BUCKET, "raw/blob", Config=TransferConfig())
        else:
            # A streamed GET into a file. (download_file's parallel ranged GETs take
            # minutes on moto, which copies the object per range: no fair floor.)
            body = client.get_object(Bucket=BUCKET, Key="raw/blob")["Body"]
            with Path(args.target).open("wb") as fh:
                for chunk in body.iter_chunks(MB):
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
    else:
        raise SystemExit(f"unknown operation {args.op}")
    result["seconds"] = time.perf_counter() - start
    result["baseline_kib"] = baseline
    result["peak_kib"] = _status_kib("VmHWM")
    print(json.dumps(result))


def _run_child(op: str, **options: str) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", op]
    for name, value in options.items():
        argv += [f"--{name}", value]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _make_source(path: Path, size_mb: int) -> None:
    with path.open("wb") as fh:
        for _ in range(size_mb // 64):
            fh.write(os.urandom(64 * MB))
        fh.write(os.urandom((size_mb % 64) * MB))


def _summary(name: str, runs: list[dict[str, Any]], size_mb: int, floor: float | None) -> str:
    seconds = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_kib"] for r in runs) / 1024
    growth = max(r["peak_kib"] - r["baseline_kib"] for r in runs) / 1024
    ratio = f"{floor / seconds:5.2f}x" if floor else "   1x"
    return (
        f"  {name:<34} {seconds:7.2f} s {size_mb / seconds:8.0f} MB/s {ratio}"
        f"   peak RSS {peak:6.1f} MB (+{growth:5.1f} MB)"
    )


def _file_backend(work: Path, source: Path, keys: Path, size_mb: int, repeats: int) -> None:
    url = f"file://{work / 'vault'}"
    copies, writes, reads, discards = [], [], [], []

    def measure(op: str, **options: str) -> dict[str, Any]:
        os.sync()  # every operation starts without dirty pages of the one before
        return _run_child(op, **options)

    for _ in range(repeats):
        copies.append(measure("copy", source=str(source), target=str(work / "copy")))
        (work / "copy").unlink()
        written = measure("vault-write", url=url, keys=str(keys), source=str(source))
        writes.append(written)
        options = {"url": url, "keys": str(keys), "key": written["key"]}
        reads.append(measure("vault-read", target=str(work / "out"), **options))
        (work / "out").unlink()
        discards.append(measure("vault-read-discard", **options))
        shutil.rmtree(work / "vault")
    floor = statistics.median(r["seconds"] for r in copies)
    print(f"file backend, {size_mb} MiB, median of {repeats}:")
    print(_summary("plain copy + fsync (floor)", copies, size_mb, None))
    print(_summary("vault write (encrypt, hash, fsync)", writes, size_mb, floor))
    print(_summary("vault read (verify, decrypt, fsync)", reads, size_mb, floor))
    print(_summary("vault read, plaintext discarded", discards, size_mb, floor))


def _s3_backend(work: Path, source: Path, keys: Path, size_mb: int) -> None:
    from tests.support.s3 import S3Server

    server = S3Server(work / "moto")
    os.environ.update(server.environment)
    server.start()
    try:
        server.create_bucket(BUCKET)
        url = server.url(BUCKET, "bench")
        endpoint = server.endpoint
        raw_up = _run_child("raw-upload", endpoint=endpoint, source=str(source))
        raw_down = _run_child("raw-download", endpoint=endpoint, target=str(work / "raw"))
        (work / "raw").unlink()
        server.client().delete_object(Bucket=BUCKET, Key="raw/blob")
        written = _run_child("vault-write", url=url, keys=str(keys), source=str(source))
        read = _run_child(
            "vault-read", url=url, keys=str(keys), key=written["key"], target=str(work / "out")
        )
        (work / "out").unlink()
    finally:
        server.stop()
    print(f"S3 on moto_server (client process only), {size_mb} MiB, one run:")
    print(_summary("boto3 upload_file (floor for write)", [raw_up], size_mb, None))
    print(_summary("vault write (multipart, 8 MiB parts)", [written], size_mb, raw_up["seconds"]))
    print(_summary("streamed get_object (floor for read)", [raw_down], size_mb, None))
    print(_summary("vault read (streamed get_object)", [read], size_mb, raw_down["seconds"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--s3", action="store_true", help="also measure S3 against moto_server")
    parser.add_argument("--workdir", type=Path, default=None)
    for name in ("child", "url", "keys", "source", "target", "key", "endpoint"):
        parser.add_argument(f"--{name}", dest="op" if name == "child" else name)
    args = parser.parse_args()
    if args.op:
        _child(args)
        return

    from kammerpost.vault import create_key_file

    work = Path(tempfile.mkdtemp(prefix="vault-bench-", dir=args.workdir))
    try:
        keys = create_key_file(work / "keys")
        source = work / "source"
        _make_source(source, args.size_mb)
        _file_backend(work, source, keys, args.size_mb, args.repeats)
        if args.s3:
            _s3_backend(work, source, keys, args.size_mb)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
