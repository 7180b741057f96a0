"""Settings of the Celery workers that the reliability tests start in their own
processes: the test settings, but tasks go through Redis for real (no eager mode),
the database is the test database pytest-django made, and email goes by SMTP to the
test's own server (tests/reliability/smtp.py).

The harness (conftest.py) passes RELIABILITY_DATABASE_NAME, REDIS_URL (its own
Redis database) and RELIABILITY_SMTP_PORT in the environment.
"""

import os

from sanping.settings_test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["RELIABILITY_DATABASE_NAME"]  # noqa: F405

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = os.environ["REDIS_URL"]
# Redis has no real acknowledgements: a message a worker took is kept aside
# ("unacked") and put back in the queue once it is older than the visibility timeout
# (one hour by default). Five seconds lets a test see a killed worker's task
# redelivered, and a restore sweep every second (kombu's default is every 10 s times
# a throttle of 10) makes that happen within a second or two of the timeout.
# Every task of these tests finishes well within five seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["RELIABILITY_SMTP_PORT"])
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
EMAIL_TIMEOUT = 20

# A test may make the sweep send its emails in batch tasks (send_email_notifications).
REMINDER_EMAIL_BATCH_SIZE = int(os.environ.get("RELIABILITY_EMAIL_BATCH_SIZE", REMINDER_EMAIL_BATCH_SIZE))  # noqa: F405
