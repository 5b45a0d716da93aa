from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kammerpost.portal"
    verbose_name = "Kundenportal"
