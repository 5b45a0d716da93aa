"""What real mail programs send, through the engine alone: accepted with documents, or refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kammerpost.mailpolicy import MAIL_LIMITS, examine, refusal_answer
from kammerpost.mailpolicy.prescan import prescan
from tests.corpus import mails, mails_real

PORTAL = "https://portal.example/"


@pytest.fixture
def trust_dir(tmp_path: Path) -> str:
    return str(mails_real.smime_pki().write_trust_dir(tmp_path / "trust"))


@pytest.mark.parametrize(
    ("name", "build", "clerk"), mails_real.ACCEPTED, ids=[c[0] for c in mails_real.ACCEPTED]
)
def test_ordinary_mail_is_accepted_with_its_documents_and_signature(
    tmp_path: Path,
    trust_dir: str,
    name: str,
    build: Callable[[], bytes],
    clerk: mails_real.Clerk,
) -> None:
    workdir = tmp_path / "parts"
    workdir.mkdir()
    result = examine(build(), workdir, MAIL_LIMITS, trust_dir=trust_dir)
    assert result.refusal is None, result.refusal
    assert tuple(a.name for a in result.attachments) == clerk.documents
    # The signature part is never a document, whatever its name.
    assert not any(a.name.endswith((".p7s", ".p7m", ".asc", ".dat")) for a in result.attachments)
    if clerk.signature:
        assert result.signature is not None
        assert (result.signature.status, result.signature.reason) == (clerk.signature, clerk.reason)
    else:
        assert result.signature is None
    assert tuple(result.omitted_images) == clerk.omitted
    assert clerk.text in result.text
    for attachment in result.attachments:
        assert Path(attachment.path).read_bytes()[:4] in {b"%PDF", b"\xff\xd8\xff\xe0"}


@pytest.mark.parametrize(
    ("name", "build", "expected"), mails_real.REFUSED, ids=[c[0] for c in mails_real.REFUSED]
)
def test_a_signature_or_a_wrapper_never_lifts_a_rule(
    tmp_path: Path, trust_dir: str, name: str, build: Callable[[], bytes], expected: mails.Expected
) -> None:
    result = examine(build(), tmp_path, MAIL_LIMITS, trust_dir=trust_dir)
    assert result.refusal is not None, name
    answer = refusal_answer(result.refusal, PORTAL)
    assert (answer.code, answer.enhanced) == (expected.code, expected.enhanced), answer.line
    for word in expected.words:
        assert word in answer.line.lower(), (word, answer.line)
    assert PORTAL in answer.line


def test_a_valid_signature_of_a_signer_without_trust_store_is_not_checkable(tmp_path: Path) -> None:
    result = examine(mails_real.thunderbird_smime(), tmp_path, MAIL_LIMITS, trust_dir=None)
    assert result.refusal is None
    assert result.signature is not None
    assert (result.signature.status, result.signature.reason) == ("unverifiable", "no_trust_store")
    assert result.signature.signer == mails.FROM


def test_bare_line_feeds_are_named_as_such() -> None:
    refusal = prescan(mails_real.bare_lf(), MAIL_LIMITS)
    assert refusal is not None
    line = refusal_answer(refusal, PORTAL).line
    assert "bare line feed" in line
    assert "1000" not in line


def test_an_image_the_html_does_not_show_is_an_attachment_under_the_file_policy(
    tmp_path: Path,
) -> None:
    raw = mails_real.mail(
        "Logo",
        mails_real.multipart(
            "mixed",
            "b1",
            [
                mails_real.html_part("<p>Hallo, kein Bild hier.</p>"),
                mails_real.file_part(
                    "logo.gif", mails_real.gif(), "image/gif", disposition="inline", cid="x@y"
                ),
            ],
        ),
    )
    result = examine(raw, tmp_path, MAIL_LIMITS)
    assert result.refusal is None
    assert [a.name for a in result.attachments] == ["logo.gif"]  # the file policy decides
    assert result.omitted_images == []


def test_raw_utf8_headers_of_smtputf8_senders_read_as_written(tmp_path: Path) -> None:
    raw = (
        "From: Jürgen Groß <j@example.de>\r\nTo: x@example.de\r\nSubject: Prüfung bestanden\r\n"
        'Content-Type: application/pdf; name="Prüfung.pdf"\r\n'
        'Content-Disposition: attachment; filename="Prüfung.pdf"\r\n\r\n%PDF-1.4\r\n'
    ).encode()
    result = examine(raw, tmp_path, MAIL_LIMITS)
    assert result.refusal is None
    assert (result.from_name, result.subject) == ("Jürgen Groß", "Prüfung bestanden")
    assert [a.name for a in result.attachments] == ["Prüfung.pdf"]


@pytest.mark.parametrize("cut", [0, 7, 60, 200, -40])
def test_a_garbled_signature_is_an_invalid_badge_and_garbled_opaque_data_a_refusal(
    tmp_path: Path, trust_dir: str, cut: int
) -> None:
    import base64
    import random

    def garble(der: bytes) -> bytes:
        return der[:cut] if cut > 0 else der[:cut] + random.Random(cut).randbytes(40)

    inner = mails_real.text_part("Unterlagen folgen.")
    broken = mails_real.mail("Kaputt", mails_real.smime_signed(inner, garble=garble))
    garbled = garble(mails_real._cms_sign(b"x", mails_real.smime_pki().sender, detached=False))
    result = examine(broken, tmp_path, MAIL_LIMITS, trust_dir=trust_dir)
    assert result.refusal is None, result.refusal
    assert result.signature is not None
    assert result.signature.status == "invalid"
    opaque = mails_real.mail(
        "Opak kaputt",
        mails_real.entity(
            "Content-Type: application/pkcs7-mime; smime-type=signed-data\n"
            "Content-Transfer-Encoding: base64",
            base64.b64encode(garbled).decode(),
        ),
    )
    refused = examine(opaque, tmp_path, MAIL_LIMITS, trust_dir=trust_dir)
    assert refused.refusal is not None
    assert refusal_answer(refused.refusal, PORTAL).code == 550


def test_enigmails_protected_headers_part_is_not_a_document(tmp_path: Path) -> None:
    raw = mails_real.mail(
        "Enigmail",
        mails_real.multipart(
            "mixed",
            "enig1",
            [
                mails_real.entity(
                    'Content-Type: text/rfc822-headers; protected-headers="v1"\n'
                    "Content-Disposition: inline",
                    f"From: {mails.FROM}\r\nSubject: Enigmail\r\n",
                ),
                mails_real.text_part("Hallo."),
            ],
        ),
    )
    result = examine(raw, tmp_path, MAIL_LIMITS)
    assert result.refusal is None
    assert result.attachments == []


def test_inline_pgp_signed_text_is_shown_as_signed_and_inline_encrypted_is_refused(
    tmp_path: Path,
) -> None:
    signed = mails.message(
        text="-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nHallo.\n"
        + mails_real.PGP_SIGNATURE
    )
    result = examine(signed, tmp_path, MAIL_LIMITS)
    assert result.refusal is None
    assert result.signature is not None
    assert (result.signature.kind, result.signature.status) == ("pgp", "unchecked")
    encrypted = mails.message(
        text="-----BEGIN PGP MESSAGE-----\n\nhQEMA1b2c3d4e5f6AQf/abc=\n-----END PGP MESSAGE-----\n"
    )
    refused = examine(encrypted, tmp_path, MAIL_LIMITS)
    assert refused.refusal is not None
    answer = refusal_answer(refused.refusal, PORTAL)
    assert (answer.code, answer.enhanced) == (550, "5.7.5")
