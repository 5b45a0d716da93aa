from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kammerpost.demo"
    verbose_name = "Demodaten"
