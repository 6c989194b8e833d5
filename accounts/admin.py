from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["email", "display_name", "affiliation", "is_staff", "date_joined"]
    search_fields = ["email", "display_name", "username", "affiliation"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Public profile", {"fields": ["display_name", "affiliation"]}),
    )
