"""Every write of the portal: drafts and their files, and sending them.

Drafts live in the session (keyed by a random draft id). Their files are
inspected at once from the upload's private temp file, for the immediate
verdict, and a file that is not rejected goes encrypted into the intake
vault as a staged blob (security.md 16: documents are encrypted at rest; no
plaintext copy stays on disk). The session keeps only the blob's key, size
and hash. Sending hands the blobs to the intake as they are; the sweep
(``portal_sweep``) shreds the blobs of drafts abandoned for longer than
``PORTAL_DRAFT_MAX_AGE_SECONDS``.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, MutableMapping
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.utils.translation import gettext as _

from kammerpost.accounts.models import Business, User
from kammerpost.chamber.models import Department
from kammerpost.chamber.procedures import ITEM_FIELDS, Procedure
from kammerpost.inspection import Verdict
from kammerpost.inspection.names import clean_name
from kammerpost.intake.models import Channel, Document, InboundItem
from kammerpost.intake.services import (
    StagedBlobGoneError,
    StoredFile,
    blob_stage,
    inbound_item_receive,
    sender_for_account,
    staged_blobs_discard,
    staged_blobs_expired_remove,
)
from kammerpost.privacy.services import communication_preference_record_electronic
from kammerpost.providers import inspector_for
from kammerpost.vault import BlobInfo

from .exceptions import PortalError
from .models import Submission

log = logging.getLogger(__name__)

SESSION_KEY = "portal.drafts"
SENDABLE = (str(Verdict.ACCEPTED), str(Verdict.HELD))
# The kind of staged blob a draft's file is (kammerpost.intake.models.StagedBlob).
DRAFT_BLOBS = "portal.draft"


def drafts_expired_remove(*, max_age: int | None = None) -> int:
    """Shred the files of drafts abandoned longer than the limit; returns how many files.

    Also removes the plaintext draft directory older versions kept under
    ``VAR_DIR/drafts``.
    """
    limit = settings.PORTAL_DRAFT_MAX_AGE_SECONDS if max_age is None else max_age
    legacy = Path(settings.VAR_DIR) / "drafts"
    if legacy.is_dir():
        shutil.rmtree(legacy, ignore_errors=True)
    return staged_blobs_expired_remove(kind=DRAFT_BLOBS, older_than=timedelta(seconds=limit))


def _drafts(session: MutableMapping[str, Any]) -> dict[str, dict[str, Any]]:
    return session.setdefault(SESSION_KEY, {})


def draft_start(
    *, session: MutableMapping[str, Any], procedure: Procedure, values: dict[str, str]
) -> str:
    drafts_expired_remove()
    draft_id = secrets.token_hex(16)
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
    """Inspect an uploaded file at once and keep it, encrypted, unless it is rejected.

    The plaintext exists only in a private temp file for the inspection and
    the vault write. In a slot for one file, a new file replaces the old one.
    """
    slot = procedure.slot(slot_name)
    if slot is None:
        raise PortalError(_("Dieses Dokumentfeld gibt es in diesem Verfahren nicht."))
    display = clean_name(name).display
    with tempfile.TemporaryDirectory(prefix="kammerpost-upload-") as private:
        path = Path(private) / "upload"  # the directory is 0700, the name never the sender's
        with path.open("wb") as target:
            for chunk in chunks:
                target.write(chunk)
        size = path.stat().st_size
        result = inspector_for(slot.policy).inspect(path, name=display)
        blob = None
        if result.verdict != Verdict.REJECTED:  # a rejected file is never kept, never sent
            with path.open("rb") as source:
                blob = blob_stage(source=source, kind=DRAFT_BLOBS)
    entry = {
        "id": secrets.token_hex(8),
        "slot": slot.name,
        "name": display,
        "size": size,
        "verdict": str(result.verdict),
        "format": result.format or "",
        "reasons": [r.as_dict() for r in result.reasons],
        "blob": None
        if blob is None
        else {"key": blob.key, "size": blob.size, "sha256": blob.sha256},
    }
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
    """Take a file out of the draft; its blob is shredded."""
    removed = [f for f in draft["files"] if f["id"] == file_id]
    staged_blobs_discard(keys=[f["blob"]["key"] for f in removed if f.get("blob")])
    draft["files"] = [f for f in draft["files"] if f["id"] != file_id]
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
    sendable = [f for f in draft["files"] if f["verdict"] in SENDABLE]
    form_data = {k: v for k, v in values.items() if k not in ITEM_FIELDS}
    # Which slot each document came in, by the position the intake gives it (1, 2, ... in order).
    form_data["documents"] = {str(n): f["slot"] for n, f in enumerate(sendable, start=1)}

    if any(not f.get("blob") for f in sendable):  # a draft from before files were vaulted
        _draft_files_expired(session, draft)

    def attach(item: InboundItem, documents: list[Document]) -> None:
        Submission.objects.create(item=item, user=actor)
        # Sending through the portal is electronic communication (requirements 1.4).
        communication_preference_record_electronic(
            sender=item.sender, via=Channel.PORTAL.value, actor_label=actor.get_username()
        )

    try:
        item = inbound_item_receive(
            channel=Channel.PORTAL,
            department=department,
            sender=sender_for_account(user=actor),
            files=[
                StoredFile(
                    f["name"],
                    BlobInfo(**f["blob"]),
                    policy_name=_slot_policy(procedure, f["slot"]),
                )
                for f in sendable
            ],
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
    except StagedBlobGoneError:
        _draft_files_expired(session, draft)
    draft["submitted"] = item.reference
    draft["files"] = []
    draft["values"] = {}
    session.modified = True
    return item


def _draft_files_expired(session: MutableMapping[str, Any], draft: dict[str, Any]) -> NoReturn:
    """The draft outlived its files (the sweep shredded them): they must be uploaded again."""
    staged_blobs_discard(keys=[f["blob"]["key"] for f in draft["files"] if f.get("blob")])
    draft["files"] = []
    draft["checked"] = False
    session.modified = True
    raise PortalError(
        _(
            "Ihre Dateien lagen zu lange im Entwurf und wurden gelöscht. "
            "Bitte laden Sie sie erneut hoch und senden Sie dann."
        )
    )


def _slot_policy(procedure: Procedure, slot_name: str) -> str | None:
    slot = procedure.slot(slot_name)
    return slot.policy if slot is not None else None


def _item_policy(procedure: Procedure) -> str:
    policies = {s.policy for s in procedure.slots}
    return policies.pop() if len(policies) == 1 else "default"
