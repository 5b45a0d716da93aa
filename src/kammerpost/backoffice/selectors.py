"""Reads for the back office, always scoped to one department the clerk may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kammerpost.inspection import FORMATS
from kammerpost.inspection.antivirus import demo_database_text
from kammerpost.intake.models import Document, DocumentState, InboundItem, Sender
from kammerpost.intake.selectors import signature_text
from kammerpost.privacy.models import CommunicationPreference

if TYPE_CHECKING:
    from kammerpost.accounts.models import User
    from kammerpost.chamber.models import Department


def inbox_items(
    *,
    department: Department,
    status: str = "",
    channel: str = "",
    procedure: str = "",
    query: str = "",
) -> QuerySet[InboundItem]:
    """The department's items across channels, newest first, filtered as asked."""
    items = (
        InboundItem.objects.filter(department=department)
        .select_related("sender", "assigned_to", "sender__communication_preference")
        .prefetch_related("documents")
    )
    if status:
        items = items.filter(status=status)
    if channel:
        items = items.filter(channel=channel)
    if procedure:
        items = items.filter(procedure=procedure)
    query = query.strip()
    if query:
        items = items.filter(
            Q(reference__iexact=query)
            | Q(reference__icontains=query)
            | Q(file_reference__icontains=query)
            | Q(sender__email__icontains=query)
        )
    return items


def department_procedures(*, department: Department) -> list[str]:
    """The procedures items of this department came through, for the filter."""
    return sorted(
        InboundItem.objects.filter(department=department)
        .exclude(procedure="")
        .values_list("procedure", flat=True)
        .distinct()
    )


def department_clerks(*, department: Department) -> QuerySet[User]:
    """Staff who work in the department: the people an item can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True, staff_memberships__department=department)
        .distinct()
        .order_by("email")
    )


@dataclass(frozen=True)
class DocumentBadges:
    """What a clerk needs to judge a document at a glance."""

    document: Document
    format_label: str
    virus_scan: str
    virus_found: bool
    signature: str | None
    reasons: list[dict[str, str]]

    @property
    def is_accepted(self) -> bool:
        return self.document.state == DocumentState.ACCEPTED

    @property
    def is_blocked(self) -> bool:
        return self.document.state in (DocumentState.HELD, DocumentState.REJECTED)


def _virus_scan_text(facts: dict[str, object]) -> tuple[str, bool]:
    av = facts.get("av")
    if not isinstance(av, dict):
        return _("noch nicht geprüft"), False
    status = av.get("status")
    # A scan on the embedded setup's demo database finds only the EICAR test file.
    demo = demo_database_text(av, get_language() or "de")
    suffix = f" ({demo})" if demo else ""
    if status == "infected":
        return _("Schadsoftware gefunden") + suffix, True
    if status == "clean":
        return _("keine Schadsoftware gefunden") + suffix, False
    if status == "not_configured":
        return _("kein Virenscanner eingerichtet"), False
    return _("Virenscanner nicht erreichbar"), False


def document_badges(document: Document) -> DocumentBadges:
    english = (get_language() or "de").startswith("en")
    fmt = FORMATS.get(document.real_format)
    virus_scan, virus_found = _virus_scan_text(document.facts)
    reasons = [
        {
            "code": reason.get("code", ""),
            "message": reason.get("message_en" if english else "message_de", ""),
            "hint": reason.get("hint_en" if english else "hint_de", ""),
        }
        for reason in document.reasons
        if isinstance(reason, dict)
    ]
    return DocumentBadges(
        document=document,
        format_label=fmt.short if fmt else _("unbekannt"),
        virus_scan=virus_scan,
        virus_found=virus_found,
        signature=signature_text(document, lang="en" if english else "de"),
        reasons=reasons,
    )


@dataclass(frozen=True)
class InboxRow:
    item: InboundItem
    documents: list[DocumentBadges]
    blocked_count: int
    preference: str


def communication_preference_text(sender: Sender) -> str:
    """The sender's communication preference as the clerk reads it."""
    try:
        preference = sender.communication_preference
    except CommunicationPreference.DoesNotExist:
        return _("nicht erklärt")
    if preference.opted_out_at is not None:
        return _("keine elektronische Kommunikation (Widerspruch)")
    if preference.electronic:
        return _("elektronisch")
    return _("nicht erklärt")


def inbox_rows(items: list[InboundItem]) -> list[InboxRow]:
    rows = []
    for item in items:
        documents = [document_badges(d) for d in item.documents.all()]
        rows.append(
            InboxRow(
                item=item,
                documents=documents,
                blocked_count=sum(1 for d in documents if d.is_blocked),
                preference=communication_preference_text(item.sender),
            )
        )
    return rows


def item_thread(item: InboundItem) -> list[Any]:
    """The item's message thread (the portal's), oldest first."""
    from kammerpost.portal.selectors import item_messages  # noqa: PLC0415

    return list(item_messages(item))
