"""Reads of the intake for operators (CLI) and, later, staff views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from kammerpost.inspection import FORMATS, SIGNATURE_VERDICT_TEXTS
from kammerpost.languages import active_language

from .models import Document, InboundItem


class ItemNotFoundError(LookupError):
    pass


def items_list(*, department_slug: str | None = None) -> QuerySet[InboundItem]:
    items = InboundItem.objects.select_related("department", "sender").prefetch_related("documents")
    if department_slug:
        items = items.filter(department__slug=department_slug)
    return items


def item_by_reference(reference: str) -> InboundItem:
    try:
        return items_list().get(reference=reference.strip().upper())
    except InboundItem.DoesNotExist:
        raise ItemNotFoundError(reference) from None


def signature_text(document: Document, *, lang: str = "de") -> str | None:
    """The document's signature verdict for people ("qualifizierte ... (QES)"), if it has one.

    Only PDFs are checked for signatures; other documents have no verdict at all.
    """
    summary = document.facts.get("signature_summary")
    if summary not in SIGNATURE_VERDICT_TEXTS:
        return None
    german, english = SIGNATURE_VERDICT_TEXTS[summary]
    text = german if lang == "de" else english
    signers = [s.get("signer") for s in document.facts.get("signatures", []) if s.get("signer")]
    return f"{text} ({', '.join(signers)})" if signers else text


def reasons_localised(reasons: Iterable[object]) -> list[dict[str, str]]:
    """The engine's reasons (``Reason.as_dict()``) with message and hint in the active language.

    The same for a document's stored reasons and a portal draft file's fresh ones.
    """
    lang = active_language()
    return [
        {
            "code": str(reason.get("code", "")),
            "message": str(reason.get(f"message_{lang}", "")),
            "hint": str(reason.get(f"hint_{lang}", "")),
        }
        for reason in reasons
        if isinstance(reason, dict)
    ]


def document_summary(document: Document) -> dict[str, Any]:
    fmt = FORMATS.get(document.real_format)
    return {
        "position": document.position,
        "name": document.original_name,
        "size": document.size,
        "sha256": document.sha256,
        "format": fmt.key if fmt else None,
        "state": document.state,
        "attempts": document.attempts,
        "reasons": document.reasons,
        "signature_summary": document.facts.get("signature_summary"),
        "signature_text": signature_text(document),
        "decided_at": document.decided_at.isoformat() if document.decided_at else None,
    }


def item_summary(item: InboundItem, *, with_documents: bool = True) -> dict[str, Any]:
    documents = list(item.documents.all())
    summary: dict[str, Any] = {
        "reference": item.reference,
        "channel": item.channel,
        "department": item.department.slug,
        "sender": item.sender.email,
        "subject": item.subject,
        "status": item.status,
        "received_at": item.received_at.isoformat(),
        "complete": item.completed_at is not None,
        "documents_total": len(documents),
        "documents_by_state": {
            state: sum(1 for d in documents if d.state == state)
            for state in sorted({d.state for d in documents})
        },
    }
    if with_documents:
        summary["documents"] = [document_summary(d) for d in documents]
    return summary
