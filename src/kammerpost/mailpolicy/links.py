"""Link-only mails: a note that is essentially a link to a file host (policy.md 2.2).

We never fetch links (that would let any sender make us download anything),
so a mail whose point is "download my files there" is refused with a
pointer to the portal. An ordinary letter that merely contains a link -
to the sender's website, or a file host in the middle of real text - is
accepted: the rule is about mails with nothing to read but the link.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

# Domains of file hosting and transfer services; subdomains count.
FILE_HOSTS: Final = (
    "dropbox.com",
    "dropboxusercontent.com",
    "db.tt",
    "wetransfer.com",
    "we.tl",
    "drive.google.com",
    "docs.google.com",
    "drive.usercontent.google.com",
    "onedrive.live.com",
    "onedrive.com",
    "1drv.ms",
    "sharepoint.com",
    "icloud.com",
    "mega.nz",
    "mega.io",
    "box.com",
    "boxcloud.com",
    "pcloud.com",
    "pcloud.link",
    "filemail.com",
    "fromsmash.com",
    "smash.gg",
    "transfernow.net",
    "swisstransfer.com",
    "mediafire.com",
    "sendspace.com",
    "file.io",
    "gofile.io",
    "magentacloud.de",
    "webtransfer.de",
    "terabox.com",
    "tresorit.com",
    "send.vis.ee",
)
# A note with the link and a greeting has a few dozen words; a letter has more.
LINK_ONLY_MAX_WORDS: Final = 40
_URL: Final = re.compile(r"""(?:https?://|www\.)[^\s<>"'()\[\]{}]+""", re.IGNORECASE)
_WORD: Final = re.compile(r"[^\W\d_]{2,}")


def host_of(url: str) -> str:
    target = url if "://" in url else f"http://{url}"
    try:
        return (urlsplit(target).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def file_host(host: str) -> str | None:
    """The file host ``host`` belongs to, or None."""
    for domain in FILE_HOSTS:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def urls_in(text: str) -> list[str]:
    return [match.group(0).rstrip(".,;:!?") for match in _URL.finditer(text)]


def link_only_host(
    *, text: str, links: list[str], sender_address: str, has_attachments: bool
) -> str | None:
    """The file host a link-only mail points to, or None when the mail is something else."""
    if has_attachments:
        return None
    hosts = [file_host(host_of(url)) for url in [*links, *urls_in(text)]]
    found = next((h for h in hosts if h is not None), None)
    if found is None:
        return None
    # Notifications of transfer services ("X sent you files") are link-only by nature.
    if file_host(sender_address.rpartition("@")[2].lower()):
        return found
    words = _WORD.findall(_URL.sub(" ", text))
    return found if len(words) <= LINK_ONLY_MAX_WORDS else None
