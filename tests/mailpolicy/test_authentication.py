"""Sender authentication against a real DNS server on loopback (dnslib), DKIM signed with dkimpy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kammerpost.mailpolicy.authentication import (
    DnsResolver,
    authenticate,
    authentication_headers,
    trusted_results,
)
from tests.corpus import mails_auth as auth


@pytest.fixture(scope="module")
def resolver() -> Iterator[DnsResolver]:
    with auth.dns_server() as (address, _):
        yield DnsResolver(address, timeout=2)


def _check(raw: bytes, resolver: DnsResolver, *, envelope: str, ip: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    from_address = raw.split(b"From: ", 1)[1].split(b"<", 1)[1].split(b">", 1)[0].decode()
    return authenticate(
        raw,
        from_address=from_address,
        envelope_from=envelope,
        client_ip=ip,
        helo="mx.test",
        resolver=resolver,
    )


def test_a_signed_mail_from_an_authorised_server_is_verified(resolver: DnsResolver) -> None:
    raw = auth.dkim_signed(auth.letter(auth.CUSTOMER))
    result = _check(raw, resolver, envelope=auth.CUSTOMER)
    assert (result.spf, result.dkim, result.dmarc) == ("pass", "pass", "pass")
    assert result.from_verified and result.envelope_verified


def test_dkim_alone_aligns_the_from_domain_when_the_server_is_not_listed(
    resolver: DnsResolver,
) -> None:
    raw = auth.dkim_signed(auth.letter(auth.CUSTOMER))
    result = _check(raw, resolver, envelope=f"bounce@{auth.BUSINESS}", ip="192.0.2.7")
    assert result.spf == "fail"
    assert result.from_verified  # DMARC passes through the aligned DKIM signature


def test_a_forged_from_is_not_verified_even_when_the_attackers_own_domain_passes(
    resolver: DnsResolver,
) -> None:
    # The attacker's server may send for the attacker's domain (SPF pass) and even
    # signs with that domain's key: neither is the From domain.
    raw = auth.dkim_signed(auth.letter(auth.CUSTOMER), domain=auth.ATTACKER_DOMAIN)
    result = _check(raw, resolver, envelope=f"x@{auth.ATTACKER_DOMAIN}")
    assert result.spf == "pass"
    assert result.dkim == "pass"
    assert result.dmarc == "fail"
    assert not result.from_verified


def test_a_forged_return_path_is_not_verified_so_it_gets_no_acknowledgement(
    resolver: DnsResolver,
) -> None:
    # Backscatter: the envelope names a victim whose domain does not allow this server.
    raw = auth.letter(f"x@{auth.ATTACKER_DOMAIN}")
    result = _check(raw, resolver, envelope=auth.CUSTOMER, ip="192.0.2.99")
    assert result.spf == "fail"
    assert not result.envelope_verified


def test_a_changed_signed_mail_fails_dkim(resolver: DnsResolver) -> None:
    raw = auth.dkim_signed(auth.letter(auth.CUSTOMER)).replace(b"Betrieb", b"Betrug")
    result = _check(raw, resolver, envelope=f"bounce@{auth.BUSINESS}", ip="192.0.2.7")
    assert result.dkim == "fail"
    assert not result.from_verified


def test_a_dead_resolver_means_not_authenticated_never_an_error() -> None:
    dead = DnsResolver("127.0.0.1:9", timeout=0.5)
    raw = auth.dkim_signed(auth.letter(auth.CUSTOMER))
    result = _check(raw, dead, envelope=auth.CUSTOMER)
    assert not result.from_verified and not result.envelope_verified


def test_only_the_configured_mtas_results_are_believed() -> None:
    head = (
        b"Authentication-Results: mx.kammer.example; spf=pass smtp.mailfrom=inhaber@"
        + auth.BUSINESS.encode()
        + b"; dkim=pass header.d="
        + auth.BUSINESS.encode()
        + b"; dmarc=pass header.from="
        + auth.BUSINESS.encode()
        + b"\r\nAuthentication-Results: evil.example; dmarc=pass header.from=bank.example\r\n"
    )
    headers = authentication_headers(head)
    ok = trusted_results(
        headers,
        authserv_id="mx.kammer.example",
        from_address=auth.CUSTOMER,
        envelope_from=auth.CUSTOMER,
    )
    assert ok.from_verified and ok.envelope_verified
    forged = trusted_results(
        headers,
        authserv_id="mx.kammer.example",
        from_address="chef@bank.example",
        envelope_from="chef@bank.example",
    )
    assert not forged.from_verified and not forged.envelope_verified
    nobody = trusted_results(
        headers[1:],
        authserv_id="mx.kammer.example",
        from_address=auth.CUSTOMER,
        envelope_from=auth.CUSTOMER,
    )
    assert not nobody.from_verified


def test_a_from_domain_dns_cannot_ask_for_proves_nothing_and_raises_nothing(
    resolver: DnsResolver,
) -> None:
    odd = "x@" + "a" * 70 + ".example.org"
    raw = auth.letter(odd)
    result = _check(raw, resolver, envelope=odd)
    assert not result.from_verified and not result.envelope_verified
