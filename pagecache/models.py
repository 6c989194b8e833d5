"""No models. This module exists so that `migrate` sends this app post_migrate (apps.py):
Django signals only apps with a models module."""
