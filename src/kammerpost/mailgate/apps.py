from django.apps import AppConfig


class MailgateConfig(AppConfig):
    name = "kammerpost.mailgate"
    verbose_name = "E-Mail-Eingang"

    def ready(self) -> None:
        from kammerpost.privacy.erasure import item_eraser_register  # noqa: PLC0415

        from .erasure import mail_messages_erase  # noqa: PLC0415

        item_eraser_register("mailgate.raw_message", mail_messages_erase)
