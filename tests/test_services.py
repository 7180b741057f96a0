"""The real parts: PostgreSQL, Redis and a Celery worker taking tasks through Redis.

Skipped on a laptop without them; CI sets REQUIRE_SERVICES=1, where a skip fails."""

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

from members.models import Branch

from .conftest import require_service


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        require_service("REDIS_URL is not set: no Redis to test against")
    return url


@pytest.mark.services
@pytest.mark.django_db
def test_postgresql_round_trip():
    if connection.vendor != "postgresql":
        require_service(f"DATABASE_URL is not PostgreSQL (the tests run on {connection.vendor})")
    Branch.objects.create(name="往返测试党支部")
    assert Branch.objects.get(name="往返测试党支部").name == "往返测试党支部"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"


@pytest.mark.services
def test_redis_round_trip(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    key = f"sanping-test-{uuid.uuid4()}"
    client.set(key, "三评", ex=30)
    assert client.get(key).decode() == "三评"
    client.delete(key)


@pytest.mark.services
def test_django_cache_uses_redis(redis_url):
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("sanping-test-cache", {"阶段": "开场"}, 30)
    assert cache.get("sanping-test-cache") == {"阶段": "开场"}


@pytest.mark.services
def test_celery_worker_takes_a_task_through_redis(redis_url, settings):
    from celery.contrib.testing.worker import start_worker

    from sanping.celery import app
    from sanping.tasks import task_ping

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert task_ping.delay().get(timeout=20) == "pong"
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
