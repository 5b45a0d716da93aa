from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("", views.department_list, name="department-list"),
    path("bereich/<slug:slug>/", views.inbox, name="inbox"),
    path("eingang/<str:reference>/", views.item_detail, name="item-detail"),
    path("eingang/<str:reference>/zuweisen/", views.item_assign, name="item-assign"),
    path("eingang/<str:reference>/status/", views.item_status, name="item-status"),
    path("eingang/<str:reference>/antwort/", views.item_reply, name="item-reply"),
    path(
        "eingang/<str:reference>/dokument/<int:position>/",
        views.document_download,
        name="document-download",
    ),
]
