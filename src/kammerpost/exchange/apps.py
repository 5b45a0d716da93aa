from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "kammerpost.exchange"
    verbose_name = "Cloud-Austausch"
