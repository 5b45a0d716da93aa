from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from kammerpost.chamber.admin import procedures_view
from kammerpost.operations import views as operations

# The admin has no login of its own: allauth's, with the second factor (security.md 5).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/verfahren/", admin.site.admin_view(procedures_view), name="admin-procedures"),
    path("admin/", admin.site.urls),
    path("konto/", include("kammerpost.accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("portal/", include("kammerpost.portal.urls")),
    path("intern/", include("kammerpost.backoffice.urls")),
    # For load balancers and Prometheus (docs/operations.md); /health is in pages.
    path("ready", operations.ready, name="ready"),
    path("metrics", operations.metrics, name="metrics"),
    path("", include("kammerpost.pages.urls")),
]
