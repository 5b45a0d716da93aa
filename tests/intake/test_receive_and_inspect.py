"""The intake service: receive durably, inspect exactly once, hold while the scanner is down."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
from django.utils import timezone, translation
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.chamber.models import Department
from kammerpost.inspection import Inspector, Verdict
from kammerpost.intake import services
from kammerpost.intake.models import Channel, Document, DocumentState, InboundItem
from kammerpost.intake.receipts import receipt_html, receipt_pdf
from kammerpost.privacy.models import AuditEvent
from tests.corpus import misc
from tests.support.clamd import EICAR, Clamd

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]

MARKER = b"KAMMERPOST-PLAINTEXT-MARKER-4711"


def _receive(department: Department, *files: tuple[str, bytes]) -> InboundItem:
    return services.inbound_item_receive(
        channel=Channel.PORTAL,
        department=department,
        sender=services.sender_for_address(email="Meister@Example.org", display_name="Meister"),
        files=[services.IncomingFile(name, io.BytesIO(data)) for name, data in files],
        subject="Meisterbrief",
    )


def _inspect_all(item: InboundItem) -> list[DocumentState | None]:
    return [services.document_inspect(document_id=d.pk) for d in item.documents.all()]


def test_received_item_gets_a_yearly_reference_and_undecided_documents(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    first = _receive(departments["handwerksrolle"], ("brief.png", misc.png()))
    second = _receive(departments["handwerksrolle"], ("foto.jpg", misc.jpeg()))
    year = timezone.localtime().year
    assert re.fullmatch(rf"E-{year}-\d{{6}}", first.reference)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    (document,) = first.documents.all()
    assert document.state == DocumentState.RECEIVED
    assert document.size == len(misc.png())
    assert first.sender.email == "meister@example.org"
    assert AuditEvent.objects.filter(item=first, action="item.received").count() == 1


def test_no_plaintext_of_a_document_lands_anywhere_under_var(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    _receive(departments["verwaltung"], ("notiz.pdf", b"%PDF-1.4\n" + MARKER * 50))
    var = Path(intake_env["KAMMERPOST_VAR_DIR"])
    files = [p for p in var.rglob("*") if p.is_file()]
    assert files, "the vault wrote nothing"
    for path in files:
        assert MARKER not in path.read_bytes(), path


def test_inspection_decides_each_document_and_completes_the_item(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    item = _receive(
        departments["lehrlingsrolle"],
        ("vertrag.png", misc.png()),
        ("virus.pdf", EICAR),
        ("archiv.pdf", misc.zip_bytes()),
    )
    assert _inspect_all(item) == [
        DocumentState.ACCEPTED,
        DocumentState.REJECTED,
        DocumentState.REJECTED,
    ]
    good, virus, archive = item.documents.all()
    assert good.real_format == "png"
    assert "av.infected" in [r["code"] for r in virus.reasons]
    assert [r["code"] for r in archive.reasons] == ["archive.zip"]
    assert all(r["hint_de"] and r["hint_en"] for r in archive.reasons)
    item.refresh_from_db()
    assert item.completed_at is not None
    assert AuditEvent.objects.filter(item=item, action="item.completed").count() == 1


def test_a_decided_document_is_never_decided_again(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    item = _receive(departments["verwaltung"], ("brief.png", misc.png()))
    (document,) = item.documents.all()
    assert services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    assert services.document_inspect(document_id=document.pk) is None
    assert AuditEvent.objects.filter(document=document, action="document.decided").count() == 1


def test_a_document_held_by_a_live_lease_is_not_taken_by_a_second_worker(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    item = _receive(departments["verwaltung"], ("brief.png", misc.png()))
    (document,) = item.documents.all()
    token = services._claim(document.pk, timezone.now())
    assert token is not None
    assert services.document_inspect(document_id=document.pk) is None
    # Once the first worker's lease has run out, another may take over; the first
    # then cannot record its (late) verdict any more.
    later = timezone.now() + timedelta(seconds=3600)
    assert services._claim(document.pk, later) is not None
    result = Inspector(scan=False).inspect(Path(__file__))
    assert services._decide(document, token, result) == DocumentState.INSPECTING
    document.refresh_from_db()
    assert document.state == DocumentState.INSPECTING


def test_while_the_scanner_is_down_documents_are_held_and_decided_once_it_is_back(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    tmp_path: Path,
    settings: SettingsWrapper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = Clamd(tmp_path / "own-clamd")
    settings.CLAMD_URL = own.unix_url  # the provider builds a scanner for it
    items = [
        _receive(departments["pruefungswesen"], (f"z{i}.png", misc.png(60 + i, 40)))
        for i in range(3)
    ]
    for item in items:
        assert _inspect_all(item) == [DocumentState.HELD]
    held = Document.objects.filter(state=DocumentState.HELD)
    assert held.count() == 3
    assert all(d.due_at and d.due_at > timezone.now() for d in held)
    assert all(d.reasons[0]["code"] == "av.unavailable" for d in held)
    # Nothing is due yet: the backoff keeps the sweep from hammering a dead scanner.
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue_inspections", queued.extend)
    assert services.documents_due_enqueue() == 0
    assert services.documents_due_enqueue(now=timezone.now() + timedelta(hours=2)) == 3
    assert sorted(queued) == sorted(d.pk for d in held)
    own.start()
    try:
        for item in items:
            assert _inspect_all(item) == [DocumentState.ACCEPTED]
    finally:
        own.stop()
    assert not Document.objects.exclude(state=DocumentState.ACCEPTED).exists()


def test_receipt_names_reference_department_files_fingerprints_and_verdicts(
    intake_env: dict[str, str], departments: dict[str, Department], tmp_path: Path
) -> None:
    item = _receive(departments["handwerksrolle"], ("Meisterbrief Müller.png", misc.png()))
    _inspect_all(item)
    with translation.override("de"):
        html = receipt_html(item)
    document = item.documents.get()
    for expected in (
        item.reference,
        "Handwerksrolle",
        "Meisterbrief Müller.png",
        document.sha256,
        "angenommen",
        "PNG",
    ):
        assert expected in html
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(receipt_pdf(item))
    # Our own engine accepts our own receipt: a clean PDF without active content.
    result = Inspector(scan=False).inspect(pdf)
    assert result.verdict == Verdict.ACCEPTED, result.codes
    with pikepdf.open(pdf) as doc:
        assert item.reference in str(doc.docinfo["/Title"])
        assert len(doc.pages) == 1


def test_receipt_and_item_view_show_the_signature_verdict_in_german(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    from kammerpost.intake.selectors import document_summary
    from tests.corpus import signed_pdfs

    item = _receive(departments["lehrlingsrolle"], ("vertrag.pdf", signed_pdfs.unknown_root()))
    assert _inspect_all(item) == [DocumentState.ACCEPTED]
    document = item.documents.get()
    assert document.facts["signature_summary"] == "indeterminate"
    summary = document_summary(document)
    assert summary["signature_text"].startswith("unbestimmt")
    with translation.override("de"):
        assert "Signatur: unbestimmt" in receipt_html(item)
    with translation.override("en"):
        assert "Signature: indeterminate" in receipt_html(item)


def test_a_blob_changed_at_rest_is_held_and_recorded_never_inspected(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    item = _receive(departments["verwaltung"], ("brief.png", misc.png()))
    document = item.documents.get()
    vault_root = Path(intake_env["KAMMERPOST_VAULT_URL"].removeprefix("file://"))
    (blob,) = [
        p
        for p in vault_root.rglob(f"*{document.vault_key}*")
        if p.is_file() and "blob" in str(p.relative_to(vault_root))
    ]
    data = bytearray(blob.read_bytes())
    data[-20] ^= 0x01
    blob.write_bytes(bytes(data))
    assert services.document_inspect(document_id=document.pk) == DocumentState.HELD
    assert AuditEvent.objects.filter(document=document, action="document.integrity_failed").exists()
