"""Reads for the back office, always scoped to one department the clerk may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kammerpost.chamber.procedures import procedure_named, procedure_title
from kammerpost.chamber.selectors import procedure_answers
from kammerpost.inspection import FORMATS
from kammerpost.inspection.antivirus import demo_database_text
from kammerpost.intake import access
from kammerpost.intake.models import Document, DocumentState, InboundItem, Sender
from kammerpost.intake.selectors import reasons_localised, signature_text
from kammerpost.languages import active_language
from kammerpost.privacy import selectors as privacy_selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kammerpost.accounts.models import User
    from kammerpost.chamber.models import Department


def inbox_items(
    *,
    department: Department,
    viewer: User | AnonymousUser,
    status: str = "",
    channel: str = "",
    procedure: str = "",
    query: str = "",
) -> QuerySet[InboundItem]:
    """The department's items across channels, newest first, filtered as asked."""
    items = (
        access.items_visible_to_staff(InboundItem.objects.filter(department=department), viewer)
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


def department_procedures(*, department: Department) -> list[tuple[str, str]]:
    """(slug, title) of the procedures this department's items came through, for the filter."""
    slugs = (
        InboundItem.objects.filter(department=department)
        .exclude(procedure="")
        .values_list("procedure", flat=True)
        .distinct()
    )
    return sorted(((slug, procedure_title(slug)) for slug in slugs), key=lambda p: p[1].lower())


# Keys of an item's form_data that are not answers to a field of the procedure.
_FORM_DATA_DOCUMENTS = "documents"  # document position -> slot name (portal/services.py)
_FORM_DATA_NOT_SHOWN = (_FORM_DATA_DOCUMENTS, "on_behalf")  # on_behalf: item.business shows it


@dataclass(frozen=True)
class ItemForm:
    """What the person entered in the procedure's form, as the clerk reads it."""

    title: str
    answers: list[tuple[str, str]]  # (field label, answer)
    documents: list[tuple[str, str]]  # (document name, slot label)


def item_form(item: InboundItem) -> ItemForm | None:
    """The item's procedure title, its answers by label and its documents by slot; None if none.

    A procedure whose file is gone since still shows: by its slug and the raw field names.
    """
    if not item.procedure:
        return None
    procedure = procedure_named(item.procedure)
    data = item.form_data if isinstance(item.form_data, dict) else {}
    answers = procedure_answers(procedure=procedure, values=data) if procedure else []
    known = {f.name for f in procedure.fields} if procedure else set()
    answers += [
        (key, str(value))
        for key, value in data.items()
        if key not in known and key not in _FORM_DATA_NOT_SHOWN
    ]
    names = {str(d.position): d.original_name for d in item.documents.all()}
    slots = data.get(_FORM_DATA_DOCUMENTS)
    documents = []
    for key, slot_name in (slots if isinstance(slots, dict) else {}).items():
        slot = procedure.slot(str(slot_name)) if procedure else None
        # Items sent before the mapping was keyed by position name a draft file id: no name.
        documents.append((names.get(str(key), "–"), slot.label if slot else str(slot_name)))
    return ItemForm(title=procedure_title(item.procedure), answers=answers, documents=documents)


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
    demo = demo_database_text(av, active_language())
    suffix = f" ({demo})" if demo else ""
    if status == "infected":
        return _("Schadsoftware gefunden") + suffix, True
    if status == "clean":
        return _("keine Schadsoftware gefunden") + suffix, False
    if status == "not_configured":
        return _("kein Virenscanner eingerichtet"), False
    return _("Virenscanner nicht erreichbar"), False


def document_badges(document: Document) -> DocumentBadges:
    fmt = FORMATS.get(document.real_format)
    virus_scan, virus_found = _virus_scan_text(document.facts)
    return DocumentBadges(
        document=document,
        format_label=fmt.short if fmt else _("unbekannt"),
        virus_scan=virus_scan,
        virus_found=virus_found,
        signature=signature_text(document, lang=active_language()),
        reasons=reasons_localised(document.reasons),
    )


@dataclass(frozen=True)
class InboxRow:
    item: InboundItem
    documents: list[DocumentBadges]
    blocked_count: int
    preference: str
    procedure: str  # the procedure's title, "" for items without one


def communication_preference_text(sender: Sender) -> str:
    """The sender's communication preference as the clerk reads it (since when, which channel)."""
    return privacy_selectors.communication_preference_text(sender)


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
                procedure=procedure_title(item.procedure) if item.procedure else "",
            )
        )
    return rows


def reply_warnings(item: InboundItem) -> list[str]:
    """What the clerk must know before answering electronically: an opt-out, a paper rule."""
    warnings = []
    if privacy_selectors.communication_opted_out(item.sender):
        warnings.append(
            _(
                "Der Absender hat der elektronischen Kommunikation widersprochen. "
                "Antworten Sie per Post."
            )
        )
    procedure = procedure_named(item.procedure) if item.procedure else None
    if procedure is not None and procedure.paper_required:
        warnings.append(
            _(
                "Für dieses Verfahren schreibt eine Vorschrift die Papierform vor. "
                "Senden Sie die Entscheidung per Post; elektronisch nur als Hinweis."
            )
        )
    return warnings
