"""Every write of the portal: drafts and their files, and sending them.

Drafts live in the session (keyed by a random draft id); their files live in
a private directory per draft under ``VAR_DIR/drafts`` (0700 / 0600) until
the draft is sent or a day has passed. Why not the vault: a draft file is
inspected at once and a rejected one must never become a stored document;
the vault's orphan sweep would also delete blobs no document points to. The
exposure is bounded: plaintext for at most ``PORTAL_DRAFT_MAX_AGE_SECONDS``
on the same disk the web process already spools uploads to.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterable, MutableMapping
from contextlib import ExitStack
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from kammerpost.accounts.models import Business, User
from kammerpost.chamber.models import Department
from kammerpost.inspection import ClamdScanner, Inspector, Verdict, policy_named
from kammerpost.inspection.names import clean_name
from kammerpost.intake.models import Channel, Document, InboundItem, Sender
from kammerpost.intake.services import (
    IncomingFile,
    inbound_item_receive,
    sender_for_address,
)

from .exceptions import PortalError
from .models import Submission
from .procedures import ITEM_FIELDS, Procedure

log = logging.getLogger(__name__)

SESSION_KEY = "portal.drafts"
SENDABLE = (str(Verdict.ACCEPTED), str(Verdict.HELD))


def drafts_root() -> Path:
    root = Path(settings.VAR_DIR) / "drafts"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def _draft_dir(draft_id: str) -> Path:
    if not (len(draft_id) == 32 and all(c in "0123456789abcdef" for c in draft_id)):
        raise PortalError(_("Dieser Entwurf existiert nicht."))
    path = drafts_root() / draft_id
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def drafts_expired_remove(*, max_age: int | None = None) -> int:
    """Delete draft directories older than the limit (abandoned drafts); returns how many."""
    limit = settings.PORTAL_DRAFT_MAX_AGE_SECONDS if max_age is None else max_age
    cutoff = time.time() - limit
    removed = 0
    for entry in drafts_root().iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _drafts(session: MutableMapping[str, Any]) -> dict[str, dict[str, Any]]:
    return session.setdefault(SESSION_KEY, {})


def draft_start(
    *, session: MutableMapping[str, Any], procedure: Procedure, values: dict[str, str]
) -> str:
    drafts_expired_remove()
    draft_id = secrets.token_hex(16)
    _draft_dir(draft_id)
    drafts = _drafts(session)
    drafts[draft_id] = {
        "procedure": procedure.slug,
        "values": values,
        "files": [],
        "checked": False,
        "submitted": "",
        "created": time.time(),
    }
    session.modified = True
    return draft_id


def draft_values_set(
    *, session: MutableMapping[str, Any], draft: dict[str, Any], values: dict[str, str]
) -> None:
    draft["values"] = values
    draft["checked"] = False
    session.modified = True


@cache
def _scanner() -> ClamdScanner | None:
    return ClamdScanner(settings.CLAMD_URL, settings.CLAMD_TIMEOUT) if settings.CLAMD_URL else None


def _inspector(policy_name: str) -> Inspector:
    return Inspector(policy_named(policy_name), scanner=_scanner())


def draft_file_add(
    *,
    session: MutableMapping[str, Any],
    draft_id: str,
    draft: dict[str, Any],
    procedure: Procedure,
    slot_name: str,
    name: str,
    chunks: Iterable[bytes],
) -> dict[str, Any]:
    """Store an uploaded file in the draft and inspect it at once; a rejected file is deleted.

    In a slot for one file, a new file replaces the old one.
    """
    slot = procedure.slot(slot_name)
    if slot is None:
        raise PortalError(_("Dieses Dokumentfeld gibt es in diesem Verfahren nicht."))
    directory = _draft_dir(draft_id)
    file_id = secrets.token_hex(8)
    path = directory / file_id
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as target:
        for chunk in chunks:
            target.write(chunk)
    display = clean_name(name).display
    result = _inspector(slot.policy).inspect(path, name=display)
    entry = {
        "id": file_id,
        "slot": slot.name,
        "name": display,
        "size": path.stat().st_size,
        "verdict": str(result.verdict),
        "format": result.format or "",
        "reasons": [r.as_dict() for r in result.reasons],
    }
    if result.verdict == Verdict.REJECTED:
        path.unlink(missing_ok=True)  # never kept, never sent
    if not slot.multiple:
        for old in [f for f in draft["files"] if f["slot"] == slot.name]:
            draft_file_remove(session=session, draft_id=draft_id, draft=draft, file_id=old["id"])
    draft["files"].append(entry)
    draft["checked"] = False
    session.modified = True
    return entry


def draft_file_remove(
    *, session: MutableMapping[str, Any], draft_id: str, draft: dict[str, Any], file_id: str
) -> None:
    kept = [f for f in draft["files"] if f["id"] != file_id]
    if len(kept) != len(draft["files"]):
        (_draft_dir(draft_id) / file_id).unlink(missing_ok=True)
    draft["files"] = kept
    draft["checked"] = False
    session.modified = True


def draft_files_problems(*, procedure: Procedure, draft: dict[str, Any]) -> list[tuple[str, str]]:
    """What stops the files step: (slot name, message) pairs."""
    problems = []
    for slot in procedure.slots:
        files = [f for f in draft["files"] if f["slot"] == slot.name]
        if any(f["verdict"] not in SENDABLE for f in files):
            problems.append(
                (
                    slot.name,
                    _("%(slot)s: Entfernen oder ersetzen Sie die abgelehnte Datei.")
                    % {"slot": slot.label},
                )
            )
        elif slot.required and not files:
            problems.append(
                (slot.name, _("%(slot)s: Wählen Sie eine Datei aus.") % {"slot": slot.label})
            )
    return problems


def draft_check(*, session: MutableMapping[str, Any], draft: dict[str, Any]) -> None:
    """The person has seen the check-your-answers page: now (and only now) sending is allowed."""
    draft["checked"] = True
    session.modified = True


def _department_for(procedure: Procedure, values: dict[str, str]) -> Department:
    slug = values.get("department", "") if procedure.department == "*" else procedure.department
    department = Department.objects.filter(slug=slug, is_active=True).first()
    if department is None:
        raise PortalError(_("Der gewählte Bereich nimmt derzeit nichts an."))
    return department


def portal_sender(*, user: User) -> Sender:
    sender = sender_for_address(email=user.email, display_name=user.get_full_name())
    if sender.user_id is None:
        Sender.objects.filter(pk=sender.pk, user__isnull=True).update(user=user)
        sender.user = user
    return sender


def draft_submit(
    *,
    session: MutableMapping[str, Any],
    draft_id: str,
    draft: dict[str, Any],
    procedure: Procedure,
    actor: User,
    business: Business | None,
    ip_address: str | None = None,
) -> InboundItem:
    """Send a checked draft: one item through the intake, then the draft and its files go.

    The item, its documents (each under its slot's policy) and the portal's
    Submission commit together; the inspection is queued after that commit.
    """
    if draft["submitted"]:
        raise PortalError(_("Dieser Entwurf ist bereits gesendet."))
    if not draft["checked"] or draft_files_problems(procedure=procedure, draft=draft):
        raise PortalError(_("Bitte prüfen Sie Ihre Angaben, bevor Sie senden."))
    values = dict(draft["values"])
    department = _department_for(procedure, values)
    directory = _draft_dir(draft_id)
    sendable = [f for f in draft["files"] if f["verdict"] in SENDABLE]
    form_data = {k: v for k, v in values.items() if k not in ITEM_FIELDS}
    form_data["documents"] = {f["id"]: f["slot"] for f in sendable}

    def attach(item: InboundItem, documents: list[Document]) -> None:
        Submission.objects.create(item=item, user=actor)

    with ExitStack() as stack:
        files = [
            IncomingFile(
                f["name"],
                stack.enter_context(_open(directory / f["id"])),
                policy_name=_slot_policy(procedure, f["slot"]),
            )
            for f in sendable
        ]
        sender = portal_sender(user=actor)
        item = inbound_item_receive(
            channel=Channel.PORTAL,
            department=department,
            sender=sender,
            files=files,
            subject=procedure.title_de,
            text=values.get("message", ""),
            procedure=procedure.slug,
            policy_name=_item_policy(procedure),
            form_data=form_data,
            file_reference=values.get("file_reference", ""),
            business=business,
            actor_label=actor.get_username(),
            ip_address=ip_address,
            attach=attach,
        )
    draft["submitted"] = item.reference
    draft["files"] = []
    draft["values"] = {}
    session.modified = True
    shutil.rmtree(directory, ignore_errors=True)
    return item


def _slot_policy(procedure: Procedure, slot_name: str) -> str | None:
    slot = procedure.slot(slot_name)
    return slot.policy if slot is not None else None


def _open(path: Path) -> BinaryIO:
    return path.open("rb")


def _item_policy(procedure: Procedure) -> str:
    policies = {s.policy for s in procedure.slots}
    return policies.pop() if len(policies) == 1 else "default"
