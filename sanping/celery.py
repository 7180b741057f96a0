"""The Celery application: the worker and beat of `make run` and production."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanping.settings")

app = Celery("sanping")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
