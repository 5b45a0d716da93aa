"""Sender authentication for tests: a DNS server on loopback and DKIM-signed mails.

``DnsServer`` (dnslib) answers the SPF, DKIM and DMARC records of the test
domains, nothing else; the gateway is pointed at it with
``KAMMERPOST_MAIL_DNS_RESOLVER``. Mails are signed with dkimpy and a key
built here. The domains:

- ``tischlerei-mueller.de``: SPF allows 127.0.0.1, DKIM selector ``mail``,
  DMARC p=reject - a well-run small business;
- ``kunde.example.org`` lives under ``example.org``, whose records say
  the same (relaxed alignment through the organizational domain);
- ``example.org`` (the corpus's ordinary sender): SPF allows 127.0.0.1;
- ``angreifer.example.net``: SPF allows 127.0.0.1 too (the attacker's own
  domain passes its own checks - but is not the victim's From domain).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dnslib import QTYPE, RR, SOA, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from tests.corpus.mails import TO

BUSINESS = "tischlerei-mueller.de"
CUSTOMER = f"inhaber@{BUSINESS}"
ATTACKER_DOMAIN = "angreifer.example.net"
SELECTOR = "mail"


@functools.cache
def dkim_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _dkim_record() -> str:
    public = (
        dkim_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    import base64

    return "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()


def records() -> dict[str, list[str]]:
    return {
        f"{BUSINESS}.": ["v=spf1 ip4:127.0.0.1 -all"],
        f"{SELECTOR}._domainkey.{BUSINESS}.": [_dkim_record()],
        f"_dmarc.{BUSINESS}.": ["v=DMARC1; p=reject; adkim=r; aspf=r"],
        f"{ATTACKER_DOMAIN}.": ["v=spf1 ip4:127.0.0.1 -all"],
        # The corpus's ordinary sender (tests.corpus.mails.FROM) sends from loopback.
        "example.org.": ["v=spf1 ip4:127.0.0.1 -all"],
        f"{SELECTOR}._domainkey.{ATTACKER_DOMAIN}.": [_dkim_record()],
    }


class _Records(BaseResolver):  # type: ignore[misc]
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).lower()
        self.asked.append(name)
        if request.q.qtype == QTYPE.TXT:
            for text in self.table.get(name, []):
                chunks = [text[i : i + 255] for i in range(0, len(text), 255)]
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(chunks), ttl=300))
        if not reply.rr:
            if name not in self.table:
                reply.header.rcode = 3  # NXDOMAIN
            # As real zones do: the SOA tells resolvers how long to remember "nothing here".
            zone = ".".join(name.rstrip(".").split(".")[-2:]) + "."
            soa = SOA(f"ns.{zone}", f"hostmaster.{zone}", (1, 3600, 600, 86400, 300))
            reply.add_auth(RR(zone, QTYPE.SOA, rdata=soa, ttl=300))
        return reply


@contextmanager
def dns_server() -> Iterator[tuple[str, _Records]]:
    """A DNS server on a free loopback UDP port: yields ("127.0.0.1:port", its resolver)."""
    resolver = _Records(records())
    quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
    server = DNSServer(resolver, address="127.0.0.1", port=0, tcp=False, logger=quiet)
    server.start_thread()
    port = server.server.server_address[1]
    try:
        yield f"127.0.0.1:{port}", resolver
    finally:
        server.stop()
        server.server.server_close()
        threading.Event().wait(0.05)


def dkim_signed(raw: bytes, domain: str = BUSINESS) -> bytes:
    key = dkim_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    signature = dkim.sign(
        raw,
        SELECTOR.encode(),
        domain.encode(),
        key,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return signature + raw


def letter(sender: str, subject: str = "Antrag Eintragung") -> bytes:
    text = (
        f"From: Inhaber <{sender}>\r\nTo: {TO}\r\nSubject: {subject}\r\n"
        f"Date: Thu, 03 Dec 2026 10:00:00 +0100\r\nMessage-ID: <{abs(hash(subject))}@x>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Sehr geehrte Damen und Herren,\r\nbitte tragen Sie meinen Betrieb ein.\r\n"
    )
    return text.encode()
