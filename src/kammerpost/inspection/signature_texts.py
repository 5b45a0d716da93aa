"""What the signature verdicts and their reasons say to staff and senders, German first.

No pyHanko import here: Django templates and receipts read these tables
without loading the validator. Codes are stable; other systems key on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

# Weakest first: a document's summary is its weakest signature.
SIGNATURE_VERDICT_ORDER: Final = (
    "invalid",
    "modified",
    "indeterminate",
    "ades",
    "adesqc",
    "qeseal",
    "qes",
)
NO_SIGNATURE: Final = "none"

# policy.md 3, the eight categories: verdict -> (German, English).
SIGNATURE_VERDICT_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "qes": (
        "qualifizierte elektronische Signatur gültig (QES)",
        "qualified electronic signature valid (QES)",
    ),
    "qeseal": (
        "qualifiziertes elektronisches Siegel gültig",
        "qualified electronic seal valid",
    ),
    "adesqc": (
        "fortgeschrittene Signatur mit qualifiziertem Zertifikat (QSCD nicht bestätigt)",
        "advanced signature with a qualified certificate (QSCD not confirmed)",
    ),
    "ades": (
        "fortgeschrittene / einfache Signatur gültig, nicht qualifiziert",
        "advanced / simple signature valid, not qualified",
    ),
    "indeterminate": ("unbestimmt", "indeterminate"),
    "invalid": ("ungültig", "invalid"),
    "modified": (
        "Dokument nach der Signatur verändert",
        "document changed after signing",
    ),
    NO_SIGNATURE: ("keine Signatur", "no signature"),
}

# reason code -> (German, English). A reason explains one signature's verdict.
SIGNATURE_REASON_TEXTS: Final[dict[str, tuple[str, str]]] = {
    # qes / qeseal / adesqc
    "qualified_signature": (
        "Qualifiziertes Zertifikat für elektronische Signaturen; der Schlüssel liegt in einer "
        "qualifizierten Signaturerstellungseinheit (QSCD).",
        "Qualified certificate for electronic signatures; the key is held in a qualified "
        "signature creation device (QSCD).",
    ),
    "qualified_seal": (
        "Qualifiziertes Zertifikat für elektronische Siegel; der Schlüssel liegt in einer "
        "qualifizierten Siegelerstellungseinheit (QSCD).",
        "Qualified certificate for electronic seals; the key is held in a qualified seal "
        "creation device (QSCD).",
    ),
    "qscd_not_confirmed": (
        "Das Zertifikat ist qualifiziert, aber weder Zertifikat noch Vertrauensliste bestätigen "
        "eine qualifizierte Signaturerstellungseinheit (QSCD).",
        "The certificate is qualified, but neither the certificate nor the trusted list "
        "confirms a qualified signature creation device (QSCD).",
    ),
    "qualified_for_websites": (
        "Das qualifizierte Zertifikat ist für Websites bestimmt, nicht für Signaturen oder Siegel.",
        "The qualified certificate is meant for websites, not for signatures or seals.",
    ),
    # ades
    "certificate_not_qualified": (
        "Die Zertifikatskette ist vertrauenswürdig, das Zertifikat aber nicht qualifiziert.",
        "The certificate chain is trusted, but the certificate is not qualified.",
    ),
    "local_trust_anchor": (
        "Vertrauenswürdig über eine lokal eingerichtete Wurzel; solche Signaturen gelten nie "
        "als qualifiziert.",
        "Trusted through a locally configured root; such signatures never count as qualified.",
    ),
    # indeterminate
    "untrusted_chain": (
        "Keine Zertifikatskette zu einem vertrauenswürdigen Aussteller (EU-Vertrauensliste oder "
        "eingerichtete Wurzel).",
        "No certificate chain to a trusted issuer (EU trusted list or configured root).",
    ),
    "revocation_unknown": (
        "Der Sperrstatus des Zertifikats ist nicht feststellbar: Die Datei enthält keine "
        "Sperrinformation, und Online-Abfragen sind ausgeschaltet.",
        "The certificate's revocation status cannot be established: the file carries no "
        "revocation data and online look-ups are switched off.",
    ),
    "revoked_no_proof": (
        "Das Zertifikat wurde gesperrt; es gibt keinen Nachweis (Zeitstempel), dass die Signatur "
        "vorher erstellt wurde. Die Signaturzeit im Dokument ist nur die Angabe des "
        "Unterzeichners.",
        "The certificate was revoked; nothing (no timestamp) proves the signature was made before "
        "that. The signing time in the document is only the signer's own claim.",
    ),
    "revoked_before_timestamp": (
        "Das Zertifikat wurde gesperrt, bevor der Zeitstempel die Signatur belegt; dass vorher "
        "signiert wurde, ist nicht nachgewiesen.",
        "The certificate was revoked before the timestamp proves the signature existed; that it "
        "was signed before the revocation is not proven.",
    ),
    "issuer_revoked": (
        "Das Zertifikat eines Ausstellers in der Kette wurde gesperrt.",
        "The certificate of an issuer in the chain was revoked.",
    ),
    "certificate_out_of_validity": (
        "Das Zertifikat war abgelaufen oder noch nicht gültig.",
        "The certificate had expired or was not yet valid.",
    ),
    "certificate_not_for_signing": (
        "Das Zertifikat ist nicht für Signaturen zugelassen (Schlüsselverwendung).",
        "The certificate is not allowed for signing (key usage).",
    ),
    "weak_algorithm": (
        "Die Signatur verwendet ein nicht mehr sicheres Verfahren.",
        "The signature uses an algorithm that is no longer secure.",
    ),
    "timestamp_problem": (
        "Der Zeitstempel der Signatur ist ungültig oder nicht vertrauenswürdig.",
        "The signature's timestamp is invalid or not trusted.",
    ),
    "chain_problem": (
        "Die Zertifikatskette ließ sich nicht vollständig prüfen.",
        "The certificate chain could not be fully validated.",
    ),
    "unsupported_signature": (
        "Dieses Signaturformat wird nicht unterstützt.",
        "This signature format is not supported.",
    ),
    "unreadable_signature": (
        "Die Signatur ist nicht lesbar.",
        "The signature cannot be read.",
    ),
    "too_many_signatures": (
        "Das Dokument hat mehr Signaturen, als wir prüfen; die weiteren sind nicht geprüft.",
        "The document has more signatures than we check; the others were not checked.",
    ),
    "validation_error": (
        "Die Signatur ließ sich nicht prüfen.",
        "The signature could not be validated.",
    ),
    # invalid
    "hash_mismatch": (
        "Der Inhalt passt nicht zur Signatur: Die Datei wurde nach dem Signieren verändert.",
        "The content does not match the signature: the file was altered after signing.",
    ),
    "signature_value_broken": (
        "Der Signaturwert ist mit dem Zertifikat nicht zu bestätigen.",
        "The signature value does not verify with the certificate.",
    ),
    "revoked_before_signing": (
        "Das Zertifikat war schon vor dem Signieren gesperrt (belegt durch einen Zeitstempel des "
        "Inhalts nach der Sperrung).",
        "The certificate had been revoked before signing (proven by a content timestamp after the "
        "revocation).",
    ),
    "malformed_signature": (
        "Die Signatur ist fehlerhaft aufgebaut.",
        "The signature is malformed.",
    ),
    # modified
    "changed_after_signing": (
        "Nach dem Signieren wurde der Inhalt des Dokuments geändert (z. B. Seiten oder Text).",
        "The document's content was changed after signing (pages or text, for example).",
    ),
    "fields_changed_after_signing": (
        "Nach dem Signieren wurden Formularfelder ausgefüllt oder Anmerkungen hinzugefügt.",
        "Form fields were filled in or annotations added after signing.",
    ),
    "partial_coverage": (
        "Die Signatur erfasst nicht das ganze Dokument.",
        "The signature does not cover the whole document.",
    ),
}


def weakest(verdicts: Iterable[str]) -> str:
    """The summary of a document: its weakest verdict, or ``none`` without signatures."""
    ranks = [SIGNATURE_VERDICT_ORDER.index(v) for v in verdicts]
    return SIGNATURE_VERDICT_ORDER[min(ranks)] if ranks else NO_SIGNATURE
