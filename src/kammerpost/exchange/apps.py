from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "kammerpost.exchange"
    verbose_name = "Cloud-Austausch"

    def ready(self) -> None:
        # An erased item (retention, a person's request) takes its exchange's rows with it.
        from kammerpost.privacy.erasure import item_eraser_register  # noqa: PLC0415

        from .services import exchanges_of_items_erase  # noqa: PLC0415

        item_eraser_register("exchange", exchanges_of_items_erase)
