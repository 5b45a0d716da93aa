"""The exchange as a ``TusTarget``: its quota, its uploads, the hand-over to the intake."""

from __future__ import annotations

from kammerpost.vault import BlobInfo

from . import services
from .models import Exchange, Upload


class ExchangeTarget:
    """Uploads of one open exchange; ``ip_address`` goes into the intake's audit trail."""

    def __init__(self, exchange: Exchange, ip_address: str | None = None) -> None:
        self.exchange = exchange
        self.ip_address = ip_address

    @property
    def key(self) -> str:
        return self.exchange.target_key

    def max_size(self) -> int:
        return services.upload_room(self.exchange)

    def upload_owned(self, upload_id: str) -> bool:
        # tus.py already matched the row's target; a closed exchange owns nothing any more.
        return (
            self.exchange.is_open()
            and Upload.objects.filter(upload_id=upload_id, target=self.key).exists()
        )

    def upload_created(self, upload_id: str, length: int, metadata: dict[str, str]) -> None:
        """Nothing to record: the Upload row is the reservation against the quota."""

    def upload_completed(self, upload_id: str, blob: BlobInfo, metadata: dict[str, str]) -> None:
        services.upload_receive(
            exchange=self.exchange,
            name=metadata.get("filename") or metadata.get("name") or "datei",
            blob=blob,
            ip_address=self.ip_address,
        )
