"""Receiving one e-mail: the rules, the inspection of its attachments, the durable store.

``mail_receive`` returns the SMTP answer for the end of DATA. It answers
250 only after the raw message is in the mail archive and the inbound
items are committed; anything unexpected (database or vault down, a bug
in a check) becomes 451, never a silent accept, and leaves nothing
half-stored behind (a blob without its row is an orphan the sweep removes).

Several of our addresses in one mail: one inbound item per department,
committed together, sharing one archived raw message and one
acknowledgement - each department sees the mail in its own inbox.

Sender authentication (``kammerpost.mailpolicy.authentication``) decides two
things: an item is linked to a portal account only when the From address is
proven (DMARC-aligned, or a valid S/MIME signature for it), and an
acknowledgement goes only to a proven envelope sender (no backscatter).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kammerpost.chamber.models import Department
from kammerpost.correspondence.mail import acknowledgement_skip_reason
from kammerpost.correspondence.services import acknowledgement_send
from kammerpost.inspection import Severity, Verdict
from kammerpost.intake.models import Channel, InboundItem, Sender
from kammerpost.intake.services import (
    IncomingFile,
    blobs_unreferenced_remove,
    inbound_item_receive,
    sender_account_link,
    sender_for_address,
)
from kammerpost.mailpolicy import (
    MAIL_LIMITS,
    Answer,
    Attachment,
    AuthResult,
    DnsResolver,
    Examination,
    MailLimits,
    MailParserPool,
    Refusal,
    accepted_answer,
    authenticate,
    authentication_headers,
    prescan,
    recipient_ok_answer,
    refusal_answer,
    temporary_failure_answer,
    trusted_results,
    unknown_recipient_answer,
)
from kammerpost.mailpolicy.authentication import header_from_address
from kammerpost.mailpolicy.prescan import header_block
from kammerpost.privacy.services import communication_preference_record_electronic
from kammerpost.providers import MAIL_ARCHIVE, find_service, inspector_for
from kammerpost.vault import Vault, VaultError

from .models import MailMessage
from .selectors import department_for_address

log = logging.getLogger(__name__)

_ARCHIVE_KINDS = {
    "archive.zip": "ZIP",
    "archive.rar": "RAR",
    "archive.7z": "7-Zip",
    "archive.gzip": "gzip",
    "archive.bzip2": "bzip2",
    "archive.xz": "xz",
    "archive.zstd": "Zstandard",
    "archive.tar": "tar",
    "archive.cab": "CAB",
    "archive.iso": "ISO",
}


def mail_limits() -> MailLimits:
    """The published limits (the policy table); only the parse time is set by the operator."""
    return replace(MAIL_LIMITS, parse_timeout_s=settings.MAILGATE_PARSE_TIMEOUT)


_pool_lock = threading.Lock()
_pool: MailParserPool | None = None


def parser_pool() -> MailParserPool:
    global _pool  # noqa: PLW0603 - one pool per gateway process
    with _pool_lock:
        if _pool is None:
            _pool = MailParserPool(size=settings.MAILGATE_PARSERS)
        return _pool


def parser_pool_close() -> None:
    """Stop the parser processes (tests, shutdown); the next message starts new ones."""
    global _pool  # noqa: PLW0603 - one pool per gateway process
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None


def recipient_accept(address: str) -> Answer:
    """The answer at RCPT: 250 for an active department's address, else 550 (never relay)."""
    if department_for_address(address) is None:
        return unknown_recipient_answer(settings.PORTAL_URL)
    return recipient_ok_answer()


def mail_receive(
    *,
    raw: bytes,
    envelope_from: str,
    recipients: Sequence[str],
    peer: str | None = None,
    helo: str = "",
) -> Answer:
    """The answer at the end of DATA for one message; never raises."""
    try:
        return _receive(raw, envelope_from, recipients, peer, helo)
    except Exception:
        log.exception("mail from peer %s could not be received", peer)
        return temporary_failure_answer()


def _refused(refusal: Refusal, peer: str | None) -> Answer:
    log.info("mail from peer %s refused: %s", peer, refusal.code)
    return refusal_answer(refusal, settings.PORTAL_URL)


def _receive(
    raw: bytes, envelope_from: str, recipients: Sequence[str], peer: str | None, helo: str
) -> Answer:
    limits = mail_limits()
    refusal = prescan(raw, limits)
    if refusal is not None:
        return _refused(refusal, peer)
    departments: dict[int, Department] = {}
    for address in recipients:
        department = department_for_address(address)
        if department is not None:
            departments.setdefault(department.pk, department)
    if not departments:
        return unknown_recipient_answer(settings.PORTAL_URL)
    # The DNS checks run beside the parse (they wait on the network, the parse on a CPU).
    early_from = header_from_address(raw)
    checking = _auth_executor().submit(
        sender_authentication,
        raw=raw,
        from_address=early_from,
        envelope_from=envelope_from,
        peer=peer,
        helo=helo,
    )
    with tempfile.TemporaryDirectory(prefix="kammerpost-mail-") as temp:
        raw_path = Path(temp) / "message.eml"
        raw_path.write_bytes(raw)
        workdir = Path(temp) / "parts"
        workdir.mkdir()
        examination = parser_pool().examine(
            raw_path, workdir, limits, trust_dir=settings.MAIL_SMIME_TRUST_DIR or None
        )
        if examination.refusal is None:
            examination.refusal = _inspect(examination.attachments)
        if examination.refusal is not None:
            return _refused(examination.refusal, peer)
        auth = checking.result()
        if examination.from_address != early_from:  # the parse read another From: ask again
            auth = sender_authentication(
                raw=raw,
                from_address=examination.from_address,
                envelope_from=envelope_from,
                peer=peer,
                helo=helo,
            )
        items = _store(
            raw_path,
            examination,
            list(departments.values()),
            envelope_from,
            recipients,
            peer,
            auth,
        )
    _acknowledge(items, examination, envelope_from)
    return accepted_answer([item.reference for item in items])


def _inspect(attachments: Sequence[Attachment]) -> Refusal | None:
    """The file policy on each attachment (with the virus scan); held files are accepted."""
    inspector = inspector_for("email")
    for attachment in attachments:
        inspection = inspector.inspect(attachment.path, name=attachment.name)
        if inspection.verdict != Verdict.REJECTED:
            continue
        reason = next(r for r in inspection.reasons if r.severity == Severity.REJECT)
        if reason.code in _ARCHIVE_KINDS or reason.code == "archive.other":
            kind = _ARCHIVE_KINDS.get(reason.code, "Archiv")
            return Refusal("archive.attachment", {"file": attachment.name, "kind": kind})
        return Refusal(
            "attachment.rejected",
            {
                "file": attachment.name,
                "reason_de": reason.message_de,
                "reason_en": reason.message_en,
                "hint_de": reason.hint_de,
                "hint_en": reason.hint_en,
            },
        )
    return None


def _store(  # noqa: PLR0917 - one caller, every value named at the call
    raw_path: Path,
    examination: Examination,
    departments: Sequence[Department],
    envelope_from: str,
    recipients: Sequence[str],
    peer: str | None,
    auth: AuthResult,
) -> list[InboundItem]:
    archive = find_service(Vault, name=MAIL_ARCHIVE)
    with raw_path.open("rb") as source:
        blob = archive.write(source)
    try:
        with transaction.atomic():
            verified = from_verified(examination, auth)
            sender = sender_for_address(
                email=examination.from_address, display_name=examination.from_name
            )
            if verified:  # only a proven From reaches an account; a forger's never does
                sender_account_link(sender=sender)
            communication_preference_record_electronic(
                sender=sender, via="email", actor_label=sender.email
            )
            items = []
            now = timezone.now()
            skip = acknowledgement_skip_reason(
                envelope_from=envelope_from,
                auto_submitted=examination.auto_submitted,
                list_mail=examination.list_mail,
            ) or ("" if auth.envelope_verified else "unauthenticated")
            for department in departments:
                item = _item_receive(department, sender, examination, peer)
                item.mail_message = MailMessage.objects.create(
                    item=item,
                    acknowledgement=skip or "pending",
                    archive_key=blob.key,
                    size=blob.size,
                    sha256=blob.sha256,
                    message_id=examination.message_id[:255],
                    envelope_from=envelope_from[:254],
                    recipients=[r[:254] for r in recipients][:100],
                    peer=peer,
                    received_at=now,
                    signature=examination.signature.as_dict() if examination.signature else {},
                    omitted_images=examination.omitted_images,
                    sender_verified=verified,
                    authentication=_authentication_summary(examination, auth),
                )
                items.append(item)
    except BaseException:
        with contextlib.suppress(VaultError):
            archive.delete(blob.key)  # else an orphan for mail_archive_orphans_remove
        raise
    return items


def _item_receive(
    department: Department, sender: Sender, examination: Examination, peer: str | None
) -> InboundItem:
    with ExitStack() as stack:
        files = [
            IncomingFile(a.name, stack.enter_context(Path(a.path).open("rb")))
            for a in examination.attachments
        ]
        return inbound_item_receive(
            channel=Channel.EMAIL,
            department=department,
            sender=sender,
            files=files,
            subject=examination.subject,
            text=examination.text,
            actor_label=sender.email,
            ip_address=peer,
        )


@lru_cache(maxsize=4)
def _dns_resolver(server: str, timeout: float) -> DnsResolver:
    """One resolver (and its cache) per configuration, shared by the gateway's threads."""
    return DnsResolver(server, timeout=timeout)


_auth_lock = threading.Lock()
_auth_pool: ThreadPoolExecutor | None = None


def _auth_executor() -> ThreadPoolExecutor:
    global _auth_pool  # noqa: PLW0603 - one pool per gateway process
    with _auth_lock:
        if _auth_pool is None:
            _auth_pool = ThreadPoolExecutor(
                settings.MAILGATE_THREADS, thread_name_prefix="mailgate-auth"
            )
        return _auth_pool


def sender_authentication(
    *, raw: bytes, from_address: str, envelope_from: str, peer: str | None, helo: str
) -> AuthResult:
    """SPF/DKIM/DMARC of this mail: the trusted MTA's verdict, or checked here; never raises."""
    if settings.MAIL_TRUSTED_AUTHSERV_ID:
        return trusted_results(
            authentication_headers(header_block(raw)),
            authserv_id=settings.MAIL_TRUSTED_AUTHSERV_ID,
            from_address=from_address,
            envelope_from=envelope_from,
        )
    return authenticate(
        raw,
        from_address=from_address,
        envelope_from=envelope_from,
        client_ip=peer,
        helo=helo,
        resolver=_dns_resolver(settings.MAIL_DNS_RESOLVER, settings.MAIL_DNS_TIMEOUT),
    )


def from_verified(examination: Examination, auth: AuthResult) -> bool:
    """The From address is proven: DMARC-aligned, or S/MIME-signed validly for it."""
    signature = examination.signature
    smime_ok = (
        signature is not None
        and signature.kind == "smime"
        and signature.status == "valid"
        and signature.signer_matches_from
    )
    return auth.from_verified or smime_ok


def _authentication_summary(examination: Examination, auth: AuthResult) -> str:
    signature = examination.signature
    smime = f" smime={signature.status}" if signature and signature.kind == "smime" else ""
    return (auth.summary + smime)[:200]


def _acknowledge(items: list[InboundItem], examination: Examination, envelope_from: str) -> None:
    """Best effort: the mail is stored already; a failing relay must not make the sender resend."""
    if items[0].mail_message.acknowledgement != "pending":
        return  # RFC 3834: no answer to robots, lists and null senders
    try:
        acknowledgement_send(
            items=items,
            to=envelope_from,
            message_id=examination.message_id,
            attachments=len(examination.attachments),
        )
        outcome, sent_at = "sent", timezone.now()
    except Exception:
        log.exception("acknowledgement for %s failed", items[0].reference)
        outcome, sent_at = "failed", None
    with contextlib.suppress(Exception):
        MailMessage.objects.filter(item__in=items).update(
            acknowledgement=outcome, acknowledged_at=sent_at
        )


def mail_archive_orphans_remove(*, older_than: timedelta | None = None) -> int:
    """Delete archived messages no MailMessage points to (a receive that died mid-way)."""
    return blobs_unreferenced_remove(
        vault=find_service(Vault, name=MAIL_ARCHIVE),
        referenced=lambda keys: set(
            MailMessage.objects.filter(archive_key__in=keys).values_list("archive_key", flat=True)
        ),
        action="mail.orphans_removed",
        older_than=older_than,
    )
