from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "kammerpost.backoffice"
    verbose_name = "Sachbearbeitung"
