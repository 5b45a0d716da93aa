from django.urls import path

from . import views

app_name = "pages"
urlpatterns = [
    path("", views.start, name="start"),
    path("health", views.health, name="health"),
    # The public pages: fixed addresses, texts from the admin (PublicPage).
    path("formate/", views.public_page, {"slug": "formate"}, name="formats"),
    path("fragen/", views.public_page, {"slug": "fragen"}, name="faq"),
    path("datenschutz/", views.public_page, {"slug": "datenschutz"}, name="privacy"),
    path("impressum/", views.public_page, {"slug": "impressum"}, name="imprint"),
    path(
        "barrierefreiheit/", views.public_page, {"slug": "barrierefreiheit"}, name="accessibility"
    ),
    path("kontakt/", views.contact, name="contact"),
    path("kontakt/gesendet/", views.contact_sent, name="contact-sent"),
    # The communication preference: the account's setting, the mails' opt-out link.
    path("kommunikation/", views.preference, name="preference"),
    path("meine-daten.json", views.personal_data, name="personal-data"),
    path("kommunikation/widerspruch/", views.opt_out, name="opt-out"),
    path("kommunikation/widerspruch/<str:token>/", views.opt_out_link, name="opt-out-link"),
]
