"""The only way anyone gets an exchange or its files; everything not theirs is a 404.

Staff: the opening clerk and the deputies, as active staff of the exchange's
department. The invited person: the one exchange their session is bound to
(``GUEST_SESSION_KEY``, set only after the one-time code or the matching
portal account), and only while it is open. After expiry nobody reaches its
pages, uploads or placed files; clerks still see the closed arrangement's
summary, and what arrived stays in its inbound item (intake.access) until
the retention.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from kammerpost.chamber.selectors import departments_of_staff

from .models import Exchange, PlacedFile

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kammerpost.accounts.models import User

# The session's binding to one exchange (its id) and the pending state before the code.
GUEST_SESSION_KEY = "exchange_guest"
PENDING_SESSION_KEY = "exchange_pending"
INVITATION_SESSION_KEY = "exchange_invitation"


def exchanges_for_staff(user: User | AnonymousUser) -> QuerySet[Exchange]:
    """The exchanges this clerk opened or deputises, in departments they still work in."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Exchange.objects.none()
    return (
        Exchange.objects.filter(Q(clerk=user) | Q(deputies=user))
        .filter(department__in=departments_of_staff(user))
        .select_related("department", "clerk", "item")
        .distinct()
    )


def exchange_for_staff(*, user: User | AnonymousUser, pk: int) -> Exchange:
    exchange = exchanges_for_staff(user).filter(pk=pk).first()
    if exchange is None:
        raise Http404
    return exchange


def open_exchange_for_staff(*, user: User | AnonymousUser, pk: int) -> Exchange:
    """As :func:`exchange_for_staff`, for what only an open exchange allows (its files)."""
    exchange = exchange_for_staff(user=user, pk=pk)
    if not exchange.is_open():
        raise Http404
    return exchange


def placed_file_for_staff(*, user: User | AnonymousUser, pk: int, file_pk: int) -> PlacedFile:
    exchange = open_exchange_for_staff(user=user, pk=pk)
    placed = PlacedFile.objects.filter(exchange=exchange, pk=file_pk).first()
    if placed is None:
        raise Http404
    placed.exchange = exchange
    return placed


def exchange_for_guest(request: HttpRequest) -> Exchange:
    """The open exchange this session was let into; anything else is a 404."""
    pk = request.session.get(GUEST_SESSION_KEY)
    if not isinstance(pk, int):
        raise Http404
    exchange = Exchange.objects.select_related("department", "clerk", "item").filter(pk=pk).first()
    if exchange is None or not exchange.is_open():
        raise Http404
    return exchange


def placed_file_for_guest(request: HttpRequest, *, file_pk: int) -> PlacedFile:
    exchange = exchange_for_guest(request)
    placed = PlacedFile.objects.filter(exchange=exchange, pk=file_pk).first()
    if placed is None:
        raise Http404
    placed.exchange = exchange
    return placed


def pending_exchange(request: HttpRequest) -> Exchange | None:
    """The open exchange whose link this session used, waiting for its code."""
    pk = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pk, int):
        return None
    exchange = Exchange.objects.filter(pk=pk).first()
    if exchange is None or not exchange.is_open():
        return None
    return exchange
