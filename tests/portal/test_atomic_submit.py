"""Sending a draft is all or nothing, even when the process dies in the middle of it."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from kammerpost.chamber.procedures import procedures_all
from kammerpost.intake.models import Document, InboundItem, StagedBlob
from kammerpost.intake.services import intake_vault
from kammerpost.portal import services
from kammerpost.portal.models import Submission
from tests.corpus import pdfs
from tests.support import processes

from .conftest import new_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(300)]

# Sends the draft of a session saved as JSON, in a process of its own.
SUBMIT = """
import json, sys
from kammerpost.accounts.models import User
from kammerpost.portal import services
from kammerpost.chamber.procedures import procedures_all

class Session(dict):
    modified = False

session = Session(json.loads(open({path!r}).read()))
draft = session[services.SESSION_KEY][{draft_id!r}]
item = services.draft_submit(
    session=session, draft_id={draft_id!r}, draft=draft,
    procedure=procedures_all()["allgemein"], actor=User.objects.get(pk={user}), business=None,
)
print(item.reference)
"""


class Session(dict[str, Any]):
    modified = False


def test_a_crash_inside_the_channels_step_leaves_nothing_and_the_draft_can_be_sent(
    portal_env: Path, intake_env: dict[str, str], tmp_path: Path
) -> None:
    user = new_user()
    session = Session()
    procedure = procedures_all()["allgemein"]
    draft_id = services.draft_start(
        session=session, procedure=procedure, values={"department": "verwaltung"}
    )
    draft = session[services.SESSION_KEY][draft_id]
    services.draft_file_add(
        session=session,
        draft_id=draft_id,
        draft=draft,
        procedure=procedure,
        slot_name="dokumente",
        name="antrag.pdf",
        chunks=[pdfs.clean()],
    )
    services.draft_check(session=session, draft=draft)
    (key,) = [f["blob"]["key"] for f in draft["files"]]
    saved = tmp_path / "session.json"
    saved.write_text(json.dumps(dict(session)))
    script = SUBMIT.format(path=str(saved), draft_id=draft_id, user=user.pk)

    # Killed after the Submission row was written, before the commit.
    crashed = processes.run(
        "shell",
        "-c",
        script,
        env=processes.command_env(**intake_env, KAMMERPOST_CRASHPOINT="intake.attach"),
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert not InboundItem.objects.exists()
    assert not Submission.objects.exists()
    assert not Document.objects.exists()
    assert not DBTaskResult.objects.exists()
    # The draft's file is untouched: still staged, still in the vault.
    assert StagedBlob.objects.filter(vault_key=key).exists()
    assert intake_vault().exists(key)

    # The same draft sent again: the whole submission.
    sent = processes.run("shell", "-c", script, env=processes.command_env(**intake_env))
    assert sent.returncode == 0, sent.stderr
    # (the shell prints a line about its automatic imports first)
    item = InboundItem.objects.get(reference=sent.stdout.strip().splitlines()[-1])
    assert Submission.objects.get(item=item).user == user
    assert item.documents.get().vault_key == key
    assert not StagedBlob.objects.exists()
    assert DBTaskResult.objects.count() == 1
