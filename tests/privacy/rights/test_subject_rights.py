"""Export, deletion request, audit viewer: the person's own data and nobody else's."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from kammerpost.accounts.models import Business, Membership, User
from kammerpost.chamber.models import Department
from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Document, DocumentState, InboundItem
from kammerpost.intake.services import intake_vault, sender_for_account
from kammerpost.privacy.models import AuditEvent, DeletionRequest, ItemErasure
from kammerpost.privacy.services import communication_preference_opt_out
from kammerpost.vault import VaultError
from tests.accounts.conftest import make_user, totp_activate

from .conftest import receive

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def accept_all(item: InboundItem) -> None:
    Document.objects.filter(item=item).update(state=DocumentState.ACCEPTED)


@pytest.fixture
def people(vault_env: object, departments: dict[str, Department]) -> dict[str, object]:
    """Anna and Bert, both members of one business; each sent one item for it."""
    anna, bert = make_user("anna@example.org"), make_user("bert@example.org")
    business = Business.objects.create(name="Tischlerei Holz")
    for user in (anna, bert):
        Membership.objects.create(user=user, business=business)
    rolle = departments["handwerksrolle"]
    own = receive(
        rolle,
        ("anna-meisterbrief.pdf", PDF),
        sender=sender_for_account(user=anna),
        subject="Annas Antrag",
        business=business,
    )
    colleague = receive(
        rolle,
        ("bert-geheim.pdf", PDF),
        sender=sender_for_account(user=bert),
        subject="Berts Antrag",
        business=business,
    )
    for item in (own, colleague):
        accept_all(item)
    Message.objects.create(item=colleague, author=anna, text="Anna ergänzt etwas.")
    Message.objects.create(item=colleague, author=bert, text="Berts eigene Nachricht.")
    communication_preference_opt_out(sender=sender_for_account(user=anna), actor=anna)
    return {"anna": anna, "bert": bert, "own": own, "colleague": colleague}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_export_holds_exactly_the_persons_own_data(people: dict[str, object]) -> None:
    response = signed_in(people["anna"]).get(reverse("portal:my-data-export"))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    data = json.loads(archive.read("data.json"))
    own = people["own"]
    assert [item["reference"] for item in data["items"]] == [own.reference]  # type: ignore[attr-defined]
    assert data["items"][0]["documents"][0]["sha256"] == own.documents.get().sha256  # type: ignore[attr-defined]
    files = [n for n in archive.namelist() if n != "data.json"]
    assert len(files) == 1 and files[0].endswith("anna-meisterbrief.pdf")
    assert archive.read(files[0]) == PDF
    # Her message in the colleague's item, but nothing else of it.
    assert [m["text"] for m in data["messages_in_other_items"]] == ["Anna ergänzt etwas."]
    assert data["communication_preference"][0]["opted_out_at"]
    assert [h["action"] for h in data["communication_history"]] == ["communication.opted_out"]
    text = json.dumps(data, ensure_ascii=False) + " ".join(archive.namelist())
    for foreign in ("bert", "Berts", "geheim"):
        assert foreign not in text
    assert AuditEvent.objects.filter(action="privacy.exported", actor=people["anna"]).exists()


def test_the_export_needs_a_login(people: dict[str, object]) -> None:
    response = Client().get(reverse("portal:my-data-export"))
    assert response.status_code == 302
    assert "/konto/login/" in response["Location"]


def test_a_deletion_request_reaches_staff_and_one_click_anonymises(
    people: dict[str, object], departments: dict[str, Department]
) -> None:
    anna, bert = people["anna"], people["bert"]
    page = signed_in(anna).post(reverse("portal:my-data"), {"text": "Bitte alles löschen"})  # type: ignore[arg-type]
    assert page.status_code == 200 and "Bestätigen Sie den Antrag" in page.content.decode()
    signed_in(anna).post(
        reverse("portal:my-data"), {"text": "Bitte alles löschen", "confirm": "on"}
    )  # type: ignore[arg-type]
    request = DeletionRequest.objects.get()
    assert request.item.department == departments["verwaltung"]
    assert request.item.channel == "portal"

    admin_user = User.objects.create_superuser("admin", "admin@hwk.example", "x" * 20)
    totp_activate(admin_user)
    staff = signed_in(admin_user)
    url = reverse("admin:privacy_deletionrequest_changelist")
    response = staff.post(url, {"action": "approve", "_selected_action": [request.pk]})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "done" and request.approved_by == admin_user
    anna.refresh_from_db()  # type: ignore[attr-defined]
    assert not anna.is_active and anna.email.endswith("@anonym.invalid")  # type: ignore[attr-defined]
    own_document = people["own"].documents.get()  # type: ignore[attr-defined]
    with pytest.raises(VaultError):
        b"".join(intake_vault().read(own_document.vault_key))
    assert ItemErasure.objects.filter(item=people["own"]).exists()
    # Bert's item and his file stay; Anna's message in it loses its text.
    colleague = people["colleague"]
    assert not ItemErasure.objects.filter(item=colleague).exists()
    assert b"".join(intake_vault().read(colleague.documents.get().vault_key)) == PDF  # type: ignore[attr-defined]
    assert set(Message.objects.filter(item=colleague).values_list("text", flat=True)) == {
        "",
        "Berts eigene Nachricht.",
    }
    bert.refresh_from_db()  # type: ignore[attr-defined]
    assert bert.is_active  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="privacy.deletion_done", actor=admin_user).exists()
    assert not AuditEvent.objects.filter(actor_label__iexact="anna@example.org").exists()


@pytest.fixture
def admin_client(people: dict[str, object]) -> Client:
    admin_user = User.objects.create_superuser("admin", "admin@hwk.example", "x" * 20)
    totp_activate(admin_user)
    return signed_in(admin_user)


def test_the_audit_viewer_filters_and_exports_csv(
    people: dict[str, object], admin_client: Client
) -> None:
    url = reverse("admin:privacy_auditevent_changelist")
    own = people["own"]
    page = admin_client.get(url, {"person": "anna@example.org"})
    assert page.status_code == 200
    assert own.reference in page.content.decode()  # type: ignore[attr-defined]
    assert people["colleague"].reference not in page.content.decode()  # type: ignore[attr-defined]
    response = admin_client.get(
        reverse("admin:privacy_auditevent_export"), {"person": "anna@example.org"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    assert rows[0][:3] == ["created_at", "actor_label", "action"]
    assert {row[3] for row in rows[1:]} <= {own.reference, ""}  # type: ignore[attr-defined]
    assert "item.received" in {row[2] for row in rows[1:]}
    assert AuditEvent.objects.filter(action="audit.exported").exists()
    # A time window with nothing in it, a document filter, the staff filter.
    assert admin_client.get(url, {"bis": "2000-01-01"}).context["cl"].result_count == 0
    document = own.documents.get()  # type: ignore[attr-defined]
    assert admin_client.get(url, {"dokument": str(document.pk)}).status_code == 200
    assert admin_client.get(url, {"mitarbeiter": str(people["anna"].pk)}).status_code == 200  # type: ignore[attr-defined]
    preview = admin_client.get(reverse("admin:privacy_retentionrule_preview"), {"am": "2040-01-01"})
    assert preview.status_code == 200


def test_the_audit_viewer_is_for_administrators_only(people: dict[str, object]) -> None:
    clerk = make_user("clerk@hwk.example", is_staff=True)
    totp_activate(clerk)
    for name in (
        "admin:privacy_auditevent_changelist",
        "admin:privacy_auditevent_export",
        "admin:privacy_retentionrule_preview",
    ):
        assert signed_in(clerk).get(reverse(name)).status_code == 403
        anonymous = Client().get(reverse(name))
        assert anonymous.status_code == 302
    assert (
        signed_in(people["anna"]).get(reverse("admin:privacy_auditevent_export")).status_code == 302
    )  # type: ignore[arg-type]
    # Nor may a clerk approve a deletion request: the person stays as they are.
    signed_in(people["anna"]).post(reverse("portal:my-data"), {"confirm": "on"})  # type: ignore[arg-type]
    request = DeletionRequest.objects.get()
    refused = signed_in(clerk).post(
        reverse("admin:privacy_deletionrequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )
    assert refused.status_code == 403
    request.refresh_from_db()
    assert request.state == "open"
    assert User.objects.get(pk=people["anna"].pk).is_active  # type: ignore[attr-defined]


def test_the_csv_cannot_smuggle_a_formula(people: dict[str, object], admin_client: Client) -> None:
    AuditEvent.objects.create(action="login.failed", actor_label="=HYPERLINK(1)", detail={})
    response = admin_client.get(reverse("admin:privacy_auditevent_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    labels = [row[1] for row in csv.reader(io.StringIO(body))]
    assert "'=HYPERLINK(1)" in labels
    assert "=HYPERLINK(1)" not in labels


@pytest.mark.parametrize(
    ("language", "link", "refusal"),
    [
        ("de", "Meine Daten herunterladen (ZIP)", "Bestätigen Sie den Antrag."),
        ("en", "Download my data (ZIP)", "Confirm the request."),
    ],
)
def test_the_my_data_page_speaks_both_languages(
    people: dict[str, object], language: str, link: str, refusal: str
) -> None:
    client = signed_in(people["anna"])  # type: ignore[arg-type]
    account = client.get(reverse("accounts:home"), HTTP_ACCEPT_LANGUAGE=language)
    assert reverse("portal:my-data") in account.content.decode()
    page = client.get(reverse("portal:my-data"), HTTP_ACCEPT_LANGUAGE=language)
    assert link in page.content.decode()
    refused = client.post(reverse("portal:my-data"), {}, HTTP_ACCEPT_LANGUAGE=language)
    assert refusal in refused.content.decode()
    assert not DeletionRequest.objects.exists()
