from django.contrib import admin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "slug", "mailbox", "is_active")
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012 - Django's admin API
