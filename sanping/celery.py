"""The Celery application: the worker and beat of `make run` and production.

Without REDIS_URL the broker is kombu's filesystem transport under var/celery/, so
`celery -A sanping worker -B` runs a worker with an embedded beat and no services;
with REDIS_URL both use Redis, and production runs exactly one beat. The beat
schedule is in code, in settings (CELERY_BEAT_SCHEDULE, crontab in Asia/Shanghai):
the reminder sweep every hour from 07:00 to 22:00 (meetings/tasks.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanping.settings")

app = Celery("sanping")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
