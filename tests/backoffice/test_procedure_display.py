"""A clerk reads a portal procedure by its title and its form by the fields' labels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.intake import services
from kammerpost.intake.models import Channel, InboundItem
from tests.corpus import misc, pdfs
from tests.portal.conftest import new_user, portal_env
from tests.portal.conftest import signed_in as customer_signed_in
from tests.portal.test_flow import _send, _upload

from .conftest import signed_in

__all__ = ["portal_env"]  # shared fixture

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]

CHANGE = "/portal/verfahren/handwerksrolle-aenderung/"


@pytest.fixture
def change_item(portal_env: Path) -> InboundItem:
    """A change notice to the Handwerksrolle, sent through the portal with two proofs."""
    client = customer_signed_in(new_user())
    response = client.post(
        CHANGE,
        {
            "betriebsname": "Tischlerei Holz",
            "aenderung": "rechtsform",
            "gueltig_ab": "01.03.2026",
            "neue_angaben": "GmbH statt GbR",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = response["Location"].split("/")[3]
    _upload(client, draft, "nachweis", "handelsregister.pdf", pdfs.clean())
    _upload(client, draft, "nachweis", "ummeldung.png", misc.png())
    return _send(client, draft)


def test_the_item_page_shows_the_procedure_title_and_the_answers_by_label(
    clerk_x: User, change_item: InboundItem
) -> None:
    html = signed_in(clerk_x).get(f"/intern/eingang/{change_item.reference}/").content.decode()
    title = "Handwerksrolle: Änderung der Betriebsdaten melden"
    assert f"<dt>Verfahren</dt><dd>{title}</dd>" in html
    assert "handwerksrolle-aenderung" not in html
    assert "<dt>Name des Betriebs</dt><dd>Tischlerei Holz</dd>" in html
    assert "<dt>Was hat sich geändert?</dt><dd>Rechtsform</dd>" in html  # the choice's label
    assert "<dt>Neue Angaben</dt><dd>GmbH statt GbR</dd>" in html
    slot = "Nachweis (z. B. Gewerbeummeldung, Handelsregisterauszug)"
    assert f"<dt>handelsregister.pdf</dt><dd>{slot}</dd>" in html
    assert f"<dt>ummeldung.png</dt><dd>{slot}</dd>" in html
    assert "{" not in html.split("Angaben im Formular")[1].split("<h2>")[1]  # no raw dict
    assert "betriebsname" not in html and "nachweis'" not in html


def test_the_item_page_speaks_english_labels_when_asked(
    clerk_x: User, change_item: InboundItem
) -> None:
    html = (
        signed_in(clerk_x)
        .get(f"/intern/eingang/{change_item.reference}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    title = "Craft register: report a change of business data"
    assert f"<dt>Procedure</dt><dd>{title}</dd>" in html
    assert "<dt>Business name</dt><dd>Tischlerei Holz</dd>" in html
    assert "<dt>What has changed?</dt><dd>Legal form</dd>" in html
    assert "Documents in the form" in html
    assert "handelsregister.pdf</dt><dd>Proof (e.g. amended trade registration" in html


def test_the_inbox_names_procedures_by_title_in_rows_and_filter(
    clerk_x: User, change_item: InboundItem
) -> None:
    client = signed_in(clerk_x)
    html = client.get("/intern/bereich/handwerksrolle/").content.decode()
    title = "Handwerksrolle: Änderung der Betriebsdaten melden"
    assert f'<option value="handwerksrolle-aenderung">{title}</option>' in html
    assert f'<span class="subline">{title}</span>' in html
    filtered = client.get(
        "/intern/bereich/handwerksrolle/", {"procedure": "handwerksrolle-aenderung"}
    ).content.decode()
    assert change_item.reference in filtered


def test_an_item_of_a_procedure_whose_file_is_gone_still_shows_what_was_sent(
    clerk_x: User, intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    item = services.inbound_item_receive(
        channel=Channel.PORTAL,
        department=departments["handwerksrolle"],
        sender=services.sender_for_address(email="alt@example.org"),
        files=[services.IncomingFile("alt.pdf", io.BytesIO(pdfs.clean()))],
        procedure="frueheres-verfahren",
        form_data={"feld": "Wert", "documents": {"1": "anlage"}},
    )
    html = signed_in(clerk_x).get(f"/intern/eingang/{item.reference}/").content.decode()
    assert "<dt>Verfahren</dt><dd>frueheres-verfahren</dd>" in html
    assert "<dt>feld</dt><dd>Wert</dd>" in html
    assert "<dt>alt.pdf</dt><dd>anlage</dd>" in html
