from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kammerpost.demo"
    verbose_name = "Demodaten"

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415 - registers the checks once apps are ready
