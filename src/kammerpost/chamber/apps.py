from django.apps import AppConfig


class ChamberConfig(AppConfig):
    name = "kammerpost.chamber"
    verbose_name = "Kammer"
