from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kammerpost.accounts"
    verbose_name = "Konten"
