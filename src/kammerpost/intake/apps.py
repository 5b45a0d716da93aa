from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "kammerpost.intake"
    verbose_name = "Eingänge"
