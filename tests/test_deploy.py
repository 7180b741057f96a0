"""Production settings: Django's deploy check is clean, secrets come from the
environment only, and the answers carry the security headers and cookie flags."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **overrides) -> dict:
    """The environment of a production server: DEBUG off, a long random key, HTTPS, a host."""
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "sanping.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "HTTPS": "1",
        "ALLOWED_HOSTS": "sanping.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://sanping.example.org",
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_deploy_check_reports_nothing_with_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    result = run(["manage.py", "check"], production_env(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "AXES_FAILURE_LIMIT", "CONTENT_SECURITY_POLICY", "MIDDLEWARE",
]}, default=str))
"""


def test_production_cookies_are_secure_and_http_only_with_hsts_and_throttled_sign_in(tmp_path):
    result = run(["-c", SHOW_SETTINGS], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"] and s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_SECURE"] and s["CSRF_COOKIE_HTTPONLY"] and s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["X_FRAME_OPTIONS"] == "DENY" and s["SECURE_CONTENT_TYPE_NOSNIFF"]
    # Two hours without a request end the session; every request extends it.
    assert s["SESSION_COOKIE_AGE"] == 2 * 3600 and s["SESSION_SAVE_EVERY_REQUEST"]
    assert s["AXES_FAILURE_LIMIT"] == 5 and "axes.middleware.AxesMiddleware" in s["MIDDLEWARE"]
    assert "unsafe" not in json.dumps(s["CONTENT_SECURITY_POLICY"])


def test_without_https_there_is_no_hsts_nor_secure_cookie(tmp_path):
    """Plain HTTP on a laptop or behind no proxy: a Secure cookie would never come back."""
    result = run(["-c", SHOW_SETTINGS], production_env(tmp_path, HTTPS="0"))
    s = json.loads(result.stdout)
    assert not s["SESSION_COOKIE_SECURE"] and not s["SECURE_HSTS_SECONDS"] and not s["SECURE_SSL_REDIRECT"]


# The headers, as the application answers (test settings) ----------------------------------


def test_every_page_carries_the_security_headers(client, member):
    client.force_login(member.user)
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe" not in policy


def test_the_sign_in_cookie_is_http_only_and_same_site(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize("https", [True, False])
def test_hsts_is_sent_over_https_only(client, settings, https):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=https)
    if https:
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    else:
        assert "Strict-Transport-Security" not in response
