"""Which items reach a customer's "Meine Vorgänge": only those sent with proof of the address.

Anyone can write a customer's address into a From header or the contact
form. Once the address is linked to an account (the customer used the
portal), such an item must still not appear in that account, and a clerk's
answer to it must not land there either (issue 13: forged From).
"""

from __future__ import annotations

import pytest
from django.http import Http404

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.intake.access import item_for_customer, items_for_customer
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.intake.services import inbound_item_receive, sender_for_account
from tests.portal.conftest import new_user, signed_in

pytestmark = pytest.mark.django_db


def _item(department: Department, *, channel: Channel, confirmed: bool, user: User) -> InboundItem:
    return inbound_item_receive(
        channel=channel,
        department=department,
        sender=sender_for_account(user=user),  # the address is the customer's, linked
        files=[],
        subject="Betreff",
        sender_confirmed=confirmed,
    )


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.CONTACT, Channel.OPERATOR])
def test_an_item_that_only_names_a_customers_address_stays_out_of_the_account(
    intake_env: dict[str, str], departments: dict[str, Department], channel: Channel
) -> None:
    customer = new_user()
    forged = _item(departments["verwaltung"], channel=channel, confirmed=False, user=customer)
    assert forged.sender.user == customer  # the address is linked, and still:
    assert forged not in items_for_customer(customer)
    with pytest.raises(Http404):
        item_for_customer(user=customer, reference=forged.reference)
    page = signed_in(customer).get("/portal/vorgaenge/")
    assert page.status_code == 200
    assert forged.reference not in page.content.decode()


def test_an_authenticated_mail_from_the_customers_address_reaches_the_account(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    customer = new_user()
    proven = _item(departments["verwaltung"], channel=Channel.EMAIL, confirmed=True, user=customer)
    assert item_for_customer(user=customer, reference=proven.reference) == proven
    assert proven.reference in signed_in(customer).get("/portal/vorgaenge/").content.decode()
