"""Settings for the test suite: the real settings, with a key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-key")
os.environ.setdefault("STATIC_MANIFEST", "0")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
ALLOWED_HOSTS = ["*"]
