"""Who really sent a mail: SPF, DKIM and DMARC alignment (policy.md 2.2, sender authentication).

Two ways, chosen by the operator:

- ``authenticate``: the gateway checks itself - SPF of the envelope sender
  for the client's address (pyspf), every DKIM signature (dkimpy), and the
  DMARC alignment of the From domain with a passing SPF or DKIM domain
  (RFC 7489 3.1; relaxed unless the domain's DMARC record asks for strict).
  DNS goes only to the resolver the configuration names (``DnsResolver``),
  with a cache, so a busy gateway asks each record once.
- ``trusted_results``: behind Postfix, the MTA has checked already; only the
  topmost ``Authentication-Results`` header carrying the configured
  authserv-id is believed (the MTA removes such headers arriving from
  outside, RFC 8601 5). Anything else in the mail proves nothing.

An item is linked to a portal account only when ``from_verified``; an
acknowledgement goes only to an ``envelope_verified`` sender (no backscatter
to a forged return path).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

_DMARC_TAG: Final = re.compile(r"\s*([a-z]+)\s*=\s*([^;]*)")
_RESULT: Final = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)([^;]*)", re.I)
_PROPERTY: Final = re.compile(
    r"\b(smtp\.mailfrom|header\.d|header\.i|header\.from)\s*=\s*([^\s;]+)", re.I
)
_AUTHSERV: Final = re.compile(r"\s*([^\s;]+)")


@dataclass(frozen=True, slots=True)
class AuthResult:
    """The verdict on one mail's sender."""

    spf: str = "none"  # pass | fail | softfail | neutral | none | temperror | permerror
    dkim: str = "none"  # pass (one signature passed) | fail | none
    dmarc: str = "none"  # pass | fail | none (no DMARC record, or not checked)
    from_verified: bool = False  # the From domain is aligned with a passing SPF or DKIM domain
    envelope_verified: bool = False  # the envelope sender's domain is proven (SPF or aligned DKIM)

    @property
    def summary(self) -> str:
        return f"dmarc={self.dmarc} spf={self.spf} dkim={self.dkim}"


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(".").lower()


@cache
def _suffix_extractor() -> Any:
    import tldextract  # noqa: PLC0415 - the public suffix list, loaded once

    # The list shipped with the package: no download at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def organizational_domain(domain: str) -> str:
    """RFC 7489 3.2: the registrable domain under the public suffix list."""
    domain = domain.lower().strip(".")
    parts = _suffix_extractor()(domain)
    registered = parts.top_domain_under_public_suffix
    if registered:
        return str(registered)
    labels = domain.split(".")  # a name outside the list (test TLDs): its last two labels
    return ".".join(labels[-2:])


def aligned(one: str, other: str, *, strict: bool) -> bool:
    if not one or not other:
        return False
    if strict:
        return one.lower() == other.lower()
    return organizational_domain(one) == organizational_domain(other)


class DnsResolver:
    """TXT (and what SPF needs) from one configured DNS server, with dnspython's cache."""

    def __init__(self, server: str = "", *, timeout: float = 5.0) -> None:
        import dns.resolver  # noqa: PLC0415 - only where senders are checked

        self.timeout = timeout
        if server:
            resolver = dns.resolver.Resolver(configure=False)
            host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
            resolver.nameservers = [host or server]
            resolver.port = int(port) if port else 53
        else:
            resolver = dns.resolver.Resolver()
        resolver.cache = dns.resolver.LRUCache(10_000)
        resolver.lifetime = timeout
        self.resolver = resolver

    def records(self, name: str, qtype: str) -> list[Any]:
        import dns.exception  # noqa: PLC0415
        import dns.resolver  # noqa: PLC0415

        try:
            return list(self.resolver.resolve(name, qtype, lifetime=self.timeout))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
            # Timeouts, dead servers, and names DNS cannot even ask for (a label over 63
            # characters, broken IDNA): either way nothing is proven.
            raise TemporaryDnsError(str(exc)) from exc

    def txt(self, name: str) -> list[bytes]:
        return [b"".join(r.strings) for r in self.records(name, "TXT")]

    # dkimpy's dnsfunc: the TXT record at name, or None
    def dkim_txt(self, name: bytes | str, timeout: float = 5) -> bytes | None:
        text = name.decode("ascii") if isinstance(name, bytes) else name
        found = self.txt(text.rstrip("."))
        return found[0] if found else None

    # pyspf's DNSLookup: [((name, qtype), value)]
    def spf_lookup(
        self, name: str, qtype: str, strict: bool = True, timeout: float = 20
    ) -> list[Any]:
        out: list[Any] = []
        for rdata in self.records(name, qtype):
            if qtype in {"A", "AAAA"}:
                out.append(((name, qtype), rdata.address))
            elif qtype == "MX":
                out.append(((name, qtype), (rdata.preference, rdata.exchange)))
            elif qtype == "PTR":
                out.append(((name, qtype), rdata.target.to_text(True)))
            elif qtype in {"TXT", "SPF"}:
                out.append(((name, qtype), rdata.strings))
        return out


class TemporaryDnsError(Exception):
    """The resolver did not answer: the sender counts as not authenticated (never a refusal)."""


_spf_lock = threading.Lock()


def _spf(resolver: DnsResolver, *, client_ip: str, envelope_from: str, helo: str) -> str:
    import spf  # noqa: PLC0415 - pyspf

    if not client_ip or not envelope_from:
        return "none"
    # pyspf resolves through a module-level function: point it at our resolver for this
    # query (the lock keeps two configurations from crossing).
    with _spf_lock:
        previous = spf.DNSLookup
        spf.DNSLookup = resolver.spf_lookup
        try:
            result, _ = spf.check2(i=client_ip, s=envelope_from, h=helo or "unknown", querytime=10)
        except Exception:  # noqa: BLE001 - a broken record is "permerror", never a crash
            result = "permerror"
        finally:
            spf.DNSLookup = previous
    return str(result).lower()


def _dkim_domains(raw: bytes, resolver: DnsResolver) -> tuple[str, list[str]]:
    """(overall result, the d= of each signature that verified)."""
    import dkim  # noqa: PLC0415 - dkimpy

    try:
        signer = dkim.DKIM(raw, minkey=1024)
        count = sum(1 for name, _ in signer.headers if name.lower() == b"dkim-signature")
    except Exception:  # noqa: BLE001 - unparseable for dkimpy: no valid signature
        return "none", []
    if count == 0:
        return "none", []
    passed = []
    for index in range(min(count, 10)):
        try:
            ok = signer.verify(idx=index, dnsfunc=resolver.dkim_txt)
        except Exception:  # noqa: BLE001 - dkimpy raises on broken signatures and keys
            ok = False
        if ok and signer.domain:
            passed.append(signer.domain.decode("ascii", "replace").lower())
    return ("pass" if passed else "fail"), passed


def _dmarc_policy(resolver: DnsResolver, from_domain: str) -> dict[str, str] | None:
    for name in dict.fromkeys([from_domain, organizational_domain(from_domain)]):
        for record in resolver.txt(f"_dmarc.{name}"):
            text = record.decode("ascii", "replace")
            if text.lower().startswith("v=dmarc1"):
                return {k.lower(): v.strip().lower() for k, v in _DMARC_TAG.findall(text)}
    return None


def authenticate(
    raw: bytes,
    *,
    from_address: str,
    envelope_from: str,
    client_ip: str | None,
    helo: str,
    resolver: DnsResolver,
) -> AuthResult:
    """SPF, DKIM and DMARC alignment of one message, evaluated here; never raises."""
    try:
        spf_result = _spf(
            resolver, client_ip=client_ip or "", envelope_from=envelope_from, helo=helo
        )
        dkim_result, dkim_domains = _dkim_domains(raw, resolver)
        from_domain = domain_of(from_address)
        policy = _dmarc_policy(resolver, from_domain) if from_domain else None
    except TemporaryDnsError:
        return AuthResult(spf="temperror", dkim="temperror", dmarc="temperror")
    envelope_domain = domain_of(envelope_from)
    strict_spf = (policy or {}).get("aspf") == "s"
    strict_dkim = (policy or {}).get("adkim") == "s"
    spf_aligned = spf_result == "pass" and aligned(envelope_domain, from_domain, strict=strict_spf)
    dkim_aligned = any(aligned(d, from_domain, strict=strict_dkim) for d in dkim_domains)
    from_verified = bool(from_domain) and (spf_aligned or dkim_aligned)
    # No DMARC record: alignment is still what proves the From domain (RFC 7489 3.1).
    dmarc = "none" if policy is None else ("pass" if from_verified else "fail")
    envelope_verified = bool(envelope_domain) and (
        spf_result == "pass" or any(aligned(d, envelope_domain, strict=True) for d in dkim_domains)
    )
    return AuthResult(spf_result, dkim_result, dmarc, from_verified, envelope_verified)


def _first_trusted_header(headers: list[str], authserv_id: str) -> str | None:
    for value in headers:  # top-most first: the one our MTA added last
        match = _AUTHSERV.match(value)
        if match and match.group(1).lower() == authserv_id.lower():
            return value
    return None


def trusted_results(
    headers: list[str], *, authserv_id: str, from_address: str, envelope_from: str
) -> AuthResult:
    """The verdict of the configured MTA's ``Authentication-Results`` header (RFC 8601)."""
    value = _first_trusted_header(headers, authserv_id)
    if value is None:
        return AuthResult()
    verdicts: dict[str, str] = {}
    domains: dict[str, list[str]] = {"spf": [], "dkim": [], "dmarc": []}
    for found_method, found_result, rest in _RESULT.findall(" ".join(value.split())):
        method, result = found_method.lower(), found_result.lower()
        if verdicts.get(method) != "pass":
            verdicts[method] = result
        if result == "pass":
            for _, found in _PROPERTY.findall(rest):
                domains[method].append(domain_of(found) if "@" in found else found.lower())
    from_domain = domain_of(from_address)
    envelope_domain = domain_of(envelope_from)
    dmarc = verdicts.get("dmarc", "none")
    from_verified = bool(from_domain) and (
        (dmarc == "pass" and (not domains["dmarc"] or from_domain in domains["dmarc"]))
        or any(aligned(d, from_domain, strict=False) for d in domains["dkim"] + domains["spf"])
    )
    spf_result = verdicts.get("spf", "none")
    envelope_verified = bool(envelope_domain) and (
        (spf_result == "pass" and (not domains["spf"] or envelope_domain in domains["spf"]))
        or envelope_domain in domains["dkim"]
    )
    return AuthResult(
        spf=spf_result,
        dkim=verdicts.get("dkim", "none"),
        dmarc=dmarc,
        from_verified=from_verified,
        envelope_verified=envelope_verified,
    )


def header_from_address(raw: bytes) -> str:
    """The From address read from the top header alone: enough to start the DNS checks
    while the full parse runs (the gateway checks again should the parse read another)."""
    from email.parser import BytesHeaderParser  # noqa: PLC0415

    from .mime import RAW_HEADERS, MimeRefusal, sender_address  # noqa: PLC0415
    from .prescan import header_block  # noqa: PLC0415

    try:
        message = BytesHeaderParser(policy=RAW_HEADERS).parsebytes(header_block(raw))
        return sender_address(message)[0]
    except (MimeRefusal, ValueError, LookupError):
        return ""


def authentication_headers(raw_header: bytes) -> list[str]:
    """The Authentication-Results values of a raw header block, top-most first."""
    from email.parser import BytesHeaderParser  # noqa: PLC0415
    from email.policy import compat32  # noqa: PLC0415

    message = BytesHeaderParser(policy=compat32).parsebytes(raw_header)
    return [str(v) for v in message.get_all("Authentication-Results") or []]


__all__ = [
    "AuthResult",
    "DnsResolver",
    "aligned",
    "authenticate",
    "authentication_headers",
    "header_from_address",
    "organizational_domain",
    "trusted_results",
]
