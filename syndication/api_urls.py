"""The JSON API under /api/ (its own namespace, "api", from django-ninja)."""

from django.urls import path

from .api import api

urlpatterns = [path("", api.urls)]
