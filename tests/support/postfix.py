"""A private Postfix in front of the mail gateway, as in production (docs/operations-mail.md).

Its own configuration and queue below a temporary directory, loopback
ports only, no chroot (the test runs as root in a sandbox without the
Debian chroot set-up). Postfix hands every SMTP session to the gateway as
a before-queue filter (``smtpd_proxy_filter``); mail the gateway accepted
is already stored, so Postfix's own delivery goes to ``discard``.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.{domain}
mydomain = {domain}
myorigin = $mydomain
mydestination =
mynetworks = 127.0.0.0/8
relay_domains = {domain}
alias_maps =
alias_database =
local_recipient_maps =
# Everything the gateway accepted is stored already: Postfix's copy is discarded.
transport_maps = inline:{{ {domain}=discard: }}
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination
# The gateway refuses larger mail itself, with the rule's text; Postfix must pass it on.
message_size_limit = 26214400
smtpd_forbid_bare_newline = yes
smtpd_forbid_bare_newline_exclusions =
biff = no
append_dot_mydomain = no
notify_classes =
"""

MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
  -o smtpd_proxy_filter=127.0.0.1:{gateway}
  -o smtpd_proxy_timeout=120s
  -o smtpd_proxy_ehlo=mx.{domain}
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Postfix:
    """One Postfix master process configured in ``root``."""

    def __init__(self, root: Path, *, gateway_port: int, domain: str) -> None:
        self.root = root
        # Postfix's daemons run as the postfix user: every directory on the way must open.
        root.chmod(0o755)
        self.config = root / "etc"
        self.port = free_port()
        self.config.mkdir(parents=True)
        values = {
            "root": root,
            "queue": root / "queue",
            "data": root / "data",
            "domain": domain,
            "port": self.port,
            "gateway": gateway_port,
        }
        (self.config / "main.cf").write_text(MAIN_CF.format(**values))
        (self.config / "master.cf").write_text(MASTER_CF.format(**values))
        for directory in ("queue", "data"):
            (root / directory).mkdir()
        shutil.chown(root / "data", "postfix", "postfix")

    def _postfix(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [POSTFIX, "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self) -> None:
        done = self._postfix("start")
        if done.returncode != 0:
            raise RuntimeError(f"postfix start failed:\n{done.stdout}\n{done.stderr}\n{self.log()}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"postfix does not listen on {self.port}:\n{self.log()}")

    def stop(self) -> None:
        self._postfix("stop")

    def log(self) -> str:
        path = self.root / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""
