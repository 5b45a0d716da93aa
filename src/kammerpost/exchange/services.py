"""Every write of the cloud area: arrangements, invitations and codes, files both ways, closing.

The person's uploads enter the intake like any other channel's files
(``inbound_item_receive`` / ``documents_add``, channel EXCHANGE, the
exchange's policy); the clerk's files for the person are staged blobs in the
intake vault. Mails go through ``kammerpost.correspondence.exchanges``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO
from urllib.parse import urljoin

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.models import User
from kammerpost.accounts.ratelimits import attempt_allowed
from kammerpost.chamber.models import Department
from kammerpost.chamber.selectors import departments_of_staff
from kammerpost.correspondence import exchanges as mails
from kammerpost.inspection import POLICY_NAMES, policy_named
from kammerpost.intake.models import Channel, Document, InboundItem
from kammerpost.intake.services import (
    IncomingFile,
    ReceivedFile,
    StoredFile,
    blob_stage,
    blob_staged_adopt,
    documents_add,
    inbound_item_receive,
    intake_vault,
    sender_for_address,
    staged_blobs_discard,
)
from kammerpost.privacy.erasure import item_erase
from kammerpost.privacy.models import ErasureReason
from kammerpost.privacy.services import audit_record
from kammerpost.vault import BlobInfo, Uploads

from .exceptions import ExchangeError
from .models import AccessCode, Exchange, Invitation, PlacedFile, Upload

log = logging.getLogger(__name__)

BASE_POLICY = "exchange"
UPLOAD_STAGE_KIND = "exchange.upload"
PLACED_STAGE_KIND = "exchange.placed"


# --- arrangements ----------------------------------------------------------------------------


def policies_allowed() -> list[str]:
    """The chamber's ``exchange`` policy and every named policy no wider than it."""
    base = policy_named(BASE_POLICY)
    names = []
    for name in POLICY_NAMES:
        policy = policy_named(name)
        if (
            set(policy.formats) <= set(base.formats)
            and policy.limits.max_file_size <= base.limits.max_file_size
        ):
            names.append(name)
    return [BASE_POLICY, *sorted(n for n in names if n != BASE_POLICY)]


def is_staff_of(user: User, department: Department) -> bool:
    return departments_of_staff(user).filter(pk=department.pk).exists()


@dataclass(frozen=True)
class Opened:
    exchange: Exchange
    invitation_url: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def invitation_url(token: str) -> str:
    return urljoin(settings.PORTAL_URL, reverse("exchange:invitation", args=[token]))


def _invitation_create(exchange: Exchange) -> str:
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(exchange=exchange, token_hash=_token_hash(token))
    return token


def _invitation_mail(exchange: Exchange, token: str, *, files_waiting: bool = False) -> None:
    mails.exchange_invitation_send(
        to=exchange.guest_email,
        guest_name=exchange.guest_name,
        clerk_name=exchange.clerk.get_full_name() or exchange.clerk.email,
        department=exchange.department.name,
        url=invitation_url(token),
        expires_at=exchange.expires_at,
        files_waiting=files_waiting,
    )


def exchange_open(
    *,
    actor: User,
    department: Department,
    guest_name: str,
    guest_email: str,
    purpose: str = "",
    file_reference: str = "",
    linked_item: InboundItem | None = None,
    days: int | None = None,
    quota_bytes: int | None = None,
    policy_name: str = BASE_POLICY,
    deputies: Iterable[User] = (),
    ip_address: str | None = None,
) -> Opened:
    """Open an exchange for one named person and mail the invitation once it is committed."""
    days = settings.EXCHANGE_DEFAULT_DAYS if days is None else days
    quota_bytes = settings.EXCHANGE_DEFAULT_QUOTA_BYTES if quota_bytes is None else quota_bytes
    if not is_staff_of(actor, department):
        raise ExchangeError(
            _("Sie arbeiten nicht in diesem Bereich."),
            _("Öffnen Sie den Austausch aus einem Ihrer Bereiche."),
        )
    if not 1 <= days <= settings.EXCHANGE_MAX_DAYS:
        raise ExchangeError(
            _("Ein Austausch ist 1 bis %(max)s Tage offen.") % {"max": settings.EXCHANGE_MAX_DAYS},
            _("Wählen Sie eine kürzere Laufzeit."),
        )
    if not 1 <= quota_bytes <= settings.EXCHANGE_MAX_QUOTA_BYTES:
        raise ExchangeError(
            _("Der Speicherplatz muss zwischen 1 Byte und %(max)s GB liegen.")
            % {"max": settings.EXCHANGE_MAX_QUOTA_BYTES // 1000**3},
            _("Wählen Sie weniger Speicherplatz."),
        )
    if policy_name not in policies_allowed():
        raise ExchangeError(
            _("Diese Formatregel gibt es für den Cloud-Austausch nicht."),
            _("Wählen Sie eine der angebotenen Formatregeln."),
        )
    if linked_item is not None and linked_item.department_id != department.pk:
        raise ExchangeError(
            _("Der Eingang gehört zu einem anderen Bereich."),
            _("Öffnen Sie den Austausch im Bereich des Eingangs."),
        )
    deputies = list(deputies)
    for deputy in deputies:
        if deputy.pk == actor.pk or not is_staff_of(deputy, department):
            raise ExchangeError(
                _("Vertretungen müssen andere Beschäftigte dieses Bereichs sein."),
                _("Wählen Sie Kolleginnen oder Kollegen aus dem Bereich."),
            )
    with transaction.atomic():
        exchange = Exchange.objects.create(
            department=department,
            clerk=actor,
            guest_name=guest_name.strip()[:200],
            guest_email=guest_email.strip().lower(),
            purpose=purpose.strip()[:500],
            file_reference=(
                file_reference or (linked_item.file_reference if linked_item else "")
            ).strip()[:64],
            linked_item=linked_item,
            policy_name=policy_name,
            quota_bytes=quota_bytes,
            expires_at=timezone.now() + timedelta(days=days),
        )
        exchange.deputies.set(deputies)
        token = _invitation_create(exchange)
        audit_record(
            action="exchange.opened",
            actor=actor,
            item=linked_item,
            ip_address=ip_address,
            detail={"exchange": exchange.pk, "days": days, "policy": policy_name},
        )
        transaction.on_commit(lambda: _invitation_mail(exchange, token))
    return Opened(exchange, invitation_url(token))


def exchange_invitation_resend(
    *, actor: User, exchange: Exchange, ip_address: str | None = None
) -> str:
    """A fresh single-use link for the person (the earlier unused ones stop working)."""
    _require_open(exchange)
    with transaction.atomic():
        Invitation.objects.filter(exchange=exchange, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        token = _invitation_create(exchange)
        audit_record(
            action="exchange.invitation_sent",
            actor=actor,
            ip_address=ip_address,
            detail={"exchange": exchange.pk},
        )
        transaction.on_commit(lambda: _invitation_mail(exchange, token))
    return invitation_url(token)


def _require_open(exchange: Exchange) -> None:
    if not exchange.is_open():
        raise ExchangeError(
            _("Dieser Austausch ist geschlossen."),
            _("Öffnen Sie bei Bedarf einen neuen Austausch."),
        )


def exchange_close(
    *,
    exchange: Exchange,
    actor: User | None = None,
    actor_label: str = "system",
    reason: str = "closed",
    uploads: Uploads | None = None,
) -> bool:
    """Close the exchange: nobody gets in any more; unfinished uploads are removed. Changed?"""
    with transaction.atomic():
        closed = Exchange.objects.filter(pk=exchange.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        if closed:
            audit_record(
                action="exchange.closed",
                actor=actor,
                actor_label=actor_label,
                detail={"exchange": exchange.pk, "reason": reason},
            )
    exchange.refresh_from_db(fields=["closed_at"])
    if closed:
        _unfinished_uploads_remove(exchange, uploads)
    return bool(closed)


def _unfinished_uploads_remove(exchange: Exchange, uploads: Uploads | None) -> None:
    from . import tus  # noqa: PLC0415 - the engine is built only when needed

    engine = uploads or tus.default_uploads()
    for row in Upload.objects.filter(target=exchange.target_key, completed__isnull=True):
        try:
            engine.abort(row.upload_id)
        except Exception:  # noqa: BLE001 - a busy or vanished upload: the tus sweep finishes it
            log.warning("could not remove upload %s of exchange %s", row.upload_id, exchange.pk)
            continue
        row.delete()


def exchange_take_over(*, actor: User, exchange: Exchange, ip_address: str | None = None) -> None:
    """The clerk keeps what arrived: the item stays when the exchange's files are shredded."""
    if exchange.item_id is None:
        raise ExchangeError(
            _("Es ist noch nichts angekommen, das übernommen werden könnte."),
            _("Warten Sie, bis die Person Dateien hochgeladen hat."),
        )
    if exchange.shredded_at is not None:
        raise ExchangeError(
            _("Die Dateien dieses Austauschs sind schon gelöscht."),
            _("Bitten Sie die Person, die Dateien noch einmal zu senden."),
        )
    with transaction.atomic():
        if Exchange.objects.filter(pk=exchange.pk, taken_over_at__isnull=True).update(
            taken_over_at=timezone.now(), taken_over_by=actor
        ):
            audit_record(
                action="exchange.taken_over",
                actor=actor,
                item=exchange.item,
                ip_address=ip_address,
                detail={"exchange": exchange.pk},
            )
    exchange.refresh_from_db(fields=["taken_over_at", "taken_over_by"])


# --- the guest's way in: link, code (or account), session --------------------------------


def invitation_find(token: str) -> Invitation | None:
    """The unused invitation of an open exchange that ``token`` names, else None."""
    invitation = (
        Invitation.objects.select_related("exchange", "exchange__department", "exchange__clerk")
        .filter(token_hash=_token_hash(token), used_at__isnull=True)
        .first()
    )
    if invitation is None or not invitation.exchange.is_open():
        return None
    return invitation


def invitation_redeem(*, token: str, ip_address: str | None = None) -> Exchange | None:
    """Use the link up (single use); the way in still needs the code or the account."""
    with transaction.atomic():
        invitation = invitation_find(token)
        if invitation is None:
            return None
        used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            return None
        audit_record(
            action="exchange.invitation_used",
            ip_address=ip_address,
            actor_label="guest",
            detail={"exchange": invitation.exchange_id},
        )
    return invitation.exchange


def _code_hash(exchange: Exchange, code: str) -> str:
    # Keyed: a database copy alone does not let anyone try the 10^6 codes offline.
    return salted_hmac(
        "kammerpost.exchange.code", f"{exchange.pk}:{code}", algorithm="sha256"
    ).hexdigest()


def access_code_send(*, exchange: Exchange, ip_address: str | None = None) -> bool:
    """Mail a new one-time code to the invited address; False when too many were sent."""
    _require_open(exchange)
    if not attempt_allowed(
        scope="exchange.code_mail",
        key=str(exchange.pk),
        limit=settings.EXCHANGE_CODE_MAILS_PER_HOUR,
        window_seconds=3600,
    ):
        return False
    code = (
        f"{secrets.randbelow(10**settings.EXCHANGE_CODE_DIGITS):0{settings.EXCHANGE_CODE_DIGITS}d}"
    )
    now = timezone.now()
    with transaction.atomic():
        AccessCode.objects.create(
            exchange=exchange,
            code_hash=_code_hash(exchange, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.EXCHANGE_CODE_SECONDS),
        )
        audit_record(
            action="exchange.code_sent",
            actor_label="guest",
            ip_address=ip_address,
            detail={"exchange": exchange.pk},
        )
        transaction.on_commit(lambda: mails.exchange_code_send(to=exchange.guest_email, code=code))
    return True


class CodeResult:
    OK = "ok"
    WRONG = "wrong"
    LIMITED = "limited"


def access_code_check(*, exchange: Exchange, code: str, ip_address: str | None) -> str:
    """OK (the code is used up now), WRONG, or LIMITED (too many attempts: not even checked)."""
    per_exchange = attempt_allowed(
        scope="exchange.code",
        key=str(exchange.pk),
        limit=settings.EXCHANGE_CODE_ATTEMPTS_PER_EXCHANGE,
        window_seconds=settings.EXCHANGE_CODE_WINDOW_SECONDS,
    )
    per_ip = attempt_allowed(
        scope="exchange.code_ip",
        key=ip_address or "-",
        limit=settings.EXCHANGE_CODE_ATTEMPTS_PER_IP,
        window_seconds=settings.EXCHANGE_CODE_IP_WINDOW_SECONDS,
    )
    if not (per_exchange and per_ip):
        audit_record(
            action="exchange.code_limited",
            actor_label="guest",
            ip_address=ip_address,
            detail={"exchange": exchange.pk},
        )
        return CodeResult.LIMITED
    if not exchange.is_open():
        return CodeResult.WRONG
    wanted = _code_hash(exchange, code.strip())
    now = timezone.now()
    for candidate in AccessCode.objects.filter(
        exchange=exchange, used_at__isnull=True, expires_at__gt=now
    ):
        if constant_time_compare(candidate.code_hash, wanted) and (
            AccessCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(used_at=now)
        ):
            # Every other open code of the exchange goes too: one way in per code mail.
            AccessCode.objects.filter(exchange=exchange, used_at__isnull=True).update(used_at=now)
            return CodeResult.OK
    audit_record(
        action="exchange.code_wrong",
        actor_label="guest",
        ip_address=ip_address,
        detail={"exchange": exchange.pk},
    )
    return CodeResult.WRONG


def exchange_url_for_staff(exchange: Exchange) -> str:
    return urljoin(settings.PORTAL_URL, reverse("exchange:staff-detail", args=[exchange.pk]))


def _staff_of_exchange(exchange: Exchange) -> list[User]:
    return [exchange.clerk, *exchange.deputies.filter(is_active=True)]


def _notify(exchange: Exchange, event: str) -> None:
    for person in _staff_of_exchange(exchange):
        if person.is_active and person.email:
            mails.exchange_notice_send(
                to=person.email,
                number=exchange.pk,
                event=event,
                url=exchange_url_for_staff(exchange),
            )


def guest_entered(*, exchange: Exchange, how: str, ip_address: str | None = None) -> None:
    """The person is in (code or account); the first time, the clerk is told (contentless)."""
    with transaction.atomic():
        first = Exchange.objects.filter(pk=exchange.pk, first_opened_at__isnull=True).update(
            first_opened_at=timezone.now()
        )
        audit_record(
            action="exchange.entered",
            actor_label="guest",
            ip_address=ip_address,
            detail={"exchange": exchange.pk, "how": how},
        )
        if first:
            transaction.on_commit(lambda: _notify(exchange, mails.NOTICE_OPENED))


# --- uploads: into the intake --------------------------------------------------------------


def quota_used(exchange: Exchange) -> int:
    """Bytes that arrived (the item's documents) plus those promised to running uploads."""
    from .tus import uploads_reserved  # noqa: PLC0415 - tus imports the models, not us

    stored = 0
    if exchange.item_id is not None:
        stored = (
            Document.objects.filter(item_id=exchange.item_id).aggregate(total=Sum("size"))["total"]
            or 0
        )
    return int(stored) + uploads_reserved(exchange.target_key)


def upload_room(exchange: Exchange) -> int:
    """The largest file the exchange takes now: what is left of the quota, at most the policy's."""
    if not exchange.is_open():
        return 0
    limit = policy_named(exchange.policy_name).limits.max_file_size
    return max(0, min(exchange.quota_bytes - quota_used(exchange), limit))


def upload_receive(
    *,
    exchange: Exchange,
    name: str,
    blob: BlobInfo | None = None,
    source: BinaryIO | None = None,
    ip_address: str | None = None,
) -> Document:
    """One file of the person's into the exchange's inbound item (created with the first).

    One item per exchange: the clerk finds everything of the arrangement under one
    reference number, and the retention decides for it as a whole. ``blob``: a
    finished tus upload, already in the intake vault; ``source``: the plain form.
    """
    received: ReceivedFile
    if blob is not None:
        blob_staged_adopt(blob=blob, kind=UPLOAD_STAGE_KIND)
        received = StoredFile(name=name, blob=blob)
    elif source is not None:
        received = IncomingFile(name=name, source=source)
    else:
        raise ValueError("a blob or a source")
    with transaction.atomic():
        locked = Exchange.objects.select_for_update().get(pk=exchange.pk)
        _require_open(locked)
        if locked.item_id is None:
            created: list[Document] = []

            def attach(item: InboundItem, documents: list[Document]) -> None:
                Exchange.objects.filter(pk=locked.pk).update(item=item)
                item.readers.set(_staff_of_exchange(locked))
                created.extend(documents)

            inbound_item_receive(
                channel=Channel.EXCHANGE,
                department=locked.department,
                sender=sender_for_address(email=locked.guest_email, display_name=locked.guest_name),
                files=[received],
                subject=str(_("Cloud-Austausch %(number)s") % {"number": locked.pk}),
                file_reference=locked.file_reference,
                policy_name=locked.policy_name,
                actor_label="guest",
                ip_address=ip_address,
                attach=attach,
            )
            document = created[0]
        else:
            document = documents_add(
                item=InboundItem.objects.get(pk=locked.item_id),
                files=[received],
                policy_name=locked.policy_name,
                actor_label="guest",
                ip_address=ip_address,
            )[0]
        transaction.on_commit(lambda: _upload_notify(locked))
    exchange.refresh_from_db(fields=["item"])
    return document


def _upload_notify(exchange: Exchange) -> None:
    # One notice for a batch of files: at most one per exchange in the interval.
    if cache.add(
        f"kp-exchange-notified:{exchange.pk}", 1, timeout=settings.EXCHANGE_NOTIFY_INTERVAL_SECONDS
    ):
        _notify(exchange, mails.NOTICE_UPLOADED)


# --- files the clerk places for the person -------------------------------------------------


def placed_file_add(
    *,
    actor: User,
    exchange: Exchange,
    name: str,
    source: BinaryIO,
    notify: bool = True,
    ip_address: str | None = None,
) -> PlacedFile:
    """Store a file for the person (encrypted, staged in the intake vault); mail a fresh link."""
    _require_open(exchange)
    with transaction.atomic():
        blob = blob_stage(source=source, kind=PLACED_STAGE_KIND)
        placed = PlacedFile.objects.create(
            exchange=exchange,
            name=_display_name(name),
            size=blob.size,
            sha256=blob.sha256,
            vault_key=blob.key,
            placed_by=actor,
        )
        audit_record(
            action="exchange.file_placed",
            actor=actor,
            ip_address=ip_address,
            detail={"exchange": exchange.pk, "file": placed.pk, "size": blob.size},
        )
        if notify:
            token = _invitation_create(exchange)
            transaction.on_commit(lambda: _invitation_mail(exchange, token, files_waiting=True))
    return placed


def _display_name(name: str) -> str:
    from kammerpost.inspection.names import clean_name  # noqa: PLC0415

    return clean_name(name).display[:255]


def placed_file_open(
    *,
    placed: PlacedFile,
    actor: User | None,
    ip_address: str | None,
) -> Iterator[bytes]:
    """The placed file's verified bytes; each open is audited (the clerk's and the person's).

    ``actor`` None: the invited person (no account). The exchange must be open.
    """
    exchange = placed.exchange
    _require_open(exchange)
    reader = intake_vault().read(placed.vault_key, sha256=placed.sha256)
    try:
        audit_record(
            action="exchange.file_downloaded",
            actor=actor,
            actor_label="guest" if actor is None else "system",
            ip_address=ip_address,
            detail={
                "exchange": exchange.pk,
                "file": placed.pk,
                "by": "guest" if actor is None else "staff",
                "at": timezone.now().isoformat(),
            },
        )
    except BaseException:
        reader.close()
        raise
    return reader


# --- expiry and retention ------------------------------------------------------------------


def exchanges_expired_close(*, now: datetime | None = None) -> int:
    """Close every open exchange whose time ran out; how many."""
    now = now or timezone.now()
    closed = 0
    for exchange in Exchange.objects.filter(closed_at__isnull=True, expires_at__lte=now):
        closed += exchange_close(exchange=exchange, reason="expired")
    return closed


def _placed_files_shred(exchange: Exchange) -> int:
    keys = list(exchange.placed_files.values_list("vault_key", flat=True))
    staged_blobs_discard(keys=keys)
    exchange.placed_files.all().delete()
    return len(keys)


ERASED = "(gelöscht)"


def exchanges_of_items_erase(item_ids: Sequence[int]) -> None:
    """privacy's item eraser: an erased item takes its exchange's personal rows with it.

    Runs inside the erasure's transaction (a retention rule or a person's request):
    the placed files are shredded, the person's name, address and the purpose go,
    and the exchange is closed; the arrangement's dates stay.
    """
    now = timezone.now()
    for exchange in Exchange.objects.filter(item_id__in=item_ids):
        _placed_files_shred(exchange)
        Exchange.objects.filter(pk=exchange.pk).update(
            guest_name=ERASED,
            guest_email="",
            purpose="",
            file_reference="",
            closed_at=exchange.closed_at or now,
        )
        Invitation.objects.filter(exchange=exchange, used_at__isnull=True).update(used_at=now)
        AccessCode.objects.filter(exchange=exchange, used_at__isnull=True).update(used_at=now)


def retention_due_at(exchange: Exchange) -> datetime | None:
    if exchange.closed_at is None:
        return None
    return exchange.closed_at + timedelta(days=exchange.department.exchange_retention)


def exchanges_retention_shred(*, now: datetime | None = None) -> int:
    """Crypto-shred the files of closed exchanges past their department's retention; how many.

    The clerk's placed files always go; the person's uploads (the exchange's
    item) go unless the clerk took them over.
    """
    now = now or timezone.now()
    shredded = 0
    candidates = Exchange.objects.select_related("department").filter(
        closed_at__isnull=False, shredded_at__isnull=True
    )
    for exchange in candidates:
        due = retention_due_at(exchange)
        if due is None or due > now:
            continue
        blobs = _placed_files_shred(exchange)
        if exchange.item_id is not None and exchange.taken_over_at is None:
            # The privacy domain's erasure: blobs shredded, texts and names replaced, the
            # register entry (reference number, dates) kept; our eraser runs with it.
            erasure = item_erase(
                item=InboundItem.objects.get(pk=exchange.item_id), reason=ErasureReason.RETENTION
            )
            blobs += erasure.documents if erasure is not None else 0
        Exchange.objects.filter(pk=exchange.pk).update(shredded_at=now)
        audit_record(
            action="exchange.shredded",
            actor_label="retention",
            detail={"exchange": exchange.pk, "blobs": blobs},
        )
        shredded += 1
    return shredded


# --- the demo (make run) -------------------------------------------------------------------

DEMO_GUEST_EMAIL = "gast@example.org"
DEMO_DEPARTMENT = "pruefungswesen"


def demo_exchange_ensure() -> tuple[Exchange, str] | None:
    """An open exchange of the demo clerk for the demo guest, with a fresh link if it has none.

    Returns the exchange and the new invitation address when one was issued now
    (the token exists nowhere else), None when an unused link is still out.
    """
    clerk = User.objects.filter(
        email__iexact=f"sachbearbeitung.{DEMO_DEPARTMENT}@{settings.CHAMBER_DOMAIN}"
    ).first()
    department = Department.objects.filter(slug=DEMO_DEPARTMENT).first()
    if clerk is None or department is None:
        return None
    exchange = next(
        (
            e
            for e in Exchange.objects.filter(
                clerk=clerk, guest_email=DEMO_GUEST_EMAIL, closed_at__isnull=True
            )
            if e.is_open()
        ),
        None,
    )
    if exchange is None:
        opened = exchange_open(
            actor=clerk,
            department=department,
            guest_name="Gesa Gast",
            guest_email=DEMO_GUEST_EMAIL,
            purpose="Demo: Unterlagen zur Meisterprüfung",
            file_reference="MP-DEMO-1",
        )
        return opened.exchange, opened.invitation_url
    if exchange.invitations.filter(used_at__isnull=True).exists():
        return None
    return exchange, exchange_invitation_resend(actor=clerk, exchange=exchange)
