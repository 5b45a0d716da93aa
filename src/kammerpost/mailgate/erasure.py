"""The gateway's part of erasing an item: its archived raw message and its envelope.

Registered with ``privacy.erasure`` in ``MailgateConfig.ready``: the domain
may not import the gateway, so the gateway tells it what to erase. Several
items (one per department addressed) may share one archived message; the
blob is shredded when the last of them goes, and until then the other
department's period keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence

from kammerpost.providers import MAIL_ARCHIVE, find_service
from kammerpost.vault import Vault

from .models import MailMessage


def mail_messages_erase(item_ids: Sequence[int]) -> None:
    messages = list(MailMessage.objects.filter(item_id__in=item_ids).exclude(archive_key=""))
    keys = {message.archive_key for message in messages}
    MailMessage.objects.filter(item_id__in=item_ids).update(
        archive_key="", message_id="", envelope_from="", recipients=[], peer=None
    )
    archive = find_service(Vault, name=MAIL_ARCHIVE)
    for key in keys:
        if not MailMessage.objects.filter(archive_key=key).exists():
            archive.delete(key)
