"""The project package: settings, the Celery app, URLs, WSGI and the health views."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
