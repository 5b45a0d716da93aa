"""A file larger than the scanner takes: held with its own reason, never accepted unscanned."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.inspection import Inspector, policy_named
from kammerpost.intake.models import Document, DocumentState
from kammerpost.intake.services import document_inspect
from tests.corpus import pdfs
from tests.exchange.support import clerk, departments, enter, intake_env, open_exchange, outbox
from tests.support.clamd import Clamd

__all__ = ["clerk", "departments", "intake_env", "outbox"]


def _noise_png() -> bytes:
    """A valid PNG of about 3 MB (noise does not compress): above a 1 MiB scanner limit."""
    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(out, "PNG")
    return out.getvalue()


BIG = _noise_png()


def test_clamd_cuts_off_a_stream_above_its_limit_so_the_engine_does_not_send_it(
    clamd: Clamd, tmp_path: Path
) -> None:
    path = tmp_path / "plan.png"
    path.write_bytes(BIG)
    scanner = clamd.scanner()
    scanner.max_stream = 1024 * 1024
    result = Inspector(policy_named("exchange"), scanner=scanner).inspect(path, name="plan.png")
    assert result.verdict == "held"
    assert [r.code for r in result.reasons] == ["av.too_large"]
    assert result.facts["av"] == {"scanned": False, "status": "too_large", "engine": "clamd"}
    assert "1 MB" in result.reasons[0].message_de
    # Within the limit the same scanner scans.
    small = tmp_path / "small.pdf"
    small.write_bytes(pdfs.small_pdf("klein"))
    assert Inspector(policy_named("exchange"), scanner=scanner).inspect(small).verdict == "accepted"


@pytest.mark.django_db(transaction=True)
def test_the_person_sees_why_a_too_large_file_is_held(
    intake_env: dict[str, str],
    outbox: Path,
    clerk: User,
    departments: dict[str, Department],
    settings: object,
) -> None:
    settings.CLAMD_STREAM_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    opened = open_exchange(clerk, departments["pruefungswesen"])
    guest = enter(Client(), opened, outbox)
    stream = io.BytesIO(BIG)
    stream.name = "plan.png"
    assert guest.post("/cloud/austausch/hochladen/", {"file": stream}).status_code == 302
    document = Document.objects.get()
    assert document_inspect(document_id=document.pk) == DocumentState.HELD
    document.refresh_from_db()
    assert [r["code"] for r in document.reasons] == ["av.too_large"]
    page = guest.get("/cloud/austausch/").content.decode()
    assert "größer, als unser Virenscanner prüfen kann" in page
    assert "Teilen Sie die Datei" in page
