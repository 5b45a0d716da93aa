"""The data subject's export: exactly the person's own data, nothing of anyone else."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kammerpost.chamber.models import Department
from kammerpost.correspondence.services import message_post
from kammerpost.intake.models import Channel
from kammerpost.intake.services import sender_for_account
from kammerpost.privacy.models import AuditEvent
from kammerpost.privacy.services import communication_preference_opt_out
from tests.accounts.conftest import make_user
from tests.backoffice.conftest import receive
from tests.portal.conftest import business_with

pytestmark = pytest.mark.django_db


def export_of(client: Client) -> dict:  # type: ignore[type-arg]
    response = client.get("/meine-daten.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)  # type: ignore[no-any-return]


def test_the_export_holds_exactly_the_persons_own_data(
    departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    anna, bert = make_user("anna@example.org"), make_user("bert@example.org")
    business_with(anna, bert)  # colleagues: each sees the other's business items, owns none
    rolle = departments["handwerksrolle"]
    sender_for_account(user=anna)
    sender_for_account(user=bert)
    own = receive(rolle, ("nachweis.txt", b"x"), sender="anna@example.org", subject="Annas")
    other = receive(rolle, sender="bert@example.org", subject="Berts", channel=Channel.EMAIL)
    other.business = anna.memberships.get().business
    other.save()
    message_post(actor=anna, item=own, text="Meine Rückfrage", files=[])
    communication_preference_opt_out(sender=own.sender, actor=anna)

    client = Client()
    client.force_login(anna)
    data = export_of(client)
    assert data["account"]["email"] == "anna@example.org"
    assert data["sender_addresses"] == ["anna@example.org"]
    assert data["communication_preference"][0]["opted_out_at"] is not None
    assert [e["action"] for e in data["communication_history"]] == ["communication.opted_out"]
    assert [i["reference"] for i in data["items"]] == [own.reference]
    [item] = data["items"]
    assert item["subject"] == "Annas"
    assert [d["name"] for d in item["documents"]] == ["nachweis.txt"]
    assert [m["text"] for m in item["messages"]] == ["Meine Rückfrage"]
    dump = json.dumps(data)
    assert "bert@example.org" not in dump and "Berts" not in dump and other.reference not in dump
    assert AuditEvent.objects.filter(action="privacy.exported", actor=anna).count() == 1


def test_the_export_needs_a_login(client: Client) -> None:
    response = client.get("/meine-daten.json")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
