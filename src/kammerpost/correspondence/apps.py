from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "kammerpost.correspondence"
    verbose_name = "Korrespondenz"
