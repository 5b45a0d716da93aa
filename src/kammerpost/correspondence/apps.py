from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "kammerpost.correspondence"
    verbose_name = "Korrespondenz"

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415 - registers the system check
