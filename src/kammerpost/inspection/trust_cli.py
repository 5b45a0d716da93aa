"""``kammerpost trust``: what signatures are checked against, and fetching it anew.

``trust status`` shows each trusted-list file (territory, sequence number,
issue date, next update, whether its signature verified, how many qualified
services it adds), the refused ones with the reason, and how old the
snapshot is. Exit status 0 when lists are loaded and none is refused or
expired, 1 otherwise, so monitoring can call it.

``trust refresh`` fetches the EU list of the lists (LOTL) and the national
lists it points to, verifies each, keeps them as a dated snapshot under
``<lists>/snapshots/`` and puts the verified files in place. Only run it on a
machine that may reach the Internet; the tests never do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.qualified import eutl_parse

from .trust import MANIFEST, TrustConfig, TrustStore, list_signers, load_trust, snapshot_info

EU_LOTL_URL: Final = "https://ec.europa.eu/tools/lotl/eu-lotl.xml"
# A list server that does not answer within this is down for this run.
_FETCH_TIMEOUT_S: Final = 30.0
_MAX_LIST_BYTES: Final = 64 * 1024 * 1024
# Older snapshots are deleted beyond this many: a year of monthly refreshes.
KEEP_SNAPSHOTS: Final = 12


class FetchError(Exception):
    """A list could not be fetched."""


def fetch(url: str) -> bytes:
    """GET ``url`` (http or https only), at most ``_MAX_LIST_BYTES``."""
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"{url}: only http and https addresses are fetched")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, headers={"Accept": "application/vnd.etsi.tsl+xml, text/xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT_S) as response:  # noqa: S310
            data: bytes = response.read(_MAX_LIST_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: {reason}") from exc
    if len(data) > _MAX_LIST_BYTES:
        raise FetchError(f"{url}: larger than {_MAX_LIST_BYTES // (1024 * 1024)} MB")
    return data


# --- status ----------------------------------------------------------------------------


def _age(iso: str | None) -> str:
    if iso is None:
        return "unbekannt / unknown"
    moment = dt.datetime.fromisoformat(iso)
    days = (dt.datetime.now(dt.UTC) - moment).days
    return f"{iso} ({days} Tage / days)"


def _date(moment: dt.datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "?"


def status_dict(store: TrustStore) -> dict[str, Any]:
    """What ``trust status --json`` prints."""
    config = store.config
    return {
        "lists_dir": str(config.lists_dir),
        "list_signers": str(config.signers_dir) if config.signers_dir else "pyhanko",
        "roots_dir": str(config.roots_dir) if config.roots_dir else None,
        "extra_roots": store.extra_roots,
        "online": config.online,
        "snapshot": snapshot_info(config),
        "lists": [status.as_dict() for status in store.lists],
        "problems": list(store.problems),
    }


def _print_status(store: TrustStore, out: TextIO) -> None:
    info = status_dict(store)
    signers = info["list_signers"]
    print(f"Vertrauenslisten / trusted lists: {info['lists_dir']}", file=out)
    print(f"  Stand / snapshot: {_age(info['snapshot'].get('fetched_at'))}", file=out)
    print(
        "  Listen-Unterzeichner / list signers: "
        + ("EU-LOTL-Zertifikate aus pyHanko / pyHanko's EU LOTL certificates"
           if signers == "pyhanko" else signers),
        file=out,
    )  # fmt: skip
    print(
        f"  Zusätzliche Wurzeln / extra roots: {info['extra_roots']}"
        + (f" ({info['roots_dir']})" if info["roots_dir"] else ""),
        file=out,
    )
    online = "an / on" if info["online"] else "aus / off"
    print(f"  Online-Sperrabfragen / online revocation look-ups: {online}", file=out)
    if not store.lists:
        print("  keine Listen geladen / no lists loaded", file=out)
    for status in store.lists:
        where = f"{status.territory or '?'} {status.kind}"
        if status.refused is not None:
            print(f"  ✗ {status.file} [{where}] ABGELEHNT / REFUSED: {status.refused}", file=out)
            continue
        expired = "  ABGELAUFEN / EXPIRED" if status.expired else ""
        print(
            f"  ✓ {status.file} [{where}] Nr./seq. {status.sequence}, "
            f"ausgestellt/issued {_date(status.issued)}, "
            f"nächste/next update {_date(status.next_update)}, "
            f"Signatur geprüft/signature verified, "
            f"{status.qualified_services} qualifizierte Dienste/qualified services{expired}",
            file=out,
        )
        for warning in status.warnings[:5]:
            print(f"      Hinweis / warning: {warning}", file=out)
    for problem in store.problems:
        print(f"  ! {problem}", file=out)


def status(config: TrustConfig, *, as_json: bool, out: TextIO | None = None) -> int:
    """Print what is loaded; 0 when usable lists are loaded and none is refused or expired."""
    out = out or sys.stdout
    store = load_trust(config)
    if as_json:
        print(json.dumps(status_dict(store), ensure_ascii=False, indent=2), file=out)
    else:
        _print_status(store, out)
    usable = [s for s in store.lists if s.refused is None and s.kind == "national"]
    bad = [s for s in store.lists if s.refused is not None or s.expired]
    return 0 if usable and not bad and not store.problems else 1


# --- refresh ---------------------------------------------------------------------------


def refresh(
    config: TrustConfig,
    *,
    url: str,
    territories: Sequence[str] = (),
    out: TextIO | None = None,
) -> int:
    """Fetch, verify and install the LOTL and national lists; 0 on success."""
    out = out or sys.stdout
    problems: list[str] = []
    signers = list_signers(config, problems)
    if not signers:
        print(f"kammerpost trust refresh: no list signers ({'; '.join(problems)})", file=sys.stderr)
        return 1
    try:
        lotl_xml = fetch(url)
    except FetchError as exc:
        print(
            f"kammerpost trust refresh: cannot fetch the EU list of the lists: {exc}",
            file=sys.stderr,
        )
        return 1
    try:
        lotl = eutl_parse.validate_and_parse_lotl(lotl_xml.decode("utf-8"), signers)
    except (SignatureValidationError, ValueError) as exc:
        print(
            "kammerpost trust refresh: the list of the lists does not verify against the "
            f"trusted list signers; nothing changed ({exc})",
            file=sys.stderr,
        )
        return 1
    wanted = {t.upper() for t in territories}
    files: dict[str, bytes] = {"eu-lotl.xml": lotl_xml}
    failures = 0
    for ref in lotl.references:
        territory = ref.territory.upper()
        if eutl_parse.LOTL_RULE in ref.scheme_rules or (wanted and territory not in wanted):
            continue
        try:
            data = fetch(ref.location_uri)
            eutl_parse.trust_list_to_registry(data.decode("utf-8"), ref.tlso_certs)
        except (FetchError, SignatureValidationError, ValueError) as exc:
            failures += 1
            print(f"  ✗ {territory}: {exc}", file=out)
            continue
        files[f"{territory.lower()}.xml"] = data
        print(f"  ✓ {territory}: {ref.location_uri}", file=out)
    snapshot = _install(config.lists_dir, files, url)
    print(
        f"Snapshot: {snapshot} ({len(files)} Listen / lists, {failures} Fehler / failures)",
        file=out,
    )
    return 0 if failures == 0 else 1


def _install(lists_dir: Path, files: dict[str, bytes], url: str) -> Path:
    """Write a dated snapshot, then put its files in place of the current ones."""
    fetched = dt.datetime.now(dt.UTC).replace(microsecond=0)
    snapshots = lists_dir / "snapshots"
    snapshot = snapshots / fetched.strftime("%Y-%m-%dT%H%M%SZ")
    snapshot.mkdir(parents=True, exist_ok=True)
    manifest = {
        "fetched_at": fetched.isoformat(),
        "lotl_url": url,
        "snapshot": str(snapshot.relative_to(lists_dir)),
        "files": sorted(files),
    }
    for name, data in files.items():
        (snapshot / name).write_bytes(data)
    (snapshot / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    # Each file is replaced by a rename, so a worker never reads half a list.
    for name, data in files.items():
        temporary = lists_dir / f".{name}.new"
        temporary.write_bytes(data)
        temporary.replace(lists_dir / name)
    for stale in lists_dir.glob("*.xml"):
        if stale.name not in files:
            stale.unlink()
    temporary = lists_dir / f".{MANIFEST}.new"
    temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    temporary.replace(lists_dir / MANIFEST)
    for old in sorted(p for p in snapshots.iterdir() if p.is_dir())[:-KEEP_SNAPSHOTS]:
        shutil.rmtree(old)
    return snapshot


# --- command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``kammerpost trust status|refresh``; see the module docstring."""
    parser = argparse.ArgumentParser(prog="kammerpost trust", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("status", help="what is loaded and how old it is")
    show.add_argument("--json", action="store_true", help="one JSON object")
    fetch_lists = commands.add_parser("refresh", help="fetch and verify the EU trusted lists")
    fetch_lists.add_argument(
        "--url",
        default=os.environ.get("KAMMERPOST_TRUST_LOTL_URL", "").strip() or EU_LOTL_URL,
        help="address of the list of the lists (default: the EU's, or KAMMERPOST_TRUST_LOTL_URL)",
    )
    fetch_lists.add_argument(
        "--territory",
        action="append",
        default=[],
        metavar="CC",
        help="only this territory (repeatable), e.g. --territory DE",
    )
    args = parser.parse_args(argv)
    config = TrustConfig.from_env()
    if args.command == "status":
        return status(config, as_json=args.json)
    config.lists_dir.mkdir(parents=True, exist_ok=True)
    return refresh(config, url=args.url, territories=args.territory)
