"""``kammerpost vault ...``: operator commands for the vault (no Django).

    kammerpost vault status               backend, key ring, blob counts
    kammerpost vault rotate               re-wrap every blob's data key with the newest KEK
    kammerpost vault cleanup [--older-than SECONDS]
                                          remove leftovers of crashed writers
    kammerpost vault new-key [--directory DIR]
                                          create a key file (the first step of a rotation)

Exit status: 0 success, 1 some blobs failed (listed on stderr), 2 usage or
configuration error. The vault is configured as for the web app
(``KAMMERPOST_VAULT_URL``, ``KAMMERPOST_VAULT_KEYS``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from .config import KEYS_VARIABLE, default_key_directory, vault_from_environment
from .errors import BlobNotFoundError, VaultError
from .keys import create_key_file
from .s3 import S3Backend
from .vault import STALE_AFTER, Vault


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kammerpost vault", description="Operate the encrypted document vault."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("status", help="backend, key ring and blob counts")
    commands.add_parser("rotate", help="re-wrap every blob's data key with the newest key")
    cleanup = commands.add_parser("cleanup", help="remove leftovers of crashed writers")
    cleanup.add_argument(
        "--older-than",
        type=float,
        default=STALE_AFTER.total_seconds(),
        metavar="SECONDS",
        help="only leftovers untouched for this long (default: %(default)d)",
    )
    new_key = commands.add_parser("new-key", help="create a new key-encryption key file")
    new_key.add_argument(
        "--directory",
        type=Path,
        default=None,
        help="where to create it (default: the default key directory under var/)",
    )
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run one vault command; returns the exit status."""
    out = out or sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors
        return int(exc.code or 0)
    if args.command == "new-key":
        return _new_key(args.directory, out)
    try:
        vault = vault_from_environment()
    except (ValueError, VaultError) as exc:
        print(f"kammerpost vault: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "status":
            return _status(vault, out)
        if args.command == "rotate":
            return _rotate(vault, out)
        return _cleanup(vault, timedelta(seconds=args.older_than), out)
    except VaultError as exc:
        print(f"kammerpost vault {args.command}: {exc}", file=sys.stderr)
        return 1


def _status(vault: Vault, out: TextIO) -> int:
    ring = vault.keyring
    print(f"backend: {vault.backend.describe()}", file=out)
    print(f"keys: {', '.join(ring.ids)} (writes: {ring.writer.id})", file=out)
    complete = incomplete = 0
    for entry in vault.entries():
        if entry.complete:
            complete += 1
        else:
            incomplete += 1
    print(f"blobs: {complete}", file=out)
    if incomplete:
        print(
            f"incomplete: {incomplete} (ciphertext or key record missing;"
            " `kammerpost vault cleanup` removes them after an hour)",
            file=out,
        )
    if isinstance(vault.backend, S3Backend) and vault.backend.versioning_enabled():
        print(
            "warning: bucket versioning is on - deleted key records survive as old versions"
            " (add a lifecycle rule expiring noncurrent versions)",
            file=out,
        )
    return 0


def _rotate(vault: Vault, out: TextIO) -> int:
    rewrapped = current = failed = 0
    for entry in vault.entries():
        if not entry.complete:
            continue
        try:
            if vault.rewrap(entry.key):
                rewrapped += 1
            else:
                current += 1
        except BlobNotFoundError:
            continue  # deleted while we were rotating
        except VaultError as exc:
            failed += 1
            print(f"kammerpost vault rotate: {entry.key}: {exc}", file=sys.stderr)
    print(
        f"re-wrapped: {rewrapped}, already with {vault.keyring.writer.id}: {current},"
        f" failed: {failed}",
        file=out,
    )
    return 1 if failed else 0


def _cleanup(vault: Vault, older_than: timedelta, out: TextIO) -> int:
    result = vault.cleanup(older_than)
    print(
        f"removed temp files / unfinished uploads: {result.temporary},"
        f" incomplete blobs: {result.incomplete}",
        file=out,
    )
    return 0


def _new_key(directory: Path | None, out: TextIO) -> int:
    target = directory or default_key_directory()
    try:
        path = create_key_file(target)
    except OSError as exc:
        print(f"kammerpost vault new-key: {exc}", file=sys.stderr)
        return 2
    print(path, file=out)
    if directory is None and not os.environ.get(KEYS_VARIABLE, "").strip():
        print("it writes from now on (last by name); run `kammerpost vault rotate`", file=out)
    else:
        print(
            f"add it to {KEYS_VARIABLE} on every instance (first as a reader, then as the last"
            " entry, which writes), then run `kammerpost vault rotate`",
            file=out,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
