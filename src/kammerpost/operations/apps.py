from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kammerpost.operations"
    label = "operations"
    verbose_name = "Betrieb"
