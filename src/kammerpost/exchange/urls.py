from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    # The invited person: the link, the code, then the one exchange of the session.
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("einladung/", views.invitation_start, name="invitation-start"),
    path("code/", views.code, name="code"),
    path("code/neu/", views.code_resend, name="code-resend"),
    path("austausch/", views.home, name="home"),
    # tus 1.0 (kammerpost.exchange.tus): the collection and each upload.
    path("austausch/dateien/", views.files, name="files"),
    path("austausch/dateien/<str:upload_id>/", views.files, name="file"),
    path("austausch/hochladen/", views.upload, name="upload"),
    path("austausch/abholen/<int:file_pk>/", views.placed_download, name="placed-download"),
    path("austausch/verlassen/", views.leave, name="leave"),
    # Staff (TOTP enforced by the accounts middleware): the clerk's and deputies' exchanges.
    path("intern/", views.staff_list, name="staff-list"),
    path("intern/neu/", views.staff_new, name="staff-new"),
    path("intern/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("intern/<int:pk>/einladung/", views.staff_resend, name="staff-resend"),
    path("intern/<int:pk>/schliessen/", views.staff_close, name="staff-close"),
    path("intern/<int:pk>/uebernehmen/", views.staff_take_over, name="staff-take-over"),
    path("intern/<int:pk>/bereitstellen/", views.staff_place, name="staff-place"),
    path(
        "intern/<int:pk>/datei/<int:file_pk>/",
        views.staff_placed_download,
        name="staff-placed-download",
    ),
]
