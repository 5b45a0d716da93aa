from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kammerpost.accounts"
    verbose_name = "Konten"

    def ready(self) -> None:
        # Audit receivers only (security.md 25); no business logic lives in signals.
        from . import signals  # noqa: F401, PLC0415
