"""Memory stays flat: a 300 MB blob through the file backend in a fresh process.

The 2 GB figure is in benchmarks/vault_memory.py; this test keeps the promise
checked on every run at a size that takes a few seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MB = 1024 * 1024

SCRIPT = r"""
import hashlib, json, os, sys
from kammerpost.vault import KeyRing, vault_from_url

def peak_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

root, megabytes = sys.argv[1], int(sys.argv[2])
vault = vault_from_url(f"file://{root}", KeyRing([("kek", os.urandom(32))]))
chunk = os.urandom(1024 * 1024)
vault.read(vault.write([b"warm up"]).key).close()
baseline = peak_kib()
info = vault.write(chunk for _ in range(megabytes))
after_write = peak_kib()
digest, size = hashlib.sha256(), 0
for segment in vault.read(info.key):
    digest.update(segment)
    size += len(segment)
after_read = peak_kib()
expected = hashlib.sha256()
for _ in range(megabytes):
    expected.update(chunk)
ok = size == info.size and digest.hexdigest() == info.sha256 == expected.hexdigest()
print(json.dumps({
    "baseline_kib": baseline, "write_kib": after_write, "read_kib": after_read,
    "size": size, "ok": ok,
}))
"""


def test_a_300_mb_blob_is_written_and_read_with_flat_memory(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "vault"), "300"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    figures = json.loads(done.stdout)
    assert figures["ok"], figures
    assert figures["size"] == 300 * MB
    growth_mb = (figures["read_kib"] - figures["baseline_kib"]) / 1024
    assert growth_mb < 100, figures
