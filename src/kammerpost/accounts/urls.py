from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("betrieb/<int:business_id>/", views.business_detail, name="business-detail"),
    path("betrieb/<int:business_id>/verknuepfen/", views.business_link, name="business-link"),
    path("einladung/", views.invitation, name="invitation"),
    path("einladung/<str:token>/", views.invitation_open, name="invitation-open"),
    path("aktivierungscode/", views.activation_code_issue, name="activation-code-issue"),
]
