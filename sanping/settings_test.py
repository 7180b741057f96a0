"""Settings for the test suite: the real settings, with a key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-key")
os.environ.setdefault("STATIC_MANIFEST", "0")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
ALLOWED_HOSTS = ["*"]
# Sign-in throttling is off in tests, so that client.login() works without a request;
# tests/members/test_sign_in_throttling.py turns it on again.
AXES_ENABLED = False
