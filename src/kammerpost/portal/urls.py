from django.urls import path

from . import mydata, views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("verfahren/<slug:slug>/", views.procedure_start, name="procedure-start"),
    path("entwurf/<slug:draft_id>/angaben/", views.draft_fields, name="draft-fields"),
    path("entwurf/<slug:draft_id>/dateien/", views.draft_files, name="draft-files"),
    path("entwurf/<slug:draft_id>/pruefen/", views.draft_check, name="draft-check"),
    path("entwurf/<slug:draft_id>/senden/", views.draft_send, name="draft-send"),
    path("vorgaenge/", views.item_list, name="item-list"),
    path("vorgaenge/<str:reference>/", views.item_detail, name="item-detail"),
    path("vorgaenge/<str:reference>/bestaetigung/", views.item_receipt, name="item-receipt"),
    path(
        "vorgaenge/<str:reference>/bestaetigung.pdf",
        views.item_receipt_pdf,
        name="item-receipt-pdf",
    ),
    path("meine-daten/", mydata.my_data, name="my-data"),
    path("meine-daten/export.zip", mydata.my_data_export, name="my-data-export"),
]
