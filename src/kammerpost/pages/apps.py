from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "kammerpost.pages"
    verbose_name = "Öffentliche Seiten"
