from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "kammerpost.privacy"
    verbose_name = "Datenschutz und Protokoll"
