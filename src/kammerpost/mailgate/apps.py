from django.apps import AppConfig


class MailgateConfig(AppConfig):
    name = "kammerpost.mailgate"
    verbose_name = "E-Mail-Eingang"
