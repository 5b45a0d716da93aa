"""``kammerpost exchange open|list|close``, the sweep at expiry, retention with a moved clock."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.exchange import services
from kammerpost.exchange.models import Exchange
from kammerpost.intake.models import Document, InboundItem, StagedBlob
from kammerpost.intake.services import intake_vault
from kammerpost.privacy.models import AuditEvent, ItemErasure
from kammerpost.vault import BlobNotFoundError, KeyUnavailableError, VaultError
from tests.exchange.support import (
    PDF,
    clerk,
    departments,
    deputy,
    intake_env,
    invitation_path,
    mails_to,
    open_exchange,
    outbox,
    refreshed,
)
from tests.support import processes

__all__ = ["clerk", "departments", "deputy", "intake_env", "outbox"]

pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("exchange", *args, stdout=out)
    return out.getvalue()


def test_the_cli_opens_lists_and_closes(
    intake_env: dict[str, str],
    outbox: Path,
    clerk: User,
    deputy: User,
    departments: dict[str, Department],
) -> None:
    printed = _run(
        "open",
        "--department", "pruefungswesen",
        "--clerk", clerk.email,
        "--guest-name", "Erika Muster",
        "--guest-email", "erika@example.org",
        "--days", "30",
        "--quota-gb", "2",
        "--policy", "pdf-only",
        "--deputy", deputy.email,
        "--json",
    )  # fmt: skip
    opened = json.loads(printed)
    exchange = Exchange.objects.get(pk=opened["id"])
    assert exchange.clerk == clerk and list(exchange.deputies.all()) == [deputy]
    assert exchange.quota_bytes == 2 * 1000**3 and exchange.policy_name == "pdf-only"
    assert (
        timedelta(days=29, hours=23)
        < exchange.expires_at - exchange.created_at
        <= timedelta(days=30)
    )
    assert "/cloud/einladung/" in opened["invitation_url"]
    # The printed address is the one mailed.
    mailed = mails_to(outbox, "erika@example.org")
    assert len(mailed) == 1 and opened["invitation_url"] in mailed[0].get_body().get_content()
    listed = json.loads(_run("list", "--json"))
    assert [(row["id"], row["state"]) for row in listed] == [(exchange.pk, "open")]
    assert f"closed exchange {exchange.pk}" in _run("close", str(exchange.pk))
    assert refreshed(exchange).closed_at is not None
    assert json.loads(_run("list", "--json", "--open")) == []
    assert "already closed" in _run("close", str(exchange.pk))


def test_the_cli_refuses_what_the_rules_forbid(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    base = ["open", "--clerk", clerk.email, "--guest-name", "X", "--guest-email", "x@example.org"]
    with pytest.raises(CommandError, match="1 bis 90 Tage"):
        _run(*base, "--department", "pruefungswesen", "--days", "91")
    with pytest.raises(CommandError, match="Formatregel"):
        _run(*base, "--department", "pruefungswesen", "--policy", "nonsense")
    # A clerk opens exchanges only in their own departments.
    with pytest.raises(CommandError, match="nicht in diesem Bereich"):
        _run(*base, "--department", "handwerksrolle")
    assert not Exchange.objects.exists()


def test_the_command_line_tool_prints_id_and_address(
    intake_env: dict[str, str], clerk: User, departments: dict[str, Department], tmp_path: Path
) -> None:
    env = {
        **os.environ,
        **intake_env,
        "KAMMERPOST_DATABASE_URL": processes.test_database_url(),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
    }
    kammerpost = str(Path(sys.executable).with_name("kammerpost"))
    result = subprocess.run(
        [kammerpost, "exchange", "open", "--department", "pruefungswesen", "--clerk", clerk.email,
         "--guest-name", "Erika", "--guest-email", "erika@example.org"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    exchange = Exchange.objects.get()
    assert lines[0] == f"exchange {exchange.pk}"
    assert lines[1].startswith("invitation http") and "/cloud/einladung/" in lines[1]
    # Defaults: 14 days, 10 GB, the exchange policy.
    assert exchange.quota_bytes == 10 * 1000**3 and exchange.policy_name == "exchange"
    assert timedelta(days=13, hours=23) < exchange.expires_at - exchange.created_at


def _gone(key: str) -> bool:
    try:
        for _ in intake_vault().read(key):
            pass
    except (BlobNotFoundError, KeyUnavailableError, VaultError):
        return True
    return False


def test_expiry_closes_and_retention_shreds_exactly_what_is_due(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    pruefung = departments["pruefungswesen"]
    pruefung.exchange_retention_days = 7
    pruefung.save()
    kept = open_exchange(clerk, pruefung, guest="kept@example.org", days=1).exchange
    dropped = open_exchange(clerk, pruefung, guest="dropped@example.org", days=1).exchange
    later = open_exchange(clerk, pruefung, guest="later@example.org", days=20).exchange
    for exchange in (kept, dropped, later):
        services.upload_receive(exchange=exchange, name="plan.pdf", source=io.BytesIO(PDF))
        services.placed_file_add(
            actor=clerk, exchange=exchange, name="bescheid.pdf", source=io.BytesIO(PDF)
        )
    services.exchange_take_over(actor=clerk, exchange=refreshed(kept))
    keys = {
        e.pk: (
            list(
                Document.objects.filter(item=refreshed(e).item).values_list("vault_key", flat=True)
            ),
            list(e.placed_files.values_list("vault_key", flat=True)),
        )
        for e in (kept, dropped, later)
    }
    with freeze_time(timedelta(days=1, minutes=1)):
        call_command("exchange_sweep", stdout=io.StringIO())
        assert refreshed(kept).closed_at is not None and refreshed(dropped).closed_at is not None
        assert refreshed(later).closed_at is None
        assert not any(_gone(k) for docs, placed in keys.values() for k in docs + placed)
    with freeze_time(timedelta(days=7, hours=23)):  # closed 6 days 22 hours ago: not yet
        assert services.exchanges_retention_shred() == 0
    with freeze_time(timedelta(days=8, minutes=2)):
        call_command("exchange_sweep", stdout=io.StringIO())
        # Taken over: the uploads stay, the placed files go.
        kept_docs, kept_placed = keys[kept.pk]
        assert not any(_gone(k) for k in kept_docs)
        assert all(_gone(k) for k in kept_placed)
        assert refreshed(kept).item is not None
        # Not taken over: every file is gone, the item erased (its register entry stays).
        dropped_docs, dropped_placed = keys[dropped.pk]
        assert all(_gone(k) for k in dropped_docs + dropped_placed)
        dropped_now = refreshed(dropped)
        assert dropped_now.shredded_at is not None
        assert ItemErasure.objects.filter(item=dropped_now.item).exists()
        assert dropped_now.guest_email == "" and dropped_now.guest_name == "(gelöscht)"
        assert not ItemErasure.objects.filter(item=refreshed(kept).item).exists()
        # Still open: untouched.
        later_docs, later_placed = keys[later.pk]
        assert not any(_gone(k) for k in later_docs + later_placed)
        assert refreshed(later).shredded_at is None
    assert InboundItem.objects.count() == 3
    assert not StagedBlob.objects.filter(vault_key__in=kept_placed + dropped_placed).exists()
    erased = AuditEvent.objects.get(action="item.erased")
    assert erased.detail["reason"] == "retention"
    assert AuditEvent.objects.filter(action="exchange.shredded").count() == 2


def test_the_department_default_retention_is_the_setting(
    intake_env: dict[str, str],
    outbox: Path,
    clerk: User,
    departments: dict[str, Department],
    settings: object,
) -> None:
    settings.EXCHANGE_RETENTION_DAYS = 3  # type: ignore[attr-defined]
    exchange = open_exchange(clerk, departments["pruefungswesen"], days=1).exchange
    services.exchange_close(exchange=exchange)
    exchange = refreshed(exchange)
    assert services.retention_due_at(exchange) == exchange.closed_at + timedelta(days=3)


def test_a_closed_exchange_takes_no_more_uploads_and_its_link_is_dead(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    from django.test import Client

    opened = open_exchange(clerk, departments["pruefungswesen"])
    services.exchange_close(exchange=opened.exchange, actor=clerk)
    client = Client()
    client.get(invitation_path(opened.invitation_url))
    assert client.get("/cloud/einladung/").status_code == 404
    with pytest.raises(services.ExchangeError):
        services.upload_receive(exchange=opened.exchange, name="a.pdf", source=io.BytesIO(PDF))


def test_refusals_speak_german_and_english(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    from django.utils import translation

    for language, text, hint in (
        ("de", "Ein Austausch ist 1 bis 90 Tage offen.", "Wählen Sie eine kürzere Laufzeit."),
        ("en", "An exchange is open for 1 to 90 days.", "Choose a shorter period."),
    ):
        with translation.override(language):
            with pytest.raises(services.ExchangeError) as refused:
                open_exchange(clerk, departments["pruefungswesen"], days=91)
            assert (refused.value.message, refused.value.hint) == (text, hint)


def test_closing_removes_unfinished_uploads_with_their_segments(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    from django.test import Client

    from kammerpost.exchange.models import Upload
    from kammerpost.exchange.tus import default_uploads
    from kammerpost.vault import UploadNotFoundError
    from tests.exchange.support import enter

    opened = open_exchange(clerk, departments["pruefungswesen"])
    guest = enter(Client(), opened, outbox)
    tus = {"Tus-Resumable": "1.0.0"}
    created = guest.post("/cloud/austausch/dateien/", headers={**tus, "Upload-Length": "1000"})
    location = created["Location"]
    patched = guest.generic(
        "PATCH",
        location,
        b"x" * 400,
        content_type="application/offset+octet-stream",
        headers={**tus, "Upload-Offset": "0"},
    )
    assert patched.status_code == 204
    [row] = Upload.objects.all()
    assert default_uploads().offset(row.upload_id) == 400
    assert services.exchange_close(exchange=opened.exchange, actor=clerk)
    assert not Upload.objects.exists()
    with pytest.raises(UploadNotFoundError):
        default_uploads().offset(row.upload_id)
    assert guest.head(location, headers=tus).status_code == 404


def test_erasing_the_item_takes_the_exchange_rows_with_it(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    """A person's erasure request (privacy) reaches the exchange's own rows too."""
    from kammerpost.privacy.erasure import item_erase
    from kammerpost.privacy.models import ErasureReason

    exchange = open_exchange(clerk, departments["pruefungswesen"]).exchange
    services.upload_receive(exchange=exchange, name="plan.pdf", source=io.BytesIO(PDF))
    placed = services.placed_file_add(
        actor=clerk, exchange=exchange, name="bescheid.pdf", source=io.BytesIO(PDF)
    )
    item_erase(item=refreshed(exchange).item, reason=ErasureReason.REQUEST)
    exchange = refreshed(exchange)
    assert _gone(placed.vault_key) and not exchange.placed_files.exists()
    assert (exchange.guest_name, exchange.guest_email, exchange.purpose) == ("(gelöscht)", "", "")
    assert not exchange.is_open()
